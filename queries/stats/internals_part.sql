-- One part ($part of wi_parts: whole stats objects) of the webrtc-internals series held in wi_series, each series
-- object parsed once: its statsType, start and end, and its values as the text of a JSON array (a "values" string
-- unescaped, or the array itself), typed by what the property is (analyzer/formats/internals_columns.py):
--   num    a numeric field of stats_fields.toml ($numeric): the values as DOUBLE[] when they are plain JSON numbers
--   text   a text field ($text) and `timestamp`: the values as json_transform reads them into VARCHAR
--   other  any other property (kept whole in `extra` or stats_other: its JSON text is built only when needed)
--   derived, skip   webrtc-internals' "[...]" series (not stats) and `id` / `type` series (not in the object)
-- fine: nothing in the series can reject its object (the other checks are in internals_route.sql).
CREATE OR REPLACE TEMP TABLE wi_part AS
WITH parsed AS (
    SELECT pc_id, stat_id, prop, seq, valid,
        CASE WHEN valid THEN json_extract_string(obj_text, ['$.statsType', '$.startTime', '$.endTime', '$.values'])
        END AS f
    FROM (SELECT *, json_valid(obj_text) AS valid FROM wi_series JOIN wi_parts USING (pc_id, stat_id)
          WHERE part = $part)
), kinded AS (
    SELECT pc_id, stat_id, prop, seq, valid, f[1] AS stats_type, stats_instant(f[2]) AS start_ts,
        stats_instant(f[3]) AS end_ts, f[4] AS vals,
        coalesce(json_valid(f[4]) AND regexp_matches(f[4], '^\s*\['), false) AS is_array,
        CASE WHEN starts_with(prop, '[') THEN 'derived' WHEN prop IN ('id', 'type') THEN 'skip'
             WHEN prop = 'timestamp' THEN 'ts' WHEN list_contains($numeric, prop) THEN 'num'
             WHEN list_contains($text, prop) THEN 'text' ELSE 'other' END AS kind
    FROM parsed
), typed AS (
    SELECT *,
        CASE WHEN kind = 'num' AND is_array AND NOT regexp_matches(vals, '[^-+0-9.eE,\[\]\s]')
             THEN json_transform(vals, '["DOUBLE"]') END AS dbl,
        CASE WHEN kind IN ('text', 'ts') AND is_array THEN json_transform(vals, '["VARCHAR"]') END AS txt,
        valid AND start_ts IS NOT NULL AND stat_id <> '' AND is_array AS series_ok
    FROM kinded
)
SELECT t.* EXCLUDE (series_ok),
    CAST(CASE WHEN NOT is_array THEN NULL WHEN dbl IS NOT NULL THEN len(dbl) WHEN txt IS NOT NULL THEN len(txt)
              ELSE json_array_length(vals) END AS BIGINT) AS nv,
    coalesce(series_ok AND CASE
        WHEN kind = 'derived' THEN true
        WHEN kind = 'num' THEN dbl IS NOT NULL AND coalesce(isfinite(list_min(dbl)) AND isfinite(list_max(dbl))
                                                   AND list_min(dbl) >= coalesce(l.lo, '-inf'::DOUBLE)
                                                   AND list_max(dbl) <= coalesce(l.hi, 'inf'::DOUBLE), true)
        -- a number that is not finite or a nested value: its object is checked the exact way
        ELSE NOT regexp_matches(vals, '(?i)[,\[]\s*-?(nan|inf)|e\+?\d{3}|\d{309}|\{|.\[')
    END, false) AS fine
FROM typed t LEFT JOIN wi_limits l ON l.field = t.prop
