-- The held series (wi_series) cut into parts of whole stats objects, about $part_bytes of series text each, in
-- the order the dump first names them: each part is staged and stored on its own (memory bounded by the part).
CREATE OR REPLACE TEMP TABLE wi_parts AS
SELECT pc_id, stat_id,
    CAST(floor((sum(sum(strlen(obj_text))) OVER (ORDER BY min(seq)) - 1) / $part_bytes) AS BIGINT) AS part
FROM wi_series
GROUP BY pc_id, stat_id
