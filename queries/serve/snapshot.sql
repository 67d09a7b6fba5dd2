-- One row a call for the served dashboard (analyzer serve), read from the store through a short-lived read-only
-- connection and kept in the server's memory until the store changes: every value a string or a number, missing
-- ones as 'unknown', so that filters and charts need no NULL cases. `device_id` is kept for search only (it may be a
-- file path: `device` never is). `seq` is the calls' order by start time (then call id), the list's default order.
-- What one call's page reads of the store without scanning all of it (one_call.sql): the call's links (event_links
-- is not stored by call: its rows, as three lists in step) and first_event .. last_event, the event ids its events
-- and its findings' evidence lie between (events are stored in the order they were read, a call's together). Valid
-- while the store is unchanged, as the snapshot is.
WITH links AS (
    SELECT call_id, list(event_id ORDER BY event_id) AS link_events,
        list(device_id ORDER BY event_id) AS link_devices, list(dup_of ORDER BY event_id) AS link_dups
    FROM event_links WHERE call_id IS NOT NULL
    GROUP BY call_id
), spans AS (
    SELECT call_id, min(event_id) AS first_event, max(event_id) AS last_event
    FROM (SELECT call_id, event_id FROM event_links WHERE call_id IS NOT NULL
          UNION ALL SELECT call_id, unnest(evidence) FROM findings)
    GROUP BY call_id
), routes AS (  -- the outputs each call went through, in order, as triage shows them (queries/triage/calls.sql)
    SELECT call_id, string_agg(o, ' -> ' ORDER BY ts) AS routes
    FROM (SELECT call_id, ts, array_to_string(outputs, '+') AS o,
              lag(array_to_string(outputs, '+')) OVER (PARTITION BY call_id ORDER BY ts) AS prev
          FROM call_events WHERE kind = 'route_change' AND len(outputs) > 0)
    WHERE o IS DISTINCT FROM prev
    GROUP BY call_id
)
SELECT v.call_id, v.device, v.device_id, coalesce(v.device_model, 'unknown') AS device_model,
    coalesce(v.ios, 'unknown') AS os_version, coalesce(v.app_version, 'unknown') AS app_version, v.route,
    v.day, strftime(v.start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc, round(v.duration_s, 1) AS duration_s,
    v.verdict, coalesce(v.cause, '') AS cause, v.confidence, r.routes, v.findings, v.rules,
    coalesce(v.model_label, '') AS model_label,
    v.evidence_kind AS found_by, row_number() OVER (ORDER BY v.start_ts, v.call_id) AS seq,
    coalesce(s.first_event, 0) AS first_event, coalesce(s.last_event, -1) AS last_event,
    coalesce(l.link_events, []) AS link_events, coalesce(l.link_devices, []) AS link_devices,
    coalesce(l.link_dups, []) AS link_dups
FROM call_verdicts v LEFT JOIN spans s USING (call_id) LEFT JOIN links l USING (call_id)
    LEFT JOIN routes r USING (call_id)
