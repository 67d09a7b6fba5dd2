-- One row a call for the served dashboard (analyzer serve), read from the store through a short-lived read-only
-- connection and kept in the server's memory until the store changes: every value a string or a number, missing
-- ones as 'unknown', so that filters and charts need no NULL cases. `search_text` is what the search looks in: call
-- id, device id (it may be a file path: `device` never is) and device, in lower case, once. `seq` is the calls' order
-- by start time (then call id), the list's default order.
-- cited_first .. cited_last: the events the call's findings cite lie between those ids (serve/links.sql has its own
-- events), so that its page reads it without scanning every event (one_call.sql).
WITH cited AS (
    SELECT call_id, min(event_id) AS cited_first, max(event_id) AS cited_last
    FROM (SELECT call_id, unnest(evidence) AS event_id FROM findings)
    GROUP BY call_id
), routes AS (  -- the outputs each call went through, in order, as triage shows them (queries/triage/calls.sql)
    SELECT call_id, string_agg(o, ' -> ' ORDER BY ts) AS routes
    FROM (SELECT call_id, ts, array_to_string(outputs, '+') AS o,
              lag(array_to_string(outputs, '+')) OVER (PARTITION BY call_id ORDER BY ts) AS prev
          FROM call_events WHERE kind = 'route_change' AND len(outputs) > 0)
    WHERE o IS DISTINCT FROM prev
    GROUP BY call_id
)
SELECT v.call_id, v.device, coalesce(v.device_model, 'unknown') AS device_model,
    coalesce(v.ios, 'unknown') AS os_version, coalesce(v.app_version, 'unknown') AS app_version, v.route,
    v.day, strftime(v.start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc, round(v.duration_s, 1) AS duration_s,
    v.verdict, coalesce(v.cause, '') AS cause, v.confidence, r.routes, v.findings, v.rules,
    coalesce(v.model_label, '') AS model_label,
    v.evidence_kind AS found_by, row_number() OVER (ORDER BY v.start_ts, v.call_id) AS seq,
    e.cited_first, e.cited_last,
    lower(v.call_id || chr(31) || coalesce(v.device_id, '') || chr(31) || coalesce(v.device, '')) AS search_text
FROM call_verdicts v LEFT JOIN cited e USING (call_id)
    LEFT JOIN routes r USING (call_id)
