"""Stats rows a format typed itself (stat_pretyped: the columns of stat_typed, time-checked), checked and stored
by the same statements as the staged objects (analyzer/normalise/stats.py), after them in the same part."""

from __future__ import annotations

from datetime import datetime

import duckdb

from analyzer.normalise.stats import _typed_statements, store_statements
from analyzer.resources import query_text
from analyzer.store.counts import EXCERPT, Counts
from analyzer.store.db import params_for


def store_typed(con: duckdb.DuckDBPyConnection, source_id: int, window: dict[str, datetime]) -> Counts:
    """stat_pretyped's rows checked (growth since the object's previous sample) and moved into rejects and the typed
    tables, like store_stage's once it has typed them; no counts when there is no such table. The format puts no
    row there that the exact number checks would have to look at (it sends those objects the JSON way)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'stat_pretyped'"
    ).fetchall()[0][0]
    if not found:
        return Counts()
    statements = store_statements()
    typed, exact = _typed_statements()
    # no row is left for the exact checks (reject_reason 'check') or the walk for non-finite numbers (odd): skipped
    skip = {exact, query_text("stats/check_finite.sql")}
    after_typing = [sql for sql in statements[statements.index(typed) + 1 :] if sql not in skip]
    con.execute("DROP TABLE IF EXISTS stat_typed; ALTER TABLE stat_pretyped RENAME TO stat_typed")
    for sql in after_typing:
        con.execute(sql, params_for(sql, {"source_id": source_id, "excerpt": EXCERPT, **window}))
    total, rejected = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL) FROM stat_typed"
    ).fetchall()[0]
    con.execute("DROP TABLE stat_typed")
    return Counts(records=total, stored=total - rejected, rejected=rejected)
