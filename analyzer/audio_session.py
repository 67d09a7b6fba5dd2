"""Normalise stage: stored log records -> typed session_events, driven by the pattern catalogue.

Each catalogue pattern becomes one SELECT with its regex as a literal; the SELECTs are UNIONed, the first
matching pattern (catalogue order) wins per record, and queries/normalise_events.sql types the fields.
"""

from __future__ import annotations

from functools import cache

import duckdb

from analyzer.patterns import FIELDS, Pattern, catalogue
from analyzer.resources import query_text


def _lit(value: object) -> str:
    if isinstance(value, bool):
        value = "1" if value else "0"
    return "'" + str(value).replace("'", "''") + "'"


def _select_for(order: int, p: Pattern) -> str:
    regex = _lit(p.regex)
    cols = []
    for name in FIELDS:
        if name in p.fields:
            group = p.fields.index(name) + 1
            cols.append(f"nullif(regexp_extract(message, {regex}, {group}), '') AS {name}")
        elif name in p.set:
            cols.append(f"{_lit(p.set[name])} AS {name}")
        else:
            cols.append(f"CAST(NULL AS VARCHAR) AS {name}")
    return (
        f"SELECT record_id, {order} AS prio, {_lit(p.id)} AS pattern_id, {_lit(p.producer)} AS producer, "
        f"{_lit(p.kind)} AS kind, " + ", ".join(cols) + f" FROM rec WHERE regexp_matches(message, {regex})"
    )


@cache
def normalise_sql() -> str:
    """The whole normalisation statement (cached: the catalogue does not change while running)."""
    matches = "\nUNION ALL\n".join(_select_for(i, p) for i, p in enumerate(catalogue().patterns))
    return query_text("normalise_events.sql").replace("{matches}", matches)


def normalise_source(con: duckdb.DuckDBPyConnection, source_id: int) -> int:
    """Derive session_events from one source's log_records; returns how many were added."""
    before = con.execute("SELECT count(*) FROM session_events WHERE source_id = ?", [source_id]).fetchall()[0][0]
    con.execute(normalise_sql(), {"source_id": source_id})
    con.execute(query_text("route_details.sql"), {"source_id": source_id})
    after = con.execute("SELECT count(*) FROM session_events WHERE source_id = ?", [source_id]).fetchall()[0][0]
    return after - before
