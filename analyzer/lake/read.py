"""Read a lake back into a DuckDB store: every set's rows, with its ids as queries/lake/id_map.sql gives them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analyzer.errors import InputError
from analyzer.lake.layout import SETS_TABLE, lake_tables, table_files
from analyzer.resources import query_text
from analyzer.store.db import sql_literal, transaction

SHIFTED = {"record_id": "record_shift", "event_id": "event_shift"}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_lake(con: duckdb.DuckDBPyConnection, lake: Path) -> list[str]:
    """Make a view lake_<table> over each lake table's files (an empty one, shaped as the store's table, when the
    lake has none), and lake_id_map; returns the tables."""
    if not lake.is_dir():
        raise InputError(f"--lake {lake}: no such folder")
    tables = lake_tables(con)
    if not table_files(lake, SETS_TABLE):
        raise InputError(f"--lake {lake}: no lake here (no {SETS_TABLE} files under table={SETS_TABLE}/)")
    for table in tables:
        files = [str(p) for p in table_files(lake, table)]
        view = _quoted(f"lake_{table}")
        if files:
            try:
                con.read_parquet(files, union_by_name=True).create_view(f"lake_{table}", replace=True)
            except duckdb.Error as exc:
                raise InputError(f"--lake {lake}: cannot read table {table}: {exc}") from None
        else:
            extra = ", CAST(NULL AS VARCHAR) AS lake_set" if table != SETS_TABLE else ""
            con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT *{extra} FROM {_quoted(table)} WHERE false")
    con.execute(f"CREATE OR REPLACE TEMP VIEW lake_id_map AS {query_text('lake/id_map.sql')}")
    return tables


def mapped_select(table: str, columns: list[str], lake_columns: set[str]) -> str:
    """DuckDB SQL: the rows of view lake_<table> as the store table's `columns`, ids mapped through lake_id_map
    (a column the lake lacks stays NULL). Both engines run it (Spark through analyzer/lake/dialect.py)."""
    out = []
    for c in columns:
        if c == "source_id":
            out.append("m.source_id")
        elif c in SHIFTED and c in lake_columns:
            out.append(f"t.{_quoted(c)} + m.{SHIFTED[c]} AS {_quoted(c)}")
        elif c in lake_columns:
            out.append(f"t.{_quoted(c)}")
        else:
            out.append(f"NULL AS {_quoted(c)}")
    return f"SELECT {', '.join(out)} FROM {_quoted('lake_' + table)} t JOIN lake_id_map m ON m.lake_set = t.lake_set"


def _select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    have = {r[0] for r in con.execute(f"DESCRIBE {_quoted('lake_' + table)}").fetchall()}
    cols = [r[0] for r in con.execute(f"DESCRIBE {_quoted(table)}").fetchall()]
    return mapped_select(table, cols, have)


def import_lake(con: duckdb.DuckDBPyConnection, lake: Path) -> int:
    """Copy every set of the lake into the store (which must hold no inputs yet); returns the sets read."""
    if con.execute("SELECT count(*) FROM sources").fetchall()[0][0]:
        raise InputError("lake import needs a new store: this one already holds inputs (--db NEW_FILE)")
    tables = open_lake(con, lake)
    with transaction(con):
        for table in tables:
            con.execute(f"INSERT INTO {_quoted(table)} {_select(con, table)}")
    _restart_sequences(con)
    return con.execute("SELECT count(*) FROM sources").fetchall()[0][0]


def _restart_sequences(con: duckdb.DuckDBPyConnection) -> None:
    """Let the store's next ingest continue after the ids the lake brought."""
    nexts = con.execute(
        "SELECT (SELECT coalesce(max(source_id), 0) + 1 FROM sources), "
        "(SELECT coalesce(max(record_id), 0) + 1 FROM log_records), "
        "(SELECT coalesce(max(event_id), 0) + 1 FROM session_events)"
    ).fetchall()[0]
    for seq, start in zip(("seq_source", "seq_record", "seq_event"), nexts, strict=True):
        con.execute(f"CREATE OR REPLACE SEQUENCE {seq} START {sql_literal(int(start))}")
