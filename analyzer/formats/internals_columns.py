"""The columnar path of a webrtc-internals part: each series' values typed once in DuckDB (a DOUBLE[] or VARCHAR[]
per property) and set side by side into the typed stats rows (stat_pretyped, stored by
analyzer/normalise/typed_rows.py), with no JSON text per sample unless the sample needs one (kept whole, an
`extra` property, rejected). The objects whose values the exact checks must see go the JSON way."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import duckdb

from analyzer.normalise.stats import _all_fields, _checked_fields, limits, stats_tables
from analyzer.normalise.typed_rows import check_typed
from analyzer.resources import query_text
from analyzer.store.db import sql_literal


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """wi_limits (the range each numeric field may hold) and wi_known (each typed table's fields), once a file."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wi_limits AS "
        "SELECT unnest($field) AS field, unnest($lo)::DOUBLE AS lo, unnest($hi)::DOUBLE AS hi",
        {
            "field": list(limits()),
            "lo": [lim.min for lim in limits().values()],
            "hi": [lim.max for lim in limits().values()],
        },
    )
    known = [(t.type, f) for t in stats_tables() for f in _known(t)]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wi_known AS SELECT unnest($type) AS type, unnest($field) AS field",
        {"type": [t for t, _ in known], "field": [f for _, f in known]},
    )


def _known(table) -> list[str]:
    """The keys analyzer/normalise/stats.py does not keep in `extra` for this table."""
    return sorted({*(f for f, _, _ in table.fields), "id", "type", "timestamp", "timestamp_us"})


def stage_part(con: duckdb.DuckDBPyConnection, part: int, window: dict[str, datetime]) -> None:
    """Part `part` of the held series parsed (wi_part) and routed (wi_route): the JSON-path objects staged into
    stat_stage, the columnar ones typed into stat_pretyped."""
    numeric = _checked_fields()
    text = [f for f in _all_fields() if f not in set(numeric)]
    con.execute(query_text("stats/internals_part.sql"), {"part": part, "numeric": numeric, "text": text})
    con.execute(query_text("stats/internals_route.sql"))
    if con.execute("SELECT count(*) FROM wi_route WHERE NOT columnar").fetchall()[0][0]:
        con.execute(query_text("stats/webrtc_internals_stage.sql"))
    present = con.execute(
        "SELECT DISTINCT prop FROM wi_part JOIN wi_route USING (pc_id, stat_id) "
        "WHERE columnar AND kind IN ('num', 'text') ORDER BY prop"
    ).fetchall()
    con.execute(_typed_sql(tuple(p for (p,) in present)), window)
    if con.execute("SELECT count(*) FROM stat_pretyped").fetchall()[0][0]:
        check_typed(con, window)
        con.execute(query_text("stats/internals_objects.sql"))


@cache
def _typed_sql(present: tuple[str, ...]) -> str:
    """internals_typed.sql with its markers filled for the properties a part has."""
    numeric = set(_checked_fields())
    col = {f: f"l{i}" for i, f in enumerate(present)}
    lists = [
        f"list_reverse(any_value({'dbl' if f in numeric else 'txt'}) FILTER (WHERE prop = {sql_literal(f)})) AS {c}"
        for f, c in col.items()
    ]
    unnest = [f"unnest({c}) AS {c}" for c in col.values()]
    fields = [
        f"{sql_literal(f)}: " + col.get(f, f"CAST(NULL AS {'DOUBLE' if f in numeric else 'VARCHAR'})")
        for f in _all_fields()
    ]
    text = query_text("stats/internals_typed.sql")
    head, body = text.split("CREATE OR REPLACE", 1)  # the markers are named in the comment above too
    body = body.replace("@lists", ", ".join(lists) or "NULL AS l_none").replace("@unnest", ", ".join(unnest) or "NULL")
    return head + "CREATE OR REPLACE" + body.replace("@n", "{" + ", ".join(fields) + "}")
