-- Rebuild every stats object of an rtcstats dump at every getStats report (rtcstats_delta: the fields each report
-- sent; rtcstats_objects: the objects each report named). An object is in a report when
--   * the report names it, or
--   * the report is compressed (fileFormat 3: an object left out is unchanged) and the object was named in an
--     earlier report and not removed (null) since;
-- in the old jitsi compression and in whole reports an object left out is gone. Each field holds its last sent
-- value (ASOF on the line). The instant: the object's own, else the report's. An object's keys are in name order
-- (the same text whatever order the threads grouped them in).
INSERT INTO stat_stage
WITH reports AS (
    SELECT pc_id, line, bool_or(compressed) AS compressed, max(obj_ms) AS report_ms
    FROM rtcstats_objects GROUP BY ALL
), mentions AS (
    SELECT pc_id, stat_id, line, removed, obj_ms FROM rtcstats_objects
), objs AS (
    SELECT DISTINCT pc_id, stat_id FROM rtcstats_objects
), present AS (
    -- the last mention of each object at or before each report
    SELECT r.pc_id, r.line, r.compressed, o.stat_id, m.line AS mentioned_at, m.removed, m.obj_ms
    FROM reports r
    JOIN objs o ON r.pc_id IS NOT DISTINCT FROM o.pc_id
    ASOF JOIN mentions m ON coalesce(m.pc_id, '') = coalesce(o.pc_id, '') AND m.stat_id = o.stat_id AND r.line >= m.line
), live AS (
    SELECT p.*, r.report_ms FROM present p JOIN reports r ON r.pc_id IS NOT DISTINCT FROM p.pc_id AND r.line = p.line
    WHERE NOT p.removed AND (p.mentioned_at = p.line OR p.compressed)
), keys AS (
    SELECT DISTINCT pc_id, stat_id, key FROM rtcstats_delta
), cells AS (
    SELECT l.pc_id, l.line, l.stat_id, CASE WHEN l.mentioned_at = l.line THEN l.obj_ms ELSE l.report_ms END AS ms, k.key
    FROM live l JOIN keys k ON k.pc_id IS NOT DISTINCT FROM l.pc_id AND k.stat_id = l.stat_id
), filled AS (
    SELECT c.pc_id, c.line, c.ms, c.stat_id, c.key, d.value
    FROM cells c
    ASOF LEFT JOIN rtcstats_delta d
        ON coalesce(c.pc_id, '') = coalesce(d.pc_id, '') AND c.stat_id = d.stat_id AND c.key = d.key
           AND c.line >= d.line
), objects AS (
    SELECT pc_id, line, any_value(ms) AS ms, stat_id,
           json_merge_patch(to_json(map_from_entries(list((key, value) ORDER BY key))),
                            json_object('id', stat_id)) AS obj
    FROM filled WHERE value IS NOT NULL GROUP BY pc_id, line, stat_id
)
SELECT line, 'line ' || line, 'device', NULL, pc_id, stat_id, obj ->> 'type',
       CASE WHEN ms BETWEEN 9.5e11 AND 1e14 THEN make_timestamptz(CAST(ms * 1000 AS BIGINT)) END, obj,
       CASE WHEN obj ->> 'type' IS NULL THEN 'stats object without type'
            WHEN NOT ms BETWEEN 9.5e11 AND 1e14 THEN 'stats object without a usable timestamp' END,
       NULL
FROM objects
