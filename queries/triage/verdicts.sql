-- The verdict policy, once: every call's verdict, cause and how sure it is, read by triage, the report, the
-- dashboard and the model card. The policy's numbers are data (queries/reference/): a severity's rank and the
-- verdict it gives (severities.csv), an area's priority and the cause it names (areas.csv), the verdicts' order
-- (verdicts.csv). The model's suspicion threshold is its own (predictions.suspect_p, chosen on held-out calls).

-- Each call's worst finding: the highest severity; between equal severities the more specific area (a Bluetooth
-- symptom over the misconfiguration behind it); then the earliest. What the rules alone say follows from it.
CREATE OR REPLACE TEMP VIEW call_rule_verdicts AS
WITH ranked AS (
    SELECT f.call_id, f.rule_id, s.rank, s.verdict, a.cause,
        [s.rank, a.priority, -coalesce(epoch(f.first_ts) - epoch(c.start_ts), 0)] AS precedence
    FROM findings f
    JOIN calls c USING (call_id)
    JOIN ref_severities s USING (severity)
    JOIN ref_areas a USING (area)
), worst AS (
    SELECT call_id, arg_max(verdict, precedence) AS verdict, arg_max(cause, precedence) AS cause,
        count(*) AS findings, list(DISTINCT rule_id ORDER BY rule_id) AS rules
    FROM ranked GROUP BY call_id
)
SELECT c.call_id, coalesce(w.verdict, 'healthy') AS verdict,
    CASE WHEN w.verdict <> 'healthy' THEN w.cause END AS cause,
    coalesce(w.findings, 0) AS findings, coalesce(w.rules, []) AS rules
FROM calls c LEFT JOIN worst w USING (call_id);

-- Rules and model together. The model only adds a verdict where no rule found a failure: it may then say
-- `suspected` (it names a failure with at least its threshold); otherwise it is a second opinion, in `confidence`.
-- p_shown is rounded once, to the two places shown (rounded to 3 first, printf's own rounding of 0.815 differs
-- between C and Java: Spark showed 0.82 where DuckDB showed 0.81).
CREATE OR REPLACE TEMP VIEW call_judgements AS
WITH p AS (
    SELECT call_id, label, abstained, suspects, printf('%.2f', round(probability, 2)) AS p_shown,
        coalesce('; ' || nullif(unjudged, ''), '') AS limits
    FROM predictions
)
SELECT r.call_id, r.verdict AS rules_verdict, r.cause AS rules_cause, r.findings, r.rules,
    CASE WHEN r.verdict = 'healthy' AND p.suspects THEN 'suspected' ELSE r.verdict END AS verdict,
    CASE WHEN r.verdict = 'healthy' AND p.suspects THEN p.label ELSE r.cause END AS cause,
    CASE WHEN p.call_id IS NULL THEN 'rules only (no model)'
         WHEN p.abstained IS NOT NULL THEN 'rules only; the model abstains: ' || p.abstained
         WHEN r.verdict <> 'healthy' AND p.label = r.cause
             THEN 'rules, and the model agrees (p=' || p.p_shown || ')' || p.limits
         WHEN r.verdict <> 'healthy' THEN 'rules; the model says ' || p.label || ' (p=' || p.p_shown || ')' || p.limits
         WHEN p.suspects THEN 'failure suspected, no rule matched: model only (p=' || p.p_shown || ')' || p.limits
         ELSE 'no rule matched; model: ' || p.label || ' (p=' || p.p_shown || ')' || p.limits
    END AS confidence
FROM call_rule_verdicts r LEFT JOIN p USING (call_id);

-- One line a call for reports and dashboards: the verdict next to the model's label, and the device, its model, iOS
-- version and build, app version and main output route. Model, iOS and app version are the call's own columns
-- (sessionise decides them from the evidence: queries/calls/sessionise.sql); `ios` is what to show of the iOS: the
-- version, else the build. `device` is the device's name (a sysdiagnose's, a capture's host), never a file path:
-- 'unknown' where only a file or the ticket stands for it.
CREATE OR REPLACE TEMP VIEW call_verdicts AS
WITH route_uses AS (
    SELECT call_id, array_to_string(outputs, '+') AS route, count(*) AS uses, min(ts) AS first_used
    FROM call_events WHERE kind = 'route_change' AND array_length(outputs) > 0
    GROUP BY call_id, array_to_string(outputs, '+')
), routes AS (
    -- the route changed to most often; a tie goes to the one used first (then by name): mode() leaves ties open,
    -- and DuckDB and Spark broke one differently
    SELECT call_id, route FROM (
        SELECT call_id, route, row_number() OVER (PARTITION BY call_id ORDER BY uses DESC, first_used, route) AS nth
        FROM route_uses
    ) ranked
    WHERE nth = 1
), named AS (
    SELECT c.call_id, coalesce(d.name, c.device_id) AS name FROM calls c LEFT JOIN devices d USING (device_id)
)
SELECT c.call_id, c.device_id,
    CASE WHEN n.name IS NULL OR n.name LIKE 'file:%' OR n.name LIKE '%/%' OR n.name = 'ticket' THEN 'unknown'
         ELSE n.name END AS device,
    c.device_model, c.os_version, c.os_build, coalesce(c.os_version, c.os_build) AS ios,
    c.start_ts, c.end_ts,
    CAST(c.start_ts AS DATE) AS day, epoch(c.end_ts) - epoch(c.start_ts) AS duration_s, c.evidence_kind,
    coalesce(r.route, 'no route change') AS route, c.app_version,
    j.verdict, j.cause, j.confidence, j.rules_verdict, j.rules_cause, j.findings, j.rules,
    p.label AS model_label, p.probability AS model_probability
FROM calls c
JOIN call_judgements j USING (call_id)
JOIN named n USING (call_id)
LEFT JOIN routes r USING (call_id)
LEFT JOIN predictions p USING (call_id);
