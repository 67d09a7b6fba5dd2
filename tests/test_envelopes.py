"""Text logs read line by line: each line's envelope, records that span lines, times the line leaves out, and
pastes that mix layouts. The example lines are real (envelopes.toml names where each was seen)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from analyzer.formats.text import envelope_names, envelopes
from tests.conftest import DATA, LOGS

EXAMPLES = [(e.name, line) for e in envelopes().envelopes for line, _ in e.examples]


@pytest.mark.parametrize(("name", "line"), EXAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(EXAMPLES)])
def test_every_example_is_read_by_its_own_envelope(con, name, line):
    assert envelope_names(con, [line]) == [name]


def test_lines_in_no_envelope(con):
    assert envelope_names(con, ['Error Domain=NSOSStatusErrorDomain Code=2003329396 "(null)"', "inputs = ("]) == [
        "none",
        "none",
    ]


def _records(con):
    return con.execute(
        "SELECT line_start, line_end, envelope, ts_quality, process, left(message, 40) FROM log_records "
        "ORDER BY line_start"
    ).fetchall()


def test_a_paste_mixing_layouts_is_read_line_by_line(con, ingest):
    """Xcode lines, WebRTC's stderr with a multi-line route description, bare [avas] lines, an SDK's time-led lines
    and lines in no layout, in one file (real lines from public issue threads: tests/data/tickets/SOURCES.md)."""
    res = ingest(DATA / "tickets" / "mixed_paste.log").files[0]
    assert res.records == res.stored + res.ignored + res.rejected and res.rejected == 0
    rows = _records(con)
    layouts = [r[2] for r in rows]
    assert layouts == [
        "xcode_console",
        "rtc_stderr",
        "rtc_stderr",
        "none",
        "bare_tag",
        "time_led",
        "xcode_console",
    ]
    # the route description (15 lines, "Current route:" on its own line) is one record
    assert rows[2][:2] == (3, 16)
    # WebRTC's stderr lines take the time and process of the Xcode line before them
    assert rows[1][3:5] == ("inherited", "AudioDeviceExample")
    # a line that gives only a time of day takes the date of the dated line before it
    assert rows[5][3] == "no_offset" or rows[5][3] == "exact"
    route = con.execute(
        "SELECT route_reason, prev_outputs, outputs FROM session_events WHERE pattern_id = 'webrtc.route_changed'"
    ).fetchone()
    assert route == ("CategoryChange", ["BuiltInSpeaker"], ["BuiltInSpeaker"])


def test_times_the_lines_leave_out(con, ingest, tmp_path):
    p = tmp_path / "console.log"
    line = "default\t{}-0400\tmediaserverd\t4017: sid:0x1c3dc, Runner(386), 'prim', modes=Output(2), state={}\n"
    p.write_text(line.format("23:59:59.500000", "Started") + line.format("00:00:01.250000", "Stopped"))
    ingest(p)
    rows = con.execute("SELECT ts, ts_quality, utc_offset_min FROM log_records ORDER BY line_start").fetchall()
    # no date in a Console.app copy: the placeholder day, the offset kept, and midnight crossed forward
    assert rows[0] == (datetime(2000, 1, 2, 3, 59, 59, 500000, tzinfo=timezone.utc), "no_date", -240)
    assert rows[1][0] == datetime(2000, 1, 2, 4, 0, 1, 250000, tzinfo=timezone.utc)


def test_a_given_date_is_used_for_times_of_day(con, ingest, tmp_path):
    from analyzer.formats.logparse import ParseOptions

    p = tmp_path / "agora.log"
    # Agora pads the milliseconds with spaces: 45: 44 is 044 ms
    p.write_text(
        "ERROR   (17:33:45: 44 |    0)  55043; [adm][e] ActivateAudioSession: Failed to activate the audio session**\n"
    )
    ingest(p, opts=ParseOptions(date="2020-11-24"))
    assert con.execute("SELECT ts, ts_quality FROM log_records").fetchone() == (
        datetime(2020, 11, 24, 17, 33, 45, 44000, tzinfo=timezone.utc),
        "no_date",
    )


def test_lines_with_no_time_keep_their_order(con, ingest):
    ingest(DATA / "tickets" / "ksvc_avas_ini.log")
    rows = con.execute("SELECT line_start, ts, ts_quality FROM log_records ORDER BY line_start").fetchall()
    assert {r[2] for r in rows} == {"order_only"}
    assert [r[1] for r in rows] == sorted(r[1] for r in rows) and len({r[1] for r in rows}) == len(rows)


@pytest.mark.parametrize("style", ["indent2", "tabs_sorted", "one_a_line"])
def test_json_exports_are_recognised_by_structure_not_layout(con, ingest, tmp_path, style):
    """The same records pretty-printed by other tools read like `log show --style json` does."""
    recs = []
    for ln in (LOGS / "device.ndjson").read_text().splitlines():
        try:
            recs.append(json.loads(ln))
        except ValueError:
            continue  # the file's one broken line
    recs = [r for r in recs if "eventMessage" in r]
    p = tmp_path / f"{style}.json"
    if style == "indent2":
        p.write_text(json.dumps(recs, indent=2))
    elif style == "tabs_sorted":
        p.write_text(json.dumps(recs, indent="\t", sort_keys=True))
    else:
        p.write_text("[\n" + ",\n".join(json.dumps(r) for r in recs) + "\n]\n")
    res = ingest(p).files[0]
    assert (res.format, res.stored, res.rejected) == ("oslog_json", 5, 0)
    assert con.execute("SELECT count(*) FROM session_events").fetchone()[0] == 5


def test_text_with_nothing_about_audio_is_refused_naming_the_file(ingest, tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("2024-01-02 03:04:05.678 App[1:2] the user tapped a button\n")
    summary = ingest(p)
    assert summary.errors[0].startswith(f"{p}: read as text (1 lines, 1 records), but none of it is about audio")


def test_prose_in_a_ticket_folder_is_not_read_as_a_log(ingest, tmp_path):
    (tmp_path / "README.md").write_text("The agent went silent after the interruption; the route changed to AirPods.\n")
    (tmp_path / "device.log").write_text((DATA / "tickets" / "ksvc_avas_ini.log").read_text())
    summary = ingest(tmp_path)
    assert sorted((f.label.rsplit("/", 1)[-1], f.status) for f in summary.files) == [
        ("README.md", "skipped"),
        ("device.log", "ingested"),
    ]
