-- Legacy Google ("goog") stats, as Chrome's callback getStats reported them before the W3C stats (rtcstats and
-- webrtc-internals dumps of plan-b era clients), become the W3C objects they correspond to, in W3C units, so
-- the typed tables, intervals, rules and features read them like any other stats. Other values stay as reported
-- (numbers sent as strings are read as numbers when typed).
--   ssrc_<n>_recv / _send (type ssrc)   -> inbound-rtp / outbound-rtp; googJitterReceived ms -> jitter s;
--                                          audioOutputLevel / audioInputLevel 0..32767 -> audioLevel 0..1
--   Conn-* (googCandidatePair)          -> candidate-pair; googActiveConnection -> selected and nominated;
--                                          googRtt ms -> currentRoundTripTime s; the candidate types kept
--   Channel-* (googComponent)           -> transport (selectedCandidatePairId as is)
--   Cand-* (localcandidate/remotecandidate) -> local-candidate / remote-candidate; candidate types in W3C words
UPDATE stat_stage SET
    type = goog_w3c_type(type, stat_id),
    obj = json_merge_patch(obj, CASE
        WHEN type = 'ssrc' THEN json_object(
            'type', goog_w3c_type(type, stat_id),
            'jitter', TRY_CAST(obj ->> 'googJitterReceived' AS DOUBLE) / 1000,
            'audioLevel', coalesce(TRY_CAST(obj ->> 'audioOutputLevel' AS DOUBLE),
                                   TRY_CAST(obj ->> 'audioInputLevel' AS DOUBLE)) / 32767)
        WHEN type = 'googCandidatePair' THEN json_object(
            'type', 'candidate-pair',
            'selected', obj ->> 'googActiveConnection' = 'true',
            'nominated', obj ->> 'googActiveConnection' = 'true',
            'currentRoundTripTime', TRY_CAST(obj ->> 'googRtt' AS DOUBLE) / 1000,
            'localCandidateType', goog_candidate_type(obj ->> 'googLocalCandidateType'),
            'remoteCandidateType', goog_candidate_type(obj ->> 'googRemoteCandidateType'))
        WHEN type IN ('localcandidate', 'remotecandidate') THEN json_object(
            'type', goog_w3c_type(type, stat_id), 'candidateType', goog_candidate_type(obj ->> 'candidateType'))
        ELSE json_object('type', goog_w3c_type(type, stat_id)) END)
WHERE reject_reason IS NULL
  AND type IN ('ssrc', 'googCandidatePair', 'googComponent', 'localcandidate', 'remotecandidate')
