-- The stats objects of one part of the webrtc-internals series held in wi_series (webrtc_internals_hold.sql) that
-- internals_route.sql sends the JSON way (wi_route.columnar false: a damaged series, a legacy goog type, a value
-- the exact checks must see), into stat_stage.
-- Layout: {"getUserMedia": [...], "PeerConnections": {"<pid>-<lid>": {"updateLog": [{time, type, value}],
-- "stats": {"<statId>-<property>": {"startTime", "endTime", "statsType", "values": "[v0, v1, ...]"}}}}}.
-- Every series of one stats object ends at the same sample (the dump's last poll) but a property that appeared
-- later starts later: values are aligned by their position from the end, and each sample's instant is the
-- object's own `timestamp` series where it has one, else endTime minus whole polling steps. Legacy goog stats are
-- staged as they are (queries/stats/goog_to_w3c.sql maps them); webrtc-internals' derived "[...]" series are not
-- stats and are dropped. Each series object is parsed as JSON on its own (a damaged one is rejected alone).
INSERT INTO stat_stage
WITH series AS (
    SELECT pc_id, name, stat_id, prop, obj_text, seq, TRY_CAST(obj_text AS JSON) AS o
    FROM wi_series JOIN wi_route USING (pc_id, stat_id)
    WHERE NOT columnar
), valued AS (
    SELECT *, o ->> 'statsType' AS stats_type, stats_instant(o ->> 'startTime') AS start_ts,
        stats_instant(o ->> 'endTime') AS end_ts,
        CASE WHEN json_type(o, '$.values') = 'VARCHAR' THEN TRY_CAST(o ->> 'values' AS JSON)
             ELSE o -> 'values' END AS vals
    FROM series
), arrays AS MATERIALIZED (
    SELECT *, CAST(vals AS JSON[]) AS arr, CAST(to_json(prop) AS VARCHAR) || ':' AS field FROM valued
    WHERE json_type(vals) = 'ARRAY' AND start_ts IS NOT NULL AND stat_id <> '' AND NOT starts_with(prop, '[')
), steps AS (
    -- the polling step of each object: its longest series' span over its samples (1 s when it has one sample)
    SELECT pc_id, stat_id, any_value(stats_type) AS stats_type,
        arg_max(CASE WHEN len(arr) > 1 THEN (epoch(coalesce(end_ts, start_ts)) - epoch(start_ts)) / (len(arr) - 1) END,
                len(arr)) AS step,
        max(coalesce(end_ts, start_ts)) AS last_ts
    FROM arrays GROUP BY pc_id, stat_id
), points AS (
    -- k: the sample's position from the end (0 = the last poll), the same for every series of the object
    SELECT a.pc_id, a.stat_id, a.prop, a.field, a.stats_type, a.seq, unnest(a.arr) AS v,
           len(a.arr) - generate_subscripts(a.arr, 1) AS k
    FROM arrays a
), times AS (
    SELECT pc_id, stat_id, k, stats_instant(v ->> '$') AS ts FROM points WHERE prop = 'timestamp'
), objects AS (
    -- the object's fields in the dump's order of its series, then "id" and "type" (what json_merge_patch of
    -- json_group_object and json_object('id', 'type') wrote: the values come out of the JSON[] cast re-written)
    SELECT p.pc_id, p.stat_id, p.k, any_value(p.stats_type) AS type,
        CAST('{' || array_to_string(list_transform(list_sort(list({'seq': p.seq, 'f': p.field || coalesce(p.v, 'null')})),
                                                   lambda x: x.f), ',')
             || ',"id":' || to_json(p.stat_id) || coalesce(',"type":' || to_json(any_value(p.stats_type)), '') || '}'
             AS JSON) AS obj
    FROM points p WHERE p.prop NOT IN ('timestamp', 'id', 'type')
    GROUP BY p.pc_id, p.stat_id, p.k
)
SELECT NULL, 'PeerConnections.' || o.pc_id || '.stats.' || o.stat_id, 'device', NULL, o.pc_id, o.stat_id, o.type,
       coalesce(t.ts, s.last_ts - to_microseconds(TRY_CAST(o.k * coalesce(s.step, 1) * 1e6 AS BIGINT))), o.obj,
       CASE WHEN o.type IS NULL THEN 'stats series without statsType' END, NULL
FROM objects o
JOIN steps s USING (pc_id, stat_id)
LEFT JOIN times t USING (pc_id, stat_id, k)
UNION ALL
SELECT NULL, 'PeerConnections.' || pc_id || '.stats.' || name, 'device', NULL, pc_id, NULLIF(stat_id, ''), stats_type,
       start_ts, NULL,
       CASE WHEN o IS NULL THEN 'stats series is not valid JSON'
            WHEN start_ts IS NULL THEN 'stats series without a readable startTime'
            WHEN stat_id = '' THEN 'stats series name has no <statId>-<property> form'
            ELSE 'stats series values are not a JSON array' END,
       left(obj_text, 300)
FROM valued
WHERE o IS NULL OR start_ts IS NULL OR stat_id = '' OR json_type(vals) IS DISTINCT FROM 'ARRAY'
