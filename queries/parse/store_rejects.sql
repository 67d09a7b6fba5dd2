-- Rejected records of the chunk, with their first/last line and an excerpt. Params: $source_id, $excerpt (length).
INSERT INTO rejects
SELECT $source_id, line_start, line_end, reject_reason, left(coalesce(text, message), $excerpt)
FROM parsed_chunk
WHERE reject_reason IS NOT NULL
ORDER BY line_start
