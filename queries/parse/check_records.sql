-- Checks every log record gets, whatever its format (run on parsed_chunk before it is stored): an instant
-- outside the plausible window ($earliest .. $latest) rejects the record. A placeholder date (a time of day
-- with no date, or no time at all: ts_quality no_date / order_only) says nothing about when, so it is exempt.
UPDATE parsed_chunk SET reject_reason = implausible_time(ts, $earliest, $latest)
WHERE reject_reason IS NULL AND relevant AND NOT is_meta
  AND coalesce(ts_quality, '') NOT IN ('no_date', 'order_only')
  AND implausible_time(ts, $earliest, $latest) IS NOT NULL
