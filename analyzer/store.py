"""Open the DuckDB store and apply queries/schema.sql, the single definition of its tables."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from analyzer.errors import InputError
from analyzer.resources import query_text

DEFAULT_DB = "analyzer.duckdb"


def params_for(sql: str, values: dict[str, object]) -> dict[str, object]:
    """The subset of `values` that `sql` names as $parameters (DuckDB refuses unused ones)."""
    names = set(re.findall(r"\$([a-z_]+)", sql))
    return {k: v for k, v in values.items() if k in names}


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
    _create_ref_macros(con)
    con.execute(query_text("macros.sql"))
    con.execute(query_text("views.sql"))
    return con


# Reference tables exposed as MAP literals, so that the macros in queries/macros.sql can look values up
# without a subquery (DuckDB allows none inside lambdas, and a MAP lookup is much cheaper per row).
_REF_MAPS = {
    "ref_port_map": "SELECT raw, canonical FROM ref_port_types",
    "ref_option_bits": "SELECT lower(name), bit FROM ref_category_options",
    "ref_option_names": "SELECT bit, name FROM ref_category_options ORDER BY bit",
    "ref_osstatus_names": "SELECT code, name FROM ref_osstatus",
    "ref_route_reasons": "SELECT lower(name), name FROM ref_route_change_reason"
    " UNION ALL SELECT CAST(code AS VARCHAR), name FROM ref_route_change_reason",
}


def _sql_literal(v: object) -> str:
    return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"


def _create_ref_macros(con: duckdb.DuckDBPyConnection) -> None:
    """One macro per entry of _REF_MAPS, returning that reference table as a MAP literal."""
    for name, query in _REF_MAPS.items():
        rows = con.execute(query).fetchall()  # MAP literals keep this order
        entries = ", ".join(f"{_sql_literal(k)}: {_sql_literal(v)}" for k, v in rows)
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}() AS MAP {{{entries}}}")
