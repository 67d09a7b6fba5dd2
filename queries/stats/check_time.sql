-- The instant of every staged stats object, whatever its format: none, or outside the plausible window
-- ($earliest .. $latest), rejects the object (before its numbers are checked, so it is no one's previous sample).
UPDATE stat_stage SET reject_reason = coalesce(implausible_time(ts, $earliest, $latest),
                                               'stats object without a usable timestamp')
WHERE reject_reason IS NULL AND (ts IS NULL OR implausible_time(ts, $earliest, $latest) IS NOT NULL)
