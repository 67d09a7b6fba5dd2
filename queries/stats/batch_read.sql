-- A batch of small getStats files ($paths, in input order; analyzer/store/ingest_batch.py) read by DuckDB's JSON
-- reader in one statement, appended to batch_read: one row a line, the files one after another in the order
-- given and each file's lines in order (a row's rowid says its place), the wrapper's keys as the line reader
-- takes them (ndjson_stage.sql) and its report (a list of objects or a map id -> object) as one JSON value.
-- Malformed JSON, a line over $max_bytes or invalid UTF-8 makes the read fail (the caller splits the batch then),
-- and the reader skips blank lines: a file whose rows are not its lines, each with a non-empty report, is read
-- by the per-file path instead.
INSERT INTO batch_read
SELECT filename,
    coalesce(stats, report, statistics) AS rep,
    json_extract_string(coalesce(call_id, callId), '$') AS call_id_hint,
    json_extract_string(coalesce(pc_id, peerConnectionId, pc), '$') AS pc_id,
    json_extract_string(coalesce(timestamp_us, "timestamp", ts, "time"), '$') AS report_ts,
    coalesce(json_extract_string(origin, '$'), $origin) AS origin
FROM read_ndjson($paths, filename = true, maximum_object_size = $max_bytes, columns = {
    stats: 'JSON', report: 'JSON', statistics: 'JSON', call_id: 'JSON', callId: 'JSON', pc_id: 'JSON',
    peerConnectionId: 'JSON', pc: 'JSON', timestamp_us: 'JSON', "timestamp": 'JSON', ts: 'JSON', "time": 'JSON',
    origin: 'JSON'})
