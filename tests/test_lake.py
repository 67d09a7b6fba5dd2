"""The Parquet lake: a store written to a lake and read back is the same store, row for row; ingests straight into
a lake (each on its own, as separate machines would) give the same evidence; re-ingest adds nothing."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from analyzer.lake.layout import lake_tables, present_sets
from analyzer.lake.read import import_lake
from analyzer.lake.write import write_sets
from analyzer.store.db import connect
from tests.helpers import fleet, run_cli, stored

IDS = ("source_id", "record_id", "event_id", "ingested_at")
DERIVED = ("calls", "call_streams", "pc_spans", "event_links", "devices")


@pytest.fixture(scope="module")
def small_fleet(tmp_path_factory) -> Path:
    return fleet(tmp_path_factory.mktemp("fleet"), calls=6, seed=7)


def _rows(con: duckdb.DuckDBPyConnection, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in drop]
    listed = ", ".join(f'"{c}"' for c in cols)
    return con.execute(f"SELECT {listed} FROM {table} ORDER BY ALL").fetchall()


def _imported(lake: Path) -> duckdb.DuckDBPyConnection:
    from analyzer.calls.sessionise import sessionise

    con = connect(":memory:")
    import_lake(con, lake)
    sessionise(con)
    return con


def test_store_to_lake_and_back_is_the_same_store(small_fleet, tmp_path):
    original = stored(small_fleet)
    lake = tmp_path / "lake"
    written, already = write_sets(original, lake)
    assert written and not already
    back = _imported(lake)
    tables = lake_tables(original)
    assert {"sources", "log_records", "session_events", "stats_inbound_rtp", "rtp_intervals"} <= set(tables)
    for table in (*tables, *DERIVED):
        expected = _rows(original, table)
        assert _rows(back, table) == expected, table
    assert back.execute("SELECT count(*) FROM calls").fetchall()[0][0] == 6


def test_partitions_are_table_day_bucket_named_by_content_hash(small_fleet, tmp_path):
    con = stored(small_fleet)
    write_sets(con, tmp_path / "lake")
    hashes = {h.split(":")[1] for (h,) in con.execute("SELECT content_hash FROM sources").fetchall()}
    files = list((tmp_path / "lake").rglob("*.parquet"))
    assert files and {f.stem for f in files} == hashes
    for f in files:
        table, day, bucket = (p.split("=") for p in f.relative_to(tmp_path / "lake").parts[:3])
        assert (table[0], day[0], bucket[0]) == ("table", "day", "bucket") and len(day[1]) == 10
    assert not list((tmp_path / "lake").rglob("*.tmp"))


def test_separate_ingests_into_one_lake_read_back_as_one_store(small_fleet, tmp_path):
    lake = tmp_path / "lake"
    files = sorted(p for p in small_fleet.rglob("*") if p.is_file() and p.name != "labels.csv")
    half = len(files) // 2
    for part in (files[:half], files[half:]):  # two writers, each counting its ids from 1
        out = run_cli("ingest", *map(str, part), "--lake", str(lake), "-q")
        assert out.returncode == 0, out.stderr
    direct = stored(*files)
    back = _imported(lake)
    for table in lake_tables(direct):
        assert _rows(back, table, IDS) == _rows(direct, table, IDS), table
    for table in ("calls", "devices"):
        assert _rows(back, table, ("sources",)) == _rows(direct, table, ("sources",)), table
    ids = back.execute("SELECT count(DISTINCT event_id) = count(*) FROM session_events").fetchall()[0][0]
    assert ids


def test_reingest_into_a_lake_adds_nothing(small_fleet, tmp_path):
    lake = tmp_path / "lake"
    one = next(p for p in sorted(small_fleet.rglob("*.ndjson")))
    assert run_cli("ingest", str(one), "--lake", str(lake), "-q").returncode == 0
    before = sorted(lake.rglob("*.parquet"))
    again = run_cli("ingest", str(one), "--lake", str(lake), "-q")
    assert again.returncode == 0 and "already in the lake" in again.stderr
    assert sorted(lake.rglob("*.parquet")) == before and len(present_sets(lake)) == 1


def test_import_refuses_a_store_that_holds_inputs(small_fleet, tmp_path):
    lake = tmp_path / "lake"
    write_sets(stored(small_fleet), lake)
    db = tmp_path / "x.duckdb"
    assert run_cli("lake", "import", "--lake", str(lake), "--db", str(db)).returncode == 0
    again = run_cli("lake", "import", "--lake", str(lake), "--db", str(db))
    assert again.returncode == 2 and again.stderr.startswith("error: lake import needs a new store")


def test_import_of_no_lake_is_one_line(tmp_path):
    out = run_cli("lake", "import", "--lake", str(tmp_path), "--db", str(tmp_path / "x.duckdb"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "no lake here" in out.stderr


# ---------------------------------------------------------------- the analysis on DuckDB and on Spark

RULE_FIXTURES = Path(__file__).parent / "rules"
FLEET_CALLS = 12  # the CI run; the 2,000 calls: python -m bench.bench_lake --equivalence 2000


def _spark_missing() -> str | None:
    """Why the Spark test cannot run here, or None."""
    import importlib.util
    import shutil

    if not os.environ.get("ANALYZER_SPARK_TESTS"):
        # issue #20: the engines agree (2026-11-26); this file takes 2.75 min with it on 2 idle cores (4.6-6.4 min
        # loaded), which with Java's and pyspark's installs would take the suite past its 15 minutes
        return "Spark equivalence is slow (~3 min on 2 idle cores, issue #20); ANALYZER_SPARK_TESTS=1 runs it"
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None:
        return "pyspark and sqlglot are not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (Spark needs Java 17)"
    return None


@pytest.fixture(scope="module")
def analysis_lake(tmp_path_factory) -> Path:
    """A lake of a small simulated fleet and every rule's positive fixture, so that each rule fires on it (with the
    negative fixtures too, interruption.ended_without_reactivation's positive call was lost to the others)."""
    base = tmp_path_factory.mktemp("analysis")
    files = fleet(base / "fleet", calls=FLEET_CALLS, seed=20)
    write_sets(stored(files, *sorted(RULE_FIXTURES.glob("*/positive"))), base / "lake")
    return base / "lake"


@pytest.mark.skipif(_spark_missing() is not None, reason=_spark_missing() or "")
def test_duckdb_and_spark_give_the_same_calls_findings_predictions_and_verdicts(analysis_lake, tmp_path):
    from analyzer.detect.rules import load_rules
    from analyzer.lake.compare import differences, output_rows
    from analyzer.lake.fleet import fleet_duckdb, fleet_spark

    rules = load_rules()
    fleet_duckdb(analysis_lake, tmp_path / "duckdb", rules, None, True)
    fleet_spark(analysis_lake, tmp_path / "spark", rules, None, True)
    for engine in ("duckdb", "spark"):
        fired = {r[0] for r in output_rows(tmp_path / engine, "findings", ("finding_id",))}
        assert fired == {r.id for r in rules}, engine
    assert len(output_rows(tmp_path / "duckdb", "predictions")) == len(output_rows(tmp_path / "duckdb", "calls"))
    assert differences(tmp_path / "duckdb", tmp_path / "spark") == []
