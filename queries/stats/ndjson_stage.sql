-- getStats snapshots, one report a line (chunk_records: line_start, text), into stat_stage.
-- A line is either a wrapper {timestamp|ts|time|timestamp_us, call_id, pc_id, origin, stats|report|statistics}
-- or a bare report (Pion's GetStats() marshalled: a map of id -> object, origin gateway). A report is a
-- list or a map of stats objects; iOS RTCStatistics objects ({id, type, timestamp_us, values:{...}}) are
-- flattened. $origin is the format's default origin for wrapper lines without one.
INSERT INTO stat_stage
WITH v AS (
    SELECT line_start AS line, text, json_valid(text) AS valid FROM chunk_records
), j AS (
    SELECT line, text, valid, CASE WHEN valid THEN CAST(text AS JSON) END AS j FROM v
), r AS (
    SELECT line, text, valid, j,
        CASE WHEN json_type(j) = 'ARRAY' THEN j
             WHEN json_type(j) = 'OBJECT' THEN coalesce(j -> 'stats', j -> 'report', j -> 'statistics',
                                                      CASE WHEN (j -> 'stats') IS NULL AND (j -> 'report') IS NULL
                                                                AND (j -> 'statistics') IS NULL THEN j END)
        END AS rep,
        json_type(j) = 'OBJECT' AND coalesce(j -> 'stats', j -> 'report', j -> 'statistics') IS NOT NULL AS wrapped,
        CASE WHEN json_type(j) = 'OBJECT' THEN coalesce(j ->> 'call_id', j ->> 'callId') END AS call_id_hint,
        CASE WHEN json_type(j) = 'OBJECT' THEN coalesce(j ->> 'pc_id', j ->> 'peerConnectionId', j ->> 'pc') END AS pc_id,
        CASE WHEN json_type(j) = 'OBJECT' THEN coalesce(j ->> 'timestamp_us', j ->> 'timestamp', j ->> 'ts', j ->> 'time') END
            AS report_ts
    FROM j
), objs AS (
    SELECT line, text, call_id_hint, pc_id, report_ts,
        CASE WHEN wrapped THEN coalesce(j ->> 'origin', $origin) ELSE 'gateway' END AS origin,
        unnest(CASE json_type(rep)
                   WHEN 'ARRAY' THEN list_transform(CAST(rep AS JSON[]), lambda o: {'k': NULL, 'o': o})
                   WHEN 'OBJECT' THEN list_transform(map_entries(CAST(rep AS MAP(VARCHAR, JSON))),
                                                     lambda e: {'k': e.key, 'o': e.value})
               END) AS e
    FROM r WHERE valid AND rep IS NOT NULL
), flat AS (
    SELECT line, text, call_id_hint, pc_id, report_ts, origin, e.k AS key,
        CASE WHEN json_type(e.o, '$.values') = 'OBJECT'
             THEN json_merge_patch(e.o -> 'values',
                                   json_object('id', e.o -> 'id', 'type', e.o -> 'type',
                                               'timestamp_us', e.o -> 'timestamp_us', 'timestamp', e.o -> 'timestamp'))
             ELSE e.o END AS obj
    FROM objs
)
SELECT line, 'line ' || line, origin, call_id_hint, pc_id,
    coalesce(obj ->> 'id', key) AS stat_id,
    obj ->> 'type' AS type,
    coalesce(stats_instant(obj ->> 'timestamp_us'), stats_instant(obj ->> 'timestamp'), stats_instant(report_ts)) AS ts,
    obj,
    CASE WHEN json_type(obj) <> 'OBJECT' THEN 'stats entry is not an object'
         WHEN obj ->> 'type' IS NULL THEN 'stats object without type'
         WHEN coalesce(obj ->> 'id', key) IS NULL THEN 'stats object without id'
         WHEN coalesce(stats_instant(obj ->> 'timestamp_us'), stats_instant(obj ->> 'timestamp'),
                       stats_instant(report_ts)) IS NULL THEN 'stats object without a usable timestamp'
    END,
    NULL
FROM flat
UNION ALL
SELECT line, 'line ' || line, $origin, NULL, NULL, NULL, NULL, NULL, NULL,
    CASE WHEN NOT valid THEN 'not valid JSON'
         WHEN rep IS NULL THEN 'no stats report on this line'
         ELSE 'empty stats report' END,
    left(text, 300)
FROM r
WHERE NOT valid OR rep IS NULL OR json_array_length(CASE WHEN json_type(rep) = 'ARRAY' THEN rep END) = 0
      OR (json_type(rep) = 'OBJECT' AND len(json_keys(rep)) = 0)
