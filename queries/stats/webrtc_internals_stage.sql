-- One peer connection of a chrome://webrtc-internals dump (pc_bodies: pc_id, body = the text of its entry,
-- cut from the dump by analyzer/formats/webrtc_internals.py) into stat_stage.
-- Layout: {"getUserMedia": [...], "PeerConnections": {"<pid>-<lid>": {"updateLog": [{time, type, value}],
-- "stats": {"<statId>-<property>": {"startTime", "endTime", "statsType", "values": "[v0, v1, ...]"}}}}}.
-- A series' i-th value is at startTime + i seconds. Older dumps use goog stats (statsType ssrc,
-- googCandidatePair): those are mapped to their W3C names and units.
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
        CASE WHEN json_type(o, '$.values') = 'VARCHAR' THEN TRY_CAST(o ->> 'values' AS JSON)
             ELSE o -> 'values' END AS vals
    FROM series
), points AS (
    -- the array is parsed once; its elements are zipped with their positions
    SELECT pc_id, stat_id, prop, stats_type, start_ts, unnest(arr) AS v, generate_subscripts(arr, 1) - 1 AS i
    FROM (SELECT *, CAST(vals AS JSON[]) AS arr FROM valued
          WHERE json_type(vals) = 'ARRAY' AND start_ts IS NOT NULL AND stat_id <> '')
), mapped AS (
    -- goog (pre-spec) stats: names and units of the W3C stats they correspond to
    SELECT pc_id, stat_id, start_ts, i,
        CASE WHEN stats_type = 'ssrc' AND stat_id LIKE '%\_recv' ESCAPE '\' THEN 'inbound-rtp'
             WHEN stats_type = 'ssrc' AND stat_id LIKE '%\_send' ESCAPE '\' THEN 'outbound-rtp'
             WHEN stats_type = 'googCandidatePair' THEN 'candidate-pair'
             ELSE stats_type END AS type,
        CASE prop WHEN 'googJitterReceived' THEN 'jitter' WHEN 'audioOutputLevel' THEN 'audioLevel'
                  WHEN 'googRtt' THEN CASE WHEN stats_type = 'googCandidatePair' THEN 'currentRoundTripTime' ELSE prop END
                  WHEN 'googActiveConnection' THEN 'nominated'
                  ELSE prop END AS prop,
        CASE prop WHEN 'googJitterReceived' THEN to_json(TRY_CAST(v AS DOUBLE) / 1000)
                  WHEN 'audioOutputLevel' THEN to_json(TRY_CAST(v AS DOUBLE) / 32767)
                  WHEN 'googRtt' THEN CASE WHEN stats_type = 'googCandidatePair'
                                           THEN to_json(TRY_CAST(v AS DOUBLE) / 1000) ELSE v END
                  ELSE v END AS v
    FROM points
), objects AS (
    SELECT pc_id, stat_id, any_value(type) AS type, start_ts + to_seconds(i) AS ts,
           json_merge_patch(json_group_object(prop, v), json_object('id', stat_id, 'type', any_value(type))) AS obj
    FROM mapped
    GROUP BY pc_id, stat_id, start_ts + to_seconds(i)
)
SELECT NULL, 'PeerConnections.' || pc_id || '.stats.' || stat_id, 'device', NULL, pc_id, stat_id, type, ts, obj,
       CASE WHEN type IS NULL THEN 'stats series without statsType' END, NULL
FROM objects
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
