-- The fleet view under the filters: for each dimension a chart shows, its values with the calls and the failed ones
-- (verdict failed), each chart counting the calls that pass every filter but its own (a chart is a filter for the
-- others). dim 'day' has one row a day and verdict (value: the day, verdict in `verdict`).
WITH flagged AS (
    SELECT * FROM serve_flagged($day_from, $day_to, $verdict, $cause, $rule, $os_version, $device_model,
                                $app_version, $route, $search)
    WHERE m_search
), long AS (
    SELECT d.dim, d.value, f.verdict
    FROM flagged f,
        LATERAL (VALUES
            ('day', CAST(f.day AS VARCHAR), m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_app AND m_route),
            ('verdict', f.verdict, m_day AND m_cause AND m_rule AND m_os AND m_model AND m_app AND m_route),
            ('cause', nullif(f.cause, ''), m_day AND m_verdict AND m_rule AND m_os AND m_model AND m_app AND m_route),
            ('os_version', f.os_version, m_day AND m_verdict AND m_cause AND m_rule AND m_model AND m_app AND m_route),
            ('device_model', f.device_model, m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_app AND m_route),
            ('app_version', f.app_version, m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_route),
            ('route', f.route, m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_app)
        ) d(dim, value, passes)
    WHERE d.passes AND d.value IS NOT NULL
    UNION ALL
    SELECT 'rule', unnest(f.rules), f.verdict
    FROM flagged f WHERE m_day AND m_verdict AND m_cause AND m_os AND m_model AND m_app AND m_route
)
SELECT dim, value, CASE WHEN dim = 'day' THEN verdict END AS verdict, count(*) AS calls,
    count(*) FILTER (WHERE verdict = 'failed') AS failed
FROM long
GROUP BY dim, value, CASE WHEN dim = 'day' THEN verdict END
ORDER BY dim, calls DESC, value, verdict
