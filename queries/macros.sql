-- Scalar helpers shared by the parse and normalise queries. Applied on every connect (no tables here).

-- Offset in minutes of a timestamp text ending in +hhmm / -hh:mm / Z; NULL when it carries none.
CREATE OR REPLACE TEMP MACRO ts_offset_min(t) AS
    CASE
        WHEN regexp_matches(t, '[+-]\d\d:?\d\d$') THEN
            (CASE WHEN regexp_extract(t, '([+-])\d\d:?\d\d$', 1) = '-' THEN -1 ELSE 1 END)
            * (CAST(regexp_extract(t, '[+-](\d\d):?\d\d$', 1) AS INTEGER) * 60
               + CAST(regexp_extract(t, '[+-]\d\d:?(\d\d)$', 1) AS INTEGER))
        WHEN regexp_matches(t, '\dZ$') THEN 0
    END;

-- An instant from a timestamp text whose offset (ts_offset_min) is `offset_min`; when it has none, `assumed`
-- (e.g. '+0000') is appended.
CREATE OR REPLACE TEMP MACRO ts_instant_at(t, offset_min, assumed) AS
    CASE
        WHEN offset_min IS NOT NULL THEN try_cast(t AS TIMESTAMPTZ)
        ELSE try_cast(t || assumed AS TIMESTAMPTZ)
    END;

-- The same, the offset read from the text.
CREATE OR REPLACE TEMP MACRO ts_instant(t, assumed) AS ts_instant_at(t, ts_offset_min(t), assumed);

-- '+0530' -> 330
CREATE OR REPLACE TEMP MACRO offset_text_min(o) AS ts_offset_min('2000-01-01 00:00:00' || o);

-- The four bytes of a 32-bit OSStatus as text when all are printable ASCII ('!pri'), else NULL.
CREATE OR REPLACE TEMP MACRO osstatus_fourcc(n) AS
    CASE
        WHEN n IS NULL THEN NULL
        WHEN list_bool_and([((CAST(n AS BIGINT) & 4294967295) >> s) & 255 BETWEEN 32 AND 126 FOR s IN [24, 16, 8, 0]])
        THEN list_reduce([chr(CAST(((CAST(n AS BIGINT) & 4294967295) >> s) & 255 AS INTEGER)) FOR s IN [24, 16, 8, 0]],
                         lambda a, b: a || b)
    END;

-- '!pri' -> 561017449 (signed 32-bit, as iOS logs it).
CREATE OR REPLACE TEMP MACRO fourcc_code(f) AS
    CASE WHEN length(f) = 4 THEN
        (ascii(f[1]) << 24) + (ascii(f[2]) << 16) + (ascii(f[3]) << 8) + ascii(f[4])
    END;

-- The option names of a CategoryOptions bitmask, in bit order.
CREATE OR REPLACE TEMP MACRO category_option_names(mask) AS
    CASE WHEN mask IS NULL THEN NULL ELSE
        list_transform(list_filter(map_entries(ref_option_names()), lambda e: (mask & e.key) = e.key),
                       lambda e: e.value)
    END;

-- 'AVAudioSessionCategoryPlayAndRecord' / 'PlayAndRecord' / 'playAndRecord' -> 'playAndRecord'
CREATE OR REPLACE TEMP MACRO canonical_category(c) AS
    CASE WHEN c IS NULL OR c = '' THEN NULL ELSE
        lower(regexp_replace(regexp_replace(c, '^AVAudioSessionCategory', ''), '^(.).*$', '\1'))
        || regexp_replace(regexp_replace(c, '^AVAudioSessionCategory', ''), '^.', '')
    END;

CREATE OR REPLACE TEMP MACRO canonical_mode(m) AS
    CASE WHEN m IS NULL OR m = '' THEN NULL ELSE
        lower(regexp_replace(regexp_replace(m, '^AVAudioSessionMode', ''), '^(.).*$', '\1'))
        || regexp_replace(regexp_replace(m, '^AVAudioSessionMode', ''), '^.', '')
    END;

-- Port type spelling -> canonical name (unknown spellings kept as logged). ref_*() maps: analyzer/store/db.py.
CREATE OR REPLACE TEMP MACRO canonical_port(p) AS coalesce(ref_port_map()[lower(trim(p))], trim(p));

-- Port types listed in one side ('inputs' or 'outputs') of an AVAudioSessionRouteDescription text.
CREATE OR REPLACE TEMP MACRO route_ports(txt, side) AS
    list_transform(
        regexp_extract_all(
            coalesce(regexp_extract(txt, side || ' = \(([^)]*)\)', 1), ''),
            'type = ([A-Za-z0-9]+)', 1),
        lambda x: canonical_port(x));

-- Comma-separated port list from a contract line ('BuiltInMic,BluetoothHFP') -> canonical names.
CREATE OR REPLACE TEMP MACRO port_list(s) AS
    CASE WHEN s IS NULL OR s = '' THEN NULL
         ELSE list_transform(string_split(s, ','), lambda x: canonical_port(x)) END;

-- The `key=value` pairs of a contract line, parsed once: a list of {k, v} (values may be "quoted").
CREATE OR REPLACE TEMP MACRO kv_pairs(msg) AS
    list_transform(regexp_extract_all(msg, '(?:^|\s)(\w+=(?:"[^"]*"|\S+))', 1),
                   lambda p: {'k': split_part(p, '=', 1), 'v': trim(substr(p, strpos(p, '=') + 1), '"')});

-- The first value of `key` among parsed pairs; NULL when absent or empty.
CREATE OR REPLACE TEMP MACRO kv(pairs, key) AS
    nullif(list_filter(pairs, lambda p: p.k = key)[1].v, '');

-- A status code as logged ('-50', '561017449', '!pri', '0x21707269') -> signed 32-bit integer.
CREATE OR REPLACE TEMP MACRO osstatus_value(s) AS
    CASE
        WHEN s IS NULL THEN NULL
        WHEN regexp_matches(s, '^-?\d+$') OR regexp_matches(s, '^-?\d{1,3}(\.\d{3})+$') THEN
            -- digits, or digits grouped by a locale's thousands separator ('2.003.332.927')
            CASE WHEN TRY_CAST(replace(s, '.', '') AS BIGINT) >= 2147483648
                 THEN TRY_CAST(replace(s, '.', '') AS BIGINT) - 4294967296
                 ELSE TRY_CAST(replace(s, '.', '') AS BIGINT) END
        WHEN regexp_matches(s, '^0[xX][0-9a-fA-F]{1,8}$') THEN
            CASE WHEN CAST(('0x' || substr(s, 3))::UBIGINT AS BIGINT) >= 2147483648
                 THEN CAST(('0x' || substr(s, 3))::UBIGINT AS BIGINT) - 4294967296
                 ELSE CAST(('0x' || substr(s, 3))::UBIGINT AS BIGINT) END
        WHEN length(s) = 4 THEN fourcc_code(s)
    END;

-- 'override' / 'ReasonUnknown' / 'AVAudioSessionRouteChangeReasonCategoryChange' / '2' -> the RouteChangeReason name.
CREATE OR REPLACE TEMP MACRO canonical_route_reason(r) AS
    CASE WHEN r IS NULL OR r = '' THEN NULL
         ELSE coalesce(ref_route_reasons()[lower(regexp_replace(r, '^(AVAudioSessionRouteChange)?Reason', '', 'i'))], r) END;

-- A status code in a failure line that no catalogue pattern took apart, in the forms loggers print it:
-- Code=N, OSStatus error N, error: 'fourcc', "error_code":N, failed (N), error N, result = N.
CREATE OR REPLACE TEMP MACRO osstatus_in(msg) AS coalesce(
    nullif(regexp_extract(msg, 'Code=(-?\d+)', 1), ''),
    nullif(regexp_extract(msg, 'OSStatus error (-?\d+)', 1), ''),
    nullif(regexp_extract(msg, '(?i)\b(?:error|err|status|result|failed|returned)\b\W{0,4}''([^''\s]{4})''', 1), ''),
    nullif(regexp_extract(msg, '(?i)error_code"?\s*[:=]\s*(-?\d+)', 1), ''),
    nullif(regexp_extract(msg, '(?i)\b(?:failed|error|err|status|result)\b\s*(?:with (?:error|code|status)\s*)?(?:code\s*)?[:=(]?\s*\(?(-?\d{2,}(?:\.\d{3})*|0x[0-9a-fA-F]{1,8})\b', 1), ''));

-- shouldResume as a line states it, when no catalogue pattern took it apart: '1', '0' or NULL.
CREATE OR REPLACE TEMP MACRO should_resume_in(msg) AS
    CASE WHEN regexp_matches(msg, 'OptionShouldResume') THEN '1'
         ELSE nullif(regexp_extract(msg, '(?i)should_?resume\W{0,3}(true|false|yes|no|1|0)\b', 1), '') END;

-- The AVAudioSession error name of a status code, when it is one.
CREATE OR REPLACE TEMP MACRO osstatus_name(code) AS ref_osstatus_names()[code];

-- '1' / 'true' / 'yes' -> true, '0' / 'false' / 'no' -> false.
CREATE OR REPLACE TEMP MACRO flag(s) AS
    CASE WHEN lower(s) IN ('1', 'true', 'yes', 'on') THEN true
         WHEN lower(s) IN ('0', 'false', 'no', 'off') THEN false END;

-- CategoryOptions from a number ('38') or names ('allowBluetoothHFP,duckOthers'; allowBluetooth accepted).
CREATE OR REPLACE TEMP MACRO options_value(s) AS
    CASE WHEN s IS NULL OR s = '' THEN NULL
         WHEN regexp_matches(s, '^\d+$') THEN CAST(s AS BIGINT)
         ELSE coalesce(list_sum(list_distinct(list_transform(string_split(s, ','),
                  lambda x: ref_option_bits()[CASE WHEN lower(trim(x)) = 'allowbluetooth' THEN 'allowbluetoothhfp'
                                                   ELSE lower(trim(x)) END]))), 0)
    END;

-- A stats timestamp to an instant, whatever its unit: epoch seconds, milliseconds (W3C, Pion) or
-- microseconds (iOS RTCStatistics timestamp_us), told apart by magnitude; ISO text is cast.
-- A number too large for any instant gives NULL (implausible_time then rejects what has no instant).
CREATE OR REPLACE TEMP MACRO stats_instant(v) AS
    CASE
        WHEN v IS NULL THEN NULL
        -- no place on Earth is more than 14 h from UTC: a larger offset is not a time zone
        WHEN TRY_CAST(v AS DOUBLE) IS NULL THEN
            CASE WHEN abs(coalesce(ts_offset_min(v), 0)) <= 840 THEN TRY_CAST(v AS TIMESTAMPTZ) END
        WHEN TRY_CAST(v AS DOUBLE) > 1e14 THEN make_timestamptz(TRY_CAST(TRY_CAST(v AS DOUBLE) AS BIGINT))
        WHEN TRY_CAST(v AS DOUBLE) > 1e11 THEN make_timestamptz(CAST(TRY_CAST(v AS DOUBLE) * 1000 AS BIGINT))
        WHEN TRY_CAST(v AS DOUBLE) > 1e8 THEN make_timestamptz(CAST(TRY_CAST(v AS DOUBLE) * 1000000 AS BIGINT))
    END;

-- Why a record's instant is not plausible, or NULL when it is: outside earliest .. latest (ParseOptions: by
-- default 2000-01-01 .. now + 1 day, ANALYZER_EARLIEST / ANALYZER_LATEST). Every log record, stats object and
-- connection state change is checked with it, whatever its format.
CREATE OR REPLACE TEMP MACRO implausible_time(ts, earliest, latest) AS
    CASE WHEN ts < earliest OR ts > latest THEN
        'timestamp ' || CAST(ts AS VARCHAR) || ' is outside the plausible window '
        || strftime(earliest, '%Y-%m-%d %H:%M') || ' .. ' || strftime(latest, '%Y-%m-%d %H:%M')
        || ' UTC (ANALYZER_EARLIEST, ANALYZER_LATEST)'
    END;

-- ITU-T G.107 E-model, simplified (no echo, no equipment-impairment table): a MOS estimate from one-way
-- delay inputs, jitter and packet loss.
--   d  = rtt/2 + 2*jitter + 20 ms (jitter buffer and packetisation)          [ms]
--   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)                                (delay impairment)
--   Ie_eff = Ie + (95 - Ie) * Ppl / (Ppl + Bpl), Ie = 0, Bpl = 25.1 (G.711 with PLC; Opus is at least as robust)
--   R  = 93.2 - Id - Ie_eff
--   MOS = 1 if R < 0; 4.5 if R > 100; else 1 + 0.035 R + R (R - 60) (100 - R) 7e-6
-- rtt_s and jitter_s in seconds, loss as a fraction 0..1.
CREATE OR REPLACE TEMP MACRO emodel_delay_ms(rtt_s, jitter_s) AS
    coalesce(rtt_s, 0) * 500 + coalesce(jitter_s, 0) * 2000 + 20;
CREATE OR REPLACE TEMP MACRO emodel_r(d, ppl) AS
    93.2 - (0.024 * d + CASE WHEN d > 177.3 THEN 0.11 * (d - 177.3) ELSE 0 END) - 95 * ppl / (ppl + 25.1);
CREATE OR REPLACE TEMP MACRO emodel_r_to_mos(r) AS
    CASE WHEN r < 0 THEN 1.0 WHEN r > 100 THEN 4.5
         ELSE greatest(1.0, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6) END;
CREATE OR REPLACE TEMP MACRO emodel_mos(rtt_s, jitter_s, loss) AS
    emodel_r_to_mos(emodel_r(emodel_delay_ms(rtt_s, jitter_s), least(greatest(coalesce(loss, 0), 0), 1) * 100));

-- Text envelopes (queries/parse/text_parse.sql): a date group as ISO text. 2026-11-20 as is; 20.11.2026 is
-- day.month.year; 11/20/2026 month/day/year unless the first number cannot be a month; mon + day (idevicesyslog)
-- take the given year.
CREATE OR REPLACE TEMP MACRO text_date(d, mon, day, yr) AS
    CASE
        WHEN regexp_matches(d, '^\d{4}-\d\d-\d\d$') THEN d
        WHEN regexp_matches(d, '^\d{1,2}[.-]\d{1,2}[.-]\d{4}$') THEN
            regexp_extract(d, '(\d{4})$', 1) || '-' || lpad(regexp_extract(d, '^\d{1,2}[.-](\d{1,2})', 1), 2, '0')
            || '-' || lpad(regexp_extract(d, '^(\d{1,2})', 1), 2, '0')
        WHEN regexp_matches(d, '^\d{1,2}/\d{1,2}/\d{4}$') THEN
            CASE WHEN CAST(regexp_extract(d, '^(\d{1,2})', 1) AS INTEGER) > 12
                 THEN regexp_extract(d, '(\d{4})$', 1) || '-' || lpad(regexp_extract(d, '^\d{1,2}/(\d{1,2})', 1), 2, '0')
                      || '-' || lpad(regexp_extract(d, '^(\d{1,2})', 1), 2, '0')
                 ELSE regexp_extract(d, '(\d{4})$', 1) || '-' || lpad(regexp_extract(d, '^(\d{1,2})', 1), 2, '0')
                      || '-' || lpad(regexp_extract(d, '^\d{1,2}/(\d{1,2})', 1), 2, '0') END
        WHEN mon IS NOT NULL AND day IS NOT NULL AND list_position(['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'], mon) IS NOT NULL THEN
            CAST(yr AS VARCHAR) || '-'
            || lpad(CAST(list_position(['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'], mon) AS VARCHAR), 2, '0')
            || '-' || lpad(day, 2, '0')
    END;

-- A time group as HH:MM:SS.fff: one-digit hours padded; a fraction after ':' is milliseconds (space padded by
-- some loggers: '45: 44' is 44 ms), after '.' or ',' a decimal fraction.
CREATE OR REPLACE TEMP MACRO text_time(t, fsep, frac) AS
    CASE WHEN t IS NOT NULL THEN
        lpad(t, 8, '0')
        || CASE WHEN frac IS NULL OR trim(frac) = '' THEN ''
                WHEN fsep = ':' THEN '.' || lpad(trim(frac), 3, '0')
                ELSE '.' || trim(frac) END
    END;

-- Seconds since midnight of a text_time value.
CREATE OR REPLACE TEMP MACRO text_tod_s(t) AS epoch(try_cast('2000-01-01 ' || t AS TIMESTAMP));

-- A level as a logger writes it -> the unified log's names (unknown spellings kept).
CREATE OR REPLACE TEMP MACRO text_level(lv) AS
    CASE upper(trim(lv))
        WHEN '' THEN NULL WHEN 'DF' THEN 'Default' WHEN 'DEFAULT' THEN 'Default'
        WHEN 'E' THEN 'Error' WHEN 'ERR' THEN 'Error' WHEN 'ERROR' THEN 'Error'
        WHEN 'I' THEN 'Info' WHEN 'INFO' THEN 'Info' WHEN 'DB' THEN 'Debug' WHEN 'D' THEN 'Debug' WHEN 'DEBUG' THEN 'Debug'
        WHEN 'V' THEN 'Debug' WHEN 'VERBOSE' THEN 'Debug' WHEN 'TRACE' THEN 'Debug'
        WHEN 'F' THEN 'Fault' WHEN 'FAULT' THEN 'Fault' WHEN 'FATAL' THEN 'Fault' WHEN 'CRITICAL' THEN 'Fault'
        WHEN 'W' THEN 'Warning' WHEN 'WARN' THEN 'Warning' WHEN 'WARNING' THEN 'Warning'
        WHEN 'N' THEN 'Notice' WHEN 'NOTICE' THEN 'Notice' WHEN 'A' THEN 'Activity'
        ELSE trim(lv) END;

-- Legacy Google stats (queries/stats/goog_to_w3c.sql): the W3C type a goog object corresponds to.
CREATE OR REPLACE TEMP MACRO goog_w3c_type(t, id) AS
    CASE WHEN t = 'ssrc' AND id LIKE '%\_recv' ESCAPE '\' THEN 'inbound-rtp'
         WHEN t = 'ssrc' AND id LIKE '%\_send' ESCAPE '\' THEN 'outbound-rtp'
         WHEN t = 'googCandidatePair' THEN 'candidate-pair'
         WHEN t = 'googComponent' THEN 'transport'
         WHEN t = 'localcandidate' THEN 'local-candidate'
         WHEN t = 'remotecandidate' THEN 'remote-candidate'
         ELSE t END;

-- A goog candidate type in W3C words: local -> host, stun/serverreflexive -> srflx, peerreflexive -> prflx,
-- relay/relayed -> relay.
CREATE OR REPLACE TEMP MACRO goog_candidate_type(c) AS
    CASE lower(c) WHEN 'local' THEN 'host' WHEN 'host' THEN 'host' WHEN 'stun' THEN 'srflx'
                  WHEN 'serverreflexive' THEN 'srflx' WHEN 'srflx' THEN 'srflx' WHEN 'peerreflexive' THEN 'prflx'
                  WHEN 'prflx' THEN 'prflx' WHEN 'relay' THEN 'relay' WHEN 'relayed' THEN 'relay' ELSE c END;
