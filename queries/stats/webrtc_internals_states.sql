-- Peer-connection state changes from a webrtc-internals dump's updateLog ({time, type, value} entries) in the
-- text between its series (pc_bodies: pc_id, body; analyzer/formats/internals_scan.py).
-- `time` is ISO text, epoch milliseconds, or (older Chrome) the browser's locale form "5/3/2023, 10:00:00 AM".
INSERT INTO pc_state_changes
WITH pcs AS (
    SELECT pc_id, body FROM pc_bodies
), entries AS (
    SELECT pc_id, unnest(regexp_extract_all(body,
        '\{\s*"time"\s*:\s*("[^"]*"|[0-9.]+)\s*,\s*"type"\s*:\s*"[^"]*"\s*,\s*"value"\s*:\s*"(?:[^"\\]|\\.)*"\s*\}')) AS e
    FROM pcs
), parsed AS (
    SELECT pc_id, TRY_CAST(e AS JSON) AS j FROM entries
)
SELECT 0, NULL, 'PeerConnections.' || pc_id || '.updateLog', 'device', NULL, pc_id,
    coalesce(stats_instant(j ->> 'time'), try_strptime(j ->> 'time', '%m/%d/%Y, %I:%M:%S %p')::TIMESTAMPTZ),
    j ->> 'type', j ->> 'value'
FROM parsed
WHERE lower(j ->> 'type') IN ('iceconnectionstatechange', 'connectionstatechange', 'icegatheringstatechange',
                              'signalingstatechange')
