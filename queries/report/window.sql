-- The calls of the report's window [$lo, $hi] (UTC days), with their verdicts: what every other report query reads.
CREATE OR REPLACE TEMP TABLE report_calls AS SELECT * FROM call_verdicts WHERE day BETWEEN $lo AND $hi
