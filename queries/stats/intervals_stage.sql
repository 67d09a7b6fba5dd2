-- The inputs of the interval series (queries/stats/intervals.sql) for round $round of the streams in iv_streams
-- (queries/stats/intervals_streams.sql), staged once a round (two scans of the RTP tables, one of the reports and one
-- of the pairs), so that a bucket of streams is then read by its own rows (a range of these tables, which lie by
-- bucket), not by a scan of the file's tables; a round at a time, so what is held does not grow with the file
-- (analyzer/normalise/stats.py).

-- Every sample of the round's streams, with its stream's numbers, in bucket order (its locator only where its stream
-- has none: a dump's long locators would take half the table).
CREATE OR REPLACE TEMP TABLE iv_samples AS
WITH rtp AS (
    SELECT 'inbound' AS direction, source_id, origin, pc_id, stat_id, ts, line, locator, call_id_hint, ssrc,
           packets_received AS packets, bytes_received AS bytes, packets_lost AS lost, concealed_samples,
           total_samples_received, audio_level, jitter_s
    FROM stats_inbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
    UNION ALL
    SELECT 'outbound' AS direction, source_id, origin, pc_id, stat_id, ts, line, locator, call_id_hint, ssrc,
           packets_sent AS packets, bytes_sent AS bytes, CAST(NULL AS DOUBLE) AS lost,
           CAST(NULL AS DOUBLE) AS concealed_samples, CAST(NULL AS DOUBLE) AS total_samples_received,
           CAST(NULL AS DOUBLE) AS audio_level, CAST(NULL AS DOUBLE) AS jitter_s
    FROM stats_outbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
)
SELECT s.bucket, s.sid, s.pcid, x.ts, x.line, CASE WHEN s.locator IS NULL THEN x.locator END AS locator,
       x.call_id_hint, x.ssrc, x.packets, x.bytes, x.lost, x.concealed_samples, x.total_samples_received,
       x.audio_level, x.jitter_s
FROM rtp x
JOIN (SELECT * FROM iv_streams WHERE round = $round) s
    ON s.direction = x.direction AND s.source_id = x.source_id AND s.origin = x.origin
    AND s.pc = coalesce(x.pc_id, '') AND s.stat_id = x.stat_id
ORDER BY bucket;

-- The remote-inbound-rtp reports of the streams' (peer connection, ssrc), one per instant (the ASOF join would take
-- any of several): the later line, then the greater stat id, then the values decide; a row for each bucket that
-- has a stream of that ssrc.
CREATE OR REPLACE TEMP TABLE iv_remote AS
WITH keys AS (
    SELECT DISTINCT bucket, pcid, ssrc FROM iv_samples WHERE ssrc IS NOT NULL
), reports AS (
    SELECT p.pcid, x.ssrc, x.ts,
           arg_max(v, (coalesce(x.line, -1), x.stat_id, coalesce(x.locator, ''), v)) AS r
    FROM (SELECT *, {round_trip_time_s: round_trip_time_s, fraction_lost: fraction_lost, jitter_s: jitter_s} AS v
          FROM stats_remote_inbound_rtp
          WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)) x
    JOIN (SELECT DISTINCT source_id, origin, pc, pcid FROM iv_streams WHERE round = $round) p
        ON p.source_id = x.source_id AND p.origin = x.origin AND p.pc = coalesce(x.pc_id, '')
    SEMI JOIN keys k ON k.pcid = p.pcid AND k.ssrc = x.ssrc
    GROUP BY ALL
)
SELECT k.bucket, r.pcid, r.ssrc, r.ts, r.r.round_trip_time_s, r.r.fraction_lost, r.r.jitter_s
FROM reports r JOIN keys k USING (pcid, ssrc)
ORDER BY k.bucket;

-- The streams' peer connections' candidate pairs with a round-trip time, one per instant, chosen as the remote
-- report above; a row for each bucket that has a stream of that peer connection.
CREATE OR REPLACE TEMP TABLE iv_pair AS
WITH pcs AS (
    SELECT DISTINCT source_id, origin, pc, pcid FROM iv_streams WHERE round = $round
), pairs AS (
    SELECT c.pcid, p.ts,
           arg_max(p.current_round_trip_time_s,
                   (coalesce(p.line, -1), p.stat_id, coalesce(p.locator, ''), p.current_round_trip_time_s))
               AS current_round_trip_time_s
    FROM stats_candidate_pair p
    JOIN pcs c ON c.source_id = p.source_id AND c.origin = p.origin AND c.pc = coalesce(p.pc_id, '')
    WHERE p.source_id BETWEEN $first AND $last AND list_contains($sources, p.source_id)
      AND p.current_round_trip_time_s IS NOT NULL
      AND (coalesce(p.nominated, p.selected, 'true') = 'true' OR p.state = 'succeeded')
    GROUP BY ALL
)
SELECT k.bucket, p.pcid, p.ts, p.current_round_trip_time_s
FROM pairs p JOIN (SELECT DISTINCT bucket, pcid FROM iv_streams WHERE round = $round) k USING (pcid)
ORDER BY k.bucket;
