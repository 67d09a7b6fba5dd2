-- The one place where the store's tables are defined. Applied on every connect; idempotent.
-- Timestamps are TIMESTAMPTZ (instants, UTC on display); the offset the device logged is kept beside them.

CREATE SEQUENCE IF NOT EXISTS seq_source START 1;
CREATE SEQUENCE IF NOT EXISTS seq_record START 1;
CREATE SEQUENCE IF NOT EXISTS seq_event START 1;

CREATE TABLE IF NOT EXISTS schema_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
INSERT OR IGNORE INTO schema_meta VALUES ('schema_version', '4');  -- analyzer/store/db.py SCHEMA_VERSION

-- One row per ingested input (a file, or a member of an archive). content_hash makes ingest idempotent.
-- Invariant, checked by tests: records = stored + ignored + rejected.
CREATE TABLE IF NOT EXISTS sources (
    source_id     INTEGER PRIMARY KEY,
    content_hash  VARCHAR NOT NULL UNIQUE,   -- 'xxh3-128:<hex>' of the bytes read
    path          VARCHAR NOT NULL,          -- as given on the command line (archive path for members)
    member        VARCHAR,                   -- path inside the archive, NULL for plain files
    format        VARCHAR NOT NULL,          -- e.g. oslog_ndjson, oslog_json, text, webrtc_internals
    layouts       VARCHAR,                   -- text logs: the line envelopes of its stored records, with counts
    bytes         BIGINT NOT NULL,
    lines         BIGINT NOT NULL,           -- physical lines read
    meta_lines    BIGINT NOT NULL,           -- blank lines, headers, trailers and footers of the export
    records       BIGINT NOT NULL,           -- log records found (a multi-line record counts once)
    stored        BIGINT NOT NULL,           -- records kept in log_records (audio/call related)
    ignored       BIGINT NOT NULL,           -- well-formed records about something else (other processes' noise)
    rejected      BIGINT NOT NULL,           -- records that could not be parsed: see rejects
    events        BIGINT NOT NULL,           -- typed session_events derived from the stored records
    device_hint   VARCHAR,                   -- device name/model from the file name or the log, when known
    device_key    VARCHAR,                   -- files of one device: the folder they were found in, or 'ticket'
                                             -- (triage: everything given is one phone's evidence)
    year_assumed  INTEGER,                   -- for formats without a year (idevicesyslog): the year used
    ingested_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    complete      BOOLEAN NOT NULL DEFAULT true  -- false while a large stats file is stored part by part; a
                                                 -- store opened after a crash removes what such a file left
);

-- Every record that could not be read, with where it was and why.
CREATE TABLE IF NOT EXISTS rejects (
    source_id   INTEGER NOT NULL,
    line        BIGINT,                      -- first physical line of the record (1-based)
    line_end    BIGINT,
    reason      VARCHAR NOT NULL,
    excerpt     VARCHAR                      -- first 300 characters of the record
);

-- Raw log records that concern audio, calls or WebRTC, in a common shape for every input format.
CREATE TABLE IF NOT EXISTS log_records (
    record_id       BIGINT NOT NULL,         -- from seq_record (no PRIMARY KEY: an index slows bulk loads and updates)
    source_id       INTEGER NOT NULL,
    line_start      BIGINT NOT NULL,
    line_end        BIGINT NOT NULL,
    ts              TIMESTAMPTZ,             -- instant; NULL only when the record has no usable time
    utc_offset_min  SMALLINT,                -- offset the device logged; NULL when the format has none
    ts_assumed_tz   BOOLEAN NOT NULL DEFAULT false,  -- true when the offset (or year) was assumed
    process         VARCHAR,
    pid             INTEGER,
    thread          VARCHAR,
    level           VARCHAR,                 -- Default/Info/Debug/Error/Fault/Notice/Warning
    subsystem       VARCHAR,
    category        VARCHAR,
    sender          VARCHAR,                 -- sender image/library when the format has it
    message         VARCHAR NOT NULL,
    envelope        VARCHAR,                 -- text logs: the line layout (analyzer/formats/envelopes.toml)
    ts_quality      VARCHAR NOT NULL         -- exact | no_offset | no_year | no_date | inherited | order_only
        CHECK (ts_quality IN ('exact', 'no_offset', 'no_year', 'no_date', 'inherited', 'order_only'))
);

-- Typed audio-session events. Exactly one per recognised log record; record_id points back at the source line.
CREATE TABLE IF NOT EXISTS session_events (
    event_id        BIGINT NOT NULL,         -- from seq_event (unique by construction, no index)
    record_id       BIGINT NOT NULL,
    source_id       INTEGER NOT NULL,
    line_start      BIGINT NOT NULL,
    line_end        BIGINT NOT NULL,
    ts              TIMESTAMPTZ,
    ts_quality      VARCHAR NOT NULL,        -- as in log_records: how much of the time the line itself gave
    process         VARCHAR,
    pid             INTEGER,
    producer        VARCHAR NOT NULL,        -- one of ref_producers
    subject_pid     INTEGER,                 -- the app process the event is about (server lines name it)
    subject_name    VARCHAR,
    kind            VARCHAR NOT NULL,        -- one of ref_event_kinds
    pattern_id      VARCHAR NOT NULL,        -- which catalogue pattern recognised it
    call_id_hint    VARCHAR,                 -- call id carried by the line itself (contract lines)
    av_category     VARCHAR,                 -- canonical name: playAndRecord, playback, ...
    av_mode         VARCHAR,                 -- canonical name: voiceChat, default, ...
    options         BIGINT,                  -- AVAudioSession.CategoryOptions bitmask
    option_names    VARCHAR[],
    active          BOOLEAN,                 -- for activation events: true=activate, false=deactivate
    success         BOOLEAN,                 -- false for failures (activation, category, audio unit)
    should_resume   BOOLEAN,
    reason          VARCHAR,                 -- interruption reason (builtInMicMuted, appWasSuspended, ...)
    route_reason    VARCHAR,                 -- NewDeviceAvailable, OldDeviceUnavailable, CategoryChange, ...
    prev_inputs     VARCHAR[],
    prev_outputs    VARCHAR[],
    inputs          VARCHAR[],
    outputs         VARCHAR[],
    osstatus        BIGINT,
    fourcc          VARCHAR,
    error_name      VARCHAR,
    sample_rate     DOUBLE,
    io_buffer_s     DOUBLE,
    state           VARCHAR,                 -- play state, audio-unit state, resume decision
    detail          VARCHAR,
    message         VARCHAR NOT NULL
);

-- The closed vocabularies of session_events. analyzer/normalise/patterns.py reads them from here (store.db.vocabulary)
-- and refuses a catalogue pattern that names anything else.
CREATE TABLE IF NOT EXISTS ref_producers (
    producer  VARCHAR PRIMARY KEY,
    meaning   VARCHAR NOT NULL
);
INSERT OR IGNORE INTO ref_producers VALUES
    ('contract', 'the app''s own instrumentation lines (callaudio v=1, docs/instrumentation.md)'),
    ('webrtc', 'WebRTC''s iOS audio code (RTCAudioSession, AudioDeviceIOS, the voice-processing audio unit)'),
    ('apple_client', 'AVFAudio / CoreAudio in the app''s own process'),
    ('apple_server', 'the audio server (mediaserverd, audiomxd) acting for the app''s session'),
    ('telephony', 'CallKit and the phone''s call services (callservicesd, CommCenter)'),
    ('app_logger', 'an app''s or SDK''s own wording (React Native, Flutter, Twilio, ...)');

CREATE TABLE IF NOT EXISTS ref_event_kinds (
    kind     VARCHAR PRIMARY KEY,
    meaning  VARCHAR NOT NULL
);
INSERT OR IGNORE INTO ref_event_kinds VALUES
    ('call_start', 'a call began (the app says so)'),
    ('call_connected', 'a call''s media connected'),
    ('call_end', 'a call ended'),
    ('config_set', 'category, mode and options set together'),
    ('configure', 'the audio session configured for a call (WebRTC''s configuration step)'),
    ('category_set', 'the category set'),
    ('mode_set', 'the mode set'),
    ('options_set', 'the category options set'),
    ('activation', 'the session activated or deactivated (active), or a failure to (success)'),
    ('interruption_began', 'an interruption began'),
    ('interruption_ended', 'an interruption ended (should_resume)'),
    ('route_change', 'the audio route changed (route_reason, ports before and after)'),
    ('route_detail', 'a route description on a line of its own'),
    ('route_override', 'the output overridden (speaker)'),
    ('media_services_lost', 'the media services were lost'),
    ('media_services_reset', 'the media services were reset'),
    ('resume_decision', 'what the app decided after an interruption'),
    ('format_change', 'sample rate or I/O buffer changed'),
    ('audio_unit', 'the voice-processing audio unit started, stopped or failed'),
    ('play_state', 'playout / recording started or stopped'),
    ('session_state', 'a dump of the session''s state (category, mode, options, route)'),
    ('error', 'an audio error with its status code'),
    ('glitch', 'an audio glitch or overload'),
    ('notice', 'known noise that resembles a family (haptics, camera interruptions): shown, never judged');

-- What sessionise (queries/calls/sessionise.sql) derives for each event, rebuilt on every run; session_events itself
-- is never updated after ingest. Read both through the `events` view.
CREATE TABLE IF NOT EXISTS event_links (
    event_id   BIGINT NOT NULL,
    device_id  VARCHAR,
    call_id    VARCHAR,                      -- NULL: between calls (still there, reachable)
    dup_of     BIGINT                        -- the same event already read from another export (overlap)
);

CREATE OR REPLACE VIEW events AS
SELECT e.*, l.device_id, l.call_id, l.dup_of
FROM session_events e LEFT JOIN event_links l USING (event_id);

-- What the evidence says about a source's device (rebuilt with the source, never guessed): a sysdiagnose's metadata
-- (remotectl_dumpstate.txt, SystemVersion.plist) or an idevicesyslog capture's host name. A file may name only some.
CREATE TABLE IF NOT EXISTS device_facts (
    source_id   INTEGER NOT NULL,
    name        VARCHAR,                     -- the device's own name (idevicesyslog host: 'ipad-mini2')
    model       VARCHAR,                     -- the model identifier ('iPhone13,3'), never a guess from a name
    os_version  VARCHAR,                     -- '15.4.1'
    os_build    VARCHAR,                     -- '19E258' (a build is not a version: both are kept)
    found_from  VARCHAR NOT NULL             -- sysdiagnose metadata | idevicesyslog host
);

-- One row per device (rebuilt by sessionise): its name and what the evidence says it is, NULL where nothing does.
CREATE TABLE IF NOT EXISTS devices (
    device_id   VARCHAR PRIMARY KEY,
    name        VARCHAR,
    model       VARCHAR,                     -- model identifier, e.g. iPhone17,3 (not 'iPhone': that is the platform)
    os_version  VARCHAR,                     -- e.g. 18.1; NULL when only the build is known (no build table here)
    os_build    VARCHAR,                     -- e.g. 22B83
    found_from  VARCHAR                      -- where model / iOS came from: sysdiagnose metadata | sysdiagnose name |
                                             -- idevicesyslog host | file (nothing names them)
);

-- One row per call, rebuilt by sessionise (queries/calls/sessionise.sql) from everything in the store.
CREATE TABLE IF NOT EXISTS calls (
    call_id          VARCHAR PRIMARY KEY,     -- the app's own id when it logs one, else derived
    device_id        VARCHAR,
    start_ts         TIMESTAMPTZ NOT NULL,
    end_ts           TIMESTAMPTZ NOT NULL,
    evidence_kind    VARCHAR NOT NULL         -- ticket: no call boundary in the evidence, the device's whole record
        CHECK (evidence_kind IN ('explicit_id', 'peer_connection', 'activation_window', 'ticket')),
    ended_cleanly    BOOLEAN NOT NULL,        -- an end was logged (call.end, pc closed, deactivation)
    app_pid          INTEGER,
    n_events         BIGINT NOT NULL,
    n_stats_streams  BIGINT NOT NULL,
    sources          INTEGER[],               -- source_ids that contributed
    gateway_offset_s DOUBLE,                  -- gateway clock minus device clock, when both have stats
    alignment        VARCHAR NOT NULL,        -- aligned | no gateway stats | no device stats | not alignable: why
    is_call          BOOLEAN NOT NULL,        -- a ticket window with nothing that says a call was on is false:
                                              -- rules about a call's configuration do not judge it
    -- who the device was on this call: the app's call.start line (the instrumentation contract) first, then the
    -- device's (devices); NULL where nothing names it
    device_model     VARCHAR,
    os_version       VARCHAR,
    os_build         VARCHAR,
    app_version      VARCHAR                  -- the app's call.start only
);

-- Every peer connection's span (rebuilt by sessionise): from its first stats sample or state change to its last,
-- and how it ended (closed by the app; its last connection state, or ICE state where the dump has none).
CREATE TABLE IF NOT EXISTS pc_spans (
    source_id      INTEGER NOT NULL,
    origin         VARCHAR NOT NULL,
    pc_id          VARCHAR,
    call_id_hint   VARCHAR,
    device_id      VARCHAR,
    start_ts       TIMESTAMPTZ NOT NULL,
    end_ts         TIMESTAMPTZ NOT NULL,
    closed_by_app  BOOLEAN,
    last_state     VARCHAR
);

-- Which call each stats stream belongs to (a stream: one source's rows for one peer connection / call hint).
CREATE TABLE IF NOT EXISTS call_streams (
    call_id       VARCHAR NOT NULL,
    source_id     INTEGER NOT NULL,
    origin        VARCHAR NOT NULL,
    pc_id         VARCHAR,
    call_id_hint  VARCHAR,
    how           VARCHAR NOT NULL            -- call_id | pc_id | time
);

-- What the rules found (analyzer/detect/rules.py runs rules/**.yaml), rebuilt on every run.
CREATE TABLE IF NOT EXISTS findings (
    finding_id      BIGINT NOT NULL,
    rule_id         VARCHAR NOT NULL,
    area            VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,        -- critical | high | medium | low | info
    call_id         VARCHAR,
    first_ts        TIMESTAMPTZ,
    last_ts         TIMESTAMPTZ,
    evidence        BIGINT[],                -- event ids (session_events: source, lines, message)
    stats_evidence  STRUCT(source_id INTEGER, line BIGINT, locator VARCHAR, what VARCHAR)[],
                                             -- stats samples: source, line (or where in a dump: locator), and
                                             -- what they show (stream, field, values, times)
    detail          VARCHAR
);

-- The classifier's label for each call (analyzer/classify/model.py), rebuilt when a model runs.
CREATE TABLE IF NOT EXISTS predictions (
    call_id        VARCHAR NOT NULL,
    label          VARCHAR,                  -- healthy | misconfiguration | unrecovered_interruption | ...;
                                             -- NULL when the model abstains
    probability    DOUBLE,                   -- calibrated probability of that label
    probabilities  JSON,                     -- every label's probability
    top_features   VARCHAR[],                -- the few features that set this call apart, with their values
    model          VARCHAR NOT NULL,         -- which model (its card's id)
    abstained      VARCHAR,                  -- why the model gives no label: the call is not like its training
                                             -- calls (evidence it never saw together, a feature out of range)
    unjudged       VARCHAR,                  -- which causes it could not weigh for want of their evidence family
    suspects       BOOLEAN NOT NULL,         -- it names a failure with at least its suspicion threshold
    suspect_p      DOUBLE NOT NULL           -- that threshold (chosen on held-out calls; see the model card)
);

-- Reference tables: facts from Apple's SDK headers (AVAudioSession.h, AudioUnit/AUComponent.h, CoreAudioTypes.h).
CREATE TABLE IF NOT EXISTS ref_osstatus (
    code         BIGINT PRIMARY KEY,         -- signed 32-bit as logged
    fourcc       VARCHAR,                    -- its four characters, when all are printable
    name         VARCHAR,                    -- the constant in Apple's header; NULL when there is no public one
    constants    VARCHAR,                    -- every constant with this value (';'): '!act' is two, 'what' six
    family       VARCHAR NOT NULL,           -- the enum it belongs to (AVAudioSessionErrorCode, audio unit, ...)
    meaning      VARCHAR NOT NULL,
    usual_cause  VARCHAR,                    -- what usually causes it in a voice-call app
    fix          VARCHAR,                    -- what usually fixes it, where one fix fits
    verified     VARCHAR NOT NULL            -- verified (the value seen in Apple's headers) | inferred
);
-- filled from queries/reference/osstatus.csv by analyzer/store/db.py on every open

CREATE TABLE IF NOT EXISTS ref_category_options (
    bit   BIGINT PRIMARY KEY,
    name  VARCHAR NOT NULL
);
INSERT OR IGNORE INTO ref_category_options VALUES
    (1, 'mixWithOthers'), (2, 'duckOthers'), (4, 'allowBluetoothHFP'), (8, 'defaultToSpeaker'),
    (16, 'interruptSpokenAudioAndMixWithOthers'), (32, 'allowBluetoothA2DP'), (64, 'allowAirPlay'),
    (128, 'overrideMutedMicrophoneInterruption'), (262144, 'farFieldInput'),
    (524288, 'bluetoothHighQualityRecording');

CREATE TABLE IF NOT EXISTS ref_route_change_reason (
    code  INTEGER PRIMARY KEY,
    name  VARCHAR NOT NULL
);
INSERT OR IGNORE INTO ref_route_change_reason VALUES
    (0, 'Unknown'), (1, 'NewDeviceAvailable'), (2, 'OldDeviceUnavailable'), (3, 'CategoryChange'),
    (4, 'Override'), (6, 'WakeFromSleep'), (7, 'NoSuitableRouteForCategory'), (8, 'RouteConfigurationChange');

-- Port types as they appear in logs (AVAudioSessionPortDescription type, Swift names) -> canonical name.
CREATE TABLE IF NOT EXISTS ref_port_types (
    raw        VARCHAR PRIMARY KEY,          -- lower-cased spelling seen in logs
    canonical  VARCHAR NOT NULL,
    direction  VARCHAR NOT NULL,             -- input | output | both
    bluetooth  BOOLEAN NOT NULL
);
INSERT OR IGNORE INTO ref_port_types VALUES
    ('microphonebuiltin', 'BuiltInMic', 'input', false), ('builtinmic', 'BuiltInMic', 'input', false),
    ('receiver', 'BuiltInReceiver', 'output', false), ('builtinreceiver', 'BuiltInReceiver', 'output', false),
    ('speaker', 'BuiltInSpeaker', 'output', false), ('builtinspeaker', 'BuiltInSpeaker', 'output', false),
    ('microphonewired', 'HeadsetMic', 'input', false), ('headsetmic', 'HeadsetMic', 'input', false),
    ('headphones', 'Headphones', 'output', false),
    ('bluetoothhfp', 'BluetoothHFP', 'both', true),
    ('bluetootha2dpoutput', 'BluetoothA2DPOutput', 'output', true), ('bluetootha2dp', 'BluetoothA2DPOutput', 'output', true),
    ('bluetoothle', 'BluetoothLE', 'output', true),
    ('caraudio', 'CarAudio', 'both', false), ('airplay', 'AirPlay', 'output', false),
    ('usbaudio', 'USBAudio', 'both', false), ('hdmioutput', 'HDMI', 'output', false), ('hdmi', 'HDMI', 'output', false),
    ('linein', 'LineIn', 'input', false), ('lineout', 'LineOut', 'output', false),
    ('virtual', 'Virtual', 'both', false), ('continuitymicrophone', 'ContinuityMicrophone', 'input', false),
    -- port names (not types) printed by some app loggers
    ('built-in microphone', 'BuiltInMic', 'input', false), ('built-in receiver', 'BuiltInReceiver', 'output', false),
    ('built-in speaker', 'BuiltInSpeaker', 'output', false);

-- ---------------------------------------------------------------- WebRTC statistics
-- One row per stats object per sample. Common columns on every stats table:
--   source_id, line (the report's line; NULL for a webrtc-internals series), locator (where in the file),
--   origin (device | gateway), call_id_hint, pc_id, stat_id, ts (sample instant), extra (fields not typed below)
-- The typed columns and the JSON field each comes from are listed in analyzer/normalise/stats_fields.toml.

CREATE TABLE IF NOT EXISTS stats_inbound_rtp (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, extra JSON,
    ssrc BIGINT, kind VARCHAR,
    packets_received DOUBLE, bytes_received DOUBLE, packets_lost DOUBLE, jitter_s DOUBLE,
    total_samples_received DOUBLE, concealed_samples DOUBLE, silent_concealed_samples DOUBLE,
    concealment_events DOUBLE, audio_level DOUBLE, total_audio_energy DOUBLE, total_samples_duration DOUBLE,
    jitter_buffer_delay_s DOUBLE, jitter_buffer_emitted_count DOUBLE, packets_discarded DOUBLE,
    last_packet_received_ms DOUBLE, codec_id VARCHAR, transport_id VARCHAR
);

CREATE TABLE IF NOT EXISTS stats_outbound_rtp (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, extra JSON,
    ssrc BIGINT, kind VARCHAR,
    packets_sent DOUBLE, bytes_sent DOUBLE, retransmitted_packets_sent DOUBLE, target_bitrate DOUBLE,
    media_source_id VARCHAR, codec_id VARCHAR, transport_id VARCHAR, active VARCHAR
);

CREATE TABLE IF NOT EXISTS stats_remote_inbound_rtp (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, extra JSON,
    ssrc BIGINT, kind VARCHAR,
    round_trip_time_s DOUBLE, fraction_lost DOUBLE, packets_lost DOUBLE, jitter_s DOUBLE,
    total_round_trip_time_s DOUBLE, round_trip_time_measurements DOUBLE, local_id VARCHAR
);

CREATE TABLE IF NOT EXISTS stats_candidate_pair (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, extra JSON,
    state VARCHAR, nominated VARCHAR, selected VARCHAR,
    current_round_trip_time_s DOUBLE, total_round_trip_time_s DOUBLE, bytes_sent DOUBLE, bytes_received DOUBLE,
    packets_sent DOUBLE, packets_received DOUBLE, available_outgoing_bitrate DOUBLE,
    local_candidate_id VARCHAR, remote_candidate_id VARCHAR, transport_id VARCHAR
);

CREATE TABLE IF NOT EXISTS stats_transport (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, extra JSON,
    ice_state VARCHAR, dtls_state VARCHAR, selected_candidate_pair_id VARCHAR,
    bytes_sent DOUBLE, bytes_received DOUBLE, packets_sent DOUBLE, packets_received DOUBLE
);

CREATE TABLE IF NOT EXISTS stats_media_source (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, extra JSON,
    kind VARCHAR, track_identifier VARCHAR, audio_level DOUBLE, total_audio_energy DOUBLE,
    total_samples_duration DOUBLE, echo_return_loss DOUBLE, echo_return_loss_enhancement DOUBLE
);

-- Stats objects of every other type (codec, local-candidate, certificate, ...), whole.
CREATE TABLE IF NOT EXISTS stats_other (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, stat_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, type VARCHAR NOT NULL, object JSON NOT NULL
);

-- Peer-connection state changes (iceConnectionState, connectionState, ...) from dumps that carry them.
CREATE TABLE IF NOT EXISTS pc_state_changes (
    source_id INTEGER NOT NULL, line BIGINT, locator VARCHAR, origin VARCHAR NOT NULL, call_id_hint VARCHAR,
    pc_id VARCHAR, ts TIMESTAMPTZ, event VARCHAR NOT NULL, state VARCHAR
);

-- Per-interval audio series derived from the cumulative counters (queries/stats/intervals.sql): one row per
-- stream (inbound or outbound RTP) per pair of consecutive samples.
CREATE TABLE IF NOT EXISTS rtp_intervals (
    source_id INTEGER NOT NULL, origin VARCHAR NOT NULL, call_id_hint VARCHAR, pc_id VARCHAR,
    stat_id VARCHAR NOT NULL, direction VARCHAR NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    ts_start TIMESTAMPTZ NOT NULL, ts_end TIMESTAMPTZ NOT NULL, seconds DOUBLE NOT NULL,
    line BIGINT,                                                -- evidence: the sample ending the interval
    gap BOOLEAN NOT NULL,                                       -- samples further apart than the gap limit: no rates
    counter_reset BOOLEAN NOT NULL,                             -- a counter went down: the stream restarted
    packets DOUBLE, packets_per_s DOUBLE, bytes_per_s DOUBLE, lost DOUBLE, loss_rate DOUBLE,
    concealment_ratio DOUBLE, audio_level DOUBLE, jitter_s DOUBLE, rtt_s DOUBLE, mos DOUBLE,
    locator VARCHAR,                                            -- evidence where a format has no lines (dump series)
    counter DOUBLE,                                             -- the stream's packet counter at ts_end
    ssrc BIGINT
);

-- Working table of the stats formats (per connection): every stats object read, before it is typed.
CREATE TEMP TABLE IF NOT EXISTS stat_stage (
    line BIGINT, locator VARCHAR, origin VARCHAR, call_id_hint VARCHAR, pc_id VARCHAR, stat_id VARCHAR,
    type VARCHAR, ts TIMESTAMPTZ, obj JSON, reject_reason VARCHAR, excerpt VARCHAR
);
-- The last accepted sample of each stats object of the file being read, as the counters with a per-second
-- limit (analyzer/normalise/stats.py): a counter's growth is checked across the parts a file is typed in.
CREATE TEMP TABLE IF NOT EXISTS stat_last (
    type VARCHAR, origin VARCHAR, call_id_hint VARCHAR, pc VARCHAR, stat_id VARCHAR, ts TIMESTAMPTZ, line BIGINT,
    nums JSON[]
);

-- Working tables of the rtcstats format: the fields each getStats report sent, and the objects it named.
CREATE TEMP TABLE IF NOT EXISTS rtcstats_delta (
    line BIGINT, pc_id VARCHAR, report_ts DOUBLE, stat_id VARCHAR, key VARCHAR, value JSON
);
CREATE TEMP TABLE IF NOT EXISTS rtcstats_objects (
    line BIGINT, pc_id VARCHAR, stat_id VARCHAR, compressed BOOLEAN, removed BOOLEAN, obj_ms DOUBLE
);

-- rtcstats method, stats type and property codes (fileFormat 3), from queries/reference/rtcstats_codes.csv.
CREATE TABLE IF NOT EXISTS ref_rtcstats_codes (
    kind VARCHAR NOT NULL,   -- method | type | property
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    PRIMARY KEY (kind, code)
);
