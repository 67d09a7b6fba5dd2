-- Fast path for a clean ndjson export, with DuckDB's own reader. Statement 1 keeps one row per record in
-- file order (a NULL for records about something else, so the table stays small), and its rowid is then
-- the record's ordinal; no ordered window, which would serialise the scan. The caller compares the record
-- count with the file's line count, so a skipped blank line cannot shift the numbers; any malformed line
-- makes the read fail, and the line-by-line path runs instead. The caller counts fast_all and drops it.
CREATE OR REPLACE TEMP TABLE fast_all AS
SELECT CASE WHEN relevant OR is_meta THEN struct_pack(
        ts_text := coalesce(timestamp, time_iso),
        process := regexp_extract(coalesce(processImagePath, process), '([^/]+)$', 1),
        pid := TRY_CAST(coalesce(processID, pid) AS INTEGER),
        thread := coalesce(threadID, thread_id),
        level := coalesce(messageType, log_type),
        subsystem := subsystem, category := category,
        sender := regexp_extract(coalesce(senderImagePath, library), '([^/]+)$', 1),
        message := coalesce(eventMessage, message),
        is_meta := is_meta, relevant := relevant) END AS r
FROM (
    SELECT *,
        finished IS NOT NULL AND eventMessage IS NULL AND message IS NULL AS is_meta,
        regexp_matches(concat_ws(' ', processImagePath, process, subsystem, category, eventMessage, message),
                       $relevance) AS relevant
    FROM read_ndjson($path, records = 'true', maximum_object_size = 16777216, columns = {
        timestamp: 'VARCHAR', time_iso: 'VARCHAR', processImagePath: 'VARCHAR', process: 'VARCHAR',
        processID: 'VARCHAR', pid: 'VARCHAR', threadID: 'VARCHAR', thread_id: 'VARCHAR',
        messageType: 'VARCHAR', log_type: 'VARCHAR', subsystem: 'VARCHAR', category: 'VARCHAR',
        senderImagePath: 'VARCHAR', library: 'VARCHAR', eventMessage: 'VARCHAR', message: 'VARCHAR',
        finished: 'VARCHAR'})
);

CREATE OR REPLACE TEMP TABLE fast_rows AS
SELECT rowid + 1 AS line_no, r.* FROM fast_all WHERE r IS NOT NULL
