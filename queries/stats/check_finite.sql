-- Any number in a staged stats object that is not finite (NaN, Infinity, 1e999), in any field, typed or not,
-- rejects the object naming the field (analyzer/normalise/stats.py has checked the numeric fields it knows by then,
-- in stat_typed). Only the objects whose text could hold one (stat_typed.odd: a bare nan / inf token, a 3-digit
-- exponent, 309 digits) are walked.
UPDATE stat_typed SET reject_reason = b.bad FROM (
    SELECT s.rid, 'field ' || substr(arg_min(t.fullkey, t.id), 3) || ' is not a finite number: '
                  || left(arg_min(t.value, t.id)::VARCHAR, 40) AS bad
    FROM (SELECT rid, obj FROM stat_typed WHERE reject_reason IS NULL AND odd) s, json_tree(s.obj) t
    WHERE t.type = 'DOUBLE' AND NOT isfinite(TRY_CAST(t.value AS DOUBLE))
    GROUP BY s.rid
) b
WHERE stat_typed.rid = b.rid
