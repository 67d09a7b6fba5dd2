-- Rebuild every stats object of an rtcstats dump at every getstats report from rtcstats_delta: an object
-- exists from the first report that carries it; each field holds its last sent value (ASOF on the line).
INSERT INTO stat_stage
WITH reports AS (
    SELECT DISTINCT pc_id, line, ts FROM rtcstats_delta
), objs AS (
    SELECT pc_id, stat_id, min(line) AS first_line FROM rtcstats_delta GROUP BY ALL
), fields AS (
    SELECT DISTINCT pc_id, stat_id, key FROM rtcstats_delta
), cells AS (
    SELECT r.pc_id, r.line, r.ts, o.stat_id, f.key
    FROM reports r
    JOIN objs o ON r.pc_id IS NOT DISTINCT FROM o.pc_id AND r.line >= o.first_line
    JOIN fields f ON f.pc_id IS NOT DISTINCT FROM o.pc_id AND f.stat_id = o.stat_id
), filled AS (
    SELECT c.pc_id, c.line, c.ts, c.stat_id, c.key, d.value
    FROM cells c
    ASOF LEFT JOIN rtcstats_delta d
        ON coalesce(c.pc_id, '') = coalesce(d.pc_id, '') AND c.stat_id = d.stat_id AND c.key = d.key
           AND c.line >= d.line
), objects AS (
    SELECT pc_id, line, any_value(ts) AS ts, stat_id,
           json_merge_patch(json_group_object(key, value), json_object('id', stat_id)) AS obj
    FROM filled WHERE value IS NOT NULL GROUP BY pc_id, line, stat_id
)
SELECT line, 'line ' || line, 'device', NULL, pc_id, stat_id, obj ->> 'type', ts, obj,
       CASE WHEN obj ->> 'type' IS NULL THEN 'stats object without type'
            WHEN ts IS NULL THEN 'stats object without a usable timestamp' END,
       NULL
FROM objects
