"""Two ingests on one database, and an ingest killed with SIGKILL: the store stays whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from analyzer.store.db import connect
from tests.conftest import LOGS

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); c.execute('CREATE TABLE IF NOT EXISTS x(a INT)'); "
    "print('held', flush=True); time.sleep(float(sys.argv[2]))"
)


def _ingest(db, *paths, env=None):
    return subprocess.run(
        [sys.executable, "-m", "analyzer", "ingest", *map(str, paths), "--db", str(db), "-q", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
    )


def test_second_ingest_waits_for_the_first(tmp_path):
    db = tmp_path / "shared.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "2"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    out = _ingest(db, LOGS / "device.ndjson")
    holder.wait()
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - started >= 1.0  # it waited for the other process
    con = connect(db)
    assert con.execute("SELECT count(*) FROM sources").fetchall()[0][0] == 1


def test_lock_wait_gives_up_with_a_clear_message(tmp_path):
    db = tmp_path / "shared.duckdb"
    # held until the ingest has given up (however long a loaded machine takes to start it), then let go
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "600"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    try:
        out = _ingest(db, LOGS / "device.ndjson", env={**os.environ, "ANALYZER_LOCK_WAIT_S": "0.5"})
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2
    assert "in use by another analyzer process" in out.stderr and "Traceback" not in out.stderr


def test_two_ingests_at_once_both_land(tmp_path):
    db = tmp_path / "shared.duckdb"
    cmd = [sys.executable, "-m", "analyzer", "ingest", "--db", str(db), "-q"]
    a = subprocess.Popen([*cmd, str(LOGS / "device.ndjson")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    b = subprocess.Popen([*cmd, str(LOGS / "device_default.log")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert a.wait() == 0 and b.wait() == 0
    con = connect(db)
    assert sorted(r[:2] for r in con.execute("SELECT format, layouts FROM sources").fetchall()) == [
        ("oslog_ndjson", None),
        ("text", "oslog_default 4"),
    ]


def test_killed_ingest_leaves_a_whole_store(tmp_path):
    """SIGKILL in the middle of a file: the file is either fully in or not in, and the next run completes it."""
    big = tmp_path / "big.ndjson"
    line = (LOGS / "device.ndjson").read_text().splitlines()[1] + "\n"
    big.write_text("".join(line.replace('"traceID":2', f'"traceID":{i}') for i in range(300_000)) + "broken\n")
    db = tmp_path / "k.duckdb"
    _ingest(db, LOGS / "device_syslog.log")  # something already in the store
    proc = subprocess.Popen(
        [sys.executable, "-m", "analyzer", "ingest", str(big), "--db", str(db), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    con = connect(db)
    rows = con.execute("SELECT path, records, stored + ignored + rejected FROM sources ORDER BY source_id").fetchall()
    assert rows[0][0].endswith("device_syslog.log")
    for _, records, parts in rows:
        assert records == parts  # no half-ingested file
    partial = con.execute("SELECT count(*) FROM log_records WHERE source_id NOT IN (SELECT source_id FROM sources)")
    assert partial.fetchall()[0][0] == 0
    con.close()
    out = _ingest(db, big)
    assert out.returncode == 0
    con = connect(db)
    assert con.execute("SELECT count(*) FROM sources").fetchall()[0][0] == 2
    assert con.execute("SELECT rejected FROM sources WHERE path LIKE '%big.ndjson'").fetchall()[0][0] == 1
