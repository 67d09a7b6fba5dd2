-- Which events each call has (event_links is not stored by call), kept in the served dashboard's memory with the
-- snapshot so that one call's page reads just its events (call_links.sql, one_call.sql). An event read twice, from
-- overlapping exports, counts once: its copy is left out, as the views leave it out. In the order of a hash of the
-- call id, so that one call's links lie in one block of rows and a lookup skips the others (their min/max).
SELECT hash(call_id) AS call_hash, call_id, event_id
FROM event_links
WHERE call_id IS NOT NULL AND dup_of IS NULL
ORDER BY call_hash, event_id
