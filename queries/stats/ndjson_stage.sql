-- getStats snapshots, one report a line (chunk_records: line_start, text), into stat_stage.
-- A line is either a wrapper {timestamp|ts|time|timestamp_us, call_id, pc_id, origin, stats|report|statistics}
-- or a bare report (Pion's GetStats() marshalled: a map of id -> object, origin gateway). A report is a
-- list or a map of stats objects; iOS RTCStatistics objects ({id, type, timestamp_us, values:{...}}) are
-- flattened. $origin is the format's default origin for wrapper lines without one. r (read twice) and keyed
-- (k read many times) are MATERIALIZED: inlined, their JSON would be parsed again at every use.
INSERT INTO stat_stage
WITH j AS (
    SELECT line, text, j IS NOT NULL AS valid, j
    FROM (SELECT line_start AS line, text, TRY_CAST(text AS JSON) AS j FROM chunk_records)
), w AS (
    -- one parse of the line for every wrapper key
    SELECT *, json_type(j) AS jt,
        json_extract(j, ['$.stats', '$.report', '$.statistics', '$.call_id', '$.callId', '$.pc_id',
                         '$.peerConnectionId', '$.pc', '$.timestamp_us', '$.timestamp', '$.ts', '$.time',
                         '$.origin']) AS f
    FROM j
), r AS MATERIALIZED (
    SELECT line, text, valid, jt,
        CASE WHEN jt = 'ARRAY' THEN j
             WHEN jt = 'OBJECT' THEN coalesce(f[1], f[2], f[3], j) END AS rep,
        jt = 'OBJECT' AND coalesce(f[1], f[2], f[3]) IS NOT NULL AS wrapped,
        json_extract_string(coalesce(f[4], f[5]), '$') AS call_id_hint,
        json_extract_string(coalesce(f[6], f[7], f[8]), '$') AS pc_id,
        json_extract_string(coalesce(f[9], f[10], f[11], f[12]), '$') AS report_ts,
        json_extract_string(f[13], '$') AS origin_key
    FROM w
), objs AS (
    SELECT line, text, call_id_hint, pc_id, report_ts,
        CASE WHEN wrapped THEN coalesce(origin_key, $origin) ELSE 'gateway' END AS origin,
        -- a list of objects, or a map id -> object (keys and values zip in order)
        unnest(CASE rep_type WHEN 'ARRAY' THEN json_extract(rep, '$[*]') WHEN 'OBJECT' THEN json_extract(rep, '$.*') END) AS o,
        unnest(CASE rep_type WHEN 'OBJECT' THEN json_keys(rep) END) AS k
    FROM (SELECT *, json_type(rep) AS rep_type FROM r WHERE valid AND rep IS NOT NULL)
), flat AS (
    SELECT line, text, call_id_hint, pc_id, report_ts, origin, k AS key,
        CASE WHEN contains(o::VARCHAR, '"values"') AND json_type(o, '$.values') = 'OBJECT'
             THEN json_merge_patch(o -> 'values',
                                   json_object('id', o -> 'id', 'type', o -> 'type',
                                               'timestamp_us', o -> 'timestamp_us', 'timestamp', o -> 'timestamp'))
             ELSE o END AS obj
    FROM objs
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
UNION ALL
SELECT line, 'line ' || line, $origin, NULL, NULL, NULL, NULL, NULL, NULL,
    CASE WHEN NOT valid THEN 'not valid JSON'
         WHEN rep IS NULL THEN 'no stats report on this line'
         ELSE 'empty stats report' END,
    left(text, 300)
FROM r
WHERE NOT valid OR rep IS NULL OR json_array_length(CASE WHEN json_type(rep) = 'ARRAY' THEN rep END) = 0
      OR (json_type(rep) = 'OBJECT' AND len(json_keys(rep)) = 0)
