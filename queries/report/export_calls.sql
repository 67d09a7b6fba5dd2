-- calls.parquet / calls.csv: the window's calls with their verdicts.
SELECT * EXCLUDE (rules), array_to_string(rules, ',') AS rules FROM report_calls ORDER BY start_ts, call_id
