-- `analyzer calls`: one line a call. The device as everywhere (queries/triage/verdicts.sql): its name, 'unknown'
-- where only a file or folder stands for it; its model, iOS (the version, else the build) and the app's version.
SELECT
    c.call_id,
    v.device,
    v.device_model,
    v.ios,
    v.app_version,
    strftime(c.start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc,
    round(epoch(c.end_ts) - epoch(c.start_ts), 1) AS duration_s,
    c.evidence_kind AS found_by,
    c.ended_cleanly,
    c.n_events AS events,
    c.n_stats_streams AS stats_streams,
    array_to_string(list_transform(c.sources, lambda s: CAST(s AS VARCHAR)), ',') AS sources,
    round(c.gateway_offset_s, 3) AS gateway_offset_s,
    c.alignment
FROM calls c JOIN call_verdicts v USING (call_id)
ORDER BY c.start_ts, c.call_id
