-- The audio streams of the sources in $sources (one file's, or a batch of small files'; $first and $last bound them,
-- so a store's other sources are skipped by range), which the interval series (queries/stats/intervals.sql) is
-- derived for: queries/stats/intervals_stage.sql stages their inputs a round of buckets at a time
-- (analyzer/normalise/stats.py).
-- A row a stream: a stream is audio when any of its samples says so (kind / mediaType); `sid` numbers them, `pcid`
-- their peer connections, `bucket` packs them in order into buckets of about $per_bucket samples (a stream larger than
-- that is a bucket of its own) and `round` packs $per_round buckets (their inputs staged together). `locator`: the one
-- locator every sample of the stream has (a dump's series), which iv_samples then leaves out (NULL); a stream whose
-- samples differ keeps theirs there.
CREATE OR REPLACE TEMP TABLE iv_streams AS
WITH rtp AS (
    SELECT source_id, 'inbound' AS direction, origin, pc_id, stat_id, kind, locator FROM stats_inbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
    UNION ALL
    SELECT source_id, 'outbound' AS direction, origin, pc_id, stat_id, kind, locator FROM stats_outbound_rtp
    WHERE source_id BETWEEN $first AND $last AND list_contains($sources, source_id)
), counted AS (
    SELECT source_id, direction, origin, coalesce(pc_id, '') AS pc, stat_id, count(*) AS n, max(kind) AS kind,
        CASE WHEN count(locator) = count(*) AND min(locator) = max(locator) THEN min(locator) END AS locator
    FROM rtp
    GROUP BY ALL
), numbered AS (
    SELECT source_id, direction, origin, pc, stat_id, locator,
        CAST(row_number() OVER (ORDER BY source_id, origin, pc, direction, stat_id) AS INTEGER) AS sid,
        CAST(dense_rank() OVER (ORDER BY source_id, origin, pc) AS INTEGER) AS pcid,
        CAST((sum(n) OVER (ORDER BY source_id, origin, pc, direction, stat_id ROWS UNBOUNDED PRECEDING) - n)
             // $per_bucket AS INTEGER) AS bucket
    FROM counted
    WHERE coalesce(kind, 'audio') = 'audio'
)
SELECT *, bucket // $per_round AS round FROM numbered;
