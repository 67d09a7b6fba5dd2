-- The rules that fired most in the window, each with the calls it fired on and an example call.
SELECT f.rule_id, count(DISTINCT f.call_id) AS calls, min(f.call_id) AS example
FROM findings f JOIN report_calls USING (call_id)
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20
