"""Files read in parallel (--jobs, analyzer/store/ingest_pool.py) store the same rows as one file after another."""

from __future__ import annotations

import shutil
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from analyzer.formats.logparse import ParseOptions
from analyzer.read.sources import InputFile
from analyzer.store.db import connect
from analyzer.store.ingest import ingest_paths
from analyzer.store.ingest_pool import store_prepared
from tests.helpers import run_cli, table_rows

DATA = Path(__file__).parent / "data"
OPTS = ParseOptions()  # one plausible window for every run (a reject's reason names it)

# logs of several layouts, stats of every format, bad inputs (rejects, a skip), a sysdiagnose's device metadata
MIXED = [
    "logs/device.ndjson",
    "logs/device_compact.log",
    "logs/device_style.json",
    "logs/idevicesyslog.txt",
    "stats/device_getstats.ndjson",
    "stats/pion_gateway.ndjson",
    "stats/rtcstats_dump.jsonl",
    "stats/webrtc_internals.json",
    "bad/negative_counters.ndjson",
    "bad/log_year_9999.log",
    "bad/invalid_utf8.ndjson",
    "bad/junk.bin",
    "device/remotectl_dumpstate.txt",
]


def _folder(tmp_path: Path) -> Path:
    """A mixed folder with one file twice (the second is a duplicate)."""
    folder = tmp_path / "mixed"
    for name in MIXED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / name, folder / name)
    shutil.copy(DATA / "logs" / "device.ndjson", folder / "device_again.ndjson")
    return folder


def _store(folder: Path, jobs: int) -> tuple[dict[str, list[tuple]], list[tuple], list[str]]:
    """Every stored table's rows (sorted; ingested_at left out), the file results and the errors."""
    con = connect(":memory:")
    # a file named on the command line whose format is unknown is an error; the others are still stored
    summary = ingest_paths(con, [str(folder), str(folder / "bad" / "junk.bin")], opts=OPTS, jobs=jobs)
    rows = table_rows(con)
    con.close()
    results = [(f.label, f.format, f.status, f.source_id, f.message, f.records, f.rejected) for f in summary.files]
    return rows, results, summary.errors


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple]:
    folder = _folder(tmp_path_factory.mktemp("parallel"))
    return folder, _store(folder, jobs=1)


def test_two_jobs_store_the_same_rows(serial: tuple[Path, tuple]) -> None:
    folder, (rows, results, errors) = serial
    assert sum(len(r) for r in rows.values()) > 500  # the folder stored something of each kind
    assert rows["session_events"] and rows["stats_inbound_rtp"] and rows["rejects"] and rows["rtp_intervals"]
    assert any(status == "duplicate" for _, _, status, *_ in results)
    assert any(status == "skipped" for _, _, status, *_ in results)
    assert len(errors) == 1 and "junk.bin" in errors[0]
    p_rows, p_results, p_errors = _store(folder, jobs=2)
    assert p_results == results
    assert p_errors == errors
    for table, expected in rows.items():
        assert p_rows[table] == expected, table


def test_a_file_too_big_for_the_workers_is_stored_in_its_turn(
    serial: tuple[Path, tuple], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, (rows, results, errors) = serial
    big = (folder / "stats" / "webrtc_internals.json").stat().st_size
    monkeypatch.setattr("analyzer.store.ingest_pool.POOL_MAX_BYTES", big - 1)
    p_rows, p_results, p_errors = _store(folder, jobs=2)
    assert p_results == results
    assert p_errors == errors
    for table, expected in rows.items():
        assert p_rows[table] == expected, table


def test_a_file_no_worker_read_is_read_by_the_main_process() -> None:
    killed: Future = Future()
    killed.set_exception(BrokenProcessPool("a worker was killed"))
    con = connect(":memory:")
    item = InputFile(path=DATA / "logs" / "device.ndjson", display="device.ndjson")
    result = store_prepared(con, item, killed, OPTS)
    assert result.status == "ingested" and result.records > 0
    assert con.execute("SELECT count(*) FROM session_events").fetchall()[0][0] == result.events > 0


def test_jobs_below_one_is_refused() -> None:
    out = run_cli("ingest", str(DATA / "logs"), "--db", ":memory:", "--jobs", "0")
    assert out.returncode == 2
    assert "--jobs" in out.stderr
