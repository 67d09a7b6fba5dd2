"""The command line as a user runs it: exit codes, help, output formats."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import LOGS


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, input=stdin)


@pytest.mark.parametrize("cmd", [[], ["ingest"], ["sql"]])
def test_help_has_an_example(cmd):
    out = run(*cmd, "--help")
    assert out.returncode == 0
    if cmd:
        assert "Example: analyzer" in out.stdout


def test_ingest_then_query(tmp_path):
    db = tmp_path / "t.duckdb"
    out = run("ingest", str(LOGS), "--db", str(db), "--format", "json")
    assert out.returncode == 0, out.stderr
    files = json.loads(out.stdout)["files"]
    assert len(files) == 8 and all(f["status"] == "ingested" for f in files)
    q = run(
        "sql",
        "SELECT count(*) AS n FROM session_events WHERE kind = 'route_change'",
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert json.loads(q.stdout) == [{"n": 2}]  # default-style and Xcode captures


def test_stdin_is_read():
    out = run("ingest", "-", "--db", ":memory:", "--format", "json", stdin=(LOGS / "device_syslog.log").read_text())
    assert out.returncode == 0
    (res,) = json.loads(out.stdout)["files"]
    assert (res["format"], res["layouts"]) == ("text", "oslog_syslog 2")


def test_bad_input_exits_2_without_traceback(tmp_path):
    out = run("ingest", str(tmp_path / "missing.ndjson"), "--db", ":memory:")
    assert out.returncode == 2
    assert "missing.ndjson: no such file or folder" in out.stdout + out.stderr
    assert "Traceback" not in out.stderr


def test_bad_sql_exits_2(tmp_path):
    db = tmp_path / "t.duckdb"
    run("ingest", str(LOGS / "device.ndjson"), "--db", str(db))
    out = run("sql", "SELECT nope FROM nowhere", "--db", str(db))
    assert out.returncode == 2 and "query failed" in out.stderr and "Traceback" not in out.stderr


def test_bad_offset_option():
    out = run("ingest", str(LOGS / "device.ndjson"), "--db", ":memory:", "--assume-offset", "PST")
    assert out.returncode == 2 and "--assume-offset" in out.stderr


def test_date_option_places_times_of_day():
    ticket = LOGS.parent / "tickets" / "app_log_interruption_not_restored.log"
    out = run("triage", str(ticket), "--format", "json", "--no-model", "--date", "2025-07-14")
    call = json.loads(out.stdout)["calls"][0]
    assert call["start_utc"].startswith("2025-07-14 11:") and call["time_basis"] == "no_date"
    bad = run("triage", str(ticket), "--date", "14/07")
    assert bad.returncode == 2 and "--date must be a day" in bad.stderr
