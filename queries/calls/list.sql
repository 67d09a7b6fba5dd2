-- `analyzer calls`: one line a call.
SELECT
    call_id,
    device_id AS device,
    strftime(start_ts, '%Y-%m-%d %H:%M:%S') || 'Z' AS start_utc,
    round(epoch(end_ts) - epoch(start_ts), 1) AS duration_s,
    evidence_kind AS found_by,
    ended_cleanly,
    n_events AS events,
    n_stats_streams AS stats_streams,
    array_to_string(list_transform(sources, lambda s: CAST(s AS VARCHAR)), ',') AS sources,
    round(gateway_offset_s, 3) AS gateway_offset_s,
    alignment
FROM calls
ORDER BY start_ts, call_id
