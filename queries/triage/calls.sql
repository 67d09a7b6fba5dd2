-- One row a call, with the offset the device logged, how much of its time the log itself gave (time_basis:
-- the least exact ts_quality of its events that carry their own time; order_only when none does), and the
-- sequence of outputs it went through, and its verdict (queries/triage/verdicts.sql). start_time_of_day is the device's local time where the log gives its offset.
WITH basis AS (
    SELECT call_id,
        arg_max(ts_quality, list_position(['exact', 'no_offset', 'no_year', 'no_date'], ts_quality))
            FILTER (WHERE ts_quality NOT IN ('inherited', 'order_only')) AS least_exact,
        count(*) AS events
    FROM events GROUP BY call_id
)
SELECT c.call_id, CASE WHEN v.device = 'unknown' AND c.device_id = 'ticket' THEN 'ticket' ELSE v.device END AS device,
    v.device_model, v.ios, v.app_version,
    strftime(c.start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc,
    strftime(c.start_ts + to_minutes(coalesce(o.local_offset, 0)), '%H:%M:%S') AS start_time_of_day,
    o.local_offset,
    coalesce(b.least_exact, CASE WHEN b.events > 0 THEN 'order_only' END, 'exact') AS time_basis,
    round(epoch(c.end_ts) - epoch(c.start_ts), 1) AS duration_s,
    c.evidence_kind AS found_by, c.ended_cleanly, c.alignment, round(c.gateway_offset_s, 2) AS gateway_offset_s,
    (SELECT string_agg(o, ' -> ' ORDER BY ts) FROM (
        SELECT e.ts, array_to_string(e.outputs, '+') AS o,
               lag(array_to_string(e.outputs, '+')) OVER (ORDER BY e.ts) AS prev
        FROM call_events e WHERE e.call_id = c.call_id AND e.kind = 'route_change' AND len(e.outputs) > 0
     ) WHERE o IS DISTINCT FROM prev) AS routes,
    v.verdict, v.cause, v.confidence
FROM calls c
JOIN call_verdicts v USING (call_id)  -- the verdict, and the device as everywhere: its name, never a file path
LEFT JOIN basis b USING (call_id)
LEFT JOIN (SELECT e.call_id, any_value(r.utc_offset_min) AS local_offset
           FROM events e JOIN log_records r USING (record_id) WHERE r.utc_offset_min IS NOT NULL
           GROUP BY e.call_id) o USING (call_id)
ORDER BY c.start_ts, c.call_id
