-- Connection state changes staged for one source ($source_id; staged with source_id 0) dated outside the
-- plausible window go to rejects, like the stats objects (queries/stats/check_time.sql). A change with no
-- readable time is kept: it still says how the connection ended.
INSERT INTO rejects
SELECT $source_id, line, line, implausible_time(ts, $earliest, $latest) || coalesce(' (' || locator || ')', ''),
    left(event || ' ' || coalesce(state, ''), 300)
FROM pc_state_changes
WHERE source_id = 0 AND implausible_time(ts, $earliest, $latest) IS NOT NULL;

DELETE FROM pc_state_changes WHERE source_id = 0 AND implausible_time(ts, $earliest, $latest) IS NOT NULL;
