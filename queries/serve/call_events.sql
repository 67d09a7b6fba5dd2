-- The device events of one call ($call_id) for its timeline: seconds from the call's start, the event kind, and the
-- line it was read from (file:line and the line, shortened), in time order.
SELECT round(e.t_rel, 3) AS t_rel, e.kind, e.producer,
    s.path || coalesce('!' || s.member, '') || ':' || e.line_start AS at,
    left(replace(e.message, chr(10), ' '), 300) AS message
FROM call_events e JOIN sources s USING (source_id)
WHERE e.call_id = $call_id
ORDER BY e.ts, e.event_id
