-- One row a call, with the offset the device logged and the sequence of outputs it went through.
SELECT c.call_id, c.device_id AS device,
    strftime(c.start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc,
    (SELECT any_value(r.utc_offset_min) FROM events e JOIN log_records r USING (record_id)
     WHERE e.call_id = c.call_id AND r.utc_offset_min IS NOT NULL) AS local_offset,
    round(epoch(c.end_ts) - epoch(c.start_ts), 1) AS duration_s,
    c.evidence_kind AS found_by, c.ended_cleanly, c.alignment, round(c.gateway_offset_s, 2) AS gateway_offset_s,
    (SELECT string_agg(o, ' -> ' ORDER BY ts) FROM (
        SELECT e.ts, array_to_string(e.outputs, '+') AS o,
               lag(array_to_string(e.outputs, '+')) OVER (ORDER BY e.ts) AS prev
        FROM call_events e WHERE e.call_id = c.call_id AND e.kind = 'route_change' AND len(e.outputs) > 0
     ) WHERE o IS DISTINCT FROM prev) AS routes
FROM calls c ORDER BY c.start_ts, c.call_id
