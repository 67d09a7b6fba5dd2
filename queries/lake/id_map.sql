-- Each set of the lake (view lake_sources): the source id its rows get, and what is added to its record and event
-- ids. Sets written from one store (analyzer lake export) keep their ids: unique source ids and record and event
-- id ranges that do not overlap. Otherwise (separate ingests each count from 1) every set is renumbered, in the
-- order of its name (the content hash), so the same lake always reads back the same. Both engines run this.
WITH sets AS (
    SELECT lake_set, source_id, lake_record_min AS rmin, lake_record_max AS rmax,
        lake_event_min AS emin, lake_event_max AS emax
    FROM lake_sources
), record_ranges AS (
    SELECT rmin, max(rmax) OVER (ORDER BY rmin, lake_set ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM sets WHERE rmin IS NOT NULL
), event_ranges AS (
    SELECT emin, max(emax) OVER (ORDER BY emin, lake_set ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM sets WHERE emin IS NOT NULL
), verdict AS (
    SELECT
        (SELECT count(*) = count(DISTINCT source_id) FROM sets)
        AND (SELECT coalesce(bool_and(before IS NULL OR before < rmin), true) FROM record_ranges)
        AND (SELECT coalesce(bool_and(before IS NULL OR before < emin), true) FROM event_ranges) AS keep_ids
), numbered AS (
    SELECT lake_set, source_id,
        row_number() OVER (ORDER BY lake_set) AS new_source_id,
        coalesce(sum(coalesce(rmax - rmin + 1, 0)) OVER (ORDER BY lake_set ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
            + 1 - coalesce(rmin, 1) AS record_shift,
        coalesce(sum(coalesce(emax - emin + 1, 0)) OVER (ORDER BY lake_set ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
            + 1 - coalesce(emin, 1) AS event_shift
    FROM sets
)
SELECT n.lake_set,
    CAST(CASE WHEN v.keep_ids THEN n.source_id ELSE n.new_source_id END AS INTEGER) AS source_id,
    CAST(CASE WHEN v.keep_ids THEN 0 ELSE n.record_shift END AS BIGINT) AS record_shift,
    CAST(CASE WHEN v.keep_ids THEN 0 ELSE n.event_shift END AS BIGINT) AS event_shift
FROM numbered n CROSS JOIN verdict v
