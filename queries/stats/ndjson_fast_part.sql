-- One part of a getStats file read by DuckDB's JSON reader (stats_fast, ndjson_fast.sql; $before lines of the file
-- before it) as stage_objects, for ndjson_objects.sql: the wrapper's keys as the line reader takes them
-- (ndjson_stage.sql), one row per object. The read kept the part's order; its rowids count from where the
-- transaction's new rows start, so a line is its rowid's place after the first.
CREATE OR REPLACE TEMP TABLE stage_objects AS
SELECT rowid - (SELECT min(rowid) FROM stats_fast) + 1 + $before AS line,
    json_extract_string(coalesce(call_id, callId), '$') AS call_id_hint,
    json_extract_string(coalesce(pc_id, peerConnectionId, pc), '$') AS pc_id,
    json_extract_string(coalesce(timestamp_us, "timestamp", ts, "time"), '$') AS report_ts,
    coalesce(json_extract_string(origin, '$'), $origin) AS origin,
    unnest(stats) AS o, CAST(NULL AS VARCHAR) AS k
FROM stats_fast
