-- Stretches of one call (?) where a direction carried no audio (from the device's stats), longest first.
WITH flat AS (
    SELECT direction, ts_start, ts_end, packets_per_s < 1 AS silent,
           epoch(ts_start) - epoch((SELECT start_ts FROM calls WHERE call_id = ?)) AS t_rel
    FROM call_audio WHERE call_id = ? AND NOT gap
), runs AS (
    SELECT *, sum(CASE WHEN silent THEN 0 ELSE 1 END) OVER (PARTITION BY direction ORDER BY ts_start) AS grp
    FROM flat
)
SELECT direction, round(min(t_rel), 1) AS from_s, round(max(t_rel) + 1, 1) AS to_s,
       round(epoch(max(ts_end)) - epoch(min(ts_start)), 1) AS seconds
FROM runs WHERE silent
GROUP BY direction, grp
HAVING epoch(max(ts_end)) - epoch(min(ts_start)) >= 3
ORDER BY seconds DESC
LIMIT 5
