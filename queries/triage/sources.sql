-- What was read, file by file.
SELECT path || coalesce('!' || member, '') AS file, format, lines, records, stored, ignored, rejected, events
FROM sources ORDER BY source_id
