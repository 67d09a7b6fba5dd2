-- One row a call for the served dashboard (analyzer serve), read from the store through a short-lived read-only
-- connection and kept in the server's memory until the store changes: every value a string or a number, missing
-- ones as 'unknown', so that filters and charts need no NULL cases. `device_id` is kept for search only (it may be a
-- file path: `device` never is). `seq` is the calls' order by start time (then call id), the list's default order.
SELECT call_id, device, device_id, coalesce(device_model, 'unknown') AS device_model,
    coalesce(ios, 'unknown') AS os_version, coalesce(app_version, 'unknown') AS app_version, route,
    day, strftime(start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc, round(duration_s, 1) AS duration_s,
    verdict, coalesce(cause, '') AS cause, findings, rules, coalesce(model_label, '') AS model_label,
    evidence_kind AS found_by, row_number() OVER (ORDER BY start_ts, call_id) AS seq
FROM call_verdicts
