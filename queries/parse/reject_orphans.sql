-- Continuation lines with no record start before them (registered as orphan_lines) as rejects.
-- Params: $source_id, $excerpt (length).
INSERT INTO rejects
SELECT $source_id, line_no, line_no, 'continuation line outside any record (no record start before it)',
       left(line, $excerpt)
FROM orphan_lines
