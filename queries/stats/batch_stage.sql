-- A batch's stats objects into stat_stage with the file's source: stage_objects (one row per object, as
-- ndjson_stage.sql unnests a report) numbered by batch_read's rowid, staged by ndjson_objects.sql; then the stage
-- is rebuilt with each row's source_id ($files: filename, source_id) and its line in its own file (the rowid's
-- place after the file's first), in the order staged.
CREATE OR REPLACE TEMP TABLE stage_objects AS
SELECT rowid AS line, call_id_hint, pc_id, report_ts, origin,
    unnest(CASE json_type(rep) WHEN 'ARRAY' THEN json_extract(rep, '$[*]') WHEN 'OBJECT' THEN json_extract(rep, '$.*') END) AS o,
    unnest(CASE json_type(rep) WHEN 'OBJECT' THEN json_keys(rep) END) AS k
FROM batch_read;

CREATE OR REPLACE TEMP TABLE batch_lines AS
SELECT r.g, f.source_id, r.g - min(r.g) OVER (PARTITION BY r.filename) + 1 AS line
FROM (SELECT rowid AS g, filename FROM batch_read) r
JOIN (SELECT unnest($files, recursive := true)) f USING (filename);
