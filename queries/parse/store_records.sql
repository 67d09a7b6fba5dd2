-- Related, well-formed records of the chunk go to log_records. Param: $source_id.
INSERT INTO log_records (record_id, source_id, line_start, line_end, ts, utc_offset_min, ts_assumed_tz, process, pid,
                         thread, level, subsystem, category, sender, message, envelope, ts_quality)
SELECT nextval('seq_record'), $source_id, line_start, line_end, ts, utc_offset_min, ts_assumed_tz,
       trim(process), pid, thread, level, subsystem, category, sender, message, envelope, ts_quality
FROM parsed_chunk
WHERE reject_reason IS NULL AND relevant AND NOT is_meta
ORDER BY line_start
