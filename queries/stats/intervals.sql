-- Per-interval audio series for the sources in $sources (one file's, or a batch of small files': every window and
-- join below is within one source; $first and $last bound them, so a store's other sources are skipped by
-- range), from the cumulative RTP counters.
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
-- Run once per bucket of streams ($bucket of $buckets, by a hash of origin, pc and stat id; every window above is
-- within one stream), so the memory a run takes is bounded by the bucket, not the file (analyzer/normalise/stats.py).
INSERT INTO rtp_intervals
WITH inb AS (
    SELECT source_id, origin, call_id_hint, coalesce(pc_id, '') AS pc, stat_id, ts, line, locator, ssrc,
           packets_received AS packets, bytes_received AS bytes, packets_lost AS lost,
           concealed_samples, total_samples_received, audio_level, jitter_s
    FROM stats_inbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
      AND hash(origin, coalesce(pc_id, ''), stat_id) % $buckets = $bucket
    QUALIFY row_number() OVER (PARTITION BY source_id, origin, pc, stat_id, ts ORDER BY line DESC NULLS LAST, locator DESC NULLS LAST,
                                   packets DESC NULLS LAST, bytes DESC NULLS LAST, lost DESC NULLS LAST) = 1
        AND coalesce(max(kind) OVER (PARTITION BY source_id, origin, coalesce(pc_id, ''), stat_id), 'audio') = 'audio'
), outb AS (
    SELECT source_id, origin, call_id_hint, coalesce(pc_id, '') AS pc, stat_id, ts, line, locator, ssrc,
           packets_sent AS packets, bytes_sent AS bytes, CAST(NULL AS DOUBLE) AS lost,
           CAST(NULL AS DOUBLE) AS concealed_samples, CAST(NULL AS DOUBLE) AS total_samples_received,
           CAST(NULL AS DOUBLE) AS audio_level, CAST(NULL AS DOUBLE) AS jitter_s
    FROM stats_outbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
      AND hash(origin, coalesce(pc_id, ''), stat_id) % $buckets = $bucket
    QUALIFY row_number() OVER (PARTITION BY source_id, origin, pc, stat_id, ts ORDER BY line DESC NULLS LAST, locator DESC NULLS LAST,
                                   packets DESC NULLS LAST, bytes DESC NULLS LAST) = 1
        AND coalesce(max(kind) OVER (PARTITION BY source_id, origin, coalesce(pc_id, ''), stat_id), 'audio') = 'audio'
), samples AS (
    SELECT 'inbound' AS direction, * FROM inb
    UNION ALL
    SELECT 'outbound' AS direction, * FROM outb
), paired AS (
    SELECT *,
        lag(ts) OVER w AS prev_ts,
        lag(packets) OVER w AS prev_packets, lag(bytes) OVER w AS prev_bytes, lag(lost) OVER w AS prev_lost,
        lag(concealed_samples) OVER w AS prev_concealed, lag(total_samples_received) OVER w AS prev_samples
    FROM samples
    WINDOW w AS (PARTITION BY source_id, direction, origin, pc, stat_id ORDER BY ts)
), steps AS (
    SELECT source_id, direction, origin, pc, stat_id, median(epoch(ts) - epoch(prev_ts)) AS step
    FROM paired WHERE prev_ts IS NOT NULL GROUP BY ALL
), deltas AS (
    SELECT p.*,
        epoch(p.ts) - epoch(p.prev_ts) AS seconds,
        p.packets < p.prev_packets OR p.bytes < p.prev_bytes OR p.total_samples_received < p.prev_samples AS counter_reset,
        false AS lead_in
    FROM paired p WHERE p.prev_ts IS NOT NULL
    UNION ALL
    -- the lead-in: what the first sample counted since the stream began (its rate is unknown)
    SELECT p.* REPLACE (p.ts - to_microseconds(CAST(coalesce(s.step, 1) * 1e6 AS BIGINT)) AS prev_ts,
                        0 AS prev_packets, 0 AS prev_bytes, 0 AS prev_lost, 0 AS prev_concealed, 0 AS prev_samples),
        coalesce(s.step, 1), false, true
    FROM paired p LEFT JOIN steps s USING (source_id, direction, origin, pc, stat_id)
    WHERE p.prev_ts IS NULL
), sized AS (
    SELECT *,
        lead_in OR seconds > greatest(5, 3 * median(seconds) FILTER (WHERE NOT lead_in)
                                          OVER (PARTITION BY source_id, direction, origin, pc, stat_id)) AS gap,
        CASE WHEN counter_reset THEN packets ELSE packets - prev_packets END AS d_packets,
        CASE WHEN counter_reset THEN bytes ELSE bytes - prev_bytes END AS d_bytes,
        CASE WHEN counter_reset THEN lost ELSE lost - prev_lost END AS d_lost,
        CASE WHEN counter_reset THEN concealed_samples ELSE concealed_samples - prev_concealed END AS d_concealed,
        CASE WHEN counter_reset THEN total_samples_received ELSE total_samples_received - prev_samples END AS d_samples
    FROM deltas
), streams AS (
    -- the bucket's streams: the ASOF joins' right side is read for them only (its memory follows the bucket)
    SELECT DISTINCT source_id, origin, coalesce(pc_id, '') AS pc, ssrc FROM stats_inbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
      AND hash(origin, coalesce(pc_id, ''), stat_id) % $buckets = $bucket
    UNION
    SELECT DISTINCT source_id, origin, coalesce(pc_id, '') AS pc, ssrc FROM stats_outbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
      AND hash(origin, coalesce(pc_id, ''), stat_id) % $buckets = $bucket
), remote AS (
    -- one report per instant (the ASOF join below would take any of several): the later line, then the greater
    -- stat id, then the values decide
    SELECT source_id, origin, pc, ssrc, ts, r.round_trip_time_s, r.fraction_lost, r.jitter_s
    FROM (SELECT source_id, origin, coalesce(pc_id, '') AS pc, ssrc, ts,
                 arg_max(v, (coalesce(line, -1), stat_id, coalesce(locator, ''), v)) AS r
          FROM (SELECT x.*, {round_trip_time_s: x.round_trip_time_s, fraction_lost: x.fraction_lost,
                             jitter_s: x.jitter_s} AS v
                FROM stats_remote_inbound_rtp x SEMI JOIN streams s
                    ON s.source_id = x.source_id AND s.origin = x.origin AND s.pc = coalesce(x.pc_id, '')
                    AND s.ssrc = x.ssrc
                WHERE x.source_id BETWEEN $first AND $last AND list_contains($sources, x.source_id))
          GROUP BY ALL)
), pair AS (
    -- one candidate pair per instant, chosen as the remote report above
    SELECT p.source_id, p.origin, coalesce(p.pc_id, '') AS pc, p.ts,
           arg_max(p.current_round_trip_time_s,
                   (coalesce(p.line, -1), p.stat_id, coalesce(p.locator, ''), p.current_round_trip_time_s))
               AS current_round_trip_time_s
    FROM stats_candidate_pair p SEMI JOIN (SELECT DISTINCT source_id, origin, pc FROM streams) s
        ON s.source_id = p.source_id AND s.origin = p.origin AND s.pc = coalesce(p.pc_id, '')
    WHERE p.source_id BETWEEN $first AND $last AND list_contains($sources, p.source_id)
      AND current_round_trip_time_s IS NOT NULL
      AND (coalesce(nominated, selected, 'true') = 'true' OR state = 'succeeded')
    GROUP BY ALL
), with_remote AS (
    SELECT s.*, r.round_trip_time_s AS remote_rtt, r.fraction_lost AS remote_loss, r.jitter_s AS remote_jitter
    FROM sized s
    ASOF LEFT JOIN remote r
        ON s.source_id = r.source_id AND s.origin = r.origin AND s.pc = r.pc AND s.ssrc = r.ssrc AND s.ts >= r.ts
), with_rtt AS (
    SELECT w.*, p.current_round_trip_time_s AS pair_rtt
    FROM with_remote w
    ASOF LEFT JOIN pair p ON w.source_id = p.source_id AND w.origin = p.origin AND w.pc = p.pc AND w.ts >= p.ts
), rated AS (
    SELECT *,
        CASE WHEN NOT gap AND seconds > 0 THEN d_packets / seconds END AS packets_per_s,
        CASE WHEN NOT gap AND seconds > 0 THEN d_bytes / seconds END AS bytes_per_s,
        CASE WHEN direction = 'inbound' AND NOT gap AND d_lost IS NOT NULL AND d_packets + greatest(d_lost, 0) > 0
                 THEN greatest(d_lost, 0) / (d_packets + greatest(d_lost, 0))
             WHEN direction = 'outbound' THEN remote_loss END AS loss_rate,
        CASE WHEN NOT gap AND d_samples > 0 THEN d_concealed / d_samples END AS concealment_ratio,
        coalesce(remote_rtt, pair_rtt) AS rtt,
        CASE WHEN direction = 'inbound' THEN jitter_s ELSE remote_jitter END AS jitter
    FROM with_rtt
)
SELECT source_id, origin, call_id_hint, nullif(pc, ''), stat_id, direction, prev_ts, ts, seconds, line, gap,
       coalesce(counter_reset, false), d_packets, packets_per_s, bytes_per_s, d_lost, loss_rate,
       concealment_ratio, audio_level, jitter, rtt,
       CASE WHEN NOT gap THEN emodel_mos(rtt, jitter, loss_rate) END, locator, packets, ssrc
FROM rated
WHERE seconds > 0
