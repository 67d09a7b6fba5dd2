-- Typed audio-session events from some sources' log records (one file's, or a batch's), their event ids in the
-- order of the records' ids. Params: $sources, $first and $last (the least and the greatest of them).
-- event_matches($sources, $first, $last) is the table macro analyzer/normalise/events.py generates from the pattern catalogue
-- (analyzer/normalise/audio_session.toml): each record a pattern recognises, the first such pattern's id,
-- producer and kind, and its fields as text (category, mode, options, ..., prev_in, prev_out).
INSERT INTO session_events
WITH best AS (
    SELECT * FROM event_matches($sources, $first, $last)
), typed AS (
    SELECT
        b.*, r.source_id, r.line_start, r.line_end, r.ts, r.ts_quality, r.process, r.pid, r.message AS msg,
        b.producer = 'contract' AS is_contract,
        CASE WHEN b.producer = 'contract' THEN kv_pairs(r.message) END AS kvs,
        -- the server's JSON names the app session it acts for: "session":{"ID":..,"PID":2145,"name":"App"}
        -- or, in older builds, "sid:0x1c3dc, Runner(386), 'prim'"
        TRY_CAST(regexp_extract(r.message, '"PID"\s*:\s*(\d+)', 1) AS INTEGER) AS srv_pid,
        coalesce(nullif(regexp_extract(r.message, '"session"\s*:\s*\{[^}]*"name"\s*:\s*"([^"]*)"', 1), ''),
                 nullif(regexp_extract(r.message, 'sid:0x[0-9a-fA-F]+, ([^,]+\(\d+\)), ''', 1), '')) AS srv_name
    FROM best b JOIN log_records r USING (record_id)
),
-- each field's text resolved once (a contract line's key, or the pattern's field) before the macros take it apart:
-- a macro's parameter is copied wherever the macro names it, and planning those copies cost more than the rows
fields AS (
    SELECT
        *,
        CASE WHEN is_contract THEN kv(kvs, 'category') ELSE category END AS category_text,
        CASE WHEN is_contract THEN kv(kvs, 'mode') ELSE mode END AS mode_text,
        CASE WHEN is_contract THEN kv(kvs, 'options') ELSE options END AS options_text,
        CASE WHEN is_contract THEN kv(kvs, 'active') END AS active_text,
        CASE WHEN is_contract THEN kv(kvs, 'result') END AS result_text,
        CASE WHEN is_contract THEN kv(kvs, 'should_resume')
             WHEN kind = 'interruption_ended' THEN coalesce(should_resume, should_resume_in(msg))
             ELSE should_resume END AS should_resume_text,
        CASE WHEN is_contract AND kind = 'route_change' THEN kv(kvs, 'reason') ELSE route_reason END AS route_reason_text,
        CASE WHEN msg LIKE '%Previous route:%'
             THEN regexp_extract(msg, '(?s)Previous route:(.*?)Current route:', 1) END AS previous_route,
        CASE WHEN msg LIKE '%Current route:%' THEN regexp_extract(msg, '(?s)Current route:(.*)$', 1)
             WHEN msg LIKE '%AVAudioSessionRouteDescription%' THEN msg END AS current_route,
        coalesce(CASE WHEN is_contract THEN kv(kvs, 'osstatus') ELSE osstatus END,
                 CASE WHEN flag(success) = false OR kind = 'error' THEN osstatus_in(msg) END) AS osstatus_text
    FROM typed
), coded AS (
    SELECT *, options_value(options_text) AS options_v, osstatus_value(osstatus_text) AS osstatus_v FROM fields
)
SELECT
    nextval('seq_event') AS event_id,
    record_id, source_id, line_start, line_end, ts, ts_quality, process, pid,
    producer,
    CASE WHEN producer = 'apple_server'
         THEN coalesce(srv_pid, TRY_CAST(regexp_extract(srv_name, '\((\d+)\)$', 1) AS INTEGER)) ELSE pid END
        AS subject_pid,
    CASE WHEN producer = 'apple_server' THEN regexp_replace(srv_name, '\(\d+\)$', '') ELSE process END
        AS subject_name,
    kind, pattern_id,
    CASE WHEN is_contract THEN kv(kvs, 'call_id') END AS call_id_hint,
    canonical_category(category_text) AS av_category,
    canonical_mode(mode_text) AS av_mode,
    options_v AS options,
    category_option_names(options_v) AS option_names,
    CASE
        WHEN is_contract AND kind = 'activation' THEN coalesce(flag(active_text), NOT regexp_matches(msg, 'event=session\.deactivate'))
        WHEN kind = 'activation' AND state IN ('Incrementing', 'activated', 'activate', 'active') THEN true
        WHEN kind = 'activation' AND state IN ('Decrementing', 'deactivated', 'deactivate', 'inactive') THEN false
        ELSE flag(active)
    END AS active,
    CASE WHEN is_contract THEN CASE result_text WHEN 'ok' THEN true WHEN 'error' THEN false END
         ELSE flag(success) END AS success,
    flag(should_resume_text) AS should_resume,
    CASE WHEN is_contract THEN kv(kvs, 'reason') ELSE reason END AS reason,
    canonical_route_reason(route_reason_text) AS route_reason,
    CASE WHEN is_contract THEN port_list(kv(kvs, 'prev_in'))
         WHEN previous_route IS NOT NULL THEN route_ports(previous_route, 'inputs')
         ELSE port_list(prev_in) END AS prev_inputs,
    CASE WHEN is_contract THEN port_list(kv(kvs, 'prev_out'))
         WHEN previous_route IS NOT NULL THEN route_ports(previous_route, 'outputs')
         ELSE port_list(prev_out) END AS prev_outputs,
    CASE WHEN is_contract THEN port_list(kv(kvs, 'in'))
         WHEN current_route IS NOT NULL THEN route_ports(current_route, 'inputs') END AS inputs,
    CASE WHEN is_contract THEN port_list(kv(kvs, 'out'))
         WHEN current_route IS NOT NULL THEN route_ports(current_route, 'outputs') END AS outputs,
    osstatus_v,
    osstatus_fourcc(osstatus_v) AS fourcc,
    osstatus_name(osstatus_v) AS error_name,
    TRY_CAST(CASE WHEN is_contract THEN kv(kvs, 'sample_rate') ELSE sample_rate END AS DOUBLE) AS sample_rate,
    TRY_CAST(CASE WHEN is_contract THEN kv(kvs, 'io_buffer') ELSE io_buffer_s END AS DOUBLE) AS io_buffer_s,
    CASE WHEN is_contract AND kind = 'resume_decision' THEN regexp_extract(msg, 'event=audio\.(\w+)', 1)
         WHEN is_contract AND kind = 'call_end' THEN kv(kvs, 'reason')
         ELSE state END AS state,
    CASE WHEN is_contract THEN kv(kvs, 'detail') ELSE detail END AS detail,
    msg AS message
FROM coded
ORDER BY record_id
