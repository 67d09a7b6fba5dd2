-- The source lines behind a finding: log events ($events: event ids) and stats samples ($stats: {source_id, line,
-- locator, what}: the line of the file, or where in a dump when the format has no lines, and what it shows).
SELECT file, line, line_end, locator, text FROM (
    SELECT s.path || coalesce('!' || s.member, '') AS file, e.line_start AS line, e.line_end, NULL AS locator,
           e.ts, 0 AS k, left(replace(e.message, chr(10), ' '), 480) AS text
    FROM session_events e JOIN sources s USING (source_id)
    WHERE list_contains($events, e.event_id)
    UNION ALL
    SELECT s.path || coalesce('!' || s.member, '') AS file, x.line, x.line, x.locator, NULL AS ts, x.k,
           coalesce(x.what, 'stats sample (' || s.format || ')') AS text
    FROM (SELECT unnest($stats) AS se, generate_subscripts($stats, 1) AS k) u,
         LATERAL (SELECT u.se.source_id AS source_id, u.se.line AS line, u.se.locator AS locator, u.se.what AS what,
                         u.k AS k) x
    JOIN sources s ON s.source_id = x.source_id
)
ORDER BY ts NULLS LAST, k, file, line
