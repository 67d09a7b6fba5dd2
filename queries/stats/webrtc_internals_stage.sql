-- One peer connection of a chrome://webrtc-internals dump (pc_bodies: pc_id, body = the text of its entry,
-- cut from the dump by analyzer/formats/webrtc_internals.py) into stat_stage.
-- Layout: {"getUserMedia": [...], "PeerConnections": {"<pid>-<lid>": {"updateLog": [{time, type, value}],
-- "stats": {"<statId>-<property>": {"startTime", "endTime", "statsType", "values": "[v0, v1, ...]"}}}}}.
-- Every series of one stats object ends at the same sample (the dump's last poll) but a property that appeared
-- later starts later: values are aligned by their position from the end, and each sample's instant is the
-- object's own `timestamp` series where it has one, else endTime minus whole polling steps. Legacy goog stats are
-- staged as they are (queries/stats/goog_to_w3c.sql maps them); webrtc-internals' derived "[...]" series are not
-- stats and are dropped.
-- The dump is read by pattern, not as one JSON value, so a dump cut short still gives every series before
-- the cut (the caller records the damage); each series object is parsed as JSON on its own.
INSERT INTO stat_stage
WITH pcs AS (
    SELECT pc_id, body FROM pc_bodies
), entries AS (
    SELECT pc_id,
        unnest(regexp_extract_all(body, '"([^"]+)"\s*:\s*\{[^{}]*"values"[^{}]*\}', 1)) AS name,
        unnest(regexp_extract_all(body, '"[^"]+"\s*:\s*(\{[^{}]*"values"[^{}]*\})', 1)) AS obj_text
    FROM pcs
), series AS (
    SELECT pc_id, name, obj_text, TRY_CAST(obj_text AS JSON) AS o,
        CASE WHEN contains(name, '-[') THEN regexp_extract(name, '^(.*)-\[', 1)
             ELSE regexp_extract(name, '^(.*)-[^-]*$', 1) END AS stat_id,
        CASE WHEN contains(name, '-[') THEN regexp_extract(name, '-(\[.*)$', 1)
             ELSE regexp_extract(name, '-([^-]*)$', 1) END AS prop
    FROM entries
), valued AS (
    SELECT *, o ->> 'statsType' AS stats_type, stats_instant(o ->> 'startTime') AS start_ts,
        stats_instant(o ->> 'endTime') AS end_ts,
        CASE WHEN json_type(o, '$.values') = 'VARCHAR' THEN TRY_CAST(o ->> 'values' AS JSON)
             ELSE o -> 'values' END AS vals
    FROM series
), arrays AS (
    SELECT *, CAST(vals AS JSON[]) AS arr FROM valued
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
    SELECT a.pc_id, a.stat_id, a.prop, a.stats_type, unnest(a.arr) AS v,
           len(a.arr) - generate_subscripts(a.arr, 1) AS k
    FROM arrays a
), times AS (
    SELECT pc_id, stat_id, k, stats_instant(v ->> '$') AS ts FROM points WHERE prop = 'timestamp'
), objects AS (
    SELECT p.pc_id, p.stat_id, p.k, any_value(p.stats_type) AS type,
           json_merge_patch(json_group_object(p.prop, p.v), json_object('id', p.stat_id, 'type', any_value(p.stats_type))) AS obj
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
