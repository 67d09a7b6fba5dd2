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
       i.concealment_ratio, i.jitter_s, i.rtt_s, i.mos, i.source_id, i.line
FROM rtp_intervals i
JOIN call_streams cs ON cs.source_id = i.source_id AND cs.pc_id IS NOT DISTINCT FROM i.pc_id
     AND cs.call_id_hint IS NOT DISTINCT FROM i.call_id_hint
WHERE i.origin = 'device';

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

-- One line a call for reports and dashboards: the rules' verdict and cause (worst finding; ties go to the
-- more specific area, as in triage) next to the model's label, and the device, OS and main output route.
CREATE OR REPLACE TEMP VIEW call_verdicts AS
WITH worst AS (
    SELECT call_id,
        arg_max(area, CASE severity WHEN 'critical' THEN 40 WHEN 'high' THEN 30 WHEN 'medium' THEN 20
                                    WHEN 'low' THEN 10 ELSE 0 END
                      + CASE area WHEN 'interruption' THEN 3 WHEN 'bluetooth' THEN 2 WHEN 'network' THEN 1 ELSE 0 END)
            AS area,
        max(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
            AS rank,
        count(*) AS findings, list(DISTINCT rule_id ORDER BY rule_id) AS rules
    FROM findings GROUP BY call_id
), versions AS (
    -- the app's version, when its call.start line carries app_version= (the instrumentation contract)
    SELECT call_id, any_value(kv(kv_pairs(message), 'app_version')) AS app_version
    FROM call_events WHERE kind = 'call_start' GROUP BY call_id
), routes AS (
    SELECT call_id, mode(array_to_string(outputs, '+')) AS route
    FROM call_events WHERE kind = 'route_change' AND len(outputs) > 0 GROUP BY call_id
)
SELECT c.call_id, c.device_id, d.model AS device_model, d.os_build, c.start_ts, c.end_ts,
    CAST(c.start_ts AS DATE) AS day, epoch(c.end_ts) - epoch(c.start_ts) AS duration_s, c.evidence_kind,
    coalesce(r.route, 'no route change') AS route, v.app_version,
    CASE WHEN w.rank >= 3 THEN 'failed' WHEN w.rank = 2 THEN 'degraded'
         WHEN p.label IS NOT NULL AND p.label <> 'healthy' AND p.probability >= 0.5 THEN 'suspected'
         ELSE 'healthy' END AS verdict,
    CASE WHEN w.rank >= 2 THEN CASE w.area WHEN 'interruption' THEN 'unrecovered_interruption'
                                           WHEN 'bluetooth' THEN 'bluetooth_routing' ELSE w.area END
         WHEN p.label IS NOT NULL AND p.label <> 'healthy' AND p.probability >= 0.5 THEN p.label END AS cause,
    coalesce(w.findings, 0) AS findings, coalesce(w.rules, []) AS rules,
    p.label AS model_label, p.probability AS model_probability
FROM calls c
LEFT JOIN devices d USING (device_id)
LEFT JOIN worst w USING (call_id)
LEFT JOIN routes r USING (call_id)
LEFT JOIN versions v USING (call_id)
LEFT JOIN predictions p USING (call_id);
