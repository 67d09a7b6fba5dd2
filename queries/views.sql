-- Views the rules are written against (applied on every connect, so also on read-only stores).

-- Events that belong to a call, once each, with the time since the call started.
CREATE OR REPLACE TEMP VIEW call_events AS
SELECT e.*, c.start_ts AS call_start, c.end_ts AS call_end, epoch(e.ts) - epoch(c.start_ts) AS t_rel
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
