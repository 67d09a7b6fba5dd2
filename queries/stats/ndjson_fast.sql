-- Fast path for one part of a getStats ndjson file ($path: a part file of whole lines, written by
-- analyzer/formats/stats_ndjson.py): DuckDB's own reader takes it, one row per line in order (a row's rowid + 1
-- is its line number in the part), parsing each line once: the wrapper's keys as JSON values and its `stats` list
-- as one JSON value per object (staged by ndjson_fast_part.sql and ndjson_objects.sql). Malformed JSON, a `stats`
-- that is not a list, a line over $max_bytes or invalid UTF-8 makes the read fail, and the reader skips blank
-- lines: the caller takes the line reader for the part unless the read succeeds, every line has a non-empty
-- `stats` list, and the row count is the part's line count.
CREATE OR REPLACE TEMP TABLE stats_fast AS
SELECT * FROM read_ndjson($path, maximum_object_size = $max_bytes, columns = {
    stats: 'JSON[]', call_id: 'JSON', callId: 'JSON', pc_id: 'JSON', peerConnectionId: 'JSON', pc: 'JSON',
    timestamp_us: 'JSON', "timestamp": 'JSON', ts: 'JSON', "time": 'JSON', origin: 'JSON'})
