-- Failed calls by each dimension a failure may cluster on: the 15 most frequent values of each ('unknown' where
-- the evidence did not say).
WITH long AS (
    SELECT unnest([
        {'dim': 'cause', 'value': CAST(cause AS VARCHAR)},
        {'dim': 'device_model', 'value': CAST(device_model AS VARCHAR)},
        {'dim': 'os_build', 'value': CAST(ios AS VARCHAR)},  -- the iOS version, else the build
        {'dim': 'app_version', 'value': CAST(app_version AS VARCHAR)},
        {'dim': 'route', 'value': CAST(route AS VARCHAR)}
    ], recursive := true)
    FROM report_calls WHERE verdict = 'failed'
), counted AS (
    SELECT dim, coalesce(value, 'unknown') AS value, count(*) AS calls FROM long GROUP BY ALL
)
SELECT dim, value, calls FROM counted
QUALIFY row_number() OVER (PARTITION BY dim ORDER BY calls DESC, value) <= 15
ORDER BY dim, calls DESC, value
