-- rtcstats dump lines (chunk_records: line_start, text): [method, pcId, value, timestamp_ms].
-- getstats values are delta-compressed against the previous report of the same peer connection: only the
-- fields that changed are sent, objects with no change are left out, and the report's timestamp is moved to
-- a top-level "timestamp" key. Each changed field becomes one rtcstats_delta row; rtcstats_finish.sql
-- rebuilds the full objects. State changes go to pc_state_changes (source_id 0 until stored); other
-- methods (create, setLocalDescription, ...) are counted as read, not stored.
INSERT INTO rtcstats_delta
WITH v AS (
    SELECT line_start AS line, CAST(text AS JSON) AS j FROM chunk_records
    WHERE json_valid(text) AND json_type(text) = 'ARRAY' AND lower(text ->> 0) = 'getstats'
), objs AS (
    SELECT line, j ->> 1 AS pc_id,
        coalesce(stats_instant(j -> 2 ->> 'timestamp'), stats_instant(j ->> 3)) AS ts,
        unnest(map_entries(CAST(j -> 2 AS MAP(VARCHAR, JSON)))) AS e
    FROM v WHERE json_type(j, '$[2]') = 'OBJECT'
)
SELECT line, pc_id, ts, e.key, f.key, f.value
FROM (SELECT line, pc_id, ts, e, unnest(map_entries(CAST(e.value AS MAP(VARCHAR, JSON)))) AS f
      FROM objs WHERE json_type(e.value) = 'OBJECT')
WHERE f.key <> 'timestamp';

INSERT INTO pc_state_changes
SELECT 0, line_start, 'line ' || line_start, 'device', NULL, text ->> 1, stats_instant(text ->> 3),
       text ->> 0, text ->> 2
FROM chunk_records
WHERE json_valid(text) AND json_type(text) = 'ARRAY'
  AND lower(text ->> 0) IN ('oniceconnectionstatechange', 'onconnectionstatechange', 'onsignalingstatechange',
                            'onicegatheringstatechange');

INSERT INTO stat_stage (line, locator, reject_reason, excerpt)
SELECT line_start, 'line ' || line_start,
    CASE WHEN NOT json_valid(text) THEN 'not valid JSON'
         WHEN json_type(text) = 'OBJECT' AND line_start > 1 THEN 'an object where an rtcstats [method, pc, value, ts] entry belongs'
         WHEN json_type(text) <> 'ARRAY' THEN 'not an rtcstats [method, pc, value, ts] entry'
         WHEN lower(text ->> 0) = 'getstats' AND json_type(text, '$[2]') <> 'OBJECT' THEN 'getstats entry without a stats object'
    END,
    left(text, 300)
FROM chunk_records
WHERE NOT json_valid(text) OR (json_type(text) <> 'ARRAY' AND NOT (json_type(text) = 'OBJECT' AND line_start = 1))
   OR (json_type(text) = 'ARRAY' AND lower(text ->> 0) = 'getstats' AND json_type(text, '$[2]') <> 'OBJECT')
