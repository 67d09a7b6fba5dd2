"""Open the DuckDB store and apply queries/schema.sql, the single definition of its tables."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analyzer.errors import InputError
from analyzer.resources import query_text

DEFAULT_DB = "analyzer.duckdb"


def connect(db: str | Path = DEFAULT_DB, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at `db` (':memory:' for one-shot use) with the schema applied."""
    target = str(db)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        raise InputError(f"{target}: cannot open the database: {exc}") from exc
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        con.execute(query_text("schema.sql"))
    _create_port_macro(con)
    con.execute(query_text("macros.sql"))
    return con


def _create_port_macro(con: duckdb.DuckDBPyConnection) -> None:
    """canonical_port(p) as a MAP literal built from ref_port_types (usable inside lambdas)."""
    rows = con.execute("SELECT raw, canonical FROM ref_port_types ORDER BY raw").fetchall()
    entries = ", ".join("'{}': '{}'".format(r.replace("'", "''"), c.replace("'", "''")) for r, c in rows)
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO canonical_port(p) AS coalesce(MAP {{{entries}}}[lower(trim(p))], trim(p))"
    )
