-- idevicesyslog (libimobiledevice): Jan 16 18:46:47 ipad-mini2 mediaserverd(AudioToolbox)[26] <Notice>: msg
-- No year and no offset: $year and the assumed offset are applied and the record flagged.
WITH m AS (
    SELECT *, regexp_matches(text, $relevance) AS relevant,
        regexp_extract(text,
            '(?s)^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d+)?) (\S+) ([^\[(\n]+?)(?:\(([^)\n]*)\))?\[(\d+)\] <(\w+)>: ?(.*)$',
            ['mon', 'day', 'time', 'device', 'process', 'sender', 'pid', 'level', 'message']) AS f
    FROM chunk_records
)
SELECT line_start, line_end, text, relevant, false AS is_meta,
    CASE WHEN f.mon = '' THEN 'line does not follow the idevicesyslog layout' END AS reject_reason,
    CASE WHEN f.mon <> '' THEN
        CAST($year AS VARCHAR) || '-'
        || lpad(CAST(list_position(['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'], f.mon) AS VARCHAR), 2, '0')
        || '-' || lpad(f.day, 2, '0') || ' ' || f.time
    END AS ts_text,
    f.process AS process, TRY_CAST(f.pid AS INTEGER) AS pid, NULL AS thread, f.level AS level,
    NULL AS subsystem, NULL AS category, nullif(f.sender, '') AS sender, f.message AS message
FROM m
