-- Text logs, read line by line (analyzer/formats/text.py runs these statements on each chunk of lines,
-- `chunk_lines`: line_no, line, bad_utf8). Every line is in the first envelope of
-- analyzer/formats/envelopes.toml that matches it, or in none. Two parts are generated from the catalogue
-- (the placeholders in braces below): the index of the first matching envelope (a CASE over its regexes) and
-- one SELECT per envelope the chunk holds that extracts its groups (UNION ALL). Parameters: $meta, $cont
-- (regexes), $complete (indexes of the envelopes whose exporter prefixes every record), $first_line.

-- 1. Each line: break (blank, or an export's header/trailer), its envelope, whether its shape continues a
--    record (indented, opens with a closing bracket, a known second line), and its bracket balance.
CREATE OR REPLACE TEMP TABLE text_lines AS
WITH b AS (
    SELECT line_no, line, bad_utf8, trim(line) = '' AS blank FROM chunk_lines
), m AS (
    SELECT *, NOT blank AND regexp_matches(line, $meta) AS meta FROM b
), e AS (
    SELECT *, blank OR meta AS brk, CASE WHEN NOT (blank OR meta) THEN {envelope_index} END AS env FROM m
)
-- the shape and the brackets decide only for lines in no envelope and in segments whose envelope is not complete
-- (step 2), so they are not worked out for the rest
SELECT line_no, line, bad_utf8, blank, meta, brk, env,
    CASE WHEN env IS NULL THEN regexp_matches(line, $cont) ELSE false END AS cont_shape,
    CASE WHEN list_contains($complete, env) THEN 0
         ELSE len(regexp_extract_all(line, '[(\[{]|<[A-Za-z"]'))
              - len(regexp_extract_all(line, '[)\]}>]')) + len(regexp_extract_all(line, '[=-]>')) END AS net
FROM e;

-- 2. Records. A segment runs from an envelope line (or a break) to the next one. A line in no envelope
--    continues the record before it when the segment's exporter prefixes every record, when its shape says so,
--    or when a bracket is still open (depth: the running balance, never below zero); otherwise it is a record
--    of its own. The first line after a break, and the chunk's first line, always start one.
CREATE OR REPLACE TEMP TABLE text_starts AS
WITH s AS (
    SELECT *, sum(CASE WHEN env IS NOT NULL OR brk THEN 1 ELSE 0 END) OVER (ORDER BY line_no) AS seg
    FROM text_lines
), h AS (
    SELECT *,
        first_value(env) OVER w AS head_env, first_value(brk) OVER w AS head_brk,
        row_number() OVER w AS pos, sum(net) OVER w AS run
    FROM s
    WINDOW w AS (PARTITION BY seg ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), d AS (
    SELECT *, run - least(0, min(run) OVER w) AS depth_after
    FROM h
    WINDOW w AS (PARTITION BY seg ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), b AS (
    SELECT *, coalesce(lag(depth_after) OVER (PARTITION BY seg ORDER BY line_no), 0) AS depth_before FROM d
)
SELECT line_no, line, bad_utf8, brk, env,
    NOT brk AND (
        env IS NOT NULL
        OR line_no = $first_line
        OR (head_brk AND pos = 2)
        OR (NOT coalesce(list_contains($complete, head_env), false) AND NOT cont_shape AND depth_before <= 0)
    ) AS is_start
FROM b;

CREATE OR REPLACE TEMP TABLE text_grouped AS
SELECT *, CASE WHEN NOT brk THEN sum(CASE WHEN is_start THEN 1 ELSE 0 END) OVER (ORDER BY line_no) END AS rec
FROM text_starts;

-- 3. One row a record (records from $hold on wait for the next chunk: they may go on there).
CREATE OR REPLACE TEMP TABLE text_records AS
SELECT rec, min(line_no) AS line_start, max(line_no) AS line_end, list(line ORDER BY line_no) AS ls,
       any_value(env) FILTER (WHERE is_start) AS env, bool_or(bad_utf8) AS bad_utf8
FROM text_grouped
WHERE rec IS NOT NULL AND rec < $hold
GROUP BY rec;

-- 4. Each record's fields, from its envelope's groups (one regex evaluation a record).
CREATE OR REPLACE TEMP TABLE text_fields AS
{envelope_fields};
