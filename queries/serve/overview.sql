-- The fleet view under the filters: for each dimension a chart shows, its values with the calls and the failed ones
-- (verdict failed), each chart counting the calls that pass every filter but its own (a chart is a filter for the
-- others). dim 'day' has one row a day and verdict (value: the day, verdict in `verdict`). The calls are counted by
-- every combination of values first (without a search the snapshot holds those counts: serve_combos), so the charts
-- are drawn from a few thousand rows, not every call.
WITH counted AS (
    SELECT day, verdict, cause, rules, os_version, device_model, app_version, route, n
    FROM serve_combos WHERE $search = ''
    UNION ALL
    SELECT day, verdict, cause, rules, os_version, device_model, app_version, route, count(*) AS n
    FROM serve_calls WHERE $search <> '' AND serve_found($search, search_text)
    GROUP BY ALL
), combos AS (
    SELECT CAST(day AS VARCHAR) AS day, verdict, nullif(cause, '') AS cause, rules, os_version, device_model,
        app_version, route, m_day, m_verdict, m_cause, m_rule, m_os, m_model, m_app, m_route, sum(n) AS n
    FROM serve_flagged('counted', $day_from, $day_to, $verdict, $cause, $rule, $os_version, $device_model,
                       $app_version, $route)
    GROUP BY ALL
), long AS (
    SELECT d.dim, d.value, c.verdict, c.n
    FROM combos c,
        LATERAL (VALUES
            ('day', c.day, m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_app AND m_route),
            ('verdict', c.verdict, m_day AND m_cause AND m_rule AND m_os AND m_model AND m_app AND m_route),
            ('cause', c.cause, m_day AND m_verdict AND m_rule AND m_os AND m_model AND m_app AND m_route),
            ('os_version', c.os_version, m_day AND m_verdict AND m_cause AND m_rule AND m_model AND m_app AND m_route),
            ('device_model', c.device_model, m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_app AND m_route),
            ('app_version', c.app_version, m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_route),
            ('route', c.route, m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_app)
        ) d(dim, value, passes)
    WHERE d.passes AND d.value IS NOT NULL
    UNION ALL
    SELECT 'rule', unnest(c.rules), c.verdict, c.n
    FROM combos c WHERE m_day AND m_verdict AND m_cause AND m_os AND m_model AND m_app AND m_route
)
SELECT dim, value, CASE WHEN dim = 'day' THEN verdict END AS verdict, sum(n) AS calls,
    coalesce(sum(n) FILTER (WHERE verdict = 'failed'), 0) AS failed
FROM long
GROUP BY dim, value, CASE WHEN dim = 'day' THEN verdict END
ORDER BY dim, calls DESC, value, verdict
