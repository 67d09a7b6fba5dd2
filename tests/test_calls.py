"""Sessionise: calls from explicit ids, peer connections and activation windows; clocks; overlaps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from analyzer.calls.sessionise import sessionise
from tests.conftest import DATA

CALLS = DATA / "calls"


def _calls(con):
    return {
        r[0]: r
        for r in con.execute(
            "SELECT call_id, evidence_kind, ended_cleanly, start_ts, end_ts, n_events, n_stats_streams, "
            "gateway_offset_s, alignment, app_pid FROM calls ORDER BY start_ts"
        ).fetchall()
    }


def test_back_to_back_calls_and_a_call_that_never_ended(con, ingest):
    ingest(CALLS / "device_two_calls.ndjson")
    sessionise(con)
    calls = _calls(con)
    assert sorted(calls) == ["C-1", "C-2", "C-3"]
    assert calls["C-1"][1:3] == ("explicit_id", True) and calls["C-2"][2] is True
    assert calls["C-1"][4] - calls["C-1"][3] == timedelta(seconds=60)
    # C-3: the app was killed; the call ends at its last event
    assert calls["C-3"][2] is False
    assert calls["C-3"][4] - calls["C-3"][3] == timedelta(seconds=30)
    per_call = dict(con.execute("SELECT call_id, count(*) FROM events GROUP BY ALL").fetchall())
    assert per_call["C-1"] == 8 and per_call["C-2"] == 8 and per_call["C-3"] == 7
    # the other app's activation between the calls belongs to no call, and is still there
    between = con.execute("SELECT call_id, subject_name FROM events WHERE subject_name = 'Music'").fetchall()
    assert between == [(None, "Music")]


def test_daylight_saving_change_inside_a_call(con, ingest):
    ingest(CALLS / "dst_default.log")
    sessionise(con)
    call = _calls(con)["C-DST"]
    # 01:59:50 PST to 03:00:05 PDT is 15 seconds, not an hour and 15 seconds
    assert call[4] - call[3] == timedelta(seconds=15)
    offsets = [r[0] for r in con.execute("SELECT utc_offset_min FROM log_records ORDER BY line_start").fetchall()]
    assert offsets == [-480, -480, -420, -420]


def test_gateway_clock_three_seconds_ahead(con, ingest):
    ingest(CALLS / "device_two_calls.ndjson", CALLS / "c1_device_stats.ndjson", CALLS / "c1_gateway_stats.ndjson")
    sessionise(con)
    call = _calls(con)["C-1"]
    assert call[8] == "aligned"
    assert call[7] == pytest.approx(3.0, abs=0.05)
    how = sorted(con.execute("SELECT origin, how FROM call_streams WHERE call_id = 'C-1'").fetchall())
    assert how == [("device", "call_id"), ("gateway", "time")]


def test_call_without_gateway_stats_says_so(con, ingest):
    ingest(CALLS / "device_two_calls.ndjson", CALLS / "c1_device_stats.ndjson")
    sessionise(con)
    assert _calls(con)["C-1"][8] == "no gateway stats" and _calls(con)["C-1"][7] is None


def test_overlapping_exports_make_no_duplicate_events(con, ingest):
    ingest(CALLS / "export_a.ndjson", CALLS / "export_b.ndjson")
    sessionise(con)
    total = con.execute("SELECT count(*) FROM session_events").fetchall()[0][0]
    unique = con.execute("SELECT count(*) FROM events WHERE dup_of IS NULL").fetchall()[0][0]
    assert (total, unique) == (19, 15)  # 4 lines were in both exports
    assert _calls(con)["C-1"][5] == 8  # counted once
    dup_sources = con.execute("SELECT DISTINCT source_id FROM events WHERE dup_of IS NOT NULL").fetchall()
    assert dup_sources == [(2,)]


def test_activation_window_when_only_apple_lines(con, ingest):
    ingest(CALLS / "apple_only.ndjson")
    sessionise(con)
    (call,) = _calls(con).values()
    assert call[1:3] == ("activation_window", True)
    assert call[4] - call[3] == timedelta(seconds=59)
    assert call[9] == 1440
    # the app's failed property change a second before it activated belongs to the call
    assert con.execute("SELECT count(*) FROM events WHERE call_id IS NULL").fetchall()[0][0] == 0


def test_peer_connection_lifetime_call(con, ingest):
    ingest(DATA / "stats" / "rtcstats_dump.jsonl")
    sessionise(con)
    (call,) = _calls(con).values()
    # a dump's connections without call ids are one session while they overlap
    assert call[0] == "session:1.0" and call[1] == "peer_connection" and call[6] == 1
    assert call[3] == datetime(2025, 11, 20, 18, 22, 32, tzinfo=timezone.utc)  # first ICE state change


def test_sessionise_is_repeatable(con, ingest):
    ingest(CALLS / "device_two_calls.ndjson", CALLS / "c1_device_stats.ndjson", CALLS / "c1_gateway_stats.ndjson")
    sessionise(con)
    first = con.execute("SELECT * FROM calls ORDER BY call_id").fetchall()
    sessionise(con)
    assert con.execute("SELECT * FROM calls ORDER BY call_id").fetchall() == first


def test_one_call_id_on_two_phones_is_two_calls(con, ingest):
    """Two phones logged the same call ids (a day apart): one call per phone, `<id>@<device>`, each with its own
    events; the stats (a third file) go with the phone whose events they overlap."""
    phone_a, phone_b = CALLS / "device_two_calls.ndjson", CALLS / "other_phone_same_ids.ndjson"
    ingest(phone_a, phone_b, CALLS / "c1_device_stats.ndjson", CALLS / "c1_gateway_stats.ndjson")
    sessionise(con)
    rows = con.execute("SELECT call_id, device_id, n_events, n_stats_streams, alignment FROM calls").fetchall()
    dev_a, dev_b = f"file:{phone_a}", f"file:{phone_b}"
    assert sorted(rows) == sorted(
        [
            (f"C-1@{dev_a}", dev_a, 8, 2, "aligned"),
            (f"C-2@{dev_a}", dev_a, 8, 0, "no gateway stats"),
            (f"C-3@{dev_a}", dev_a, 7, 0, "no gateway stats"),
            (f"C-1@{dev_b}", dev_b, 8, 0, "no gateway stats"),
            (f"C-2@{dev_b}", dev_b, 8, 0, "no gateway stats"),
            (f"C-3@{dev_b}", dev_b, 7, 0, "no gateway stats"),
        ]
    )
    # every event is in its own phone's call
    mixed = con.execute(
        "SELECT count(*) FROM events e JOIN calls c USING (call_id) WHERE e.device_id <> c.device_id"
    ).fetchall()[0][0]
    assert mixed == 0
    assert _calls(con)[f"C-1@{dev_a}"][4] - _calls(con)[f"C-1@{dev_a}"][3] == timedelta(seconds=60)


def test_exports_of_one_phone_that_overlap_stay_one_call(con, ingest):
    """Two exports of one phone, each with events of the call the other lacks, sharing the lines where they
    overlap: one device, so one call (not one per file)."""
    ingest(CALLS / "export_first_half.ndjson", CALLS / "export_second_half.ndjson")
    sessionise(con)
    calls = _calls(con)
    assert list(calls) == ["C-1"] and calls["C-1"][5] == 8


def test_two_sysdiagnoses_in_one_ticket_are_two_phones(tmp_path):
    """A ticket (triage takes its files as one phone) holding two phones' sysdiagnose folders: the folder names say
    the devices, so the same call ids are two calls, one a phone, not one call stretched over a day."""
    import zipfile

    from analyzer.detect.rules import load_rules
    from analyzer.pipeline import analyse
    from analyzer.store.db import connect

    ticket = tmp_path / "ticket.zip"
    with zipfile.ZipFile(ticket, "w") as z:
        for folder, log in (
            ("sysdiagnose_2026.11.20_10-00-00-0800_iPhone-OS_iPhone15,2_22B83", "device_two_calls.ndjson"),
            ("sysdiagnose_2026.11.21_10-00-00-0800_iPhone-OS_iPhone16,1_22C55", "other_phone_same_ids.ndjson"),
        ):
            z.write(CALLS / log, f"{folder}/logs/{log}")
    con = connect(":memory:")
    analyse(con, [str(ticket)], load_rules(), use_model=False, one_device="ticket")
    rows = con.execute("SELECT call_id, device_id FROM calls WHERE call_id LIKE 'C-1%' ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == ["C-1@iPhone15,2 22B83", "C-1@iPhone16,1 22C55"]
    assert len({r[1] for r in rows}) == 2
