-- The filters of the served dashboard, once: serve_flagged(source, ...) is a table of calls (serve_calls, or calls
-- counted by their values: serve_combos) with one flag a filter (true when the row passes it; an empty value passes
-- every row), so that the call list applies them all and each fleet chart all but its own; serve_found is the search
-- by call id or device (in the snapshot's search_text). Values come in as the macros' arguments, which the callers
-- bind as $parameters.
CREATE OR REPLACE MACRO serve_flagged(source, day_from, day_to, verdict_, cause_, rule_, os_, model_, app_, route_)
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
    route_ = '' OR c.route = route_ AS m_route
FROM query_table(source) c;

CREATE OR REPLACE MACRO serve_found(search_, search_text) AS
    search_ = '' OR contains(search_text, lower(search_));

-- the calls counted by every combination of the values the fleet view charts and filters: the fleet view without a
-- search reads these few rows, not every call
CREATE TABLE serve_combos AS
SELECT day, verdict, cause, rules, os_version, device_model, app_version, route, count(*) AS n
FROM serve_calls
GROUP BY ALL;
