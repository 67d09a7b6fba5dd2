"""Every log format reads into the store with the right counts and typed events."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.conftest import LOGS

# file, format (text logs: the layout of their first stored record), (records, stored, ignored, rejected)
CASES = [
    ("device.ndjson", "oslog_ndjson", (7, 5, 1, 1)),
    ("mandiant.jsonl", "oslog_ndjson", (2, 1, 1, 0)),
    ("device_style.json", "oslog_json", (3, 2, 1, 0)),
    ("device_default.log", "text/oslog_default", (5, 4, 1, 0)),
    ("device_compact.log", "text/oslog_compact", (3, 2, 1, 0)),
    ("device_syslog.log", "text/oslog_syslog", (3, 2, 1, 0)),
    ("idevicesyslog.txt", "text/idevicesyslog", (4, 3, 1, 0)),
    ("xcode_console.txt", "text/xcode_console", (8, 7, 1, 0)),
]


@pytest.mark.parametrize(("name", "fmt", "counts"), CASES)
def test_format_counts_add_up(con, ingest, name, fmt, counts):
    summary = ingest(LOGS / name)
    assert summary.errors == []
    (res,) = summary.files
    if res.format == "text":
        first = con.execute("SELECT envelope FROM log_records ORDER BY line_start LIMIT 1").fetchone()[0]
        assert f"text/{first}" == fmt
    else:
        assert res.format == fmt
    assert (res.records, res.stored, res.ignored, res.rejected) == counts
    row = con.execute(
        "SELECT records, stored + ignored + rejected, lines, "
        "(SELECT count(*) FROM log_records), (SELECT count(*) FROM rejects) FROM sources"
    ).fetchone()
    assert row[0] == row[1]
    assert row[3] == counts[1] and row[4] == counts[3]


def _events(con):
    return con.execute(
        "SELECT line_start, line_end, kind, producer, pattern_id FROM session_events ORDER BY line_start"
    ).fetchall()


def test_ndjson_contract_and_server_lines(con, ingest):
    ingest(LOGS / "device.ndjson")
    cfg = con.execute(
        "SELECT av_category, av_mode, options, option_names, success, call_id_hint, ts FROM session_events "
        "WHERE kind = 'config_set'"
    ).fetchone()
    assert cfg[:6] == (
        "playAndRecord",
        "voiceChat",
        38,
        ["duckOthers", "allowBluetoothHFP", "allowBluetoothA2DP"],
        True,
        "C-7f3a2",
    )
    assert cfg[6] == datetime(2026, 11, 20, 18, 22, 33, 130000, tzinfo=timezone.utc)
    srv = con.execute(
        "SELECT process, subject_pid, subject_name, active FROM session_events WHERE producer = 'apple_server'"
    ).fetchone()
    assert srv == ("mediaserverd", 1440, "VoiceAgent", True)
    err = con.execute("SELECT osstatus, fourcc, error_name FROM session_events WHERE kind = 'error'").fetchone()
    assert err == (561017449, "!pri", "AVAudioSessionErrorCodeInsufficientPriority")
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [(5, "not valid JSON")]


def test_offsets_are_kept_and_applied(con, ingest):
    ingest(LOGS / "device_default.log")
    rows = con.execute("SELECT ts, utc_offset_min, ts_assumed_tz FROM log_records ORDER BY line_start").fetchall()
    assert rows[0] == (datetime(2026, 11, 20, 18, 22, 33, 123456, tzinfo=timezone.utc), -480, False)


def test_default_style_multiline_route_description(con, ingest):
    ingest(LOGS / "device_default.log")
    rc = con.execute(
        "SELECT line_start, line_end, route_reason, prev_inputs, prev_outputs, inputs, outputs "
        "FROM session_events WHERE kind = 'route_change'"
    ).fetchone()
    assert rc == (
        6,
        20,
        "OldDeviceUnavailable",
        ["BluetoothHFP"],
        ["BluetoothHFP"],
        ["BuiltInMic"],
        ["BuiltInReceiver"],
    )
    meta = con.execute("SELECT meta_lines, lines FROM sources").fetchone()
    assert meta == (4, 23)  # filter line, header, dashes, trailer


def test_json_style_records_span_their_lines(con, ingest):
    ingest(LOGS / "device_style.json")
    assert _events(con) == [
        (1, 30, "interruption_began", "webrtc", "webrtc.interruption_began"),
        (39, 49, "error", "apple_client", "apple.client_set_properties_failed"),
    ]
    assert con.execute("SELECT fourcc FROM session_events WHERE kind = 'error'").fetchone() == ("!int",)


def test_compact_style_assumes_offset(con, ingest):
    from analyzer.formats.logparse import ParseOptions

    ingest(LOGS / "device_compact.log", opts=ParseOptions(assumed_offset="-0800"))
    row = con.execute(
        "SELECT ts, utc_offset_min, ts_assumed_tz FROM log_records ORDER BY line_start LIMIT 1"
    ).fetchone()
    assert row == (datetime(2026, 11, 20, 18, 22, 33, 123000, tzinfo=timezone.utc), None, True)
    act = con.execute("SELECT active, success, osstatus, error_name FROM session_events WHERE kind='activation'")
    assert act.fetchone() == (True, False, 561017449, "AVAudioSessionErrorCodeInsufficientPriority")


def test_syslog_style(con, ingest):
    ingest(LOGS / "device_syslog.log")
    assert [e[2] for e in _events(con)] == ["interruption_began", "interruption_ended"]
    assert con.execute("SELECT should_resume FROM session_events WHERE kind='interruption_ended'").fetchone() == (True,)


def test_idevicesyslog_year_and_subject(con, ingest):
    from analyzer.formats.logparse import ParseOptions

    ingest(LOGS / "idevicesyslog.txt", opts=ParseOptions(year=2025))
    assert con.execute("SELECT year_assumed, meta_lines FROM sources").fetchone() == (2025, 1)
    row = con.execute(
        "SELECT ts, process, subject_pid, subject_name, state FROM session_events WHERE kind = 'play_state'"
    ).fetchone()
    assert row == (
        datetime(2025, 11, 20, 10, 22, 33, tzinfo=timezone.utc),
        "mediaserverd",
        1440,
        "VoiceAgent",
        "Started",
    )


def test_xcode_console_stderr_rtclog_lines(con, ingest):
    ingest(LOGS / "xcode_console.txt")
    ev = con.execute(
        "SELECT line_start, kind, av_category, av_mode, options, option_names, ts FROM session_events "
        "WHERE producer = 'webrtc' ORDER BY line_start"
    ).fetchall()
    assert [(e[0], e[1]) for e in ev] == [
        (2, "category_set"),
        (3, "options_set"),
        (4, "mode_set"),
        (6, "route_change"),
    ]
    assert ev[0][2] == "playback" and ev[2][3] == "default" and ev[1][4] == 1 and ev[1][5] == ["mixWithOthers"]
    # stderr lines take the time of the console line before them
    assert ev[0][6] == datetime(2026, 11, 20, 18, 22, 33, 100000, tzinfo=timezone.utc)
    rc = con.execute(
        "SELECT route_reason, prev_outputs, inputs, outputs, line_end FROM session_events WHERE kind='route_change'"
    ).fetchone()
    assert rc == (
        "CategoryChange",
        ["BuiltInReceiver"],
        [],
        ["BluetoothA2DPOutput"],
        6,
    )  # ports merged from lines 7-19


def test_mandiant_jsonl(con, ingest):
    ingest(LOGS / "mandiant.jsonl")
    row = con.execute("SELECT process, pid, level, subsystem, category, sender FROM log_records").fetchone()
    assert row == ("VoiceAgent", 1440, "Error", "com.apple.coreaudio", "as_client", "AudioToolbox")
    ev = con.execute("SELECT kind, state, osstatus, fourcc FROM session_events").fetchone()
    assert ev == ("audio_unit", "init_failed", 561017449, "!pri")
