"""Write a store's inputs to a lake, one set of files per input, each file written whole and then renamed into
place (a reader never sees half a file; two writers of the same input write the same bytes)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from analyzer.errors import OutputError
from analyzer.lake.layout import SETS_TABLE, bucket, lake_tables, present_sets, set_file, set_name
from analyzer.resources import query_text


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy(con: duckdb.DuckDBPyConnection, select: str, params: dict[str, object], target: Path) -> None:
    """COPY one query to `target` through a temporary file beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con.execute(f"COPY ({select}) TO $path (FORMAT parquet, USE_TMP_FILE false)", {**params, "path": str(tmp)})
    os.replace(tmp, target)


def write_sets(con: duckdb.DuckDBPyConnection, lake: Path, only: set[int] | None = None) -> tuple[list[str], list[str]]:
    """Write every complete source of the store (or those in `only`) that the lake does not hold yet; returns the
    content hashes written and those already there."""
    try:
        lake.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--lake {lake}: cannot create the folder: {exc.strerror or exc}") from None
    there = present_sets(lake)
    tables = lake_tables(con)
    rows_per_table = {
        t: dict(con.execute(f"SELECT source_id, count(*) FROM {_quoted(t)} GROUP BY source_id").fetchall())
        for t in tables
        if t != SETS_TABLE
    }
    written: list[str] = []
    skipped: list[str] = []
    for source_id, content_hash, device, day, rmin, rmax, emin, emax in con.execute(
        query_text("lake/sets.sql")
    ).fetchall():
        if only is not None and source_id not in only:
            continue
        name = set_name(content_hash)
        if name in there:
            skipped.append(content_hash)
            continue
        where = (lake, day, bucket(device), name)
        params = {"source_id": source_id, "lake_set": name}
        try:
            for table in tables[1:]:
                if rows_per_table[table].get(source_id):
                    sql = f"SELECT *, $lake_set AS lake_set FROM {_quoted(table)} WHERE source_id = $source_id"
                    _copy(con, sql, params, set_file(where[0], table, *where[1:]))
            ranges = {"rmin": rmin, "rmax": rmax, "emin": emin, "emax": emax}
            sql = (
                "SELECT *, $lake_set AS lake_set, CAST($rmin AS BIGINT) AS lake_record_min, "
                "CAST($rmax AS BIGINT) AS lake_record_max, CAST($emin AS BIGINT) AS lake_event_min, "
                f"CAST($emax AS BIGINT) AS lake_event_max FROM {SETS_TABLE} WHERE source_id = $source_id"
            )
            _copy(con, sql, {**params, **ranges}, set_file(where[0], SETS_TABLE, *where[1:]))
        except (OSError, duckdb.IOException) as exc:
            raise OutputError(f"--lake {lake}: cannot write: {getattr(exc, 'strerror', None) or exc}") from None
        written.append(content_hash)
    return written, skipped
