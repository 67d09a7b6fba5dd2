-- The files one call ($call_id) was read from (as triage names them), for its ticket's "What was read".
SELECT s.path || coalesce('!' || s.member, '') AS file
FROM sources s JOIN calls c ON list_contains(c.sources, s.source_id)
WHERE c.call_id = $call_id
