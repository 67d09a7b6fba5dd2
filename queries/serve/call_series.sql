-- The stats series of one call ($call_id) on the call's time axis: each direction's packets a second, loss, jitter,
-- RTT and MOS (the device's stats, both legs), and the microphone's audio level (series 'mic').
SELECT a.direction AS series, round(epoch(a.ts_end) - epoch(c.start_ts), 2) AS t, a.packets_per_s AS packets,
    a.loss_rate AS loss, a.jitter_s * 1000 AS jitter_ms, a.rtt_s * 1000 AS rtt_ms, a.mos, NULL AS level
FROM call_audio a JOIN calls c USING (call_id)
WHERE a.call_id = $call_id AND NOT a.gap
UNION ALL
SELECT 'mic', round(epoch(m.ts) - epoch(c.start_ts), 2), NULL, NULL, NULL, NULL, NULL, m.audio_level
FROM call_mic m JOIN calls c USING (call_id)
WHERE m.call_id = $call_id
ORDER BY series, t
