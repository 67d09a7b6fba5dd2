-- The connection and ICE states of one call's peer connections ($call_id), on the call's time axis.
SELECT round(epoch(p.ts) - epoch(c.start_ts), 2) AS t, coalesce(p.which, 'ice') AS which, p.state,
    coalesce(p.pc_id, '') AS pc_id
FROM call_pc_states p JOIN calls c USING (call_id)
WHERE p.call_id = $call_id
ORDER BY p.ts, pc_id, which, p.state  -- one order for states at one instant
