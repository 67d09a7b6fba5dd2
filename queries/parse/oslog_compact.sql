-- `log show --style compact`: 2026-01-01 07:17:32.677 E  syspolicyd[527:85cf08] [subsystem:category] message
-- No UTC offset: the caller's assumed offset is applied and the record flagged.
WITH m AS (
    SELECT *, regexp_matches(text, $relevance) AS relevant,
        regexp_extract(text,
            '(?s)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s+(\S{1,2})\s+([^\[\n]+)\[(\d+):([0-9a-fA-Fx]+)\] (?:\[([^:\]\s]+):([^\]\n]+)\] )?(.*)$',
            ['ts', 'level', 'process', 'pid', 'thread', 'subsystem', 'category', 'message']) AS f
    FROM chunk_records
)
SELECT line_start, line_end, text, relevant, false AS is_meta,
    CASE WHEN f.ts = '' THEN 'line does not follow the log show compact layout' END AS reject_reason,
    f.ts AS ts_text, f.process AS process, TRY_CAST(f.pid AS INTEGER) AS pid, f.thread AS thread,
    CASE trim(f.level) WHEN 'Df' THEN 'Default' WHEN 'E' THEN 'Error' WHEN 'I' THEN 'Info' WHEN 'Db' THEN 'Debug'
         WHEN 'F' THEN 'Fault' WHEN 'A' THEN 'Activity' ELSE trim(f.level) END AS level,
    nullif(f.subsystem, '') AS subsystem, nullif(f.category, '') AS category, NULL AS sender,
    f.message AS message
FROM m
