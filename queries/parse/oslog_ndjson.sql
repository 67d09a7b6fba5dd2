-- `log show --style ndjson` (camelCase keys) and mandiant unifiedlog_iterator jsonl (snake_case keys),
-- line by line: used when the fast path (oslog_ndjson_fast.sql) cannot vouch for the file. Every line is
-- validated, so a broken line among the noise is rejected, not ignored; relevance is decided on the same
-- fields as in the fast path, so both paths keep the same records.
WITH v AS (
    -- a field can only match the relevance keywords if the raw line does: fields are extracted only then
    SELECT *, json_valid(text) AS valid, regexp_matches(text, $relevance) OR text LIKE '%"finished"%' AS maybe
    FROM chunk_records
), j AS (
    SELECT *,
        CASE WHEN valid THEN json_type(text) = 'OBJECT' ELSE false END AS is_object,
        CASE WHEN valid AND maybe THEN json_extract_string(text, [
            '$.timestamp', '$.time_iso', '$.processImagePath', '$.process', '$.processID', '$.pid',
            '$.threadID', '$.thread_id', '$.messageType', '$.log_type', '$.subsystem', '$.category',
            '$.senderImagePath', '$.library', '$.eventMessage', '$.message', '$.finished']) END AS f
    FROM v
), k AS (
    SELECT *,
        coalesce(f[17] IS NOT NULL AND f[15] IS NULL AND f[16] IS NULL, false) AS is_meta,
        coalesce(regexp_matches(concat_ws(' ', f[3], f[4], f[11], f[12], f[15], f[16]), $relevance), false) AS relevant
    FROM j
)
SELECT
    line_start, line_end, text, relevant, is_meta,
    CASE
        WHEN NOT valid AND bad_utf8 THEN 'invalid UTF-8 bytes and not valid JSON'
        WHEN NOT valid THEN 'not valid JSON'
        WHEN NOT is_object THEN 'JSON value is not an object'
    END AS reject_reason,
    coalesce(f[1], f[2]) AS ts_text,
    regexp_extract(coalesce(f[3], f[4]), '([^/]+)$', 1) AS process,
    TRY_CAST(coalesce(f[5], f[6]) AS INTEGER) AS pid,
    coalesce(f[7], f[8]) AS thread,
    coalesce(f[9], f[10]) AS level,
    f[11] AS subsystem,
    f[12] AS category,
    regexp_extract(coalesce(f[13], f[14]), '([^/]+)$', 1) AS sender,
    coalesce(f[15], f[16]) AS message
FROM k
