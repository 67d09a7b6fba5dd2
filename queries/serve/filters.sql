-- The filters of the served dashboard, once: serve_flagged(...) is the snapshot with one flag a filter (true when the
-- call passes it; an empty value passes every call), so that the call list applies them all and each fleet chart
-- all but its own. Values come in as the macro's arguments, which the callers bind as $parameters.
CREATE OR REPLACE MACRO serve_flagged(day_from, day_to, verdict_, cause_, rule_, os_, model_, app_, route_, search_)
AS TABLE
SELECT c.*,
    (day_from = '' OR c.day >= try_cast(day_from AS DATE)) AND (day_to = '' OR c.day <= try_cast(day_to AS DATE))
        AS m_day,
    verdict_ = '' OR c.verdict = verdict_ AS m_verdict,
    cause_ = '' OR c.cause = cause_ AS m_cause,
    rule_ = '' OR list_contains(c.rules, rule_) AS m_rule,
    os_ = '' OR c.os_version = os_ AS m_os,
    model_ = '' OR c.device_model = model_ AS m_model,
    app_ = '' OR c.app_version = app_ AS m_app,
    route_ = '' OR c.route = route_ AS m_route,
    search_ = '' OR contains(lower(c.call_id), lower(search_)) OR contains(lower(c.device_id), lower(search_))
        OR contains(lower(c.device), lower(search_)) AS m_search
FROM serve_calls c
