-- The stats objects of getStats lines (stage_objects: line, call_id_hint, pc_id, report_ts, origin, o the
-- object, k its key in a map report), from the line reader (ndjson_stage.sql) or the fast path's typed read
-- (analyzer/formats/stats_ndjson.py), into stat_stage. iOS RTCStatistics objects ({id, type, timestamp_us,
-- values:{...}}) are flattened. keyed is MATERIALIZED: inlined, its JSON would be parsed again at every use of k.
INSERT INTO stat_stage
WITH flat AS (
    SELECT line, call_id_hint, pc_id, report_ts, origin, k AS key,
        CASE WHEN contains(o::VARCHAR, '"values"') AND json_type(o, '$.values') = 'OBJECT'
             THEN json_merge_patch(o -> 'values',
                                   json_object('id', o -> 'id', 'type', o -> 'type',
                                               'timestamp_us', o -> 'timestamp_us', 'timestamp', o -> 'timestamp'))
             ELSE o END AS obj
    FROM stage_objects
), keyed AS MATERIALIZED (
    -- one parse of each object for the fields every object needs
    SELECT *, json_type(obj) AS jt, json_extract_string(obj, ['$.id', '$.type', '$.timestamp_us', '$.timestamp']) AS k
    FROM flat
), timed AS (
    SELECT *, coalesce(stats_instant(k[3]), stats_instant(k[4]), stats_instant(report_ts)) AS ts FROM keyed
)
SELECT line, 'line ' || line, origin, call_id_hint, pc_id, coalesce(k[1], key), k[2], ts, obj,
    CASE WHEN jt <> 'OBJECT' THEN 'stats entry is not an object'
         WHEN k[2] IS NULL THEN 'stats object without type'
         WHEN coalesce(k[1], key) IS NULL THEN 'stats object without id'
         WHEN ts IS NULL THEN 'stats object without a usable timestamp'
    END,
    NULL
FROM timed
