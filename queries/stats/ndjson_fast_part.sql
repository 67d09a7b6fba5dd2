-- One part of the fast path's typed read (stats_fast, rows $start .. $stop - 1) as stage_objects, for
-- ndjson_objects.sql: the wrapper's keys as the line reader takes them (ndjson_stage.sql), one row per object.
CREATE OR REPLACE TEMP TABLE stage_objects AS
SELECT rowid + 1 AS line,
    json_extract_string(coalesce(call_id, callId), '$') AS call_id_hint,
    json_extract_string(coalesce(pc_id, peerConnectionId, pc), '$') AS pc_id,
    json_extract_string(coalesce(timestamp_us, "timestamp", ts, "time"), '$') AS report_ts,
    coalesce(json_extract_string(origin, '$'), $origin) AS origin,
    unnest(stats) AS o, CAST(NULL AS VARCHAR) AS k
FROM stats_fast
WHERE rowid >= $start AND rowid < $stop
