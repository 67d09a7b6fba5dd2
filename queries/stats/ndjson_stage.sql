-- getStats snapshots, one report a line (chunk_records: line_start, text), into stage_objects (one row per
-- stats object: ndjson_objects.sql stages them) and stat_stage (the lines without a report), through stage_lines.
-- A line is either a wrapper {timestamp|ts|time|timestamp_us, call_id, pc_id, origin, stats|report|statistics}
-- or a bare report (Pion's GetStats() marshalled: a map of id -> object, origin gateway). A report is a
-- list or a map of stats objects. $origin is the format's default origin for wrapper lines without
-- one. Each line is parsed once (stage_lines).
CREATE OR REPLACE TEMP TABLE stage_lines AS
WITH j AS (
    SELECT line, text, j IS NOT NULL AS valid, j
    FROM (SELECT line_start AS line, text, TRY_CAST(text AS JSON) AS j FROM chunk_records)
), w AS (
    -- one parse of the line for every wrapper key
    SELECT *, json_type(j) AS jt,
        json_extract(j, ['$.stats', '$.report', '$.statistics', '$.call_id', '$.callId', '$.pc_id',
                         '$.peerConnectionId', '$.pc', '$.timestamp_us', '$.timestamp', '$.ts', '$.time',
                         '$.origin']) AS f
    FROM j
)
SELECT line, text, valid, jt,
    CASE WHEN jt = 'ARRAY' THEN j
         WHEN jt = 'OBJECT' THEN coalesce(f[1], f[2], f[3], j) END AS rep,
    jt = 'OBJECT' AND coalesce(f[1], f[2], f[3]) IS NOT NULL AS wrapped,
    json_extract_string(coalesce(f[4], f[5]), '$') AS call_id_hint,
    json_extract_string(coalesce(f[6], f[7], f[8]), '$') AS pc_id,
    json_extract_string(coalesce(f[9], f[10], f[11], f[12]), '$') AS report_ts,
    json_extract_string(f[13], '$') AS origin_key
FROM w;

INSERT INTO stat_stage
SELECT line, 'line ' || line, $origin, NULL, NULL, NULL, NULL, NULL, NULL,
    CASE WHEN NOT valid THEN 'not valid JSON'
         WHEN rep IS NULL THEN 'no stats report on this line'
         ELSE 'empty stats report' END,
    left(text, 300)
FROM stage_lines
WHERE NOT valid OR rep IS NULL OR json_array_length(CASE WHEN json_type(rep) = 'ARRAY' THEN rep END) = 0
      OR (json_type(rep) = 'OBJECT' AND len(json_keys(rep)) = 0);

CREATE OR REPLACE TEMP TABLE stage_objects AS
SELECT line, call_id_hint, pc_id, report_ts,
    CASE WHEN wrapped THEN coalesce(origin_key, $origin) ELSE 'gateway' END AS origin,
    -- a list of objects, or a map id -> object (keys and values zip in order)
    unnest(CASE rep_type WHEN 'ARRAY' THEN json_extract(rep, '$[*]') WHEN 'OBJECT' THEN json_extract(rep, '$.*') END) AS o,
    unnest(CASE rep_type WHEN 'OBJECT' THEN json_keys(rep) END) AS k
FROM (SELECT *, json_type(rep) AS rep_type FROM stage_lines WHERE valid AND rep IS NOT NULL)
