"""Normalise stage: stored log records -> typed session_events, driven by the pattern catalogue.

The catalogue becomes one SELECT with every regex as a literal: a CASE finds the first matching pattern
(catalogue order) for each record, further CASEs take that pattern's fields, and
queries/normalise/events.sql types them.
"""

from __future__ import annotations

from functools import cache

import duckdb

from analyzer.normalise.patterns import FIELDS, Pattern, catalogue
from analyzer.resources import query_text


def _lit(value: object) -> str:
    if isinstance(value, bool):
        value = "1" if value else "0"
    return "'" + str(value).replace("'", "''") + "'"


def _matches_sql(patterns: tuple[Pattern, ...]) -> str:
    """One SELECT: the first matching pattern's index (a CASE stops at the first match), then each field
    from that pattern's capture group or constant, all as text."""
    first = (
        "CASE "
        + " ".join(f"WHEN regexp_matches(message, {_lit(p.regex)}) THEN {i}" for i, p in enumerate(patterns))
        + " END"
    )

    def pick(values: dict[int, str]) -> str:
        if not values:
            return "CAST(NULL AS VARCHAR)"
        return "CASE prio " + " ".join(f"WHEN {i} THEN {v}" for i, v in values.items()) + " END"

    cols = [
        f"{pick({i: _lit(p.id) for i, p in enumerate(patterns)})} AS pattern_id",
        f"{pick({i: _lit(p.producer) for i, p in enumerate(patterns)})} AS producer",
        f"{pick({i: _lit(p.kind) for i, p in enumerate(patterns)})} AS kind",
    ]
    for name in FIELDS:
        values: dict[int, str] = {}
        for i, p in enumerate(patterns):
            if name in p.fields:
                values[i] = f"nullif(regexp_extract(message, {_lit(p.regex)}, {p.fields.index(name) + 1}), '')"
            elif name in p.set:
                values[i] = _lit(p.set[name])
        cols.append(f"{pick(values)} AS {name}")
    return (
        f"SELECT record_id, prio, {', '.join(cols)} FROM (SELECT record_id, message, {first} AS prio FROM rec) "
        "WHERE prio IS NOT NULL"
    )


@cache
def normalise_sql() -> str:
    """The whole normalisation statement (cached: the catalogue does not change while running)."""
    return query_text("normalise/events.sql").replace("{matches}", _matches_sql(catalogue().patterns))


def normalise_source(con: duckdb.DuckDBPyConnection, source_id: int) -> int:
    """Derive session_events from one source's log_records; returns how many were added."""
    before = con.execute("SELECT count(*) FROM session_events WHERE source_id = ?", [source_id]).fetchall()[0][0]
    con.execute(normalise_sql(), {"source_id": source_id})
    con.execute(query_text("normalise/route_details.sql"), {"source_id": source_id})
    after = con.execute("SELECT count(*) FROM session_events WHERE source_id = ?", [source_id]).fetchall()[0][0]
    return after - before
