-- One line the reader could not take (too long to hold) as a reject of a log source.
-- Params: $source_id, $line, $reason, $excerpt.
INSERT INTO rejects VALUES ($source_id, $line, $line, $reason, $excerpt)
