-- One row a call: the classifier's features. Built from events and stats only, never from rule findings, so
-- that rules and model can be compared. Column by column:
--   duration_s            call length
--   contract              1 when the app logged the instrumentation contract (exact events)
--   n_events              session events in the call
--   n_config_fail         configure / category / mode / activation events that failed
--   n_client_errors       Apple client errors with an OSStatus ('!pri', '!int', -50, ...)
--   cat_not_par           1 when a category other than playAndRecord was seen
--   mode_not_vc           1 when a mode other than voiceChat was seen
--   opt_hfp, opt_mix, opt_duck   the last category options' allowBluetoothHFP / mixWithOthers / duckOthers bits
--   n_int_began, n_int_ended, n_int_resume_flag   interruptions began, ended, ended with shouldResume
--   n_resumes             resume decisions, reactivations and play-state starts after an interruption
--   n_media_reset         media services lost / reset
--   n_routes, routes_per_min   route changes (app lines when present, else the server's)
--   n_route_a2dp_mic      routes with A2DP output and the built-in mic
--   n_route_to_receiver   routes that put output on the receiver
--   n_old_device_gone     OldDeviceUnavailable routes
--   share_receiver, share_bluetooth   share of the call on those outputs (from the route segments)
--   int_to_audio_s        seconds from the last interruption end to outbound audio flowing (-1: no interruption,
--                         duration: never)
--   out_flat_s, in_flat_s, out_flat_share, in_flat_share   seconds (share) with no packets each way, of the stream
--                         silent longest (streams that carried audio first; never summed over streams)
--   out_flat_tail_s       seconds of silence at the end of the call, outbound
--   loss_mean, loss_max, jitter_mean_ms, rtt_mean_ms, rtt_p90_ms, conceal_mean, mos_mean, mos_min
--   mic_p50, mic_zero_share   the microphone level: median, and share of samples at zero
--   ice_bad_s             seconds with ICE disconnected or failed
WITH ev AS (
    SELECT * FROM call_events
), base AS (
    SELECT c.call_id, epoch(c.end_ts) - epoch(c.start_ts) AS duration_s,
        (SELECT count(*) FROM ev WHERE ev.call_id = c.call_id AND ev.producer = 'contract') > 0 AS contract
    FROM calls c
), evf AS (
    SELECT call_id,
        count(*) AS n_events,
        count(*) FILTER (WHERE success = false AND kind IN ('config_set', 'category_set', 'mode_set', 'activation')) AS n_config_fail,
        count(*) FILTER (WHERE kind = 'error' AND osstatus IS NOT NULL) AS n_client_errors,
        coalesce(bool_or(av_category IS NOT NULL AND av_category <> 'playAndRecord'), false) AS cat_not_par,
        coalesce(bool_or(av_mode IS NOT NULL AND av_mode <> 'voiceChat'), false) AS mode_not_vc,
        arg_max(options, ts) FILTER (WHERE options IS NOT NULL) AS last_options,
        count(*) FILTER (WHERE kind = 'interruption_began') AS n_int_began,
        count(*) FILTER (WHERE kind = 'interruption_ended') AS n_int_ended,
        count(*) FILTER (WHERE kind = 'interruption_ended' AND should_resume) AS n_int_resume_flag,
        count(*) FILTER (WHERE (kind = 'resume_decision' AND state = 'resume')
                               OR (kind = 'play_state' AND state = 'Started')) AS n_resumes,
        count(*) FILTER (WHERE kind IN ('media_services_lost', 'media_services_reset')) AS n_media_reset,
        greatest(count(*) FILTER (WHERE kind = 'route_change' AND producer <> 'apple_server'),
                 count(*) FILTER (WHERE kind = 'route_change' AND producer = 'apple_server')) AS n_routes,
        count(*) FILTER (WHERE kind = 'route_change' AND list_contains(outputs, 'BluetoothA2DPOutput')
                               AND list_contains(inputs, 'BuiltInMic')) AS n_route_a2dp_mic,
        count(*) FILTER (WHERE kind = 'route_change' AND list_contains(outputs, 'BuiltInReceiver')) AS n_route_to_receiver,
        count(*) FILTER (WHERE kind = 'route_change' AND route_reason = 'OldDeviceUnavailable') AS n_old_device_gone,
        max(ts) FILTER (WHERE kind = 'interruption_ended') AS last_int_end
    FROM ev GROUP BY call_id
), segs AS (
    SELECT call_id, outputs,
        epoch(coalesce(lead(ts) OVER (PARTITION BY call_id ORDER BY ts), call_end)) - epoch(ts) AS seconds
    FROM ev WHERE kind = 'route_change' AND array_length(outputs) > 0
), shares AS (
    SELECT call_id,
        sum(seconds) FILTER (WHERE list_contains(outputs, 'BuiltInReceiver')) AS on_receiver,
        sum(seconds) FILTER (WHERE list_has_any(outputs, ['BluetoothHFP', 'BluetoothA2DPOutput', 'BluetoothLE'])) AS on_bt
    FROM segs GROUP BY call_id
), silent_stream AS (
    -- per direction, the stream silent longest: of those that carried audio, if any did (the others are
    -- placeholders), else of all; streams are not added up (a call may have several)
    SELECT call_id, direction, silent_s, seconds FROM audio_streams
    QUALIFY row_number() OVER (PARTITION BY call_id, direction ORDER BY carried DESC, silent_s DESC) = 1
), flat AS (
    SELECT call_id,
        any_value(silent_s) FILTER (WHERE direction = 'outbound') AS out_flat_s,
        any_value(silent_s) FILTER (WHERE direction = 'inbound') AS in_flat_s,
        any_value(seconds) FILTER (WHERE direction = 'outbound') AS out_s,
        any_value(seconds) FILTER (WHERE direction = 'inbound') AS in_s
    FROM silent_stream GROUP BY call_id
), audio AS (
    SELECT call_id,
        avg(loss_rate) FILTER (WHERE direction = 'inbound') AS loss_mean,
        max(loss_rate) FILTER (WHERE direction = 'inbound') AS loss_max,
        avg(jitter_s) FILTER (WHERE direction = 'inbound') * 1000 AS jitter_mean_ms,
        avg(rtt_s) * 1000 AS rtt_mean_ms,
        quantile_cont(rtt_s, 0.9) * 1000 AS rtt_p90_ms,
        avg(concealment_ratio) FILTER (WHERE direction = 'inbound') AS conceal_mean,
        avg(mos) FILTER (WHERE direction = 'inbound') AS mos_mean,
        min(mos) FILTER (WHERE direction = 'inbound') AS mos_min,
        max(ts_end) FILTER (WHERE direction = 'outbound' AND NOT gap AND audio_alive(packets_per_s)) AS last_out_alive,
        max(ts_end) FILTER (WHERE direction = 'outbound') AS last_out
    FROM call_audio GROUP BY call_id
), back AS (
    SELECT e.call_id, min(a.ts_start) AS flowing_at
    FROM evf e JOIN call_audio a ON a.call_id = e.call_id AND a.ts_start >= e.last_int_end
    WHERE a.direction = 'outbound' AND NOT a.gap AND audio_alive(a.packets_per_s)
    GROUP BY e.call_id
), mic AS (
    SELECT call_id, median(audio_level) AS mic_p50, avg(CASE WHEN audio_level = 0 THEN 1.0 ELSE 0.0 END) AS mic_zero_share
    FROM call_mic GROUP BY call_id
), ice AS (
    SELECT call_id, count(*) FILTER (WHERE ice_state IN ('disconnected', 'failed')) AS ice_bad_s FROM call_ice GROUP BY call_id
)
SELECT
    b.call_id,
    b.duration_s,
    CAST(b.contract AS INTEGER) AS contract,
    coalesce(f.n_events, 0) AS n_events,
    coalesce(f.n_config_fail, 0) AS n_config_fail,
    coalesce(f.n_client_errors, 0) AS n_client_errors,
    CAST(coalesce(f.cat_not_par, false) AS INTEGER) AS cat_not_par,
    CAST(coalesce(f.mode_not_vc, false) AS INTEGER) AS mode_not_vc,
    CASE WHEN f.last_options IS NULL THEN -1 ELSE CAST((f.last_options & 4) > 0 AS INTEGER) END AS opt_hfp,
    CASE WHEN f.last_options IS NULL THEN -1 ELSE CAST((f.last_options & 1) > 0 AS INTEGER) END AS opt_mix,
    CASE WHEN f.last_options IS NULL THEN -1 ELSE CAST((f.last_options & 2) > 0 AS INTEGER) END AS opt_duck,
    coalesce(f.n_int_began, 0) AS n_int_began,
    coalesce(f.n_int_ended, 0) AS n_int_ended,
    coalesce(f.n_int_resume_flag, 0) AS n_int_resume_flag,
    coalesce(f.n_resumes, 0) AS n_resumes,
    coalesce(f.n_media_reset, 0) AS n_media_reset,
    coalesce(f.n_routes, 0) AS n_routes,
    coalesce(f.n_routes, 0) * 60.0 / greatest(b.duration_s, 1) AS routes_per_min,
    coalesce(f.n_route_a2dp_mic, 0) AS n_route_a2dp_mic,
    coalesce(f.n_route_to_receiver, 0) AS n_route_to_receiver,
    coalesce(f.n_old_device_gone, 0) AS n_old_device_gone,
    coalesce(s.on_receiver, 0) / greatest(b.duration_s, 1) AS share_receiver,
    coalesce(s.on_bt, 0) / greatest(b.duration_s, 1) AS share_bluetooth,
    CASE WHEN f.last_int_end IS NULL THEN -1
         WHEN k.flowing_at IS NULL THEN b.duration_s
         ELSE epoch(k.flowing_at) - epoch(f.last_int_end) END AS int_to_audio_s,
    coalesce(fl.out_flat_s, 0) AS out_flat_s,
    coalesce(fl.in_flat_s, 0) AS in_flat_s,
    coalesce(fl.out_flat_s / nullif(fl.out_s, 0), 0) AS out_flat_share,
    coalesce(fl.in_flat_s / nullif(fl.in_s, 0), 0) AS in_flat_share,
    CASE WHEN a.last_out IS NULL THEN 0 WHEN a.last_out_alive IS NULL THEN b.duration_s
         ELSE epoch(a.last_out) - epoch(a.last_out_alive) END AS out_flat_tail_s,
    coalesce(a.loss_mean, 0) AS loss_mean,
    coalesce(a.loss_max, 0) AS loss_max,
    coalesce(a.jitter_mean_ms, 0) AS jitter_mean_ms,
    coalesce(a.rtt_mean_ms, 0) AS rtt_mean_ms,
    coalesce(a.rtt_p90_ms, 0) AS rtt_p90_ms,
    coalesce(a.conceal_mean, 0) AS conceal_mean,
    coalesce(a.mos_mean, 4.4) AS mos_mean,
    coalesce(a.mos_min, 4.4) AS mos_min,
    coalesce(m.mic_p50, -1) AS mic_p50,
    coalesce(m.mic_zero_share, 0) AS mic_zero_share,
    coalesce(i.ice_bad_s, 0) AS ice_bad_s
FROM base b
LEFT JOIN evf f USING (call_id)
LEFT JOIN shares s USING (call_id)
LEFT JOIN audio a USING (call_id)
LEFT JOIN flat fl USING (call_id)
LEFT JOIN back k USING (call_id)
LEFT JOIN mic m USING (call_id)
LEFT JOIN ice i USING (call_id)
ORDER BY b.call_id
