-- Calls only the model flags (verdict suspected), most probable first.
SELECT call_id, device, model_label, round(model_probability, 2) AS p
FROM report_calls WHERE verdict = 'suspected'
ORDER BY model_probability DESC, call_id LIMIT 50
