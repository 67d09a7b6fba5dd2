-- One page of the call list ($offset, $limit) under the filters, sorted by the column $sort ($descending), then by
-- start time and call id so that pages never overlap; total is the number of calls that match.
WITH matching AS (
    SELECT *,
        CASE $sort WHEN 'call_id' THEN call_id WHEN 'device' THEN device WHEN 'device_model' THEN device_model
                   WHEN 'os_version' THEN os_version WHEN 'app_version' THEN app_version WHEN 'route' THEN route
                   WHEN 'verdict' THEN verdict WHEN 'cause' THEN cause WHEN 'rules' THEN array_to_string(rules, ', ')
                   WHEN 'start_utc' THEN start_utc END AS text_key,
        CASE $sort WHEN 'duration_s' THEN duration_s WHEN 'findings' THEN findings END AS number_key
    FROM serve_flagged($day_from, $day_to, $verdict, $cause, $rule, $os_version, $device_model, $app_version, $route,
                       $search)
    WHERE m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_app AND m_route AND m_search
)
SELECT call_id, device, device_model, os_version, app_version, route, start_utc, duration_s, verdict, cause,
    findings, array_to_string(rules, ', ') AS rules, count(*) OVER () AS total
FROM matching
ORDER BY CASE WHEN NOT $descending THEN text_key END ASC, CASE WHEN $descending THEN text_key END DESC,
    number_key * CASE WHEN $descending THEN -1 ELSE 1 END, start_utc, call_id
LIMIT $limit OFFSET $offset
