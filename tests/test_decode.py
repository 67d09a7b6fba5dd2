"""The SQL decoders for OSStatus codes, category options, names and route reasons."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "code", "fourcc", "name"),
    [
        ("561017449", 561017449, "!pri", "AVAudioSessionErrorCodeInsufficientPriority"),
        ("'!int'", 560557684, "!int", "AVAudioSessionErrorCodeCannotInterruptOthers"),
        ("!rec", 561145187, "!rec", "AVAudioSessionErrorCodeCannotStartRecording"),  # not CannotDoInCurrentContext
        ("0x21707269", 561017449, "!pri", "AVAudioSessionErrorCodeInsufficientPriority"),
        ("what", 2003329396, "what", "AVAudioSessionErrorCodeUnspecified"),
        ("-50", -50, None, "AVAudioSessionErrorCodeBadParam"),
        ("4294967246", -50, None, "AVAudioSessionErrorCodeBadParam"),  # unsigned print of -50
        ("-10863", -10863, None, "kAudioUnitErr_CannotDoInCurrentContext"),
        ("-10868", -10868, None, "kAudioUnitErr_FormatNotSupported"),
        ("-66681", -66681, None, "kAudioQueueErr_CannotStart"),
        ("2.003.332.927", 2003332927, "who?", "kAudioHardwareUnknownPropertyError"),  # locale thousands separators
        ("-66637", -66637, None, None),  # AUIOClient_StartIO's code: no public constant, so no name
        ("-12345", -12345, None, None),  # not in the table: a number, never a guessed name
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


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ('Error Domain=NSOSStatusErrorDomain Code=561017449 "(null)"', "561017449"),
        ("The operation couldn\u2019t be completed. (OSStatus error -50.)", "-50"),
        ("AudioSessionGetProperty ('cmix') failed with error: '!ini'", "!ini"),
        ('{"calling_line":3196,"error_code":-12983,"error_string":"Insufficient priority"}', "-12983"),
        ("AUIOClient_StartIO failed (-66637)", "-66637"),
        ("Engine@0x283c0f890: could not initialize, error = -10851", "-10851"),
        ("AudioOutputUnitStart failed: 560034163", "560034163"),
        ("HALC_ShellObject::HasProperty: call to the proxy failed, Error: 268.435.459 (^P)", "268.435.459"),
        ("AVAudioSession_iOS.mm:1238  nothing failed here", None),
    ],
)
def test_status_codes_found_in_lines(con, message, code):
    """However a logger prints the status of a failure, it is found (and a file's line number is not one)."""
    assert con.execute("SELECT osstatus_in(?)", [message]).fetchone()[0] == code
