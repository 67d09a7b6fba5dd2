-- The files of a batch_read (batch_read.sql) the batch can store: those whose rows are their lines ($files:
-- filename, lines), each with a non-empty report. Returns their file names; the caller removes the other files'
-- rows and reads those files by the per-file path.
SELECT f.filename
FROM (SELECT unnest($files, recursive := true)) f
JOIN (SELECT filename, count(*) AS n,
             count(*) FILTER (WHERE CASE json_type(rep) WHEN 'ARRAY' THEN json_array_length(rep) > 0
                                                       WHEN 'OBJECT' THEN len(json_keys(rep)) > 0
                                                       ELSE false END) AS reports
      FROM batch_read GROUP BY filename) r USING (filename)
WHERE r.n = f.lines AND r.reports = r.n
