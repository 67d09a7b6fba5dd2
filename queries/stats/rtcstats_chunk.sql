-- rtcstats dumps, one chunk of lines (chunk_records: line_start, text), in every vintage:
--   * jitsi / fippo rtcstats-server dumps: [method, pcId, value, epoch ms]; `getstats` values delta-compressed
--     the old way (a top-level "timestamp", objects with "timestamp": 0 take it, unchanged objects sent as stubs,
--     an object left out is gone);
--   * fileFormat 3 (`RTCStatsDump` header; rtcstats-js and Chrome's own export): [method, connId, value,
--     ...extra, ms since the previous line] ($delta_time), methods as names or numeric codes; rtcstats-js
--     `getStats` values compressed against the previous one (top-level "t", numeric property and type codes,
--     an object left out is unchanged, null is gone); Chrome's export sends whole reports whose objects carry
--     webrtc-internals' derived "[...]" keys, which are not stats and are dropped.
-- Statement 1 types each line; the others stage its stats fields, objects and state changes for
-- rtcstats_finish.sql. $time_base: the running sum of the earlier chunks (fileFormat 3). $carry_absent: the old
-- fippo server's dumps (a fileFormat 1/2 header line), whose reader never dropped an object left out.
CREATE OR REPLACE TEMP TABLE rtc_lines AS
WITH v AS (
    SELECT line_start AS line, text,
        CASE WHEN json_valid(text) THEN json_type(text) = 'ARRAY' ELSE false END AS ok
    FROM chunk_records
), a AS (
    SELECT line, text, ok,
        CASE WHEN ok THEN CAST(text AS JSON) END AS j,
        CASE WHEN ok THEN json_array_length(text) END AS n
    FROM v
), m AS (
    SELECT *,
        CASE WHEN ok AND json_type(j, '$[0]') IN ('UBIGINT', 'BIGINT')
             THEN ref_rtc_methods()[j ->> 0]
             WHEN ok AND j ->> 0 = 'g' THEN 'getStats'
             WHEN ok THEN j ->> 0 END AS method,
        CASE WHEN ok AND n >= 4 THEN TRY_CAST(j ->> CAST(n - 1 AS BIGINT) AS DOUBLE) END AS last_num
    FROM a
)
SELECT line, text, ok, j, method, j ->> 1 AS pc_id, j -> 2 AS value, last_num,
    CASE WHEN NOT ok OR n < 4 THEN NULL
         WHEN $delta_time THEN $time_base + sum(coalesce(last_num, 0)) OVER (ORDER BY line ROWS UNBOUNDED PRECEDING)
         ELSE last_num END AS t_ms
FROM m;

-- 2. Every field of every stats object of every getStats report: one row a field. Names are decoded (numeric
--    property codes, "t" = timestamp), webrtc-internals' "[...]" keys dropped.
INSERT INTO rtcstats_delta (line, pc_id, report_ts, stat_id, key, value)
WITH reports AS (
    SELECT line, pc_id, value, t_ms,
        json_type(value, '$.t') IS NOT NULL OR $carry_absent AS compressed,
        coalesce(TRY_CAST(value ->> 't' AS DOUBLE), TRY_CAST(value ->> 'timestamp' AS DOUBLE), t_ms) AS report_ms
    FROM rtc_lines
    WHERE ok AND lower(method) = 'getstats' AND json_type(value) = 'OBJECT'
), objs AS (
    SELECT line, pc_id, compressed, report_ms, unnest(map_entries(CAST(value AS MAP(VARCHAR, JSON)))) AS e
    FROM reports
), fields AS (
    SELECT line, pc_id, compressed, report_ms, e.key AS stat_id,
        unnest(map_entries(CAST(e.value AS MAP(VARCHAR, JSON)))) AS f
    FROM objs WHERE json_type(e.value) = 'OBJECT'
)
SELECT * FROM (
    SELECT line, pc_id, report_ms, stat_id,
        CASE WHEN compressed THEN coalesce(ref_rtc_props()[f.key], f.key) ELSE f.key END AS key,
        CASE WHEN compressed AND f.key = 'type' AND json_type(f.value) IN ('UBIGINT', 'BIGINT')
             THEN to_json(ref_rtc_types()[f.value::VARCHAR]) ELSE f.value END AS value
    FROM fields
    WHERE NOT starts_with(f.key, '[')
)
WHERE key NOT IN ('timestamp', 'id');

-- 3. Which objects each report names (or removes), and their instant: an object's own timestamp when it has one
--    (0 means the report's), else the report's.
INSERT INTO rtcstats_objects (line, pc_id, stat_id, compressed, removed, obj_ms)
WITH reports AS (
    SELECT line, pc_id, value, t_ms,
        json_type(value, '$.t') IS NOT NULL OR $carry_absent AS compressed,
        coalesce(TRY_CAST(value ->> 't' AS DOUBLE), TRY_CAST(value ->> 'timestamp' AS DOUBLE), t_ms) AS report_ms
    FROM rtc_lines
    WHERE ok AND lower(method) = 'getstats' AND json_type(value) = 'OBJECT'
), objs AS (
    SELECT line, pc_id, compressed, report_ms, unnest(map_entries(CAST(value AS MAP(VARCHAR, JSON)))) AS e
    FROM reports
)
SELECT line, pc_id, e.key, compressed, e.value IS NULL OR json_type(e.value) = 'NULL',
    coalesce(nullif(TRY_CAST(coalesce(e.value ->> 't', e.value ->> 'timestamp') AS DOUBLE), 0), report_ms)
FROM objs
-- a JSON null comes out of the MAP cast as SQL NULL: the object was removed
WHERE (e.value IS NULL OR json_type(e.value) IN ('OBJECT', 'NULL')) AND e.key NOT IN ('t', 'timestamp');

-- 4. Connection and ICE state changes, and the app closing a peer connection. Chrome's export writes the state
--    as a JSON string inside the string ("\"checking\""): the quotes go.
INSERT INTO pc_state_changes
SELECT 0, line, 'line ' || line, 'device', NULL, pc_id,
    -- a time that is not epoch milliseconds of this era stays NULL: the change is then rejected with the reason
    CASE WHEN t_ms BETWEEN 9.5e11 AND 1e14 THEN make_timestamptz(CAST(t_ms * 1000 AS BIGINT)) END,
    CASE WHEN lower(method) IN ('close') THEN 'close' ELSE method END,
    CASE WHEN lower(method) = 'close' THEN 'closed' ELSE trim(value ->> '$', '"') END
FROM rtc_lines
WHERE ok
  AND (lower(method) IN ('oniceconnectionstatechange', 'onconnectionstatechange', 'onsignalingstatechange',
                         'onicegatheringstatechange', 'iceconnectionstatechange', 'connectionstatechange')
       OR (lower(method) = 'close' AND pc_id IS NOT NULL AND json_type(value) <> 'UBIGINT'));

-- 5. Lines that are not rtcstats entries.
INSERT INTO stat_stage (line, locator, reject_reason, excerpt)
SELECT line, 'line ' || line,
    CASE WHEN NOT json_valid(text) THEN 'not valid JSON'
         ELSE 'not an rtcstats [method, connection, value, time] entry' END,
    left(text, 300)
FROM rtc_lines
WHERE NOT ok OR (lower(method) = 'getstats' AND json_type(value) NOT IN ('OBJECT'))
