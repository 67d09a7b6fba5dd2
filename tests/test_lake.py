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
FLEET_CALLS = 2_000  # issue #20: the equivalence on a fleet of at least 2,000 calls, every rule firing


def _spark_missing() -> str | None:
    """Why the Spark engine cannot run here, or None."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None:
        return "pyspark and sqlglot are not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (Spark needs Java 17: apt-get install default-jre-headless)"
    return None


NO_SPARK = _spark_missing()
needs_spark = pytest.mark.skipif(NO_SPARK is not None, reason=NO_SPARK or "")


@pytest.fixture(scope="module")
def engine_outputs(tmp_path_factory) -> tuple[list, Path, Path]:
    """Both engines' outputs over one lake of a simulated fleet of FLEET_CALLS calls and every rule's positive
    fixture (analyzer/lake/equivalence.py): (the rules, DuckDB's out, Spark's out). One Spark session, once."""
    from pyspark.sql import SparkSession

    from analyzer.detect.rules import load_rules
    from analyzer.lake.equivalence import equivalence_lake
    from analyzer.lake.fleet import fleet_duckdb, fleet_spark

    base = tmp_path_factory.mktemp("analysis")
    lake = equivalence_lake(base, FLEET_CALLS, sorted(RULE_FIXTURES.glob("*/positive")))
    rules = load_rules()
    fleet_duckdb(lake, base / "duckdb", rules, None, True)
    try:
        fleet_spark(lake, base / "spark", rules, None, True)
    finally:
        if (session := SparkSession.getActiveSession()) is not None:
            session.stop()  # its JVM's 2 GB back to the other tests of this worker
    return rules, base / "duckdb", base / "spark"


@needs_spark
def test_the_equivalence_fleet_is_its_calls_and_every_rule_fires_on_both_engines(engine_outputs):
    from analyzer.lake.compare import output_rows

    rules, duck, spark = engine_outputs
    calls = {r[0] for r in output_rows(duck, "calls")}
    assert sum(c.startswith("C-20-") for c in calls) == FLEET_CALLS
    for out in (duck, spark):
        fired = {r[0] for r in output_rows(out, "findings", ("finding_id",))}
        assert fired == {r.id for r in rules}, out.name
    assert {r[0] for r in output_rows(duck, "predictions")} == calls


@needs_spark
def test_duckdb_and_spark_give_the_same_calls_findings_predictions_and_verdicts(engine_outputs):
    from analyzer.lake.compare import differences

    _, duck, spark = engine_outputs
    assert differences(duck, spark) == []
