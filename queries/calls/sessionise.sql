-- Sessionise: rebuild `calls`, `call_streams`, `devices` and `event_links` (each event's device, call and
-- duplicate) from the whole store.
-- Set-based: each statement runs over all devices and calls at once. Statements are run in order.

-- Device of each source: the sysdiagnose it is in (the innermost folder named sysdiagnose_*, or the folder the
-- collector recognised as one by its contents: its device_key), else the folder or ticket it came with, else the
-- file itself. Never the sysdiagnose's name alone: two phones on one iOS build are two devices.
CREATE OR REPLACE TEMP TABLE source_device AS
SELECT source_id,
    coalesce(
        nullif(regexp_extract(coalesce(device_key, path || coalesce('!' || member, '')),
                              '^(.*[/!])?sysdiagnose_[^/!]*[/!]', 0), ''),
        device_key, device_hint, 'file:' || path || coalesce('!' || member, '')
    ) AS device_id,
    -- what a call id says when two devices hold the same call id: the sysdiagnose's name where there is one
    coalesce(device_hint, device_key, 'file:' || path || coalesce('!' || member, '')) AS device_label,
    device_hint, path
FROM sources;

-- Who each device is, from what its sources say, the strongest evidence first: a sysdiagnose's metadata files
-- (device_facts), then the sysdiagnose's name (device_hint '<model or platform> <build>': the first word is a model
-- only when it is a model identifier like iPhone17,3; 'iPhone' is the platform), then an idevicesyslog host (the
-- phone's name only). Each column from the strongest source that names it; NULL where none does.
INSERT OR REPLACE INTO devices (device_id, name, model, os_version, os_build, found_from)
WITH claims AS (
    SELECT sd.device_id, f.name, f.model, f.os_version, f.os_build, f.found_from,
        CASE f.found_from WHEN 'sysdiagnose metadata' THEN 1 ELSE 3 END AS strength
    FROM device_facts f JOIN source_device sd USING (source_id)
    UNION ALL
    SELECT device_id, NULL, CASE WHEN regexp_matches(split_part(device_hint, ' ', 1), '^[A-Za-z]+\d+,\d+$')
                                 THEN split_part(device_hint, ' ', 1) END,
        NULL, nullif(split_part(device_hint, ' ', 2), ''), 'sysdiagnose name', 2
    FROM source_device WHERE device_hint IS NOT NULL
), said AS (
    SELECT device_id,
        first(name ORDER BY strength, name) FILTER (WHERE name IS NOT NULL) AS name,
        first(model ORDER BY strength, model) FILTER (WHERE model IS NOT NULL) AS model,
        first(os_version ORDER BY strength, os_version) FILTER (WHERE os_version IS NOT NULL) AS os_version,
        first(os_build ORDER BY strength, os_build) FILTER (WHERE os_build IS NOT NULL) AS os_build,
        first(found_from ORDER BY strength, found_from) AS found_from
    FROM claims GROUP BY device_id
)
SELECT sd.device_id, coalesce(any_value(sd.device_hint), any_value(s.name)), any_value(s.model),
    any_value(s.os_version), any_value(s.os_build), coalesce(any_value(s.found_from), 'file')
FROM source_device sd LEFT JOIN said s USING (device_id)
GROUP BY sd.device_id;

-- Every event with its device; the same event read from two overlapping exports is kept once (the
-- first read), the copies point at it.
CREATE OR REPLACE TEMP TABLE ev_all AS
SELECT e.*, sd.device_id,
    CASE WHEN first_value(e.event_id) OVER w <> e.event_id AND first_value(e.source_id) OVER w <> e.source_id
         THEN first_value(e.event_id) OVER w END AS dup_of
FROM session_events e JOIN source_device sd USING (source_id)
WINDOW w AS (PARTITION BY e.ts, e.subject_pid, e.kind, e.message ORDER BY e.event_id);

-- Every peer connection's span: from its first stats sample or state change to its last (a connection that
-- only changed state, with no stats at all, is one too), and how it ended.
DELETE FROM pc_spans;
INSERT INTO pc_spans
WITH r AS (
    SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_inbound_rtp
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_outbound_rtp
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_remote_inbound_rtp
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_candidate_pair
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_transport
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_media_source
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM stats_other
    UNION ALL SELECT source_id, origin, pc_id, call_id_hint, ts FROM pc_state_changes WHERE ts IS NOT NULL
), spans AS (
    SELECT r.source_id, r.origin, r.pc_id, r.call_id_hint, any_value(sd.device_id) AS device_id,
           min(r.ts) AS start_ts, max(r.ts) AS end_ts
    FROM r JOIN source_device sd USING (source_id)
    GROUP BY r.source_id, r.origin, r.pc_id, r.call_id_hint
), endings AS (
    SELECT source_id, pc_id,
        bool_or(event = 'close') AS closed_by_app,
        coalesce(arg_max(lower(state), ts) FILTER (WHERE lower(event) IN ('onconnectionstatechange', 'connectionstatechange')),
                 arg_max(lower(state), ts) FILTER (WHERE lower(event) IN ('oniceconnectionstatechange', 'iceconnectionstatechange')))
            AS last_state
    FROM pc_state_changes GROUP BY source_id, pc_id
)
SELECT s.*, e.closed_by_app, e.last_state
FROM spans s LEFT JOIN endings e ON e.source_id = s.source_id AND e.pc_id IS NOT DISTINCT FROM s.pc_id;

-- A call id is the app's, and two phones can log the same one (an id reused or colliding): the call is then one
-- per device, `<call id>@<device>` (only for such ids). Sources that logged the same events (overlapping exports
-- of one phone) count as one device here. A call's stats go with its events: those of a call whose events come
-- from one device are that call's whichever folder they came in (a sysdiagnose and the app's upload of one
-- phone); for an id on several devices, the same device's, else the one whose events they overlap in time.
-- call_parts: each (call id, device) the evidence names, and the call it belongs to.
CREATE OR REPLACE TEMP TABLE call_parts AS
WITH ev_parts AS (
    SELECT call_id_hint AS hint, device_id, min(ts) AS start_ts, max(ts) AS end_ts
    FROM ev_all WHERE dup_of IS NULL AND call_id_hint IS NOT NULL GROUP BY ALL
), st_parts AS (
    SELECT call_id_hint AS hint, device_id, min(start_ts) AS start_ts, max(end_ts) AS end_ts
    FROM pc_spans WHERE call_id_hint IS NOT NULL AND origin = 'device' GROUP BY ALL
), links AS (
    SELECT DISTINCT d.device_id AS a, o.device_id AS b
    FROM ev_all d JOIN ev_all o ON d.dup_of = o.event_id WHERE d.device_id <> o.device_id
), both_ways AS (
    SELECT a, b FROM links UNION SELECT b, a FROM links
), ev_owner AS (
    -- the device a part counts as: the first (by name) of the call's devices it shares events with, else its own
    SELECT p.hint, p.device_id, any_value(p.start_ts) AS start_ts, any_value(p.end_ts) AS end_ts,
        least(p.device_id, coalesce(min(q.device_id), p.device_id)) AS owner
    FROM ev_parts p
    LEFT JOIN both_ways l ON l.a = p.device_id
    LEFT JOIN ev_parts q ON q.hint = p.hint AND q.device_id = l.b
    GROUP BY p.hint, p.device_id
), ev_calls AS (
    SELECT hint, count(DISTINCT owner) AS owners, min(owner) AS only_owner FROM ev_owner GROUP BY hint
), st_by_time AS (
    SELECT s.hint, s.device_id,
        arg_max(e.owner, epoch(least(s.end_ts, e.end_ts)) - epoch(greatest(s.start_ts, e.start_ts))) AS owner
    FROM st_parts s JOIN ev_owner e ON e.hint = s.hint
         AND s.start_ts <= e.end_ts + INTERVAL 10 SECOND AND s.end_ts >= e.start_ts - INTERVAL 10 SECOND
    GROUP BY s.hint, s.device_id
), st_owner AS (
    SELECT s.hint, s.device_id,
        CASE WHEN c.owners = 1 THEN c.only_owner ELSE coalesce(o.owner, t.owner, s.device_id) END AS owner
    FROM st_parts s
    LEFT JOIN ev_calls c USING (hint)
    LEFT JOIN ev_owner o ON o.hint = s.hint AND o.device_id = s.device_id
    LEFT JOIN st_by_time t ON t.hint = s.hint AND t.device_id = s.device_id
), parts AS (
    SELECT hint, device_id, owner FROM ev_owner
    UNION SELECT hint, device_id, owner FROM st_owner
), labelled AS (
    SELECT p.*, l.label
    FROM parts p JOIN (SELECT device_id, min(device_label) AS label FROM source_device GROUP BY device_id) l
        ON l.device_id = p.owner
)
SELECT hint, device_id, owner,
    CASE WHEN count(DISTINCT owner) OVER (PARTITION BY hint) = 1 THEN hint
         WHEN count(DISTINCT owner) OVER (PARTITION BY hint, label) = 1 THEN hint || '@' || label
         -- two phones on one build, each with this call id: numbered in the order of their sysdiagnoses
         ELSE hint || '@' || label || '#' || dense_rank() OVER (PARTITION BY hint, label ORDER BY owner) END AS call_id
FROM labelled;

-- Each device's share of each explicit call (a call whose events came in two exports of one phone has two):
-- the device's other events near it belong to it, and its activations then open no window of their own.
CREATE OR REPLACE TEMP TABLE call_device_spans AS
SELECT p.call_id, e.device_id, min(e.ts) AS start_ts,
    coalesce(max(e.ts) FILTER (WHERE e.kind = 'call_end'), max(e.ts)) AS end_ts, mode(e.subject_pid) AS app_pid
FROM ev_all e JOIN call_parts p ON p.hint = e.call_id_hint AND p.device_id = e.device_id
WHERE e.dup_of IS NULL
GROUP BY p.call_id, e.device_id;

-- Candidate calls, in order of trust.
CREATE OR REPLACE TEMP TABLE call_windows AS
WITH ev AS (
    SELECT * FROM ev_all WHERE dup_of IS NULL
), stat_spans AS (
    -- stats streams: one per source / peer connection / call id hint, with their time span
    SELECT i.source_id, i.origin, i.pc_id, i.call_id_hint, sd.device_id,
           min(i.ts_start) AS start_ts, max(i.ts_end) AS end_ts
    FROM rtp_intervals i JOIN source_device sd USING (source_id)
    GROUP BY ALL
), explicit_events AS (
    SELECT p.call_id, any_value(p.owner) AS device_id, min(e.ts) AS start_ts,
        coalesce(max(e.ts) FILTER (WHERE e.kind = 'call_end'), max(e.ts)) AS end_ts,
        bool_or(e.kind = 'call_end') AS ended, mode(e.subject_pid) AS app_pid
    FROM ev e JOIN call_parts p ON p.hint = e.call_id_hint AND p.device_id = e.device_id
    GROUP BY p.call_id
), explicit_stats AS (
    SELECT p.call_id, any_value(p.owner) AS device_id, min(s.start_ts) AS start_ts, max(s.end_ts) AS end_ts
    FROM stat_spans s JOIN call_parts p ON p.hint = s.call_id_hint AND p.device_id = s.device_id
    WHERE s.origin = 'device' GROUP BY p.call_id
), explicit AS (
    SELECT coalesce(e.call_id, s.call_id) AS call_id, coalesce(e.device_id, s.device_id) AS device_id,
        least(e.start_ts, s.start_ts) AS start_ts, greatest(e.end_ts, s.end_ts) AS end_ts,
        coalesce(e.ended, false) AS ended, e.app_pid, 'explicit_id' AS evidence_kind
    FROM explicit_events e FULL JOIN explicit_stats s ON e.call_id = s.call_id
), pc_sessions AS (
    -- a stats file's peer connections without call ids: the ones whose spans overlap (an SFU leg and
    -- peer-to-peer legs, a renegotiated connection) are one session; a connection that starts after all the
    -- earlier ones ended starts the next
    SELECT *, sum(CASE WHEN start_ts > prev_end + INTERVAL 5 SECOND THEN 1 ELSE 0 END)
                  OVER (PARTITION BY source_id ORDER BY start_ts, pc_id) AS session
    FROM (SELECT *, max(end_ts) OVER (PARTITION BY source_id ORDER BY start_ts, pc_id
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
          FROM pc_spans WHERE call_id_hint IS NULL AND origin = 'device' AND pc_id IS NOT NULL)
), pcs AS (
    -- ended: every connection of the session was closed by the app or reached `closed`, and none failed last
    SELECT 'session:' || p.source_id || '.' || p.session AS call_id, any_value(p.device_id) AS device_id,
        min(p.start_ts) AS start_ts, max(p.end_ts) AS end_ts,
        coalesce(bool_and(coalesce(p.closed_by_app, false) OR p.last_state = 'closed'), false)
            AND NOT coalesce(bool_or(p.last_state = 'failed'), false) AS ended,
        NULL::INTEGER AS app_pid, 'peer_connection' AS evidence_kind
    FROM pc_sessions p
    GROUP BY p.source_id, p.session
), app_procs AS (
    SELECT DISTINCT device_id, subject_pid FROM ev WHERE producer IN ('webrtc', 'apple_client')
), act_all AS (
    SELECT e.device_id, e.subject_pid, e.ts, e.active
    FROM ev e SEMI JOIN app_procs a ON a.device_id = e.device_id AND a.subject_pid = e.subject_pid
    WHERE e.kind = 'activation' AND e.active IS NOT NULL AND coalesce(e.success, true)
), act AS (
    -- activation windows of app processes (they log client or WebRTC lines), outside explicit calls:
    -- the explicit call that started last before the event (ASOF) tells whether it is inside one
    SELECT a.device_id, a.subject_pid, a.ts, a.active
    FROM act_all a
    ASOF LEFT JOIN (SELECT device_id, start_ts - INTERVAL 5 SECOND AS from_ts, end_ts + INTERVAL 5 SECOND AS to_ts
                    FROM (SELECT device_id, start_ts, end_ts FROM explicit
                          UNION ALL SELECT device_id, start_ts, end_ts FROM call_device_spans)
                    WHERE device_id IS NOT NULL) x
        ON a.device_id = x.device_id AND a.ts >= x.from_ts
    WHERE x.to_ts IS NULL OR a.ts > x.to_ts
), act_runs AS (
    -- a window opens at an activation after a deactivation (or at the first) and closes at the next deactivation
    SELECT *, sum(CASE WHEN active AND coalesce(prev_active, false) = false THEN 1 ELSE 0 END)
                  OVER (PARTITION BY device_id, subject_pid ORDER BY ts) AS run
    FROM (SELECT *, lag(active) OVER (PARTITION BY device_id, subject_pid ORDER BY ts) AS prev_active FROM act)
), act_windows AS (
    SELECT 'act:' || device_id || ':' || subject_pid || ':' || CAST(epoch_ms(min(ts)) AS VARCHAR) AS call_id,
        device_id, min(ts) FILTER (WHERE active) AS start_ts,
        coalesce(min(ts) FILTER (WHERE NOT active), any_value(last_ts)) AS end_ts,
        bool_or(NOT active) AS ended, subject_pid AS app_pid, 'activation_window' AS evidence_kind
    FROM act_runs r
    JOIN (SELECT device_id, subject_pid, max(ts) AS last_ts FROM ev GROUP BY ALL) l USING (device_id, subject_pid)
    WHERE run > 0
    GROUP BY device_id, subject_pid, run
), bounded AS (
    SELECT *, true AS is_call FROM explicit
    UNION ALL SELECT *, true FROM pcs
    UNION ALL SELECT *, true FROM act_windows WHERE start_ts IS NOT NULL
), tickets AS (
    -- a device whose evidence has no call boundary at all (a pasted fragment, a log without the app's call
    -- lines) is analysed as one window; it counts as a call when something in it says a call was on (WebRTC,
    -- the contract, CallKit, a voice mode or the recording category, the server recording for it)
    SELECT 'ticket:' || device_id AS call_id, device_id, min(ts) AS start_ts, max(ts) AS end_ts, false AS ended,
        NULL::INTEGER AS app_pid, 'ticket' AS evidence_kind,
        coalesce(bool_or(producer IN ('contract', 'webrtc', 'telephony')
                         OR av_category IN ('playAndRecord', 'record')
                         OR av_mode IN ('voiceChat', 'videoChat', 'gameChat')
                         OR (kind = 'play_state' AND (message LIKE '%Input/Output%' OR message LIKE '%"IsRecording":true%'))
                         OR (kind = 'activation' AND message LIKE '%controlling_PID%')
                         OR pattern_id LIKE 'app.callkit%'), false) AS is_call
    FROM ev
    WHERE device_id NOT IN (SELECT device_id FROM bounded WHERE device_id IS NOT NULL)
      AND device_id NOT IN (SELECT device_id FROM call_device_spans)
    GROUP BY device_id
)
SELECT * FROM bounded
UNION ALL SELECT * FROM tickets;

-- Each event to at most one call: its own call id first; else the call on its device that started last
-- before it (ASOF; a window starts 2 s early and ends 10 s late), when it is still open and, when the call's
-- app is known, the event is about that app (another app's session activity is not this call's).
DELETE FROM event_links;
INSERT INTO event_links
WITH by_id AS (
    SELECT e.event_id, p.call_id
    FROM ev_all e JOIN call_parts p ON p.hint = e.call_id_hint AND p.device_id = e.device_id
    WHERE e.dup_of IS NULL
), by_time AS (
    SELECT e.event_id, w.call_id
    FROM (SELECT * FROM ev_all WHERE dup_of IS NULL AND call_id_hint IS NULL) e
    ASOF JOIN (SELECT call_id, device_id, app_pid, start_ts - INTERVAL 2 SECOND AS from_ts,
                      end_ts + INTERVAL 10 SECOND AS to_ts
               FROM (SELECT call_id, device_id, app_pid, start_ts, end_ts FROM call_windows
                     UNION ALL SELECT call_id, device_id, app_pid, start_ts, end_ts FROM call_device_spans)
               WHERE device_id IS NOT NULL) w
        ON e.device_id = w.device_id AND e.ts >= w.from_ts
    WHERE e.ts <= w.to_ts
      AND (w.app_pid IS NULL OR e.subject_pid IS NULL OR e.subject_pid = w.app_pid OR e.producer = 'telephony')
), matched AS (
    SELECT * FROM by_id UNION ALL SELECT * FROM by_time
)
SELECT a.event_id, a.device_id, m.call_id, a.dup_of
FROM ev_all a LEFT JOIN matched m USING (event_id);

-- What the app's call.start line says of the app and the phone (the instrumentation contract: app_version,
-- device_model, os_version), from the call's first call.start that names each.
CREATE OR REPLACE TEMP TABLE call_started AS
WITH started AS (
    SELECT l.call_id, e.ts, e.event_id, kv_pairs(e.message) AS pairs
    FROM event_links l JOIN session_events e USING (event_id)
    WHERE e.kind = 'call_start' AND l.call_id IS NOT NULL AND l.dup_of IS NULL
), said AS (
    SELECT call_id, ts, event_id, kv(pairs, 'device_model') AS device_model, kv(pairs, 'os_version') AS os_version,
        kv(pairs, 'app_version') AS app_version
    FROM started
)
SELECT call_id,
    first(device_model ORDER BY ts, event_id) FILTER (WHERE device_model IS NOT NULL) AS device_model,
    first(os_version ORDER BY ts, event_id) FILTER (WHERE os_version IS NOT NULL) AS os_version,
    first(app_version ORDER BY ts, event_id) FILTER (WHERE app_version IS NOT NULL) AS app_version
FROM said GROUP BY call_id;

-- Stats streams to calls: by call id, else by peer connection, else (gateway streams without ids) by time.
DELETE FROM call_streams;
INSERT INTO call_streams
WITH streams AS (
    SELECT source_id, origin, pc_id, call_id_hint, device_id, start_ts, end_ts FROM pc_spans
), by_id AS (
    -- a device's stream: the call of its id on that device; a gateway's: the call of its id, or when the id is
    -- one call per device, the one that overlaps the stream most
    SELECT p.call_id, s.source_id, s.origin, s.pc_id, s.call_id_hint, 'call_id' AS how
    FROM streams s JOIN call_parts p ON p.hint = s.call_id_hint AND p.device_id = s.device_id
    WHERE s.origin = 'device'
    UNION ALL
    SELECT call_id, source_id, origin, pc_id, call_id_hint, 'call_id' FROM (
        SELECT w.call_id, s.source_id, s.origin, s.pc_id, s.call_id_hint
        FROM streams s
        JOIN (SELECT DISTINCT hint, call_id FROM call_parts) p ON p.hint = s.call_id_hint
        JOIN call_windows w ON w.call_id = p.call_id
        WHERE s.origin <> 'device'
        QUALIFY row_number() OVER (
            PARTITION BY s.source_id, s.origin, s.pc_id, s.call_id_hint
            ORDER BY epoch(least(s.end_ts, w.end_ts)) - epoch(greatest(s.start_ts, w.start_ts)) DESC, w.call_id) = 1)
), by_pc AS (
    -- the session the connection's span falls in (its file's)
    SELECT w.call_id, s.source_id, s.origin, s.pc_id, s.call_id_hint, 'pc_id'
    FROM streams s JOIN call_windows w ON starts_with(w.call_id, 'session:' || s.source_id || '.')
         AND s.start_ts >= w.start_ts AND s.start_ts <= w.end_ts
    WHERE s.call_id_hint IS NULL AND s.origin = 'device' AND s.pc_id IS NOT NULL
), by_time AS (
    -- the call that covers most of the stream, and at least half of it (clocks may differ by seconds)
    SELECT w.call_id, s.source_id, s.origin, s.pc_id, s.call_id_hint, 'time'
    FROM streams s JOIN call_windows w ON s.start_ts < w.end_ts AND s.end_ts > w.start_ts
    WHERE s.call_id_hint IS NULL AND s.origin = 'gateway'
      AND epoch(least(s.end_ts, w.end_ts)) - epoch(greatest(s.start_ts, w.start_ts))
          >= 0.5 * (epoch(s.end_ts) - epoch(s.start_ts))
    QUALIFY row_number() OVER (PARTITION BY s.source_id, s.pc_id
                               ORDER BY epoch(least(s.end_ts, w.end_ts)) - epoch(greatest(s.start_ts, w.start_ts)) DESC) = 1
)
SELECT * FROM by_id UNION ALL SELECT * FROM by_pc UNION ALL SELECT * FROM by_time;

-- Clock alignment: the gateway's counters trail the device's by the network delay, so matching the
-- gateway's received count with the time the device had sent that many packets (and the reverse
-- direction) gives gateway-minus-device offsets biased by +delay and -delay; their mean cancels it.
-- Each side keeps the first time a count was reached: a plateau (audio stopped) carries no timing. A
-- receiver counts received + lost, which is what the sender sent.
CREATE OR REPLACE TEMP TABLE call_offsets AS
WITH counts AS (
    -- every audio counter of the call's streams: what each side sent, and what each side received (+ lost)
    SELECT cs.call_id, cs.origin, 'sent' AS what, o.ts, o.packets_sent AS n
    FROM stats_outbound_rtp o
    JOIN call_streams cs ON cs.source_id = o.source_id AND cs.pc_id IS NOT DISTINCT FROM o.pc_id
         AND cs.call_id_hint IS NOT DISTINCT FROM o.call_id_hint
    WHERE coalesce(o.kind, 'audio') = 'audio' AND o.packets_sent > 0
    UNION ALL
    SELECT cs.call_id, cs.origin, 'received', i.ts, i.packets_received + coalesce(i.packets_lost, 0)
    FROM stats_inbound_rtp i
    JOIN call_streams cs ON cs.source_id = i.source_id AND cs.pc_id IS NOT DISTINCT FROM i.pc_id
         AND cs.call_id_hint IS NOT DISTINCT FROM i.call_id_hint
    WHERE coalesce(i.kind, 'audio') = 'audio' AND i.packets_received > 0
), firsts AS (
    SELECT call_id, origin, what, n, min(ts) AS ts FROM counts GROUP BY ALL
), dev_out AS (
    SELECT call_id, ts, n FROM firsts WHERE origin = 'device' AND what = 'sent'
), dev_in AS (
    SELECT call_id, ts, n FROM firsts WHERE origin = 'device' AND what = 'received'
), gw_in AS (
    SELECT call_id, ts, n FROM firsts WHERE origin = 'gateway' AND what = 'received'
), gw_out AS (
    SELECT call_id, ts, n FROM firsts WHERE origin = 'gateway' AND what = 'sent'
), up AS (   -- device sent n -> gateway received n: offset + delay
    SELECT g.call_id, epoch(g.ts) - epoch(d.ts) AS off
    FROM gw_in g ASOF JOIN dev_out d ON g.call_id = d.call_id AND g.n >= d.n
), down AS ( -- gateway sent n -> device received n: offset - delay
    SELECT g.call_id, epoch(g.ts) - epoch(d.ts) AS off
    FROM gw_out g ASOF JOIN dev_in d ON g.call_id = d.call_id AND g.n <= d.n
)
SELECT call_id, (median(up_off) + coalesce(median(down_off), median(up_off))) / 2 AS offset_s,
       count(*) AS samples
FROM (SELECT call_id, off AS up_off, NULL::DOUBLE AS down_off FROM up
      UNION ALL SELECT call_id, NULL, off FROM down)
GROUP BY call_id;

DELETE FROM calls;
INSERT INTO calls
SELECT w.call_id, w.device_id, w.start_ts, greatest(w.end_ts, w.start_ts), w.evidence_kind, w.ended, w.app_pid,
    (SELECT count(*) FROM event_links e WHERE e.call_id = w.call_id),
    (SELECT count(*) FROM call_streams cs WHERE cs.call_id = w.call_id),
    list_sort(list_distinct(
        coalesce((SELECT list(DISTINCT e.source_id) FROM events e WHERE e.call_id = w.call_id), [])
        || coalesce((SELECT list(DISTINCT cs.source_id) FROM call_streams cs WHERE cs.call_id = w.call_id), []))),
    o.offset_s,
    CASE
        WHEN NOT EXISTS (SELECT 1 FROM call_streams cs WHERE cs.call_id = w.call_id AND cs.origin = 'gateway')
            THEN 'no gateway stats'
        WHEN NOT EXISTS (SELECT 1 FROM call_streams cs WHERE cs.call_id = w.call_id AND cs.origin = 'device')
            THEN 'no device stats'
        WHEN o.offset_s IS NULL THEN 'not alignable: no packet counts in common'
        ELSE 'aligned'
    END,
    w.is_call,
    -- who the device was, written once: the app's own call.start for this call, then the device's evidence. The
    -- iOS version and build go together: the device's build only where the app names no other version than its.
    coalesce(st.device_model, d.model),
    coalesce(st.os_version, d.os_version),
    CASE WHEN st.os_version IS NULL OR st.os_version = d.os_version THEN d.os_build END,
    st.app_version
FROM call_windows w
LEFT JOIN call_offsets o USING (call_id)
LEFT JOIN call_started st USING (call_id)
LEFT JOIN devices d ON d.device_id = w.device_id
QUALIFY row_number() OVER (PARTITION BY w.call_id ORDER BY w.start_ts) = 1
