-- The peer connections of one call ($call_id) with their facts and tracks, named as call-quality tools name them.
SELECT f.pc_id, s.path || coalesce('!' || s.member, '') AS file, f.origin,
    f.connection_failed AS "connectionFailed", f.ice_reconnects AS "iceReconnects",
    f.session_duration_ms AS "sessionDurationMs", f.mean_rtt_s AS "meanRtt", f.uses_relay AS "usesRelay",
    f.local_type AS "localCandidateType", f.remote_type AS "remoteCandidateType",
    f.ever_connected AS "everConnected", f.last_state AS "lastState", f.closed_by_app AS "closedByApp",
    coalesce((SELECT list({'direction': t.direction, 'side': t.side, 'ssrc': t.ssrc, 'mediaType': t.media_type,
                           'packets': t.packets, 'packetsLost': t.packets_lost, 'packetsLostPct': t.packets_lost_pct}
                          ORDER BY t.side, t.direction, t.ssrc)
              FROM track_facts t WHERE t.source_id = f.source_id AND t.pc_id IS NOT DISTINCT FROM f.pc_id), [])
        AS tracks
FROM connection_facts f
JOIN sources s USING (source_id)
WHERE (f.source_id, coalesce(f.pc_id, '')) IN (
    SELECT source_id, coalesce(pc_id, '') FROM call_streams WHERE call_id = $call_id AND origin = 'device')
ORDER BY f.pc_id
