-- Connection state changes staged for one source ($source_id; staged with source_id 0) without a usable time, or
-- dated outside the plausible window, go to rejects, like the stats objects (queries/stats/check_time.sql): a
-- state change is only evidence at a time (a failure nobody can place would be dropped from the timeline
-- silently otherwise).
INSERT INTO rejects
SELECT $source_id, line, line,
    coalesce(implausible_time(ts, $earliest, $latest), 'state change without a usable time')
        || coalesce(' (' || locator || ')', ''),
    left(event || ' ' || coalesce(state, ''), 300)
FROM pc_state_changes
WHERE source_id = 0 AND (ts IS NULL OR implausible_time(ts, $earliest, $latest) IS NOT NULL);

DELETE FROM pc_state_changes
WHERE source_id = 0 AND (ts IS NULL OR implausible_time(ts, $earliest, $latest) IS NOT NULL);
