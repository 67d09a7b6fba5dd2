-- `log show` / `log stream` default style:
-- 2025-08-25 10:54:16.777357+0800 0x16100fd  Error  0x0  68160  0    proc: (sender) [subsystem:category] message
WITH m AS (
    SELECT *, regexp_matches(text, $relevance) AS relevant,
        regexp_extract(text,
            '(?s)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:?\d\d)\s+(0x[0-9a-fA-F]+)\s+(\w+)\s+(0x[0-9a-fA-F]+)\s+(\d+)\s+(\d+)\s+([^:\n]*?): (?:\(([^)\n]*)\) )?(?:\[([^:\]\s]+):([^\]\n]+)\] )?(.*)$',
            ['ts', 'thread', 'level', 'activity', 'pid', 'ttl', 'process', 'sender', 'subsystem', 'category', 'message']) AS f
    FROM chunk_records
)
SELECT line_start, line_end, text, relevant, false AS is_meta,
    CASE WHEN f.ts = '' THEN 'line does not follow the log show default layout' END AS reject_reason,
    f.ts AS ts_text, f.process AS process, TRY_CAST(f.pid AS INTEGER) AS pid, f.thread AS thread,
    f.level AS level, nullif(f.subsystem, '') AS subsystem, nullif(f.category, '') AS category,
    nullif(f.sender, '') AS sender, f.message AS message
FROM m
