-- Text logs, last step (after text_lines.sql): each record's instant and provenance, into parsed_chunk.
-- The time is assembled from the envelope's date/time groups. What the line leaves out is taken from the
-- records before it and flagged in ts_quality:
--   exact      date, time and UTC offset in the line
--   no_offset  date and time; the offset assumed ($assumed_offset)
--   no_year    month and day but no year (idevicesyslog): $year applied
--   no_date    a time of day only: the date of the last dated record before it, else $default_date
--   inherited  no time at all: the time of the record before it (or after it, at the top of a file)
--   order_only no time anywhere near: $default_date plus the line number in milliseconds (order only)
-- A time of day that jumps back by more than 12 h is the next day. $prev_* carry these across chunks.
-- Records of no time-bearing envelope that follow the app's own console (Xcode) take its process and pid.
CREATE OR REPLACE TEMP TABLE parsed_chunk AS
WITH f AS (
    SELECT *,
        regexp_matches(concat_ws(' ', message, tag, subsystem, category, process, sender), $relevance) AS relevant,
        text_date(date, mon, day, $year) AS date_iso,
        text_time(time, fsep, frac) AS time_iso
    FROM text_fields
), d AS (
    SELECT *,
        coalesce(last_value(date_iso IGNORE NULLS) OVER w, $prev_date) AS carried_date,
        coalesce(last_value(time_iso IGNORE NULLS) OVER p, $prev_time) AS prev_time,
        last_value(CASE WHEN process IS NOT NULL THEN {'process': process, 'pid': pid, 'app': app_console} END
                   IGNORE NULLS) OVER w AS last_proc
    FROM f
    WINDOW w AS (ORDER BY line_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           p AS (ORDER BY line_start ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), r AS (
    -- days added for a time of day that went back past midnight (records without their own date only)
    SELECT *,
        $prev_shift + sum(CASE WHEN date_iso IS NULL AND text_tod_s(time_iso) < text_tod_s(prev_time) - 43200
                               THEN 1 ELSE 0 END) OVER (ORDER BY line_start) AS day_shift
    FROM d
), t AS (
    SELECT *,
        -- a date that is no day of the calendar (2026-02-30) stays as written, so the time is unreadable
        CASE WHEN time_iso IS NOT NULL THEN
            coalesce(CAST(try_cast(coalesce(date_iso, carried_date, $default_date) AS DATE)
                          + CAST(CASE WHEN date_iso IS NULL THEN day_shift ELSE 0 END AS INTEGER) AS VARCHAR),
                     date_iso)
            || ' ' || time_iso || coalesce(tz, '')
        END AS ts_text,
        CASE WHEN time_iso IS NULL THEN NULL
             WHEN date_iso IS NULL AND carried_date IS NULL THEN 'no_date'
             WHEN mon IS NOT NULL THEN 'no_year'
             WHEN tz IS NULL THEN 'no_offset'
             ELSE 'exact' END AS own_quality
    FROM r
), o AS (
    SELECT *, ts_offset_min(ts_text) AS offset_min FROM t
), n AS (
    SELECT *, ts_instant_at(ts_text, offset_min, $assumed_offset) AS instant FROM o
), i AS (
    SELECT *,
        -- no place on Earth is more than 14 h from UTC: a larger offset is not a time zone
        CASE WHEN abs(coalesce(offset_min, 0)) <= 840 THEN instant END AS own_ts,
        ts_text IS NOT NULL AND (abs(coalesce(offset_min, 0)) > 840 OR instant IS NULL) AS bad_time
    FROM n
), k AS (
    SELECT *,
        coalesce(last_value(CASE WHEN NOT bad_time THEN own_ts END IGNORE NULLS) OVER (ORDER BY line_start ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                 CAST($prev_ts AS TIMESTAMPTZ)) AS ts_before,
        first_value(CASE WHEN NOT bad_time THEN own_ts END IGNORE NULLS) OVER (ORDER BY line_start ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS ts_after
    FROM i
)
SELECT
    line_start, line_end, relevant, false AS is_meta, first_line AS text,
    CASE WHEN bad_time AND strict_time THEN 'unreadable timestamp ''' || left(ts_text, 60) || '''' END AS reject_reason,
    ts_text,
    CASE WHEN own_ts IS NOT NULL THEN own_ts
         ELSE coalesce(ts_before, ts_after,
                       ts_instant($default_date || ' 00:00:00', $assumed_offset) + to_milliseconds(line_start)) END AS ts,
    CASE WHEN own_ts IS NOT NULL THEN own_quality
         WHEN ts_before IS NOT NULL OR ts_after IS NOT NULL THEN 'inherited'
         ELSE 'order_only' END AS ts_quality,
    CAST(CASE WHEN own_ts IS NOT NULL THEN offset_min END AS SMALLINT) AS utc_offset_min,
    own_ts IS NULL OR offset_min IS NULL AS ts_assumed_tz,
    coalesce(process, CASE WHEN last_proc.app THEN last_proc.process END) AS process,
    TRY_CAST(coalesce(pid, CASE WHEN last_proc.app THEN last_proc.pid END) AS INTEGER) AS pid,
    thread, text_level(level) AS level, subsystem, coalesce(category, tag) AS category, sender,
    message, envelope,
    -- the phone's own name: idevicesyslog's host column (log show's syslog style names the Mac: localhost)
    CASE WHEN envelope = 'idevicesyslog' THEN host END AS device_host
FROM k
