-- RTCLog prints "Audio route changed: <reason>" and the "Previous route: ... Current route: ..." description
-- as separate lines in some builds: give such a route_change the ports of a description that follows it
-- within 2 lines in the same process. Params: $sources, $first, $last (as events.sql).
UPDATE session_events AS rc
SET prev_inputs = d.prev_inputs, prev_outputs = d.prev_outputs, inputs = d.inputs, outputs = d.outputs
FROM (
    SELECT e.event_id, arg_min(x.prev_inputs, x.line_start) AS prev_inputs,
           arg_min(x.prev_outputs, x.line_start) AS prev_outputs,
           arg_min(x.inputs, x.line_start) AS inputs, arg_min(x.outputs, x.line_start) AS outputs
    FROM session_events e
    JOIN (SELECT source_id, line_start, pid, ts,
                 route_ports(regexp_extract(message, '(?s)Previous route:(.*?)Current route:', 1), 'inputs') AS prev_inputs,
                 route_ports(regexp_extract(message, '(?s)Previous route:(.*?)Current route:', 1), 'outputs') AS prev_outputs,
                 route_ports(regexp_extract(message, '(?s)Current route:(.*)$', 1), 'inputs') AS inputs,
                 route_ports(regexp_extract(message, '(?s)Current route:(.*)$', 1), 'outputs') AS outputs
          FROM log_records
          WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
            AND message LIKE '%Current route:%') x
      ON x.source_id = e.source_id AND x.line_start > e.line_end AND x.line_start <= e.line_end + 2
    WHERE e.source_id BETWEEN $first AND $last AND list_contains($sources, e.source_id)
      AND e.kind = 'route_change' AND e.inputs IS NULL AND e.outputs IS NULL
      AND (x.pid IS NOT DISTINCT FROM e.pid)
    GROUP BY e.event_id
) d
WHERE rc.event_id = d.event_id
