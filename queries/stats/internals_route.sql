-- Which stats objects of the part (wi_part) take the columnar path (internals_typed, built by
-- analyzer/formats/internals_columns.py) and which the JSON path (webrtc_internals_stage.sql: one JSON text per
-- sample, typed and checked by analyzer/normalise/stats.py): an object whose series are all fine, of one known
-- statsType that is not a legacy goog type (goog_to_w3c.sql rewrites those), each property once.
CREATE OR REPLACE TEMP TABLE wi_route AS
SELECT pc_id, stat_id,
    bool_and(fine) AND count(DISTINCT stats_type) FILTER (WHERE kind <> 'derived') = 1
        AND count(*) FILTER (WHERE kind <> 'derived' AND stats_type IS NULL) = 0
        AND NOT bool_or(kind <> 'derived' AND stats_type IN ('ssrc', 'googCandidatePair', 'googComponent',
                                                              'localcandidate', 'remotecandidate'))
        AND count(*) = count(DISTINCT prop) AS columnar
FROM wi_part
GROUP BY pc_id, stat_id
