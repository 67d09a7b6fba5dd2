-- findings.parquet / findings.csv: the findings of the window's calls, evidence as event ids.
SELECT f.* EXCLUDE (evidence, stats_evidence), array_to_string(f.evidence, ',') AS evidence_events
FROM findings f JOIN report_calls USING (call_id)
ORDER BY f.call_id, f.rule_id, f.first_ts
