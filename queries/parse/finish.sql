-- Shared last step of every format query (`parsed`): instants, offsets and the checks every record gets.
SELECT
    line_start, line_end, relevant, is_meta, text,
    coalesce(reject_reason,
        CASE WHEN relevant AND NOT is_meta AND message IS NULL THEN 'record has no message'
             WHEN relevant AND NOT is_meta AND ts_text IS NULL THEN 'record has no timestamp'
             WHEN relevant AND NOT is_meta AND ts_instant(ts_text, $assumed_offset) IS NULL
                 THEN 'unreadable timestamp ''' || left(ts_text, 60) || '''' END) AS reject_reason,
    ts_text,
    ts_instant(ts_text, $assumed_offset) AS ts,
    CAST(ts_offset_min(ts_text) AS SMALLINT) AS utc_offset_min,
    ts_offset_min(ts_text) IS NULL AS ts_assumed_tz,
    CASE WHEN ts_offset_min(ts_text) IS NULL THEN 'no_offset' ELSE 'exact' END AS ts_quality,
    process, pid, thread, level, subsystem, category, sender, message, CAST(NULL AS VARCHAR) AS envelope
FROM parsed
