-- `log show --style ndjson` (camelCase keys) and mandiant unifiedlog_iterator jsonl (snake_case keys).
-- Input: chunk_records(line_start, line_end, text, bad_utf8). Only related records are fully extracted;
-- every line is still validated, so a broken line among the noise is rejected, not ignored.
WITH v AS (
    SELECT *, json_valid(text) AS valid, regexp_matches(text, $relevance) AS relevant
    FROM chunk_records
), j AS (
    SELECT *, CASE WHEN valid AND relevant THEN CAST(text AS JSON) END AS j,
           valid AND regexp_matches(text, '^\s*\{\s*"finished"\s*:') AS is_meta
    FROM v
)
SELECT
    line_start, line_end, text, relevant, is_meta,
    CASE
        WHEN NOT valid AND bad_utf8 THEN 'invalid UTF-8 bytes and not valid JSON'
        WHEN NOT valid THEN 'not valid JSON'
        WHEN relevant AND json_type(j) <> 'OBJECT' THEN 'JSON value is not an object'
    END AS reject_reason,
    coalesce(j ->> 'timestamp', j ->> 'time_iso') AS ts_text,
    regexp_extract(coalesce(j ->> 'processImagePath', j ->> 'process'), '([^/]+)$', 1) AS process,
    TRY_CAST(coalesce(j ->> 'processID', j ->> 'pid') AS INTEGER) AS pid,
    coalesce(j ->> 'threadID', j ->> 'thread_id') AS thread,
    coalesce(j ->> 'messageType', j ->> 'log_type') AS level,
    j ->> 'subsystem' AS subsystem,
    j ->> 'category' AS category,
    regexp_extract(coalesce(j ->> 'senderImagePath', j ->> 'library'), '([^/]+)$', 1) AS sender,
    coalesce(j ->> 'eventMessage', j ->> 'message') AS message
FROM j
