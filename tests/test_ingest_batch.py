"""Small getStats files stored a batch at a time, and logs whose events are typed for several files at once
(analyzer/store/ingest_batch.py), give the store the rows, ids, rejects and counts the per-file path gives, with 1
and 2 jobs; a damaged file in a batch is stored alone; a failure while typing the events leaves none of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer.formats.logparse import ParseOptions
from analyzer.store import ingest_batch
from analyzer.store.db import connect
from analyzer.store.ingest import ingest_paths
from tests.helpers import table_rows

DATA = Path(__file__).parent / "data"
OPTS = ParseOptions()

# in input order: logs between the stats files (their ids come between the batch's), app uploads and gateway
# maps of every shape, files with rejects, files the batch cannot take whole (a cut line, a blank line, invalid
# UTF-8, an empty file), and a webrtc-internals dump (never batched)
MIXED = [
    "a/app_upload_drop.ndjson",
    "a/device.ndjson",
    "a/gateway_drop.ndjson",
    "b/app_upload_failed.ndjson",
    "b/cut_line.ndjson",
    "b/idevicesyslog.txt",
    "b/device_compact.log",
    "b/log_year_9999.log",
    "b/pion_gateway.ndjson",
    "c/device_getstats.ndjson",
    "c/fast_path_shapes.ndjson",
    "c/fast_path_typed.ndjson",
    "c/blank_line.ndjson",
    "c/webrtc_internals.json",
    "c/xcode_console.txt",
    "d/ios_rtcstatistics.ndjson",
    "d/tied_reports.ndjson",
    "d/negative_counters.ndjson",
    "d/non_finite.ndjson",
    "d/stats_out_of_range.ndjson",
    "d/stats_year_10000.ndjson",
    "d/duplicate_stat_ids.ndjson",
    "d/invalid_utf8.ndjson",
    "d/empty.ndjson",
]
_FROM = {
    "batch": ("cut_line.ndjson", "blank_line.ndjson"),
    "logs": ("device.ndjson", "idevicesyslog.txt", "device_compact.log", "xcode_console.txt"),
}


def _source(name: str) -> Path:
    for folder, names in _FROM.items():
        if name in names:
            return DATA / folder / name
    found = DATA / "stats" / name
    return found if found.exists() else DATA / "bad" / name


def _folder(tmp_path: Path) -> Path:
    """The mixed folder, with one batched file twice (the second is a duplicate of a file still waiting)."""
    folder = tmp_path / "fleet"
    for name in MIXED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(_source(Path(name).name), folder / name)
    shutil.copy(folder / "a" / "gateway_drop.ndjson", folder / "b" / "gateway_again.ndjson")
    # a text file about nothing the analyzer reads, between logs (skipped: its transaction rolled back)
    (folder / "b" / "notes.txt").write_text("Dear support,\nthe agent went quiet.\n")
    return folder


def _store(folder: Path, jobs: int) -> tuple[dict[str, list[tuple]], list[tuple], list[str]]:
    """Every stored table's rows (sorted; ingested_at left out), the file results and the errors."""
    con = connect(":memory:")
    summary = ingest_paths(con, [str(folder)], opts=OPTS, jobs=jobs)
    rows = table_rows(con)
    con.close()
    results = [
        (f.label, f.format, f.status, f.source_id, f.message, f.lines, f.records, f.stored, f.rejected)
        for f in summary.files
    ]
    return rows, results, summary.errors


@pytest.fixture(scope="module")
def per_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple]:
    folder = _folder(tmp_path_factory.mktemp("batch"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest_batch, "BATCH_MAX_BYTES", 0)  # no batches: every file by the per-file path
        return folder, _store(folder, jobs=1)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The source ids of each batch stored together (a spy on the batch's store step)."""
    seen: list[list[int]] = []
    real = ingest_batch._store_staged

    def spy(con, taken, opts):
        seen.append([p.source_id for p in taken])
        return real(con, taken, opts)

    monkeypatch.setattr(ingest_batch, "_store_staged", spy)
    return seen


@pytest.fixture
def typed_together(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The source ids of each group of logs whose events were typed together."""
    seen: list[list[int]] = []
    real = ingest_batch._type_events

    def spy(con, results):
        seen.append([r.source_id for r in results])
        return real(con, results)

    monkeypatch.setattr(ingest_batch, "_type_events", spy)
    return seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_batches_store_what_the_per_file_path_stores(
    per_file: tuple[Path, tuple], batches: list[list[int]], typed_together: list[list[int]], jobs: int
) -> None:
    folder, (rows, results, errors) = per_file
    assert rows["stats_inbound_rtp"] and rows["rejects"] and rows["rtp_intervals"] and rows["session_events"]
    assert any(status == "duplicate" for _, _, status, *_ in results)
    assert any(status == "skipped" for _, _, status, *_ in results)
    b_rows, b_results, b_errors = _store(folder, jobs=jobs)
    assert len(batches) == 1 and len(batches[0]) >= 9  # the small getStats files went in one batch
    assert max(len(group) for group in typed_together) >= 4  # the logs' events, typed by the main process
    assert b_results == results
    assert b_errors == errors
    for table, expected in rows.items():
        assert b_rows[table] == expected, table


@pytest.mark.parametrize(
    ("batch_bytes", "sizes"),
    [
        # negative_counters and non_finite (613 + 610 bytes) are stored together while files follow them
        (1_200, [2]),
        # the first batch to fill holds cut_line.ndjson, pion_gateway.ndjson and device_getstats.ndjson, two of them
        # with a cut line: one file read whole is no batch, each is stored alone (a batch of one file once failed);
        # then six files are stored as one batch
        (14_000, [6]),
    ],
)
def test_a_batch_stored_before_the_last_file_stores_the_same_rows(
    per_file: tuple[Path, tuple],
    batches: list[list[int]],
    monkeypatch: pytest.MonkeyPatch,
    batch_bytes: int,
    sizes: list[int],
) -> None:
    folder, (rows, results, errors) = per_file
    # files up to `batch_bytes` batched, a batch full at `batch_bytes`
    monkeypatch.setattr(ingest_batch, "BATCH_MAX_BYTES", batch_bytes)
    monkeypatch.setattr(ingest_batch, "_FILE_SHARE", 1)
    b_rows, b_results, b_errors = _store(folder, jobs=1)
    assert [len(b) for b in batches] == sizes
    assert (b_rows, b_results, b_errors) == (rows, results, errors)


def test_a_damaged_file_is_stored_alone_with_its_rejects(
    per_file: tuple[Path, tuple], batches: list[list[int]]
) -> None:
    folder, _ = per_file
    con = connect(":memory:")
    summary = ingest_paths(con, [str(folder)], opts=OPTS)
    cut = next(f for f in summary.files if f.label.endswith("cut_line.ndjson"))
    # line 4 cut here; line 6 is device_getstats.ndjson's own cut line
    assert cut.status == "ingested" and cut.lines == 6 and cut.rejected == 2
    assert cut.source_id not in batches[0]
    reject = con.execute(
        "SELECT r.line, r.reason FROM rejects r JOIN sources s USING (source_id) WHERE s.path LIKE '%cut_line%'"
    ).fetchall()
    assert sorted(reject) == [(4, "not valid JSON (line 4)"), (6, "not valid JSON (line 6)")]
    stored = con.execute(
        "SELECT count(DISTINCT line) FROM stats_inbound_rtp WHERE source_id = $s", {"s": cut.source_id}
    ).fetchall()[0][0]
    assert stored == 4  # the other lines of the damaged file, and every other file of the batch, are stored
    assert all(f.status in ("ingested", "duplicate", "skipped") for f in summary.files)
    assert con.execute("SELECT count(*) FROM sources WHERE NOT complete").fetchall()[0][0] == 0


def _logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    for name in ("device.ndjson", "device_compact.log", "xcode_console.txt"):
        shutil.copy(DATA / "logs" / name, folder / name)
    return folder


def _stored(con) -> tuple[int, ...]:
    tables = ("sources", "log_records", "session_events", "rejects")
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables)


def test_a_failure_typing_the_events_leaves_none_of_the_waiting_logs(
    tmp_path: Path, typed_together: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(con, source_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("analyzer.store.ingest.normalise_source", boom)
    con = connect(":memory:")
    with pytest.raises(RuntimeError):
        ingest_paths(con, [str(_logs(tmp_path))], opts=OPTS)
    assert len(typed_together) == 1 and len(typed_together[0]) == 3
    assert _stored(con) == (0, 0, 0, 0)


def test_a_full_disk_while_typing_the_events_is_each_files_error(
    tmp_path: Path, typed_together: list[list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    def full(con, source_id):
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr("analyzer.store.ingest.normalise_source", full)
    con = connect(":memory:")
    folder = _logs(tmp_path)
    summary = ingest_paths(con, [str(folder)], opts=OPTS)
    assert summary.errors == [
        f"{folder / name}: not stored, the store could not be written: "
        "IO Error: Could not write file: No space left on device"
        for name in ("device.ndjson", "device_compact.log", "xcode_console.txt")
    ]
    assert [f.status for f in summary.files] == ["error"] * 3
    assert _stored(con) == (0, 0, 0, 0)
    monkeypatch.undo()
    assert [f.status for f in ingest_paths(con, [str(folder)], opts=OPTS).files] == ["ingested"] * 3
