"""Normalise stage: stored log records -> typed session_events, driven by the pattern catalogue.

The catalogue becomes one table macro, event_matches(sources, first, last), with every regex as a literal: a CASE
finds the first matching pattern (catalogue order) for each record, further CASEs take that pattern's fields, and
queries/normalise/events.sql types them.
"""

from __future__ import annotations

import weakref
from functools import cache

import duckdb

from analyzer.normalise.patterns import FIELDS, Pattern, catalogue
from analyzer.resources import query_text
from analyzer.store.db import IN_SOURCES, sources_params, sql_literal


def _lit(value: object) -> str:
    """A catalogue value as a text literal (every field is typed later, from text; a flag is '1' or '0')."""
    if isinstance(value, bool):
        value = "1" if value else "0"
    return sql_literal(str(value))


def _matches_sql(patterns: tuple[Pattern, ...]) -> str:
    """A table macro over some sources' records (their ids, the least and the greatest): the first matching
    pattern's index (a CASE stops at the first match), then each field from that pattern's capture group or
    constant, all as text."""
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
        "CREATE OR REPLACE TEMP MACRO event_matches(sids, first_sid, last_sid) AS TABLE "
        f"SELECT record_id, prio, {', '.join(cols)} FROM (SELECT record_id, message, {first} AS prio "
        "FROM log_records WHERE source_id BETWEEN first_sid AND last_sid AND list_contains(sids, source_id)) "
        "WHERE prio IS NOT NULL"
    )


@cache
def matches_sql() -> str:
    """The statement that (re)defines the table macro event_matches(sources, first, last) from the catalogue: each of
    the sources' records that a pattern recognises, with that pattern's fields (cached: the catalogue does not
    change while running)."""
    return _matches_sql(catalogue().patterns)


# connections that hold the macro already (a temp macro lives as long as its connection): defining it took about
# 0.1 s, every log file
_DEFINED: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()


def define_matches(con: duckdb.DuckDBPyConnection) -> None:
    """Define the table macro event_matches on this connection unless it holds it already; call it outside a
    transaction (a rollback would undo the definition)."""
    if con not in _DEFINED:
        con.execute(matches_sql())
        _DEFINED.add(con)


def normalise_source(con: duckdb.DuckDBPyConnection, source_id: int | list[int]) -> int:
    """Derive session_events from one source's log_records, or several sources' at once (define_matches first);
    returns how many were added. Event ids follow the records' ids."""
    ids = sources_params(source_id)
    count = f"SELECT count(*) FROM session_events WHERE {IN_SOURCES}"
    before = con.execute(count, ids).fetchall()[0][0]
    con.execute(query_text("normalise/events.sql"), ids)
    con.execute(query_text("normalise/route_details.sql"), ids)
    after = con.execute(count, ids).fetchall()[0][0]
    return after - before
