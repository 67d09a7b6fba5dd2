"""Stats rows a format typed itself (stat_pretyped: the columns of stat_typed, time-checked), checked and stored
by the same statements as the staged objects (analyzer/normalise/stats.py), after them in the same part."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import duckdb

from analyzer.normalise.stats import _typed_statements, store_statements
from analyzer.resources import query_text
from analyzer.store.counts import EXCERPT, Counts
from analyzer.store.db import params_for


@cache
def _after_typing() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The statements store_stage runs once stat_typed is built, as (checks, stores): a store writes the source's
    rows ($source_id). The exact number checks are left out: a format puts no row here that they would have to
    look at (reject_reason 'check', odd); it sends those objects the JSON way."""
    statements = store_statements()
    typed, exact = _typed_statements()
    skip = {exact, query_text("stats/check_finite.sql")}
    after = [sql for sql in statements[statements.index(typed) + 1 :] if sql not in skip]
    stores = tuple(sql for sql in after if "source_id" in params_for(sql, {"source_id": 0}))
    return tuple(sql for sql in after if sql not in stores), stores


def check_typed(con: duckdb.DuckDBPyConnection, window: dict[str, datetime]) -> None:
    """stat_pretyped's rows checked as store_stage checks stat_typed's (each counter's growth since the object's
    previous sample, in this part or the one before): a rejected row gets its reject_reason."""
    con.execute("ALTER TABLE stat_pretyped RENAME TO stat_typed")
    try:
        for sql in _after_typing()[0]:
            con.execute(sql, params_for(sql, dict(window)))
    finally:
        con.execute("ALTER TABLE stat_typed RENAME TO stat_pretyped")


def store_typed(con: duckdb.DuckDBPyConnection, source_id: int, window: dict[str, datetime]) -> Counts:
    """stat_pretyped's rows (checked: check_typed) moved into rejects and the typed tables, as store_stage moves
    stat_typed's; no counts when there is no such table."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'stat_pretyped'"
    ).fetchall()[0][0]
    if not found:
        return Counts()
    con.execute("DROP TABLE IF EXISTS stat_typed; ALTER TABLE stat_pretyped RENAME TO stat_typed")
    for sql in _after_typing()[1]:
        con.execute(sql, params_for(sql, {"source_id": source_id, "excerpt": EXCERPT, **window}))
    total, rejected = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL) FROM stat_typed"
    ).fetchall()[0]
    con.execute("DROP TABLE stat_typed")
    return Counts(records=total, stored=total - rejected, rejected=rejected)
