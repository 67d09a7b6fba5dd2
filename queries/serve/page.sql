-- One page of the call list ($offset, $limit) under the filters, sorted by the column $sort ($descending), then by
-- start time and call id (seq) so that pages never overlap; total is the number of calls that match. The page is
-- found on the sort keys alone (the top $offset + $limit keys, not every match ranked), then its rows are fetched.
WITH matching AS (
    SELECT seq,
        CASE $sort WHEN 'call_id' THEN call_id WHEN 'device' THEN device WHEN 'device_model' THEN device_model
                   WHEN 'os_version' THEN os_version WHEN 'app_version' THEN app_version WHEN 'route' THEN route
                   WHEN 'verdict' THEN verdict WHEN 'cause' THEN cause WHEN 'rules' THEN array_to_string(rules, ', ')
                   END AS text_key,
        CASE $sort WHEN 'duration_s' THEN duration_s WHEN 'findings' THEN findings ELSE seq END AS number_key
    FROM serve_flagged('serve_calls', $day_from, $day_to, $verdict, $cause, $rule, $os_version, $device_model,
                       $app_version, $route)
    WHERE m_day AND m_verdict AND m_cause AND m_rule AND m_os AND m_model AND m_app AND m_route
      AND serve_found($search, search_text)
), page AS (
    -- the sort, once: ascending text, or descending text, then the number signed by the direction, then seq
    SELECT seq, CASE WHEN NOT $descending THEN text_key END AS text_up,
        CASE WHEN $descending THEN text_key END AS text_down,
        number_key * CASE WHEN $descending THEN -1 ELSE 1 END AS number_signed
    FROM matching
    ORDER BY text_up, text_down DESC, number_signed, seq
    LIMIT $limit OFFSET $offset
)
SELECT c.call_id, c.device, c.device_model, c.os_version, c.app_version, c.route, c.start_utc, c.duration_s, c.verdict,
    c.cause, c.findings, array_to_string(c.rules, ', ') AS rules, (SELECT count(*) FROM matching) AS total
FROM page p JOIN serve_calls c USING (seq)
ORDER BY p.text_up, p.text_down DESC, p.number_signed, p.seq
