-- Per-interval audio series for the sources staged by queries/stats/intervals_stage.sql (one file's, or a batch of
-- small files': every window and join below is within one source), from the cumulative RTP counters.
--   * a stream is audio when any of its samples says so (kind / mediaType); samples that leave it out are the
--     stream's all the same;
--   * the stream's first sample opens it with a lead-in interval (one polling step before it, no rates): the
--     packets counted before the first poll, so the series adds up to the counters;
--   * duplicate timestamps for one stream: the sample on the later line wins (then the later locator, the
--     greater counters);
--   * a counter that goes down means the stream restarted: the interval counts the new value as its delta
--     (the counter restarted from zero) and is flagged counter_reset;
--   * samples further apart than max(5 s, 3x the stream's median interval) form a gap: no rates;
--   * RTT: the remote-inbound-rtp report of the same stream when present, else the candidate pair's
--     currentRoundTripTime; both taken as of the interval end (ASOF);
--   * MOS: emodel_mos (queries/macros.sql) from RTT, jitter and the interval's loss.
-- Run once per bucket of streams ($bucket): every rule above is within one stream (the RTT's reports within its
-- peer connection), and queries/stats/intervals_stage.sql has staged the samples, reports and pairs of the bucket's
-- round by bucket (iv_samples, iv_remote, iv_pair; the streams in iv_streams), so a run reads its bucket's rows only
-- and the memory it takes is bounded by the bucket, not the file (analyzer/normalise/stats.py).
INSERT INTO rtp_intervals
WITH picked AS (
    SELECT * FROM iv_samples
    WHERE bucket = $bucket
    QUALIFY row_number() OVER (PARTITION BY sid, ts ORDER BY line DESC NULLS LAST, locator DESC NULLS LAST,
                                   packets DESC NULLS LAST, bytes DESC NULLS LAST, lost DESC NULLS LAST) = 1
), paired AS (
    SELECT *,
        lag(ts) OVER w AS prev_ts,
        lag(packets) OVER w AS prev_packets, lag(bytes) OVER w AS prev_bytes, lag(lost) OVER w AS prev_lost,
        lag(concealed_samples) OVER w AS prev_concealed, lag(total_samples_received) OVER w AS prev_samples
    FROM picked
    WINDOW w AS (PARTITION BY sid ORDER BY ts)
), steps AS (
    -- the stream's median step, which sizes its lead-in and its gaps
    SELECT sid, median(epoch(ts) - epoch(prev_ts)) AS step
    FROM paired WHERE prev_ts IS NOT NULL GROUP BY sid
), deltas AS (
    -- the lead-in (the stream's first sample): what it counted since the stream began (its rate is unknown)
    SELECT p.* REPLACE (
            CASE WHEN p.prev_ts IS NULL THEN p.ts - to_microseconds(CAST(coalesce(s.step, 1) * 1e6 AS BIGINT))
                 ELSE p.prev_ts END AS prev_ts,
            CASE WHEN p.prev_ts IS NULL THEN 0 ELSE p.prev_packets END AS prev_packets,
            CASE WHEN p.prev_ts IS NULL THEN 0 ELSE p.prev_bytes END AS prev_bytes,
            CASE WHEN p.prev_ts IS NULL THEN 0 ELSE p.prev_lost END AS prev_lost,
            CASE WHEN p.prev_ts IS NULL THEN 0 ELSE p.prev_concealed END AS prev_concealed,
            CASE WHEN p.prev_ts IS NULL THEN 0 ELSE p.prev_samples END AS prev_samples),
        CASE WHEN p.prev_ts IS NULL THEN coalesce(s.step, 1) ELSE epoch(p.ts) - epoch(p.prev_ts) END AS seconds,
        CASE WHEN p.prev_ts IS NULL THEN false
             ELSE p.packets < p.prev_packets OR p.bytes < p.prev_bytes
                  OR p.total_samples_received < p.prev_samples END AS counter_reset,
        p.prev_ts IS NULL AS lead_in,
        s.step
    FROM paired p LEFT JOIN steps s USING (sid)
), sized AS (
    SELECT *,
        lead_in OR seconds > greatest(5, 3 * step) AS gap,
        CASE WHEN counter_reset THEN packets ELSE packets - prev_packets END AS d_packets,
        CASE WHEN counter_reset THEN bytes ELSE bytes - prev_bytes END AS d_bytes,
        CASE WHEN counter_reset THEN lost ELSE lost - prev_lost END AS d_lost,
        CASE WHEN counter_reset THEN concealed_samples ELSE concealed_samples - prev_concealed END AS d_concealed,
        CASE WHEN counter_reset THEN total_samples_received ELSE total_samples_received - prev_samples END AS d_samples
    FROM deltas
), with_remote AS (
    SELECT s.*, r.round_trip_time_s AS remote_rtt, r.fraction_lost AS remote_loss, r.jitter_s AS remote_jitter
    FROM sized s
    ASOF LEFT JOIN (SELECT * FROM iv_remote WHERE bucket = $bucket) r
        ON s.pcid = r.pcid AND s.ssrc = r.ssrc AND s.ts >= r.ts
), with_rtt AS (
    SELECT w.*, p.current_round_trip_time_s AS pair_rtt
    FROM with_remote w
    ASOF LEFT JOIN (SELECT * FROM iv_pair WHERE bucket = $bucket) p ON w.pcid = p.pcid AND w.ts >= p.ts
), rated AS (
    SELECT w.* REPLACE (coalesce(w.locator, st.locator) AS locator), st.source_id, st.origin, st.pc, st.stat_id,
        st.direction,
        CASE WHEN NOT gap AND seconds > 0 THEN d_packets / seconds END AS packets_per_s,
        CASE WHEN NOT gap AND seconds > 0 THEN d_bytes / seconds END AS bytes_per_s,
        CASE WHEN st.direction = 'inbound' AND NOT gap AND d_lost IS NOT NULL AND d_packets + greatest(d_lost, 0) > 0
                 THEN greatest(d_lost, 0) / (d_packets + greatest(d_lost, 0))
             WHEN st.direction = 'outbound' THEN remote_loss END AS loss_rate,
        CASE WHEN NOT gap AND d_samples > 0 THEN d_concealed / d_samples END AS concealment_ratio,
        coalesce(remote_rtt, pair_rtt) AS rtt,
        CASE WHEN st.direction = 'inbound' THEN jitter_s ELSE remote_jitter END AS jitter
    FROM with_rtt w JOIN iv_streams st USING (sid)
)
SELECT source_id, origin, call_id_hint, nullif(pc, ''), stat_id, direction, prev_ts, ts, seconds, line, gap,
       coalesce(counter_reset, false), d_packets, packets_per_s, bytes_per_s, d_lost, loss_rate,
       concealment_ratio, audio_level, jitter, rtt,
       CASE WHEN NOT gap THEN emodel_mos(rtt, jitter, loss_rate) END, locator, packets, ssrc
FROM rated
WHERE seconds > 0
