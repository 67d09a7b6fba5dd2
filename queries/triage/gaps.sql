-- Stretches of one call ($call_id) where a stream carried no audio (from the device's stats), longest first: each
-- stream on its own (a call may have several connections), from the start of its first silent interval to the end
-- of its last, inside the call. A stream that never carried a packet (a placeholder track) has no gaps.
WITH c AS (
    SELECT start_ts, end_ts FROM calls WHERE call_id = $call_id
), flat AS (
    SELECT a.direction, a.source_id, a.pc_id, a.stat_id, a.ts_start, a.ts_end, a.packets_per_s < 1 AS silent
    FROM call_audio a WHERE a.call_id = $call_id AND NOT a.gap
      AND EXISTS (SELECT 1 FROM audio_streams b WHERE b.call_id = a.call_id AND b.source_id = a.source_id
                  AND b.pc_id IS NOT DISTINCT FROM a.pc_id AND b.stat_id = a.stat_id AND b.carried)
), runs AS (
    SELECT *, sum(CASE WHEN silent THEN 0 ELSE 1 END)
                  OVER (PARTITION BY direction, source_id, pc_id, stat_id ORDER BY ts_start) AS grp
    FROM flat
), stretches AS (
    SELECT direction, pc_id, stat_id,
        greatest(epoch(min(ts_start)), (SELECT epoch(start_ts) FROM c)) - (SELECT epoch(start_ts) FROM c) AS from_s,
        least(epoch(max(ts_end)), (SELECT epoch(end_ts) FROM c)) - (SELECT epoch(start_ts) FROM c) AS to_s
    FROM runs WHERE silent
    GROUP BY direction, source_id, pc_id, stat_id, grp
)
SELECT direction, pc_id, stat_id, round(from_s, 1) AS from_s, round(to_s, 1) AS to_s,
       round(to_s - from_s, 1) AS seconds
FROM stretches
WHERE to_s - from_s >= 3
ORDER BY to_s - from_s DESC
LIMIT 5
