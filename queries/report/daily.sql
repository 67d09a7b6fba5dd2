-- Calls and failed calls per day of the window.
SELECT day, count(*) AS calls, count(*) FILTER (WHERE verdict = 'failed') AS failed
FROM report_calls GROUP BY day ORDER BY day
