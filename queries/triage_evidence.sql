-- The source lines behind a finding: log events (?: event ids) and stats samples (?: {source_id, line}).
SELECT file, line, line_end, text FROM (
    SELECT s.path || coalesce('!' || s.member, '') AS file, e.line_start AS line, e.line_end, e.ts,
           left(replace(e.message, chr(10), ' '), 480) AS text
    FROM session_events e JOIN sources s USING (source_id)
    WHERE list_contains(?, e.event_id)
    UNION ALL
    SELECT s.path || coalesce('!' || s.member, '') AS file, x.line, x.line, NULL AS ts,
           'stats sample (' || s.format || ')' AS text
    FROM (SELECT unnest(?) AS se) u, LATERAL (SELECT u.se.source_id AS source_id, u.se.line AS line) x
    JOIN sources s ON s.source_id = x.source_id
)
ORDER BY ts NULLS LAST, file, line
