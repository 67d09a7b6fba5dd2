-- The columnar objects of the part (wi_route.columnar) as the rows of stat_typed (analyzer/normalise/stats.py),
-- typed straight from their series: per object, each property's values reversed (so the samples line up by their
-- position from the end, as in webrtc_internals_stage.sql), then unnested side by side, one row per sample.
-- The markers are filled by analyzer/formats/internals_columns.py with the properties the part has:
--   @lists   each property's values (DOUBLE[] or VARCHAR[]) reversed, AS l0, l1, ...
--   @unnest  unnest(l0) AS l0, ...
--   @n       the struct of every field of stats_fields.toml, as json_transform types it for stat_typed.n
-- A sample's instant: the object's `timestamp` series where it has one, else endTime minus whole polling steps;
-- none or one outside the plausible window ($earliest .. $latest) rejects the sample (queries/stats/check_time.sql).
CREATE OR REPLACE TEMP TABLE stat_pretyped AS
WITH objects AS (
    SELECT pc_id, stat_id, any_value(stats_type) AS type,
        arg_max(CASE WHEN nv > 1 THEN (epoch(coalesce(end_ts, start_ts)) - epoch(start_ts)) / (nv - 1) END, nv)
            AS step,
        max(coalesce(end_ts, start_ts)) AS last_ts,
        max(nv) FILTER (WHERE kind IN ('num', 'text', 'other')) AS nk,
        list_reverse(any_value(txt) FILTER (WHERE kind = 'ts')) AS l_ts,
        @lists
    FROM wi_part JOIN wi_route USING (pc_id, stat_id)
    WHERE columnar AND kind <> 'derived'
    GROUP BY pc_id, stat_id
), samples AS (
    SELECT pc_id, stat_id, type, step, last_ts, unnest(range(nk)) AS k, unnest(l_ts) AS t, @unnest
    FROM objects
), timed AS (
    SELECT *, coalesce(stats_instant(t), last_ts - to_microseconds(TRY_CAST(k * coalesce(step, 1) * 1e6 AS BIGINT)))
        AS ts
    FROM samples
    WHERE k IS NOT NULL
)
SELECT row_number() OVER () AS rid, CAST(NULL AS BIGINT) AS line, 'PeerConnections.' || pc_id || '.stats.' || stat_id
        AS locator,
    'device' AS origin, CAST(NULL AS VARCHAR) AS call_id_hint, pc_id, stat_id, type, ts, CAST(NULL AS JSON) AS obj,
    CAST(NULL AS VARCHAR) AS excerpt, @n AS n, false AS odd,
    CASE WHEN ts IS NULL OR implausible_time(ts, $earliest, $latest) IS NOT NULL
         THEN coalesce(implausible_time(ts, $earliest, $latest), 'stats object without a usable timestamp') END
        AS reject_reason,
    k
FROM timed
