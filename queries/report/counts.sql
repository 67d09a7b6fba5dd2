-- Calls and failed calls that started in [$lo, $hi]: the window's and the period's before it, to compare.
SELECT count(*) AS calls, count(*) FILTER (WHERE verdict = 'failed') AS failed
FROM call_verdicts WHERE day BETWEEN $lo AND $hi
