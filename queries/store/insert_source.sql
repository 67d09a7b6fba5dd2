-- A new input's row in sources, before anything of it is read: its counts are filled in by finish_source.sql.
-- complete is false while a stats file is stored part by part (a store opened after a crash removes it).
-- Params: $content_hash, $path, $member, $format, $bytes, $device_hint, $device_key, $complete.
INSERT INTO sources (source_id, content_hash, path, member, format, bytes, lines, meta_lines, records, stored,
                     ignored, rejected, events, device_hint, device_key, complete)
VALUES (nextval('seq_source'), $content_hash, $path, $member, $format, $bytes, 0, 0, 0, 0, 0, 0, 0, $device_hint,
        $device_key, $complete)
RETURNING source_id
