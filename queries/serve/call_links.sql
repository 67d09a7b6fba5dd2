-- The events of one call ($call_id), from the snapshot's copy of the store's links (links.sql).
SELECT event_id FROM serve_links WHERE call_id = $call_id
