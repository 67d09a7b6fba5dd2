-- stat_stage rebuilt with each staged object's source_id and its line in its own file (batch_lines, batch_stage.sql),
-- in the order staged; analyzer/store/ingest_batch.py puts the stage back as it was after the batch.
CREATE OR REPLACE TEMP TABLE stat_stage AS
SELECT s.* EXCLUDE (rid) REPLACE (b.line AS line, 'line ' || b.line AS locator), b.source_id
FROM (SELECT rowid AS rid, * FROM stat_stage) s JOIN batch_lines b ON s.line = b.g
ORDER BY s.rid
