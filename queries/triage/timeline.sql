-- A compact timeline of one call ($call_id): what the session did, one line an event (the audio server's echo of
-- an app event is folded into it when both are there), and its peer connections' connection and ICE states.
SELECT t_rel, producer, ts,
    CASE kind
        WHEN 'config_set' THEN 'configure ' || coalesce(av_category, '?') || '/' || coalesce(av_mode, '?')
                               || coalesce(' options ' || array_to_string(option_names, ','), '')
                               || CASE WHEN success = false THEN ' FAILED' ELSE '' END
        WHEN 'activation' THEN CASE WHEN active = false THEN 'deactivate' ELSE 'activate' END
                               || CASE WHEN success = false THEN ' FAILED' || coalesce(' ''' || fourcc || '''', ' ' || CAST(osstatus AS VARCHAR), '') ELSE '' END
                               || CASE WHEN pattern_id = 'apple.server_activate_for_callkit'
                                       THEN ' (by the audio server for PID ' || detail || ', CallKit)'
                                       WHEN state LIKE 'callkit%' THEN ' (CallKit)' ELSE '' END
        WHEN 'route_change' THEN 'route ' || coalesce(route_reason, 'changed')
                               || coalesce(': ' || array_to_string(inputs, '+') || ' / ' || array_to_string(outputs, '+'), '')
        WHEN 'interruption_began' THEN 'interruption began' || coalesce(' (' || reason || ')', '')
        WHEN 'interruption_ended' THEN 'interruption ended' || CASE WHEN should_resume THEN ', shouldResume'
                                                                   WHEN should_resume = false THEN ', no shouldResume' ELSE '' END
        WHEN 'play_state' THEN 'server play state' || coalesce(' ' || state, '') || coalesce(' ' || av_category || '/' || av_mode, '')
        WHEN 'error' THEN 'error ' || coalesce('''' || fourcc || ''' ', '') || coalesce(error_name, CAST(osstatus AS VARCHAR), '')
        WHEN 'resume_decision' THEN 'app decided: ' || coalesce(state, '?')
        WHEN 'call_end' THEN 'call end' || coalesce(' (' || state || ')', '')
        WHEN 'session_state' THEN 'session ' || coalesce(replace(state, '_', ' '), 'state') || coalesce(' ' || detail, '')
        WHEN 'audio_unit' THEN 'audio unit ' || coalesce(replace(state, '_', ' '), '')
                               || CASE WHEN success = false THEN ' FAILED' || coalesce(' ''' || fourcc || '''', ' ' || CAST(osstatus AS VARCHAR), '') ELSE '' END
        WHEN 'notice' THEN 'note: ' || coalesce(detail, pattern_id)
        ELSE replace(kind, '_', ' ')
    END AS what, event_id AS seq
FROM call_events
WHERE call_id = $call_id
  AND NOT (producer = 'apple_server' AND kind IN ('activation', 'route_change')
           AND EXISTS (SELECT 1 FROM call_events a WHERE a.call_id = call_events.call_id AND a.producer = 'contract'
                       AND a.kind = call_events.kind AND abs(a.t_rel - call_events.t_rel) < 0.1))
UNION ALL
SELECT epoch(p.ts) - epoch(c.start_ts), 'stats', p.ts,
       coalesce(p.pc_id || ' ', '') || CASE p.which WHEN 'ice' THEN 'ICE ' ELSE 'connection ' END || p.state, NULL
FROM call_pc_states p
JOIN calls c USING (call_id)
WHERE p.call_id = $call_id
-- at the same instant: a connection's state before the log's events, and those in the order they were logged
ORDER BY 3, producer <> 'stats', seq, what
