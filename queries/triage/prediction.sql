-- The model's view of one call (queries/triage: what triage shows beside the rules' findings).
SELECT label, probability, top_features, model, abstained, unjudged, suspects
FROM predictions
WHERE call_id = $call_id
