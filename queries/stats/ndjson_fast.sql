-- Fast path for a clean getStats ndjson file ($path): DuckDB's own reader takes the whole file, one row per line
-- in file order (a row's rowid + 1 is its line number), parsing each line once: the wrapper's keys as JSON values
-- and its `stats` list as one JSON value per object (analyzer/formats/stats_ndjson.py stages it in parts with
-- ndjson_objects.sql). Malformed JSON, a `stats` that is not a list, a line over $max_bytes or invalid UTF-8 makes
-- the read fail, and the reader skips blank lines: the caller takes the line-by-line path unless the read
-- succeeds, every line has a non-empty `stats` list, and the row count is the file's line count.
CREATE OR REPLACE TEMP TABLE stats_fast AS
SELECT * FROM read_ndjson($path, maximum_object_size = $max_bytes, columns = {
    stats: 'JSON[]', call_id: 'JSON', callId: 'JSON', pc_id: 'JSON', peerConnectionId: 'JSON', pc: 'JSON',
    timestamp_us: 'JSON', "timestamp": 'JSON', ts: 'JSON', "time": 'JSON', origin: 'JSON'})
