"""The SQL decoders for OSStatus codes, category options, names and route reasons."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "code", "fourcc", "name"),
    [
        ("561017449", 561017449, "!pri", "insufficientPriority"),
        ("'!int'", 560557684, "!int", "cannotInterruptOthers"),
        ("!rec", 561145187, "!rec", "cannotStartRecording"),
        ("0x21707269", 561017449, "!pri", "insufficientPriority"),
        ("what", 2003329396, "what", "unspecified"),
        ("-50", -50, None, "badParam"),
        ("4294967246", -50, None, "badParam"),  # unsigned print of -50
        ("-66637", -66637, None, "kAUGraphErr_CannotDoInCurrentContext/IOStartFailed"),
    ],
)
def test_osstatus(con, text, code, fourcc, name):
    row = con.execute(
        "SELECT osstatus_value(trim(?, '''')) AS v, osstatus_fourcc(v), (SELECT name FROM ref_osstatus WHERE code = v)",
        [text],
    ).fetchone()
    assert row == (code, fourcc, name)


@pytest.mark.parametrize(
    ("text", "mask", "names"),
    [
        ("38", 38, ["duckOthers", "allowBluetoothHFP", "allowBluetoothA2DP"]),
        ("allowBluetooth,defaultToSpeaker", 12, ["allowBluetoothHFP", "defaultToSpeaker"]),
        ("17", 17, ["mixWithOthers", "interruptSpokenAudioAndMixWithOthers"]),
        ("0", 0, []),
        ("524292", 524292, ["allowBluetoothHFP", "bluetoothHighQualityRecording"]),
    ],
)
def test_category_options(con, text, mask, names):
    assert con.execute("SELECT options_value(?), category_option_names(options_value(?))", [text, text]).fetchone() == (
        mask,
        names,
    )


def test_names(con):
    row = con.execute(
        "SELECT canonical_category('AVAudioSessionCategoryPlayAndRecord'), canonical_category('playback'),"
        " canonical_mode('AVAudioSessionModeVoiceChat'), canonical_route_reason('ReasonUnknown'),"
        " canonical_route_reason('override'), canonical_route_reason('7'), canonical_port('MicrophoneBuiltIn'),"
        " canonical_port('Receiver'), canonical_port('Speaker'), canonical_port('SomethingNew')"
    ).fetchone()
    assert row == (
        "playAndRecord",
        "playback",
        "voiceChat",
        "Unknown",
        "Override",
        "NoSuitableRouteForCategory",
        "BuiltInMic",
        "BuiltInReceiver",
        "BuiltInSpeaker",
        "SomethingNew",
    )


def test_offsets(con):
    row = con.execute(
        "SELECT ts_offset_min('2026-03-08 01:59:59.000000-0800'), ts_offset_min('2026-03-08 03:00:00-07:00'),"
        " ts_offset_min('2022-01-16T03:05:26.434850816Z'), ts_offset_min('2026-01-01 07:17:32.677'),"
        " ts_offset_min('2026-01-01 07:17:32+0530')"
    ).fetchone()
    assert row == (-480, -420, 0, None, 330)
