-- One line the reader could not take (too long to hold), staged as a reject of the stats file being read: it
-- reaches rejects with the file's other rejects. Params: $line, $reason, $excerpt.
INSERT INTO stat_stage (line, locator, reject_reason, excerpt) VALUES ($line, 'line ' || $line, $reason, $excerpt)
