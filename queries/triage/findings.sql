-- The findings of one call ($call_id), with when they start relative to the call.
SELECT f.rule_id, f.area, f.severity, f.detail, f.evidence, f.stats_evidence,
    epoch(f.first_ts) - epoch(c.start_ts) AS t_rel,
    strftime(f.first_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS at_utc
FROM findings f JOIN calls c USING (call_id)
WHERE f.call_id = $call_id
