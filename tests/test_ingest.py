"""Ingest as a whole: idempotent, atomic per file, clear about what it could not read."""

from __future__ import annotations

import pytest

import analyzer.store.ingest as ingest_mod
from tests.conftest import DATA, LOGS


def _counts(con):
    return con.execute(
        "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM log_records),"
        " (SELECT count(*) FROM session_events), (SELECT count(*) FROM rejects)"
    ).fetchall()[0]


def test_reingest_is_a_noop(con, ingest):
    ingest(LOGS)
    before = _counts(con)
    again = ingest(LOGS)
    assert {f.status for f in again.files} == {"duplicate"}
    assert _counts(con) == before


def test_same_bytes_under_another_name_is_a_duplicate(con, ingest, tmp_path):
    copy = tmp_path / "renamed.txt"
    copy.write_bytes((LOGS / "device.ndjson").read_bytes())
    ingest(LOGS / "device.ndjson")
    res = ingest(copy).files[0]
    assert res.status == "duplicate" and "already ingested as source 1" in res.message


def test_counts_add_up_for_every_source(con, ingest):
    ingest(LOGS)
    bad = con.execute(
        "SELECT path FROM sources s WHERE records <> stored + ignored + rejected"
        " OR stored <> (SELECT count(*) FROM log_records r WHERE r.source_id = s.source_id)"
        " OR rejected <> (SELECT count(*) FROM rejects j WHERE j.source_id = s.source_id)"
        " OR events <> (SELECT count(*) FROM session_events e WHERE e.source_id = s.source_id)"
    ).fetchall()
    assert bad == []


def test_failure_mid_file_leaves_nothing_of_it(con, ingest, monkeypatch):
    def boom(con, source_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest_mod, "normalise_source", boom)
    with pytest.raises(RuntimeError):
        ingest(LOGS / "device.ndjson")
    assert _counts(con) == (0, 0, 0, 0)
    monkeypatch.undo()
    assert ingest(LOGS / "device.ndjson").files[0].status == "ingested"


def test_unknown_explicit_file_is_an_error_naming_it(con, ingest, tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("Dear support,\nthe agent went quiet.\n")
    summary = ingest(p, LOGS / "device.ndjson")
    assert len(summary.errors) == 1
    assert summary.errors[0].startswith(f"{p}: read as text (2 lines, 2 records), but none of it is about audio")
    assert "log show --style ndjson" in summary.errors[0]
    assert [f.status for f in summary.files] == ["error", "ingested"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "it is empty"),
        (b"\x00\x01\x02\x03" * 500, "binary"),
        (b"\x00\x10\x00\x00" + b"\x00" * 100, ".tracev3"),
    ],
)
def test_unreadable_inputs_say_why(ingest, tmp_path, content, why):
    p = tmp_path / "input.bin"
    p.write_bytes(content)
    summary = ingest(p)
    assert why in summary.errors[0]


def test_unknown_file_inside_a_folder_is_skipped_with_reason(ingest, tmp_path):
    (tmp_path / "ps.txt").write_text("USER PID\nroot 1\n")
    (tmp_path / "device.ndjson").write_bytes((LOGS / "device.ndjson").read_bytes())
    summary = ingest(tmp_path)
    assert summary.errors == []
    assert sorted((f.label.rsplit("/", 1)[-1], f.status) for f in summary.files) == [
        ("device.ndjson", "ingested"),
        ("ps.txt", "skipped"),
    ]


def test_broken_json_array_keeps_good_records(con, ingest, tmp_path):
    text = (LOGS / "device_style.json").read_text()
    cut = text[: text.index('"messageType" : "Error"')]  # cut inside the third record
    p = tmp_path / "cut.json"
    p.write_text(cut)
    res = ingest(p).files[0]
    assert (res.records, res.stored, res.rejected) == (3, 1, 1)
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [
        (39, "last record has no closing brace: the export was cut")
    ]


def test_a_paste_that_starts_mid_record_keeps_the_fragment(con, ingest, tmp_path):
    """A capture cut inside a multi-line route description: the fragment is a record of its own (no envelope),
    the records after it are read in their own layout, and nothing is lost."""
    text = (LOGS / "device_default.log").read_text().splitlines()
    p = tmp_path / "orphan.log"
    p.write_text("\n".join(text[8:19] + text[2:6]) + "\n")
    res = ingest(p).files[0]
    assert res.rejected == 0 and res.records == res.stored + res.ignored + res.rejected
    rows = con.execute("SELECT line_start, line_end, envelope FROM log_records ORDER BY line_start").fetchall()
    fragment = [r for r in rows if r[2] == "none"]
    assert fragment and all(r[1] <= 11 for r in fragment)  # the cut description: records in no layout
    assert [(r[0], r[2]) for r in rows if r[2] != "none"] == [
        (12, "oslog_default"),
        (13, "oslog_default"),
        (15, "oslog_default"),
    ]
    assert res.lines == 15


def test_fast_and_line_by_line_paths_store_the_same(con, ingest, tmp_path, monkeypatch):
    """A clean ndjson export goes through DuckDB's reader; the line-by-line path must agree exactly."""
    clean = tmp_path / "clean.ndjson"
    lines = [ln for ln in (LOGS / "device.ndjson").read_text().splitlines() if ln.startswith("{")]
    clean.write_text("\n".join(lines) + "\n")
    cols = "line_start, line_end, ts, utc_offset_min, process, pid, thread, level, subsystem, category, sender, message"
    used = []
    real_fast_scan = ingest_mod.fast_scan
    monkeypatch.setattr(ingest_mod, "fast_scan", lambda *a: used.append(real_fast_scan(*a)) or used[-1])
    fast = ingest(clean).files[0]
    assert used == [7]  # the fast scan read every line: 5 audio, 1 noise, the `finished` trailer
    fast_rows = con.execute(f"SELECT {cols} FROM log_records ORDER BY 1").fetchall()
    fast_events = con.execute("SELECT line_start, kind, pattern_id FROM session_events ORDER BY 1").fetchall()
    con.execute("DELETE FROM session_events; DELETE FROM log_records; DELETE FROM sources; DELETE FROM rejects")
    monkeypatch.setattr(ingest_mod, "fast_scan", lambda *a: False)
    slow = ingest(clean).files[0]
    assert (fast.records, fast.stored, fast.ignored, fast.rejected, fast.lines) == (
        slow.records,
        slow.stored,
        slow.ignored,
        slow.rejected,
        slow.lines,
    )
    assert fast.stored == 5 and fast.records == 6
    assert con.execute(f"SELECT {cols} FROM log_records ORDER BY 1").fetchall() == fast_rows
    assert con.execute("SELECT line_start, kind, pattern_id FROM session_events ORDER BY 1").fetchall() == fast_events


@pytest.mark.parametrize(
    "damage",
    [
        b"\n",  # a blank line: DuckDB's reader skips it, which would shift every later line number
        b"   \n",  # a whitespace-only line
    ],
)
def test_fast_path_is_not_fooled_by_blank_lines(con, ingest, tmp_path, damage):
    lines = [ln for ln in (LOGS / "device.ndjson").read_bytes().splitlines(keepends=True) if ln.startswith(b"{")]
    p = tmp_path / "blanks.ndjson"
    p.write_bytes(lines[0] + damage + b"".join(lines[1:]))
    ingest(p)
    got = con.execute("SELECT line_start FROM session_events WHERE kind = 'config_set'").fetchall()
    assert got == [(4,)]  # the configure line is the 3rd record, on physical line 4


def test_full_disk_is_a_clear_error_and_keeps_nothing(con, ingest, monkeypatch):
    import duckdb

    def full(*a, **k):
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(ingest_mod, "normalise_source", full)
    summary = ingest(LOGS / "device.ndjson")
    assert summary.errors == [
        f"{LOGS / 'device.ndjson'}: not stored, the store could not be written: "
        "IO Error: Could not write file: No space left on device"
    ]
    assert _counts(con) == (0, 0, 0, 0)


def test_stats_stored_in_parts_are_removed_when_the_ingest_dies(con, ingest, monkeypatch, tmp_path):
    """A large stats file commits part by part (bounded memory). If the ingest dies after some parts, the store
    removes them: the file is in whole or not at all, and the next ingest stores it again."""
    import analyzer.store.db as store_mod
    from analyzer.store.db import remove_incomplete

    stats = LOGS.parent / "stats" / "device_getstats.ndjson"
    real_derive = ingest_mod.derive_intervals

    def die(*a):
        raise KeyboardInterrupt  # after every part was committed, before the file is marked complete

    monkeypatch.setattr(ingest_mod, "derive_intervals", die)
    monkeypatch.setattr(ingest_mod, "remove_incomplete", lambda con: 0)  # as if the process was killed
    with pytest.raises(KeyboardInterrupt):
        ingest(stats)
    assert con.execute("SELECT complete FROM sources").fetchall() == [(False,)]
    assert con.execute("SELECT count(*) FROM stats_inbound_rtp").fetchall()[0][0] > 0  # parts are in
    assert remove_incomplete(con) == 1  # what opening the store does first
    assert _counts(con) == (0, 0, 0, 0)
    assert con.execute("SELECT count(*) FROM stats_inbound_rtp").fetchall()[0][0] == 0
    monkeypatch.setattr(ingest_mod, "derive_intervals", real_derive)
    monkeypatch.setattr(ingest_mod, "remove_incomplete", store_mod.remove_incomplete)
    res = ingest(stats).files[0]
    assert res.status == "ingested" and con.execute("SELECT complete FROM sources").fetchall() == [(True,)]


def test_summary_counts_are_the_sources_rows(con, ingest):
    """One Counts definition: what the summary says of each file is what its sources row holds."""
    from dataclasses import fields

    from analyzer.store.counts import Counts

    names = [f.name for f in fields(Counts)]
    summary = ingest(LOGS, DATA / "stats" / "device_getstats.ndjson")
    assert {f.status for f in summary.files} == {"ingested"}
    for f in summary.files:
        row = con.execute(
            f"SELECT {', '.join(names)} FROM sources WHERE source_id = $id", {"id": f.source_id}
        ).fetchone()
        assert tuple(getattr(f, n) for n in names) == row, f.label
    assert any(f.year_assumed for f in summary.files) and any(f.meta_lines for f in summary.files)


def test_a_text_file_rolled_back_first_leaves_the_next_log_its_events(con, ingest, tmp_path):
    """The event patterns' macro is defined once per connection, outside a file's transaction: a text file read
    first and refused (its transaction rolled back) does not take it away from the next log."""
    (tmp_path / "a_notes.txt").write_text("a note about nothing in particular\n")
    (tmp_path / "b_device.ndjson").write_bytes((LOGS / "device.ndjson").read_bytes())
    summary = ingest(tmp_path)
    assert [f.status for f in summary.files] == ["skipped", "ingested"]
    assert summary.files[1].events > 0
