-- One row per source the lake gets a set of files for: its set name's hash, the device it is bucketed by (as
-- queries/calls/sessionise.sql names a source's device), the day it begins (its earliest instant, else none)
-- and the range of record and event ids it holds (a reader renumbers sets whose ids collide: lake/id_map.sql).
WITH times AS (
    SELECT source_id, min(ts) AS ts FROM log_records GROUP BY source_id
    UNION ALL SELECT source_id, min(ts) FROM session_events GROUP BY source_id
    UNION ALL SELECT source_id, min(ts_start) FROM rtp_intervals GROUP BY source_id
    UNION ALL SELECT source_id, min(ts) FROM pc_state_changes GROUP BY source_id
    UNION ALL SELECT source_id, min(ts) FROM stats_inbound_rtp GROUP BY source_id
    UNION ALL SELECT source_id, min(ts) FROM stats_outbound_rtp GROUP BY source_id
    UNION ALL SELECT source_id, min(ts) FROM stats_transport GROUP BY source_id
    UNION ALL SELECT source_id, min(ts) FROM stats_other GROUP BY source_id
), records AS (
    SELECT source_id, min(record_id) AS lo, max(record_id) AS hi FROM log_records GROUP BY source_id
), events AS (
    SELECT source_id, min(event_id) AS lo, max(event_id) AS hi FROM session_events GROUP BY source_id
)
SELECT s.source_id, s.content_hash,
    coalesce(s.device_hint, s.device_key, 'file:' || s.path || coalesce('!' || s.member, '')) AS device,
    coalesce(strftime((SELECT min(t.ts) FROM times t WHERE t.source_id = s.source_id), '%Y-%m-%d'), 'none') AS day,
    r.lo AS record_min, r.hi AS record_max, e.lo AS event_min, e.hi AS event_max
FROM sources s
LEFT JOIN records r USING (source_id)
LEFT JOIN events e USING (source_id)
WHERE s.complete
ORDER BY s.source_id
