-- Generator of a system-wide `log show --style ndjson` export: noise from many processes, 1% audio lines.
-- Parameters: $n, the number of rows; $out, the output path.
COPY (
  WITH g AS (SELECT range AS i FROM range($n)),
  f AS (
    SELECT i,
      i % 100 = 0 AS audio,
      ['dasd', 'SpringBoard', 'locationd', 'wifid', 'backboardd', 'kernel', 'symptomsd', 'runningboardd',
       'bluetoothd', 'CommCenter', 'apsd', 'nsurlsessiond'][1 + i % 12] AS proc,
      ['com.apple.xpc.activity', 'com.apple.runningboard', 'com.apple.locationd.Position', 'com.apple.wifi',
       'com.apple.network', ''][1 + (i // 7) % 6] AS subsys,
      strftime(TIMESTAMP '2026-11-20 10:00:00' + to_microseconds(i * 997), '%Y-%m-%d %H:%M:%S.%f') || '-0800' AS ts
    FROM g
  )
  SELECT CASE WHEN audio THEN
    '{"traceID":' || i || ',"eventMessage":' || to_json(
        CASE (i // 100) % 5
          WHEN 0 THEN 'callaudio v=1 event=route.change call_id=C-' || (i // 100000) || ' reason=OldDeviceUnavailable prev_in=BluetoothHFP prev_out=BluetoothHFP in=BuiltInMic out=BuiltInReceiver'
          WHEN 1 THEN 'AudioSessionServerImp.mm:1638  { "action":"activate", "session":{"ID":"0x240f7","name":"VoiceAgent(1440)","type":"Primary"}, "details":"entry" }'
          WHEN 2 THEN '[as_client]     AVAudioSession_iOS.mm:2367  Failed to set properties, error: ''!pri'''
          WHEN 3 THEN 'callaudio v=1 event=interruption.began call_id=C-' || (i // 100000) || ' reason=default'
          ELSE 'callaudio v=1 event=session.configure call_id=C-' || (i // 100000) || ' category=playAndRecord mode=voiceChat options=38 result=ok'
        END) ||
    ',"eventType":"logEvent","source":null,"formatString":"%{public}s","activityIdentifier":0,"subsystem":"com.example.voiceagent","category":"CallAudio","threadID":' || (7000 + i % 13) ||
    ',"senderImageUUID":"0F3A3B5E2C1D4E6F8A9B0C1D2E3F4A5B","backtrace":{"frames":[{"imageOffset":' || (i % 65536) || ',"imageUUID":"0F3A3B5E-2C1D-4E6F-8A9B-0C1D2E3F4A5B"}]},"bootUUID":"5D8F1E2A","processImagePath":' ||
    CASE WHEN (i // 100) % 5 = 1 THEN '"\/usr\/sbin\/mediaserverd","processID":120' ELSE '"\/private\/var\/containers\/Bundle\/Application\/X\/VoiceAgent.app\/VoiceAgent","processID":1440' END ||
    ',"senderImagePath":"\/usr\/lib\/libobjc.A.dylib","timestamp":"' || ts || '","machTimestamp":' || (i * 1000) || ',"messageType":"Default","processImageUUID":"AAAA","senderProgramCounter":' || (i % 9999) || ',"parentActivityIdentifier":0,"timezoneName":""}'
  ELSE
    '{"traceID":' || i || ',"eventMessage":' || to_json('Scheduling activity ' || md5(CAST(i AS VARCHAR)) || ' with priority ' || (i % 5) || ' for client ' || proc) ||
    ',"eventType":"logEvent","source":null,"formatString":"Scheduling activity %s with priority %d for client %s","activityIdentifier":' || (i % 1000) || ',"subsystem":"' || subsys || '","category":"Client","threadID":' || (1000 + i % 97) ||
    ',"senderImageUUID":"9A8B7C6D5E4F30211203A4B5C6D7E8F9","backtrace":{"frames":[{"imageOffset":' || (i % 65536) || ',"imageUUID":"9A8B7C6D-5E4F-3021-1203-A4B5C6D7E8F9"}]},"bootUUID":"5D8F1E2A","processImagePath":"\/usr\/libexec\/' || proc ||
    '","senderImagePath":"\/usr\/lib\/libxpc.dylib","timestamp":"' || ts || '","machTimestamp":' || (i * 1000) || ',"messageType":"' || ['Default', 'Info', 'Debug', 'Error'][1 + i % 4] || '","processImageUUID":"BBBB","processID":' || (100 + i % 300) || ',"senderProgramCounter":' || (i % 9999) || ',"parentActivityIdentifier":0,"timezoneName":""}'
  END AS line
  FROM f ORDER BY i
) TO $out (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t')
