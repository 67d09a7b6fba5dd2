-- The store narrowed to one call ($call_id) for a request of the served dashboard: temporary tables named like the
-- store's (found before them) hold only that call's rows, so that triage's queries, written for a ticket's few calls,
-- read one call of a large fleet and answer as they would over the whole store: the call, its events' links and
-- stream links, its findings and the model's prediction, and its events together with every event its findings
-- cite. The snapshot says where they are: its events are $link_events (serve/links.sql), and they and those its
-- findings cite lie between $first_event and $last_event (so the scan skips the rest). The stats and interval rows
-- of its streams' peer connections come from call_stream_rows (queries/serve/reader.sql; analyzer/serve/data.py
-- STREAM_TABLES: the views over them work per file and peer connection). Dropped at the end of the request.
CREATE OR REPLACE TEMP TABLE calls AS SELECT * FROM store.main.calls WHERE call_id = $call_id;
CREATE OR REPLACE TEMP TABLE event_links AS
SELECT unnest(CAST($link_events AS BIGINT[])) AS event_id, c.device_id, c.call_id, CAST(NULL AS BIGINT) AS dup_of
FROM temp.main.calls c;
CREATE OR REPLACE TEMP TABLE call_streams AS SELECT * FROM store.main.call_streams WHERE call_id = $call_id;
CREATE OR REPLACE TEMP TABLE findings AS SELECT * FROM store.main.findings WHERE call_id = $call_id;
CREATE OR REPLACE TEMP TABLE predictions AS SELECT * FROM store.main.predictions WHERE call_id = $call_id;
CREATE OR REPLACE TEMP TABLE session_events AS
SELECT * FROM store.main.session_events
WHERE event_id BETWEEN $first_event AND $last_event
  AND event_id IN (SELECT event_id FROM temp.main.event_links
                   UNION ALL SELECT unnest(evidence) FROM temp.main.findings WHERE call_id = $call_id);
