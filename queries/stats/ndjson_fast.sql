-- Fast path for a clean getStats ndjson file ($path): DuckDB's own reader takes the whole file, one row per
-- line in file order, so a row's rowid + 1 is its line number (analyzer/formats/stats_ndjson.py stages it in
-- parts with ndjson_stage.sql). Malformed JSON, a line over $max_bytes or invalid UTF-8 makes the read fail,
-- and the reader skips blank lines: the caller compares the row count with the file's line count and takes
-- the line-by-line path unless they agree.
CREATE OR REPLACE TEMP TABLE stats_fast AS
SELECT json AS text FROM read_json_objects($path, format = 'newline_delimited', maximum_object_size = $max_bytes)
