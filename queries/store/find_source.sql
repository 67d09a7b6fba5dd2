-- The source already holding these bytes, if any (ingest is idempotent). Param: $content_hash.
SELECT source_id, path FROM sources WHERE content_hash = $content_hash
