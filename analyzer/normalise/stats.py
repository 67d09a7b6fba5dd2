"""Normalise stage for WebRTC stats: staged stats objects -> typed tables, and per-interval series.

Every stats format fills the working table `stat_stage` (one row per stats object per sample). This module
moves it into the typed tables of queries/schema.sql, using analyzer/normalise/stats_fields.toml to map W3C field
names to columns (generated SQL, one INSERT per stats type), rejects what cannot be typed or is not plausible
(an instant outside the window, a number outside its field's [limits] or growing faster than it can), and
derives the per-interval series (queries/stats/intervals.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import tomllib

from analyzer.resources import query_text
from analyzer.store.counts import EXCERPT, Counts
from analyzer.store.db import params_for, sql_literal

_FIELDS = Path(__file__).with_name("stats_fields.toml")


@dataclass(frozen=True)
class StatsTable:
    type: str
    name: str
    fields: tuple[tuple[str, str, str], ...]  # (json field, column, num|text)

    @property
    def columns(self) -> list[str]:
        """Typed columns, in first-mention order (several JSON names may feed one column)."""
        return list(dict.fromkeys(col for _, col, _ in self.fields))


@cache
def stats_tables() -> tuple[StatsTable, ...]:
    """The typed stats tables and their fields, from stats_fields.toml."""
    data = tomllib.loads(_FIELDS.read_text(encoding="utf-8"))
    return tuple(StatsTable(t["type"], t["name"], tuple(tuple(f) for f in t["fields"])) for t in data["table"])


def _path(field: str) -> str:
    return sql_literal(f'$."{field}"')


_MAX_COUNTER = 2.0**53 - 1  # the largest integer a JavaScript number (a getStats value) holds exactly


@dataclass(frozen=True)
class Limit:
    """What one numeric field can plausibly hold (stats_fields.toml [limits])."""

    field: str
    min: float | None
    max: float | None
    counter: bool
    per_second: float | None


@cache
def limits() -> dict[str, Limit]:
    """The plausible range of each numeric field, by W3C name, from stats_fields.toml."""
    data = tomllib.loads(_FIELDS.read_text(encoding="utf-8"))
    out = {}
    for name, lim in data.get("limits", {}).items():
        counter = bool(lim.get("counter", False))
        low = lim.get("min", 0 if counter else None)
        high = lim.get("max", _MAX_COUNTER if counter else None)
        rate = lim.get("per_second")
        out[name] = Limit(name, _float(low), _float(high), counter, _float(rate))
    return out


def _float(v: float | None) -> float | None:
    return None if v is None else float(v)


def _numeric_fields(table: StatsTable) -> list[str]:
    return [f for f, _, kind in table.fields if kind == "num"]


def _checked_fields() -> list[str]:
    """Every numeric field: typed as a number in some table, or given a limit."""
    typed = [f for t in stats_tables() for f in _numeric_fields(t)]
    return list(dict.fromkeys([*typed, *limits()]))


def _field_table(fields: list[str]) -> str:
    """The fields as SQL rows (i, name, lo, hi, counter, holds): their position in `nums`, their limits and how an
    out-of-range message states them."""
    rows = []
    for i, f in enumerate(fields, start=1):
        lim = limits().get(f) or Limit(f, None, None, False, None)
        holds = f" (it holds {lim.min:,.16g} .. {lim.max:,.16g})" if None not in (lim.min, lim.max) else ""
        bound = [("NULL" if b is None else sql_literal(float(b))) + "::DOUBLE" for b in (lim.min, lim.max)]
        flags = f"{sql_literal(lim.counter)}, {sql_literal(holds)}"
        rows.append(f"({i}, {sql_literal(f)}, {bound[0]}, {bound[1]}, {flags})")
    return f"(VALUES {', '.join(rows)}) f(i, name, lo, hi, counter, holds)"


def _field_checks(fields: list[str]) -> str:
    """SQL: each object's (rid) first bad field, in field order, and why. A field is bad when present but not a
    finite number (a number sent as a string, as legacy goog stats do, is read as its number), a counter below
    zero, or outside its limits. Only the fields an object has are looked at (one row per present field)."""
    return (
        "SELECT rid, arg_min(bad, i) AS bad FROM (SELECT rid, i, CASE "
        "WHEN t <> 'NULL' AND NOT coalesce(isfinite(CASE WHEN t IN ('UBIGINT', 'BIGINT', 'DOUBLE', 'VARCHAR') "
        "THEN d END), false) THEN 'field ' || name || ' is not a finite number: ' || left(v::VARCHAR, 40) "
        "WHEN counter AND d < 0 THEN 'field ' || name || ' is a negative counter: ' || v "
        "WHEN d < lo OR d > hi THEN 'field ' || name || ' is out of range: ' || d::VARCHAR || holds END AS bad "
        "FROM (SELECT *, json_type(v) AS t, TRY_CAST(v AS DOUBLE) AS d FROM (SELECT rid, unnest(nums) AS v, "
        f"unnest(range(1, len(nums) + 1)) AS i FROM (SELECT rowid AS rid, json_extract(obj, {_paths(fields)}) AS nums "
        f"FROM stat_stage WHERE reject_reason IS NULL)) WHERE v IS NOT NULL) JOIN {_field_table(fields)} USING (i)) "
        "WHERE bad IS NOT NULL GROUP BY rid"
    )


def _rate_checks(fields: list[str], windowed: str) -> str:
    """SQL over `windowed` (rid, seconds, nums and prev: the fields now and in the object's sample before,
    `seconds` earlier): each object's (rid) first field, in field order, that grew faster than it can, and why."""
    rows = ", ".join(
        f"({i}, {sql_literal(f)}, {sql_literal(float(limits()[f].per_second))}::DOUBLE, "
        f"{sql_literal(f' a second since the sample before (at most {limits()[f].per_second:,.0f})')})"
        for i, f in enumerate(fields, start=1)
    )
    return (
        "SELECT rid, arg_min(bad, i) AS bad FROM (SELECT rid, i, CASE WHEN grew > rate THEN 'field ' || name || "
        "' grows implausibly fast: ' || TRY_CAST(round(grew) AS BIGINT)::VARCHAR || tail END AS bad FROM ("
        "SELECT rid, i, (TRY_CAST(n AS DOUBLE) - TRY_CAST(p AS DOUBLE)) / greatest(seconds, 1) AS grew FROM ("
        "SELECT rid, seconds, unnest(nums) AS n, unnest(prev) AS p, unnest(range(1, len(nums) + 1)) AS i "
        f"FROM ({windowed}) WHERE rid IS NOT NULL AND prev IS NOT NULL)) "
        f"JOIN (VALUES {rows}) f(i, name, rate, tail) USING (i)) WHERE bad IS NOT NULL GROUP BY rid"
    )


def _rated_fields() -> list[str]:
    return [f for f, lim in limits().items() if lim.per_second is not None]


def _number_statements() -> list[str]:
    """Every staged object's numbers checked, whatever its type: the numeric fields against their limits, any
    other number for being finite, then the counters' growth from the object's previous sample (in this part of
    the file or, through `stat_last`, the part before)."""
    fields = _checked_fields()
    by_field = (
        f"UPDATE stat_stage SET reject_reason = b.bad FROM ({_field_checks(fields)}) b WHERE stat_stage.rowid = b.rid"
    )
    rated = _rated_fields()
    windowed = (
        "SELECT *, lag(nums) OVER w AS prev, epoch(ts) - epoch(lag(ts) OVER w) AS seconds FROM ("
        f"SELECT rowid AS rid, type, origin, call_id_hint, coalesce(pc_id, '') AS pc, stat_id, ts, line, "
        f"json_extract(obj, {_paths(rated)}) AS nums FROM stat_stage WHERE reject_reason IS NULL "
        "UNION ALL SELECT NULL, type, origin, call_id_hint, pc, stat_id, ts, line, nums FROM stat_last) "
        "WINDOW w AS (PARTITION BY type, origin, call_id_hint, pc, stat_id ORDER BY ts, line NULLS FIRST)"
    )
    growth = (
        f"UPDATE stat_stage SET reject_reason = b.bad FROM ({_rate_checks(rated, windowed)}) b "
        "WHERE stat_stage.rowid = b.rid"
    )
    carry = (
        "CREATE OR REPLACE TEMP TABLE stat_last AS SELECT * FROM (SELECT * FROM stat_last UNION ALL "
        "SELECT type, origin, call_id_hint, coalesce(pc_id, ''), stat_id, ts, line, "
        f"json_extract(obj, {_paths(rated)}) FROM stat_stage WHERE reject_reason IS NULL) "
        "QUALIFY row_number() OVER (PARTITION BY type, origin, call_id_hint, pc, stat_id "
        "ORDER BY ts DESC, line DESC NULLS LAST) = 1"
    )
    return [by_field, query_text("stats/check_finite.sql"), growth, carry]


def _paths(fields: list[str]) -> str:
    return "[" + ", ".join(_path(f) for f in fields) + "]"


def _insert_sql(table: StatsTable) -> str:
    """One INSERT for a stats type: every field is taken from one multi-path extraction (one JSON parse)."""
    names = list(dict.fromkeys(f for f, _, _ in table.fields))
    pos = {f: i for i, f in enumerate(names, start=1)}
    exprs = []
    for col in table.columns:
        parts = [
            f"TRY_CAST(v[{pos[f]}] AS DOUBLE)" if kind == "num" else f"json_extract_string(v[{pos[f]}], '$')"
            for f, c, kind in table.fields
            if c == col
        ]
        expr = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        exprs.append(f"CAST({expr} AS BIGINT)" if col == "ssrc" else expr)
    known = sorted({*names, "id", "type", "timestamp", "timestamp_us"})
    # RFC 7396 merge patch with nulls removes the typed keys: what is left is `extra`
    strip = "{" + ", ".join(f'"{k}": null' for k in known) + "}"
    return (
        f"INSERT INTO {table.name} (source_id, line, locator, origin, call_id_hint, pc_id, stat_id, ts, extra, "
        f"{', '.join(table.columns)}) SELECT $source_id, line, locator, origin, call_id_hint, pc_id, stat_id, ts, "
        f"nullif(json_merge_patch(obj, {sql_literal(strip)}), '{{}}'), {', '.join(exprs)} "
        f"FROM (SELECT *, json_extract(obj, {_paths(names)}) AS v FROM stat_stage "
        f"WHERE reject_reason IS NULL AND type = {sql_literal(table.type)})"
    )


@cache
def store_statements() -> tuple[str, ...]:
    """The statements that move stat_stage into rejects and the typed tables (generated once)."""
    typed = stats_tables()
    by_field, finite, growth, carry = _number_statements()
    rejects = (
        "INSERT INTO rejects SELECT $source_id, line, line, reject_reason || coalesce(' (' || locator || ')', ''), "
        "left(coalesce(excerpt, obj::VARCHAR), $excerpt) FROM stat_stage WHERE reject_reason IS NOT NULL"
    )
    other_types = ", ".join(sql_literal(t.type) for t in typed)
    other = (
        "INSERT INTO stats_other SELECT $source_id, line, locator, origin, call_id_hint, pc_id, stat_id, ts, type, "
        f"obj FROM stat_stage WHERE reject_reason IS NULL AND type NOT IN ({other_types})"
    )
    goog = query_text("stats/goog_to_w3c.sql")
    times = query_text("stats/check_time.sql")
    inserts = (_insert_sql(t) for t in typed)
    return (goog, times, by_field, finite, growth, carry, rejects, *inserts, other)


def store_stage(con: duckdb.DuckDBPyConnection, source_id: int, window: dict[str, datetime]) -> Counts:
    """Move everything staged for one source into rejects / typed tables, then empty the stage. `window`: the
    plausible instants ($earliest, $latest; ParseOptions.window)."""
    for sql in store_statements():
        con.execute(sql, params_for(sql, {"source_id": source_id, "excerpt": EXCERPT, **window}))
    total, rejected = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL) FROM stat_stage"
    ).fetchall()[0]
    con.execute("DELETE FROM stat_stage")
    return Counts(records=total, stored=total - rejected, rejected=rejected)


def derive_intervals(con: duckdb.DuckDBPyConnection, source_id: int) -> int:
    """Per-interval rates, loss, concealment and MOS for one source's RTP streams; returns rows added."""
    con.execute(query_text("stats/intervals.sql"), {"source_id": source_id})
    sql = "SELECT count(*) FROM rtp_intervals WHERE source_id = $source_id"
    return con.execute(sql, {"source_id": source_id}).fetchall()[0][0]
