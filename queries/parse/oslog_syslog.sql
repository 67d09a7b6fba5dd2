-- `log show --style syslog`: 2023-09-27 22:55:39.622369+0200  localhost proc[41737]: (sender) [sub:cat] message
WITH m AS (
    SELECT *, regexp_matches(text, $relevance) AS relevant,
        regexp_extract(text,
            '(?s)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:?\d\d)\s+(\S+) ([^\[\n]+)\[(\d+)\]: (?:\(([^)\n]*)\) )?(?:\[([^:\]\s]+):([^\]\n]+)\] )?(.*)$',
            ['ts', 'host', 'process', 'pid', 'sender', 'subsystem', 'category', 'message']) AS f
    FROM chunk_records
)
SELECT line_start, line_end, text, relevant, false AS is_meta,
    CASE WHEN f.ts = '' THEN 'line does not follow the log show syslog layout' END AS reject_reason,
    f.ts AS ts_text, f.process AS process, TRY_CAST(f.pid AS INTEGER) AS pid, NULL AS thread, NULL AS level,
    nullif(f.subsystem, '') AS subsystem, nullif(f.category, '') AS category,
    nullif(f.sender, '') AS sender, f.message AS message
FROM m
