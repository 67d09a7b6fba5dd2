-- Views the rules are written against (applied on every connect, so also on read-only stores).

-- Events that belong to a call, once each, with the time since the call started.
CREATE OR REPLACE TEMP VIEW call_events AS
SELECT e.*, c.start_ts AS call_start, c.end_ts AS call_end, epoch(e.ts) - epoch(c.start_ts) AS t_rel,
       c.is_call, c.evidence_kind
FROM events e JOIN calls c USING (call_id)
WHERE e.dup_of IS NULL;

-- The device's own audio series of each call (the app's stats upload), one row a direction a second.
CREATE OR REPLACE TEMP VIEW call_audio AS
SELECT cs.call_id, i.direction, i.ts_start, i.ts_end, i.seconds, i.gap, i.packets_per_s, i.loss_rate,
       i.concealment_ratio, i.jitter_s, i.rtt_s, i.mos, i.source_id, i.line, i.pc_id, i.stat_id, i.packets,
       i.locator, i.counter, i.ssrc
FROM rtp_intervals i
JOIN call_streams cs ON cs.source_id = i.source_id AND cs.pc_id IS NOT DISTINCT FROM i.pc_id
     AND cs.call_id_hint IS NOT DISTINCT FROM i.call_id_hint
WHERE i.origin = 'device';

-- "Audio is alive": an interval that carried at least 10 packets a second (Opus sends 50 a second; under 10 the
-- stream is as good as silent). The one threshold the rules share.
CREATE OR REPLACE TEMP MACRO audio_alive(packets_per_s) AS packets_per_s >= 10;

-- The seconds of each call in which the phone's own audio went out: outbound intervals, not gaps, alive.
CREATE OR REPLACE TEMP VIEW call_audio_alive AS
SELECT * FROM call_audio WHERE direction = 'outbound' AND NOT gap AND audio_alive(packets_per_s);

-- What a call's log shows of the app resuming its audio (after an interruption, when read after one): the
-- explicit signs (`direct`: the app's resume decision, a successful activation, playback started) and the weaker
-- ones Apple-only logs leave (an activation of no stated direction, an audio unit started, the session being
-- configured again).
CREATE OR REPLACE TEMP VIEW call_resumes AS
SELECT call_id, event_id, ts, kind,
    coalesce((kind = 'resume_decision' AND state = 'resume')
             OR (kind = 'activation' AND active AND coalesce(success, true))
             OR (kind = 'play_state' AND state = 'Started'), false) AS direct
FROM call_events
WHERE (kind = 'resume_decision' AND state = 'resume')
   OR (kind = 'activation' AND coalesce(active, true) AND coalesce(success, true))
   OR (kind = 'play_state' AND state = 'Started')
   OR (kind = 'audio_unit' AND coalesce(success, true) AND lower(state) LIKE 'start%')
   OR (kind = 'configure' AND state = 'Configuring');

-- Each audio stream of each call, whole: whether it ever carried a packet (one that never did is a placeholder,
-- e.g. a receiver for a participant who never spoke, unless something says the other end sent on it), when audio
-- first flowed, and its seconds with and without audio.
CREATE OR REPLACE TEMP VIEW audio_streams AS
SELECT call_id, direction, source_id, pc_id, stat_id, any_value(ssrc) AS ssrc,
    coalesce(bool_or(packets > 0), false) AS carried,
    min(ts_start) FILTER (WHERE NOT gap AND packets_per_s >= 1) AS first_audio,
    coalesce(sum(seconds) FILTER (WHERE NOT gap), 0) AS seconds,
    coalesce(sum(seconds) FILTER (WHERE NOT gap AND packets_per_s < 1), 0) AS silent_s
FROM call_audio GROUP BY ALL;

-- The microphone level the app measured (media-source), per sample.
CREATE OR REPLACE TEMP VIEW call_mic AS
SELECT cs.call_id, m.ts, m.audio_level, m.source_id, m.line
FROM stats_media_source m
JOIN call_streams cs ON cs.source_id = m.source_id AND cs.pc_id IS NOT DISTINCT FROM m.pc_id
     AND cs.call_id_hint IS NOT DISTINCT FROM m.call_id_hint
WHERE cs.origin = 'device' AND coalesce(m.kind, 'audio') = 'audio';

-- ICE state of the device's transport, per sample.
CREATE OR REPLACE TEMP VIEW call_ice AS
SELECT cs.call_id, t.ts, t.ice_state, t.source_id, t.line
FROM stats_transport t
JOIN call_streams cs ON cs.source_id = t.source_id AND cs.pc_id IS NOT DISTINCT FROM t.pc_id
     AND cs.call_id_hint IS NOT DISTINCT FROM t.call_id_hint
WHERE cs.origin = 'device';

-- Which families of evidence each call has: the device's log, the client's stats (the app's upload or a browser
-- dump), the gateway's stats. The classifier answers only for the combinations it was trained on.
CREATE OR REPLACE TEMP VIEW call_evidence AS
SELECT c.call_id,
    concat_ws('+',
        CASE WHEN EXISTS (SELECT 1 FROM event_links l WHERE l.call_id = c.call_id) THEN 'device log' END,
        CASE WHEN EXISTS (SELECT 1 FROM call_streams s WHERE s.call_id = c.call_id AND s.origin = 'device')
             THEN 'client stats' END,
        CASE WHEN EXISTS (SELECT 1 FROM call_streams s WHERE s.call_id = c.call_id AND s.origin = 'gateway')
             THEN 'gateway stats' END) AS families
FROM calls c;

-- Each peer connection's states, in order: its connection states where the dump has them, else its ICE states
-- (older browsers and legacy dumps report only those); for a connection with no state events at all (an app's
-- getStats upload, a gateway's stats) the ICE state its transport reports, where it changes. The app closing the
-- connection is a state too (`closed`).
CREATE OR REPLACE TEMP VIEW pc_states AS
WITH ev AS (
    SELECT source_id, origin, pc_id, ts, line, locator, lower(state) AS state, lower(event) AS event,
        CASE WHEN lower(event) IN ('onconnectionstatechange', 'connectionstatechange') THEN 'connection'
             WHEN lower(event) IN ('oniceconnectionstatechange', 'iceconnectionstatechange') THEN 'ice' END AS which
    FROM pc_state_changes WHERE ts IS NOT NULL
), tr AS (
    SELECT source_id, origin, pc_id, ts, line, locator, lower(ice_state) AS state,
        lag(lower(ice_state)) OVER (PARTITION BY source_id, origin, pc_id, stat_id ORDER BY ts, line) AS before
    FROM stats_transport t
    WHERE ice_state IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pc_state_changes c
                      WHERE c.source_id = t.source_id AND c.pc_id IS NOT DISTINCT FROM t.pc_id)
), st AS (
    SELECT * FROM ev
    UNION ALL
    SELECT source_id, origin, pc_id, ts, line, locator, state, 'transport.icestate', 'ice'
    FROM tr WHERE before IS DISTINCT FROM state
), kinds AS (
    SELECT source_id, pc_id, bool_or(which = 'connection') AS has_connection FROM st GROUP BY ALL
)
SELECT st.* FROM st JOIN kinds k ON k.source_id = st.source_id AND k.pc_id IS NOT DISTINCT FROM st.pc_id
WHERE st.which = CASE WHEN k.has_connection THEN 'connection' ELSE 'ice' END
   OR st.state = 'closed' AND st.event = 'close';  -- the app closed the connection

-- The device's connection states within each call (a connection's states are the client's view; the gateway's
-- transport, on its own clock and shared by its calls, is not read here): from a little before the call's first
-- evidence (connecting precedes the app's "call started") to a little after its end.
CREATE OR REPLACE TEMP VIEW call_pc_states AS
SELECT cs.call_id, s.*
FROM pc_states s
JOIN call_streams cs ON cs.source_id = s.source_id AND cs.pc_id IS NOT DISTINCT FROM s.pc_id AND cs.origin = s.origin
JOIN calls c ON c.call_id = cs.call_id
WHERE s.origin = 'device'
  AND s.ts BETWEEN c.start_ts - INTERVAL 30 SECOND AND c.end_ts + INTERVAL 10 SECOND;

-- The candidate pair each connection was using at each sample: the one its transport names, or one marked selected
-- (Firefox, legacy goog stats).
CREATE OR REPLACE TEMP VIEW selected_pairs AS
SELECT cp.* FROM stats_candidate_pair cp
WHERE cp.selected = 'true'
   OR EXISTS (SELECT 1 FROM stats_transport t
              WHERE t.source_id = cp.source_id AND t.pc_id IS NOT DISTINCT FROM cp.pc_id
                AND t.selected_candidate_pair_id = cp.stat_id
                AND (t.line = cp.line OR (t.line IS NULL AND cp.line IS NULL AND t.ts = cp.ts)));

-- Per peer connection, the facts call-quality tools report (named as jitsi/rtcstats-server's features name them):
--   connectionFailed   the connection reached `failed` (and that stays true after a reconnect)
--   iceReconnects      how many times it came back to `connected` after the first
--   sessionDurationMs  from the first `connected` to the first `failed` or `closed` after it, else to the last
--                      sample or state change of the connection
--   meanRtt            mean round-trip time (s) of the pair in use, zero samples left out (Firefox, which has no
--                      pair RTT: of its remote-inbound-rtp reports)
--   usesRelay          the last pair in use has a relay candidate on either side (NULL: no pair was ever in use)
CREATE OR REPLACE TEMP VIEW connection_facts AS
WITH per AS (
    SELECT source_id, pc_id,
        bool_or(state = 'failed') AS failed,
        greatest(count(*) FILTER (WHERE state IN ('connected', 'completed')) - 1, 0) AS reconnects,
        min(ts) FILTER (WHERE state IN ('connected', 'completed')) AS up_at,
        arg_max(state, ts) AS last_state
    FROM pc_states GROUP BY ALL
), ends AS (
    SELECT p.source_id, p.pc_id, min(s.ts) AS end_at
    FROM per p JOIN pc_states s ON s.source_id = p.source_id AND s.pc_id IS NOT DISTINCT FROM p.pc_id
    WHERE s.ts > p.up_at AND s.state IN ('failed', 'closed')
    GROUP BY ALL
), rtt AS (
    SELECT source_id, pc_id, avg(current_round_trip_time_s) FILTER (WHERE current_round_trip_time_s > 0) AS rtt
    FROM selected_pairs GROUP BY ALL
), remote_rtt AS (
    SELECT source_id, pc_id, avg(round_trip_time_s) FILTER (WHERE round_trip_time_s > 0) AS rtt
    FROM stats_remote_inbound_rtp GROUP BY ALL
), last_pair AS (
    SELECT source_id, pc_id, arg_max(local_candidate_id, ts) AS local_id, arg_max(remote_candidate_id, ts) AS remote_id,
           arg_max(extra, ts) AS extra
    FROM selected_pairs GROUP BY ALL
), candidates AS (
    SELECT source_id, pc_id, stat_id, any_value(object ->> 'candidateType') AS candidate_type
    FROM stats_other WHERE type IN ('local-candidate', 'remote-candidate') GROUP BY ALL
), relay AS (
    SELECT lp.source_id, lp.pc_id,
        coalesce(l.candidate_type, lp.extra ->> 'localCandidateType') = 'relay'
        OR coalesce(r.candidate_type, lp.extra ->> 'remoteCandidateType') = 'relay' AS uses_relay,
        coalesce(l.candidate_type, lp.extra ->> 'localCandidateType') AS local_type,
        coalesce(r.candidate_type, lp.extra ->> 'remoteCandidateType') AS remote_type
    FROM last_pair lp
    LEFT JOIN candidates l ON l.source_id = lp.source_id AND l.pc_id IS NOT DISTINCT FROM lp.pc_id AND l.stat_id = lp.local_id
    LEFT JOIN candidates r ON r.source_id = lp.source_id AND r.pc_id IS NOT DISTINCT FROM lp.pc_id AND r.stat_id = lp.remote_id
)
SELECT s.source_id, s.origin, s.pc_id, s.call_id_hint,
    coalesce(p.failed, false) AS connection_failed,
    coalesce(p.reconnects, 0) AS ice_reconnects,
    CASE WHEN p.up_at IS NOT NULL
         THEN CAST(round(1000 * (epoch(coalesce(e.end_at, s.end_ts)) - epoch(p.up_at))) AS BIGINT) ELSE 0 END
        AS session_duration_ms,
    round(coalesce(rt.rtt, rr.rtt), 3) AS mean_rtt_s,
    rl.uses_relay, rl.local_type, rl.remote_type,
    p.up_at IS NOT NULL AS ever_connected, p.last_state, s.closed_by_app, s.start_ts, s.end_ts
FROM pc_spans s
LEFT JOIN per p ON p.source_id = s.source_id AND p.pc_id IS NOT DISTINCT FROM s.pc_id
LEFT JOIN ends e ON e.source_id = s.source_id AND e.pc_id IS NOT DISTINCT FROM s.pc_id
LEFT JOIN rtt rt ON rt.source_id = s.source_id AND rt.pc_id IS NOT DISTINCT FROM s.pc_id
LEFT JOIN remote_rtt rr ON rr.source_id = s.source_id AND rr.pc_id IS NOT DISTINCT FROM s.pc_id
LEFT JOIN relay rl ON rl.source_id = s.source_id AND rl.pc_id IS NOT DISTINCT FROM s.pc_id;

-- Per connection and RTP stream (ssrc and direction), the last counters, as each end saw them:
--   local receivers   inbound-rtp; loss as the receiver counts it, of what was sent: lost / (received + lost)
--   local senders     outbound-rtp, with the loss the remote end reported for that ssrc (remote-inbound-rtp):
--                     lost / sent
--   remote senders    remote-outbound-rtp: the other end's sender reports of the streams we receive
--   remote receivers  remote-inbound-rtp that carry packetsReceived (Firefox): the other end's receiver of ours
CREATE OR REPLACE TEMP VIEW track_facts AS
WITH rx AS (
    SELECT source_id, pc_id, ssrc, max(kind) AS kind,
        arg_max(packets_received, ts) FILTER (WHERE packets_received IS NOT NULL) AS packets,
        arg_max(packets_lost, ts) FILTER (WHERE packets_lost IS NOT NULL) AS lost
    FROM stats_inbound_rtp WHERE ssrc IS NOT NULL GROUP BY ALL
), tx AS (
    SELECT source_id, pc_id, ssrc, max(kind) AS kind,
        arg_max(packets_sent, ts) FILTER (WHERE packets_sent IS NOT NULL) AS packets
    FROM stats_outbound_rtp WHERE ssrc IS NOT NULL GROUP BY ALL
), remote AS (
    SELECT source_id, pc_id, ssrc, max(kind) AS kind,
        arg_max(packets_lost, ts) FILTER (WHERE packets_lost IS NOT NULL) AS lost,
        arg_max(TRY_CAST(extra ->> 'packetsReceived' AS DOUBLE), ts)
            FILTER (WHERE extra ->> 'packetsReceived' IS NOT NULL) AS received
    FROM stats_remote_inbound_rtp WHERE ssrc IS NOT NULL GROUP BY ALL
), remote_tx AS (
    SELECT source_id, pc_id, TRY_CAST(object ->> 'ssrc' AS BIGINT) AS ssrc,
        max(coalesce(object ->> 'kind', object ->> 'mediaType')) AS kind,
        arg_max(TRY_CAST(object ->> 'packetsSent' AS DOUBLE), ts) FILTER (WHERE object ->> 'packetsSent' IS NOT NULL)
            AS packets
    FROM stats_other WHERE type = 'remote-outbound-rtp' AND object ->> 'ssrc' IS NOT NULL GROUP BY ALL
)
SELECT source_id, pc_id, 'receiver' AS direction, 'local' AS side, ssrc, kind AS media_type, packets,
    coalesce(lost, 0) AS packets_lost,
    CASE WHEN coalesce(lost, 0) > 0 AND packets + lost > 0 THEN round(100 * lost / (packets + lost), 2) ELSE 0 END
        AS packets_lost_pct
FROM rx
UNION ALL
SELECT t.source_id, t.pc_id, 'sender', 'local', t.ssrc, t.kind, t.packets, coalesce(r.lost, 0),
    CASE WHEN coalesce(r.lost, 0) > 0 AND t.packets > 0 THEN round(100 * r.lost / t.packets, 2) ELSE 0 END
FROM tx t LEFT JOIN remote r ON r.source_id = t.source_id AND r.pc_id IS NOT DISTINCT FROM t.pc_id AND r.ssrc = t.ssrc
UNION ALL
SELECT source_id, pc_id, 'sender', 'remote', ssrc, kind, packets, 0, 0 FROM remote_tx WHERE packets IS NOT NULL
UNION ALL
SELECT source_id, pc_id, 'receiver', 'remote', ssrc, kind, received, coalesce(lost, 0),
    CASE WHEN coalesce(lost, 0) > 0 AND received + lost > 0 THEN round(100 * lost / (received + lost), 2) ELSE 0 END
FROM remote WHERE received IS NOT NULL;
