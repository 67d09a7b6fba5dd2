"""The bad-input corpus (tests/data/bad/cases.toml): each input gets its expected outcome, a clear message
naming the file or the records stored and rejected with reasons, and the counts add up. Plus arbitrary bytes
for every parser (hypothesis): never anything but the tool's own input error."""

from __future__ import annotations

import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analyzer.read.lines as lines_mod
from analyzer.errors import InputError
from analyzer.formats import ALL_FORMATS
from analyzer.formats.logparse import ParseOptions
from analyzer.read.sources import InputFile
from analyzer.store.db import connect
from analyzer.store.ingest import ingest_file
from tests.conftest import DATA

BAD = DATA / "bad"
CASES = tomllib.loads((BAD / "cases.toml").read_text())["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_input(con, ingest, case):
    summary = ingest(BAD / case["file"])
    if "error" in case:
        assert len(summary.errors) == 1
        assert summary.errors[0].startswith(str(BAD / case["file"])) and case["error"] in summary.errors[0]
        return
    assert summary.errors == []
    (res,) = summary.files
    assert (res.stored, res.rejected) == (case["stored"], case["rejected"])
    assert res.records == res.stored + res.ignored + res.rejected
    if "reason" in case:
        reasons = [r[0] for r in con.execute("SELECT reason FROM rejects").fetchall()]
        assert any(case["reason"] in r for r in reasons), reasons


def test_fifty_megabyte_line(con, ingest, tmp_path):
    good = (DATA / "logs" / "device.ndjson").read_text().splitlines()[1]
    p = tmp_path / "huge_line.ndjson"
    with open(p, "w") as fh:
        fh.write(good + "\n")
        fh.write('{"eventMessage": "' + "x" * (50 * 1024 * 1024) + '"}\n')
        fh.write(good.replace('"traceID":2', '"traceID":3') + "\n")
    res = ingest(p).files[0]
    assert (res.stored, res.rejected, res.records) == (2, 1, 3)
    reason = con.execute("SELECT line, reason FROM rejects").fetchall()
    assert reason[0][0] == 2 and "exceeds the line limit" in reason[0][1]
    assert lines_mod.MAX_LINE_BYTES < 50 * 1024 * 1024


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), fmt_index=st.integers(0, len(ALL_FORMATS) - 1))
def test_any_bytes_any_parser(tmp_path_factory, data, fmt_index):
    """Forcing each parser onto arbitrary bytes: rows or rejects, and counts that add up; never a crash."""
    fmt = ALL_FORMATS[fmt_index]
    path = tmp_path_factory.mktemp("fuzz") / "input"
    path.write_bytes(data)
    con = connect(":memory:")
    import analyzer.store.ingest as ingest_mod

    original = ingest_mod.sniff
    ingest_mod.sniff = lambda item: fmt
    try:
        res = ingest_file(con, InputFile(path, str(path)), ParseOptions())
    except InputError as exc:  # the tool's own error (text with nothing audio-related), naming the file
        assert str(exc).startswith(str(path))
        return
    finally:
        ingest_mod.sniff = original
    assert res.records == res.stored + res.ignored + res.rejected
    rejects = con.execute("SELECT count(*) FROM rejects").fetchall()[0][0]
    assert rejects == res.rejected


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2000))
def test_any_bytes_through_the_front_door(tmp_path_factory, data):
    """Sniffing and ingesting arbitrary bytes ends in a summary (maybe an error naming the file), never a traceback."""
    from analyzer.store.ingest import ingest_paths

    path = tmp_path_factory.mktemp("front") / "ticket.bin"
    path.write_bytes(data)
    summary = ingest_paths(connect(":memory:"), [str(path)])
    assert all(e.startswith(str(path)) for e in summary.errors)


def test_time_window_is_configurable(con, ingest, monkeypatch):
    monkeypatch.setenv("ANALYZER_EARLIEST", "2026-11-20T18:23:00Z")
    res = ingest(DATA / "logs" / "device.ndjson").files[0]
    assert (res.stored, res.rejected) == (2, 4)
    reasons = [r[0] for r in con.execute("SELECT reason FROM rejects WHERE reason LIKE 'timestamp%'").fetchall()]
    assert len(reasons) == 3 and all("outside the plausible window 2026-11-20 18:23 .. " in r for r in reasons)


def test_bad_time_window_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ANALYZER_LATEST", "next tuesday")
    with pytest.raises(InputError, match="ANALYZER_LATEST must be a day like 2000-01-01"):
        ParseOptions()
    monkeypatch.setenv("ANALYZER_LATEST", "1999-01-01")
    with pytest.raises(InputError, match="the plausible time window is empty"):
        ParseOptions()
