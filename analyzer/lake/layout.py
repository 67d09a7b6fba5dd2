"""Where things are in a lake: DIR/table=<table>/day=<YYYY-MM-DD>/bucket=<nn>/<content hash>.parquet.

A set is every file one input file (one row of `sources`) left: one per table it has rows in, all in the partition
of the day the input begins and its device's bucket. The sources file is written last: a set without one is not
there yet (a writer still at work, or one that died) and readers leave it out."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import xxhash

BUCKETS = 16
SETS_TABLE = "sources"
# derived from the rest by sessionise (queries/calls/sessionise.sql): never stored in a lake
DERIVED = frozenset({"pc_spans", "call_streams"})
SET_COLUMNS = ("lake_set", "lake_record_min", "lake_record_max", "lake_event_min", "lake_event_max")
PARTITIONS = ("table", "day", "bucket")


def lake_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The store's tables a lake holds: every table with a source_id column but the derived ones, sources first."""
    rows = con.execute(
        "SELECT DISTINCT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "USING (database_name, schema_name, table_name) "
        "WHERE c.column_name = 'source_id' AND NOT t.temporary AND t.database_name = current_database() "
        "ORDER BY c.table_name"
    ).fetchall()
    names = [r[0] for r in rows if r[0] not in DERIVED]
    return sorted(names, key=lambda n: n != SETS_TABLE)


def set_name(content_hash: str) -> str:
    """The file name stem of an input's set: the hex digits of its content hash."""
    return re.sub(r"[^0-9a-f]", "", content_hash.rsplit(":", 1)[-1].lower())


def bucket(device: str) -> int:
    """The device bucket of a device name (stable across machines and runs)."""
    return xxhash.xxh3_64_intdigest(device.encode()) % BUCKETS


def set_file(lake: Path, table: str, day: str, device_bucket: int, name: str) -> Path:
    """The file of one table of one set."""
    return lake / f"table={table}" / f"day={day}" / f"bucket={device_bucket:02d}" / f"{name}.parquet"


def table_files(lake: Path, table: str) -> list[Path]:
    """Every complete file of `table` in the lake (a writer's temporary files are left out)."""
    return sorted((lake / f"table={table}").glob("day=*/bucket=*/*.parquet"))


def present_sets(lake: Path) -> set[str]:
    """The names of the sets the lake holds whole (those with their sources file)."""
    return {p.stem for p in table_files(lake, SETS_TABLE)}


def tables_in(lake: Path) -> list[str]:
    """The tables the lake has files for."""
    return sorted(p.name.split("=", 1)[1] for p in lake.glob("table=*") if p.is_dir())
