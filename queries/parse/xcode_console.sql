-- Xcode / device console: 2023-03-29 11:25:55.371618-0700 App[2142:711493] [sub:cat] message
-- WebRTC's RTCLog lines reach the console through stderr with no prefix ("(RTCLogging.mm:33): ...");
-- they are records of their own and take the time of the console line before them.
WITH m AS (
    SELECT *, regexp_matches(text, $relevance) AS relevant,
        regexp_extract(text,
            '(?s)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d)?) ([^\[\n]+)\[(\d+):([0-9a-fA-Fx]+)\] (?:\[([^:\]\s]+):([^\]\n]+)\] )?(.*)$',
            ['ts', 'process', 'pid', 'thread', 'subsystem', 'category', 'message']) AS f,
        regexp_matches(text, '^\([\w+.-]+\.(mm|m|cc|cpp|h|swift):\d+\): ') AS stderr_line
    FROM chunk_records
), t AS (
    SELECT *,
        coalesce(last_value(nullif(f.ts, '') IGNORE NULLS) OVER (ORDER BY line_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                 $prev_ts) AS ts_fill,
        last_value(nullif(f.process, '') IGNORE NULLS) OVER (ORDER BY line_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS proc_fill,
        last_value(nullif(f.pid, '') IGNORE NULLS) OVER (ORDER BY line_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pid_fill
    FROM m
)
SELECT line_start, line_end, text, relevant, false AS is_meta,
    CASE WHEN f.ts = '' AND NOT stderr_line THEN 'line does not follow the Xcode console layout'
         WHEN stderr_line AND ts_fill IS NULL THEN 'stderr line before any timestamped console line' END AS reject_reason,
    CASE WHEN stderr_line THEN ts_fill ELSE f.ts END AS ts_text,
    CASE WHEN stderr_line THEN proc_fill ELSE trim(f.process) END AS process,
    TRY_CAST(CASE WHEN stderr_line THEN pid_fill ELSE f.pid END AS INTEGER) AS pid,
    nullif(f.thread, '') AS thread, NULL AS level,
    nullif(f.subsystem, '') AS subsystem, nullif(f.category, '') AS category,
    CASE WHEN stderr_line THEN 'stderr' END AS sender,
    CASE WHEN stderr_line THEN text ELSE f.message END AS message
FROM t
