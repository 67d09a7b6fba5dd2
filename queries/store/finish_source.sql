-- An input read to its end: its counts (analyzer/store/counts.py Counts, one parameter a column), the line
-- layouts of its stored records (text logs), and whether it is complete (a log whose events are typed later is
-- not yet). Returns the layouts.
-- Params: $source_id, $lines, $meta_lines, $records, $stored, $ignored, $rejected, $events, $year_assumed, $complete.
UPDATE sources
SET lines = $lines, meta_lines = $meta_lines, records = $records, stored = $stored, ignored = $ignored,
    rejected = $rejected, events = $events, year_assumed = $year_assumed, complete = $complete,
    layouts = (SELECT string_agg(envelope || ' ' || n, ', ' ORDER BY n DESC, envelope)
               FROM (SELECT envelope, count(*) AS n FROM log_records
                     WHERE source_id = $source_id AND envelope IS NOT NULL GROUP BY envelope))
WHERE source_id = $source_id
RETURNING layouts
