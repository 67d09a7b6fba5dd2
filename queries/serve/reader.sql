-- Defined once in each reading session of the served dashboard (analyzer/serve/data.py _Reader), for
-- one_call.sql's narrowing of the store to one call.

-- the rows of a stats table (a store table's name: tbl) that belong to the call's streams: their files' rows of the
-- same peer connections, between the first and the last of those files ($first_source .. $last_source: the scan
-- skips the other files' row groups)
CREATE OR REPLACE TEMP MACRO call_stream_rows(tbl, first_source, last_source) AS TABLE
SELECT t.* FROM query_table(tbl) t
WHERE t.source_id BETWEEN first_source AND last_source
  AND (t.source_id, coalesce(t.pc_id, '')) IN (SELECT source_id, coalesce(pc_id, '') FROM temp.main.call_streams);
