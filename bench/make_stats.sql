-- Generators for the stats benchmark. $out is the output path, $n the size.

-- @getstats: $n snapshot lines of an app's getStats upload (W3C list form, 4 objects a line)
COPY (
  SELECT '{"timestamp":' || (1763662953000 + i * 1000) || ',"call_id":"C-' || (i // 3600) || '","pc_id":"PC-' || (i // 3600) ||
    '","stats":[{"id":"IT01A1111","type":"inbound-rtp","timestamp":' || (1763662953000 + i * 1000) ||
    ',"kind":"audio","ssrc":1111,"packetsReceived":' || (i % 3600) * 50 || ',"bytesReceived":' || (i % 3600) * 5000 ||
    ',"packetsLost":' || (i % 3600) // 20 || ',"jitter":0.00' || (1 + i % 9) || ',"totalSamplesReceived":' || (i % 3600) * 48000 ||
    ',"concealedSamples":' || (i % 3600) * 48 || ',"audioLevel":0.' || (i % 97) || '},' ||
    '{"id":"OT01A2222","type":"outbound-rtp","timestamp":' || (1763662953000 + i * 1000) || ',"kind":"audio","ssrc":2222,"packetsSent":' ||
    (i % 3600) * 50 || ',"bytesSent":' || (i % 3600) * 4500 || '},' ||
    '{"id":"RIA2222","type":"remote-inbound-rtp","timestamp":' || (1763662953000 + i * 1000) || ',"kind":"audio","ssrc":2222,"roundTripTime":0.0' ||
    (5 + i % 5) || ',"fractionLost":0,"jitter":0.004},' ||
    '{"id":"CP1","type":"candidate-pair","timestamp":' || (1763662953000 + i * 1000) || ',"state":"succeeded","nominated":true,"currentRoundTripTime":0.0' ||
    (5 + i % 5) || ',"bytesSent":' || (i % 3600) * 4600 || ',"bytesReceived":' || (i % 3600) * 5100 || '}]}'
  FROM range($n) t(i) ORDER BY i
) TO $out (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t');

-- @internals: a webrtc-internals dump with $n peer connections of 24 series x 3600 values each
COPY (
  WITH pcs AS (SELECT range AS p FROM range($n)),
  props AS (SELECT * FROM (VALUES ('IT01A1111', 'inbound-rtp', 'packetsReceived', 50), ('IT01A1111', 'inbound-rtp', 'packetsLost', 0),
      ('IT01A1111', 'inbound-rtp', 'jitter', 0), ('IT01A1111', 'inbound-rtp', 'totalSamplesReceived', 48000),
      ('IT01A1111', 'inbound-rtp', 'concealedSamples', 10), ('IT01A1111', 'inbound-rtp', 'audioLevel', 0),
      ('IT01A1111', 'inbound-rtp', 'bytesReceived', 5000), ('IT01A1111', 'inbound-rtp', 'jitterBufferDelay', 2),
      ('IT01A1111', 'inbound-rtp', 'jitterBufferEmittedCount', 48000), ('IT01A1111', 'inbound-rtp', 'totalAudioEnergy', 1),
      ('IT01A1111', 'inbound-rtp', 'concealmentEvents', 0), ('IT01A1111', 'inbound-rtp', 'silentConcealedSamples', 1),
      ('OT01A2222', 'outbound-rtp', 'packetsSent', 50), ('OT01A2222', 'outbound-rtp', 'bytesSent', 4500),
      ('OT01A2222', 'outbound-rtp', 'targetBitrate', 0), ('OT01A2222', 'outbound-rtp', 'retransmittedPacketsSent', 0),
      ('RIA2222', 'remote-inbound-rtp', 'roundTripTime', 0), ('RIA2222', 'remote-inbound-rtp', 'fractionLost', 0),
      ('RIA2222', 'remote-inbound-rtp', 'jitter', 0), ('CP1', 'candidate-pair', 'currentRoundTripTime', 0),
      ('CP1', 'candidate-pair', 'bytesSent', 4600), ('CP1', 'candidate-pair', 'bytesReceived', 5100),
      ('SA1', 'media-source', 'audioLevel', 0), ('SA1', 'media-source', 'totalAudioEnergy', 1)) v(sid, stype, prop, step)),
  series AS (
    SELECT p, '"' || sid || '-' || prop || '": {"startTime": "2026-11-20T18:00:00.000Z", "endTime": "2026-11-20T18:59:59.000Z", "statsType": "' ||
      stype || '", "values": "[' ||
      (SELECT string_agg(CASE WHEN step = 0 THEN CAST(0.001 * (1 + (x % 7)) AS VARCHAR) ELSE CAST(x * step AS VARCHAR) END, ',')
       FROM range(3600) r(x)) || ']"}' AS s
    FROM pcs, props
  )
  SELECT CASE WHEN p = 0 THEN '{"getUserMedia": [], "PeerConnections": {' ELSE ',' END ||
         '"4242-' || (p + 1) || '": {"pid": 4242, "constraints": "", "rtcConfiguration": "", "url": "https://agent.example", "updateLog": ' ||
         '[{"time": "2026-11-20T18:00:00.000Z", "type": "iceconnectionstatechange", "value": "connected"}], "stats": {' ||
         string_agg(s, ', ') || '}}' || CASE WHEN p = max(p) OVER () THEN '}, "UserAgent": "bench"}' ELSE '' END
  FROM series GROUP BY p ORDER BY p
) TO $out (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t');
