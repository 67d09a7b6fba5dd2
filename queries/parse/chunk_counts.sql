-- Counts of the chunk, named as analyzer/store/counts.py Counts (records leave out meta lines), and the last
-- timestamp text (the next chunk's $prev_ts).
SELECT
    count(*) - count(*) FILTER (WHERE reject_reason IS NULL AND is_meta) AS records,
    count(*) FILTER (WHERE reject_reason IS NULL AND relevant AND NOT is_meta) AS stored,
    count(*) FILTER (WHERE reject_reason IS NULL AND NOT relevant AND NOT is_meta) AS ignored,
    count(*) FILTER (WHERE reject_reason IS NOT NULL) AS rejected,
    count(*) FILTER (WHERE reject_reason IS NULL AND is_meta) AS meta_lines,
    arg_max(ts_text, line_start) FILTER (WHERE ts_text IS NOT NULL) AS last_ts
FROM parsed_chunk
