-- The events of one call ($call_id), from the snapshot's copy of the store's links (links.sql), found by its hash.
SELECT event_id FROM serve_links WHERE call_hash = hash($call_id) AND call_id = $call_id
