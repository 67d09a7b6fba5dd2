-- The JSON text of the columnar samples that need it (stat_pretyped.obj, as webrtc_internals_stage.sql writes
-- it): a stats type kept whole (stats_other), a property its typed table has no column for (`extra`; wi_known
-- lists each typed table's fields), or a rejected sample (its excerpt; the checks have run: check_typed). Other
-- samples keep no JSON text.
UPDATE stat_pretyped SET obj = o.obj
FROM (
    WITH need AS (
        SELECT DISTINCT p.pc_id, p.stat_id
        FROM wi_part p JOIN wi_route r USING (pc_id, stat_id)
        WHERE r.columnar AND p.kind IN ('num', 'text', 'other')
          AND NOT EXISTS (SELECT 1 FROM wi_known k WHERE k.type = p.stats_type AND k.field = p.prop)
        UNION
        SELECT DISTINCT pc_id, stat_id FROM stat_pretyped WHERE reject_reason IS NOT NULL
    ), arrays AS (
        SELECT pc_id, stat_id, seq, stats_type, CAST(CAST(vals AS JSON) AS JSON[]) AS arr,
            CAST(to_json(prop) AS VARCHAR) || ':' AS field
        FROM wi_part JOIN need USING (pc_id, stat_id)
        WHERE kind IN ('num', 'text', 'other')
    ), points AS (
        SELECT pc_id, stat_id, seq, stats_type, field, unnest(arr) AS v, len(arr) - generate_subscripts(arr, 1) AS k
        FROM arrays
    )
    SELECT pc_id, stat_id, k,
        CAST('{' || array_to_string(list_transform(list_sort(list({'seq': seq, 'f': field || coalesce(v, 'null')})),
                                                   lambda x: x.f), ',')
             || ',"id":' || to_json(stat_id) || coalesce(',"type":' || to_json(any_value(stats_type)), '') || '}'
             AS JSON) AS obj
    FROM points
    GROUP BY pc_id, stat_id, k
) o
WHERE stat_pretyped.pc_id = o.pc_id AND stat_pretyped.stat_id = o.stat_id AND stat_pretyped.k = o.k
