-- Tally of the chunk: (records incl. meta, stored, ignored, rejected, meta, last timestamp text).
SELECT
    count(*),
    count(*) FILTER (WHERE reject_reason IS NULL AND relevant AND NOT is_meta),
    count(*) FILTER (WHERE reject_reason IS NULL AND NOT relevant AND NOT is_meta),
    count(*) FILTER (WHERE reject_reason IS NOT NULL),
    count(*) FILTER (WHERE reject_reason IS NULL AND is_meta),
    arg_max(ts_text, line_start) FILTER (WHERE ts_text IS NOT NULL)
FROM parsed_chunk
