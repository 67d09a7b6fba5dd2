"""Normalise stage for WebRTC stats: staged stats objects -> typed tables, and per-interval series.

Every stats format fills the working table `stat_stage` (one row per stats object per sample). This module
moves it into the typed tables of queries/schema.sql, using analyzer/normalise/stats_fields.toml to map W3C field
names to columns (generated SQL, one INSERT per stats type), rejects what cannot be typed or is not plausible
(an instant outside the window, a number outside its field's [limits] or growing faster than it can), and
derives the per-interval series (queries/stats/intervals_streams.sql, intervals_stage.sql, then intervals.sql a
bucket of streams at a time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import tomllib

from analyzer.resources import query_statements, query_text
from analyzer.store.counts import EXCERPT, Counts
from analyzer.store.db import IN_SOURCES, params_for, sources_params, sql_literal

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


def _all_fields() -> list[str]:
    """Every field any statement reads: the typed tables' fields, then the other fields given a limit."""
    typed = [f for t in stats_tables() for f, _, _ in t.fields]
    return list(dict.fromkeys([*typed, *limits()]))


def _pos(field: str) -> int:
    return _all_fields().index(field) + 1


def _n(field: str) -> str:
    """SQL: the field's typed value in stat_typed.n (a DOUBLE for a numeric field, else its text)."""
    return 'n."' + field + '"'


def _typed_spec() -> str:
    """json_transform's structure for stat_typed.n: every numeric field a DOUBLE, every other field its text."""
    numeric = set(_checked_fields())
    return sql_literal(
        "{" + ", ".join(f'"{f}": "{"DOUBLE" if f in numeric else "VARCHAR"}"' for f in _all_fields()) + "}"
    )


def _field_ok(field: str) -> str:
    """SQL over n: the field is absent, or a finite number within its limits."""
    lim = limits().get(field) or Limit(field, None, None, False, None)
    n = _n(field)
    bounds = [f"{n} >= {sql_literal(lim.min)}" if lim.min is not None else None]
    bounds.append(f"{n} <= {sql_literal(lim.max)}" if lim.max is not None else None)
    bounds.append(f"{n} >= 0" if lim.counter and lim.min is None else None)
    return f"({n} IS NULL OR (isfinite({n})" + "".join(f" AND {b}" for b in bounds if b) + "))"


def _field_check(field: str) -> str:
    """SQL over v (the extracted values, JSON) and d (the same as doubles): the field's complaint, if any. A field
    is bad when present but not a finite number (a number sent as a string, as legacy goog stats do, is read as its
    number; a boolean, object or array is not a number), a counter below zero, or outside its limits."""
    lim = limits().get(field) or Limit(field, None, None, False, None)
    i, name = _checked_fields().index(field) + 1, sql_literal(field)
    v, d = f"v[{i}]", f"d[{i}]"
    holds = f" (it holds {lim.min:,.16g} .. {lim.max:,.16g})" if None not in (lim.min, lim.max) else ""
    # the first character of an extracted (minified) value says its JSON type: t/f boolean, { object, [ array
    whens = [
        f"WHEN {v} IS NULL OR {v} = 'null' THEN NULL",
        f"WHEN left({v}, 1) IN ('t', 'f', '{{', '[') OR NOT coalesce(isfinite({d}), false) "
        f"THEN 'field ' || {name} || ' is not a finite number: ' || left({v}::VARCHAR, 40)",
    ]
    if lim.counter:
        whens.append(f"WHEN {d} < 0 THEN 'field ' || {name} || ' is a negative counter: ' || {v}")
    bounds = [f"{d} < {sql_literal(lim.min)}::DOUBLE" if lim.min is not None else None]
    bounds.append(f"{d} > {sql_literal(lim.max)}::DOUBLE" if lim.max is not None else None)
    if any(bounds):
        whens.append(
            f"WHEN {' OR '.join(b for b in bounds if b)} THEN 'field ' || {name} || ' is out of range: ' "
            f"|| {d}::VARCHAR || {sql_literal(holds)}"
        )
    return "CASE " + " ".join(whens) + " END"


_TO_CHECK = "check"  # stat_typed.reject_reason of an object whose numbers the exact check must look at
# the exact check's first line: store_stage runs it only when an object is to be checked (planning its CASE per
# field takes about half a second, every part, even with nothing to check)
_WHEN_TO_CHECK = "-- only when an object is to be checked\n"


def _typed_statements() -> list[str]:
    """SQL: stat_typed, every object staged and not yet rejected, parsed once into n (its fields typed), then the
    numeric fields checked. An object whose numeric fields are all plain JSON numbers (its text says so) within
    their limits is clean; any other (a number as a string, a boolean, null, a number out of range) is checked
    exactly from its JSON values, and its reject_reason is its first bad field in field order, or none."""
    fields = _checked_fields()
    # a numeric field whose value is not a plain JSON number; or a bare nan / inf token, a 3-digit exponent or
    # 309 digits anywhere (queries/stats/check_finite.sql walks those objects)
    odd = sql_literal('"(' + "|".join(fields) + r')":\s*[^-0-9\s]|(?i)[:,\[]\s*-?(nan|inf)|e\+?\d{3}|\d{309}')
    ok = " AND ".join(_field_ok(f) for f in fields)
    typed = (
        "CREATE OR REPLACE TEMP TABLE stat_typed AS SELECT *, CASE WHEN odd OR NOT ("
        f"{ok}) THEN {sql_literal(_TO_CHECK)} END AS reject_reason FROM ("
        f"SELECT rowid AS rid, * EXCLUDE (reject_reason), json_transform(obj, {_typed_spec()}) AS n, "
        f"regexp_matches(obj::VARCHAR, {odd}) AS odd FROM stat_stage WHERE reject_reason IS NULL)"
    )
    checks = ", ".join(_field_check(f) for f in fields)
    exact = (
        f"{_WHEN_TO_CHECK}UPDATE stat_typed SET reject_reason = b.bad FROM ("
        f"SELECT rid, coalesce({checks}) AS bad FROM ("
        "SELECT *, list_transform(v, lambda x: TRY_CAST(x AS DOUBLE)) AS d FROM ("
        f"SELECT rid, json_extract(obj, {_paths(fields)}) AS v FROM stat_typed "
        f"WHERE reject_reason = {sql_literal(_TO_CHECK)}))) b WHERE stat_typed.rid = b.rid"
    )
    return [typed, exact]


def _rated_fields() -> list[str]:
    return [f for f, lim in limits().items() if lim.per_second is not None]


def _growth_check(rated: list[str]) -> str:
    """SQL over nums, prev and seconds: the first rated field, in field order, that grew faster than it can."""
    cases = []
    for i, f in enumerate(rated, start=1):
        rate = limits()[f].per_second
        grew = f"(nums[{i}] - prev[{i}]) / greatest(seconds, 1)"
        tail = f" a second since the sample before (at most {rate:,.0f})"
        cases.append(
            f"CASE WHEN {grew} > {sql_literal(float(rate))} THEN {sql_literal(f'field {f} grows implausibly fast: ')} "
            f"|| TRY_CAST(round({grew}) AS BIGINT)::VARCHAR || {sql_literal(tail)} END"
        )
    return f"coalesce({', '.join(cases)})"


def _number_statements(batch: bool = False) -> list[str]:
    """Every staged object's numbers checked, whatever its type: parsed once into stat_typed with the numeric
    fields checked against their limits, any other number checked for being finite, then the counters' growth
    from the object's previous sample (in this part of the file or, through `stat_last`, the part before). One
    window over each object's samples (stat_grown) gives the growth check and, per object, the last sample that
    passed it, carried to the next part. batch: the stage holds several whole files (a source_id column; nothing
    to carry)."""
    rated = _rated_fields()
    nums = "[" + ", ".join(_n(f) for f in rated) + "]"
    key = "source_id, " if batch else ""
    carried = (
        ""
        if batch
        else "UNION ALL SELECT NULL, type, origin, call_id_hint, pc, stat_id, ts, line, CAST(nums AS DOUBLE[]) "
        "FROM stat_last"
    )
    windowed = (
        "SELECT *, lag(nums) OVER w AS prev, epoch(ts) - epoch(lag(ts) OVER w) AS seconds FROM ("
        f"SELECT rid, {key}type, origin, call_id_hint, coalesce(pc_id, '') AS pc, stat_id, ts, line, {nums} AS nums "
        f"FROM stat_typed WHERE reject_reason IS NULL {carried}) "
        f"WINDOW w AS (PARTITION BY {key}type, origin, call_id_hint, pc, stat_id "
        "ORDER BY ts, line NULLS FIRST, rid NULLS FIRST)"
    )
    grown = (
        "CREATE OR REPLACE TEMP TABLE stat_grown AS SELECT rid, type, origin, call_id_hint, pc, stat_id, ts, line, "
        f"nums, CASE WHEN rid IS NOT NULL AND prev IS NOT NULL THEN {_growth_check(rated)} END AS bad "
        f"FROM ({windowed})"
    )
    growth = (
        "UPDATE stat_typed SET reject_reason = b.bad FROM stat_grown b "
        "WHERE stat_typed.rid = b.rid AND b.bad IS NOT NULL"
    )
    # the latest sample of each object that passed the check (ts, then line, a sample without a line first, then
    # the order staged: two samples of one object in one report are taken in the report's order)
    carry = (
        "CREATE OR REPLACE TEMP TABLE stat_last AS SELECT l.* FROM ("
        "SELECT arg_max({type: type, origin: origin, call_id_hint: call_id_hint, pc: pc, stat_id: stat_id, ts: ts, "
        "line: line, nums: nums}, (ts, coalesce(line, -1), coalesce(rid, -1))) AS l FROM stat_grown WHERE bad IS NULL "
        "GROUP BY type, origin, call_id_hint, pc, stat_id)"
    )
    checks = [*_typed_statements(), query_text("stats/check_finite.sql"), grown, growth]
    return [*checks, "DROP TABLE stat_grown"] if batch else [*checks, carry, "DROP TABLE stat_grown"]


def _paths(fields: list[str]) -> str:
    return "[" + ", ".join(_path(f) for f in fields) + "]"


def _insert_sql(table: StatsTable, source: str = "$source_id") -> str:
    """One INSERT for a stats type, from the values stat_typed extracted (no JSON parse of the object but for the
    fields it carries beyond the typed ones)."""
    names = list(dict.fromkeys(f for f, _, _ in table.fields))
    exprs = []
    for col in table.columns:
        parts = [_n(f) for f, c, _ in table.fields if c == col]
        expr = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        exprs.append(f"CAST({expr} AS BIGINT)" if col == "ssrc" else expr)
    known = sorted({*names, "id", "type", "timestamp", "timestamp_us"})
    # RFC 7396 merge patch with nulls removes the typed keys: what is left is `extra` (none when every key is typed)
    strip = "{" + ", ".join(f'"{k}": null' for k in known) + "}"
    typed_keys = "[" + ", ".join(map(sql_literal, known)) + "]"
    extra = (
        f"CASE WHEN len(list_filter(json_keys(obj), lambda k: NOT list_contains({typed_keys}, k))) > 0 "
        f"THEN nullif(json_merge_patch(obj, {sql_literal(strip)}), '{{}}') END"
    )
    return (
        f"INSERT INTO {table.name} (source_id, line, locator, origin, call_id_hint, pc_id, stat_id, ts, extra, "
        f"{', '.join(table.columns)}) SELECT {source}, line, locator, origin, call_id_hint, pc_id, stat_id, ts, "
        f"{extra}, {', '.join(exprs)} FROM stat_typed "
        f"WHERE reject_reason IS NULL AND type = {sql_literal(table.type)}"
    )


@cache
def store_statements(batch: bool = False) -> tuple[str, ...]:
    """The statements that move stat_stage into rejects and the typed tables (generated once). batch: the stage
    holds several whole files, each row's source in a source_id column (analyzer/store/ingest_batch.py), instead of
    one part of the file $source_id."""
    typed = stats_tables()
    numbers = _number_statements(batch)
    source, key = ("source_id", "source_id, ") if batch else ("$source_id", "")
    rejects = (
        f"INSERT INTO rejects SELECT {source}, line, line, reject_reason || coalesce(' (' || locator || ')', ''), "
        f"left(coalesce(excerpt, obj::VARCHAR), $excerpt) FROM (SELECT {key}line, locator, reject_reason, excerpt, "
        f"obj FROM stat_stage WHERE reject_reason IS NOT NULL UNION ALL SELECT {key}line, locator, reject_reason, "
        "excerpt, obj FROM stat_typed WHERE reject_reason IS NOT NULL)"
    )
    other_types = ", ".join(sql_literal(t.type) for t in typed)
    other = (
        f"INSERT INTO stats_other SELECT {source}, line, locator, origin, call_id_hint, pc_id, stat_id, ts, type, "
        f"obj FROM stat_typed WHERE reject_reason IS NULL AND type NOT IN ({other_types})"
    )
    goog = query_text("stats/goog_to_w3c.sql")
    times = query_text("stats/check_time.sql")
    inserts = (_insert_sql(t, source) for t in typed)
    return (goog, times, *numbers, rejects, *inserts, other)


def store_stage(con: duckdb.DuckDBPyConnection, source_id: int, window: dict[str, datetime]) -> Counts:
    """Move everything staged for one source into rejects / typed tables, then empty the stage. `window`: the
    plausible instants ($earliest, $latest; ParseOptions.window)."""
    if not con.execute("SELECT count(*) FROM stat_stage").fetchall()[0][0]:
        return Counts()  # nothing staged since the last part
    for sql in store_statements():
        if sql.startswith(_WHEN_TO_CHECK) and not _any_to_check(con):
            continue
        con.execute(sql, params_for(sql, {"source_id": source_id, "excerpt": EXCERPT, **window}))
    total, rejected = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL) + (SELECT count(*) FROM stat_typed "
        "WHERE reject_reason IS NOT NULL) FROM stat_stage"
    ).fetchall()[0]
    con.execute("DELETE FROM stat_stage; DROP TABLE stat_typed")
    return Counts(records=total, stored=total - rejected, rejected=rejected)


def _any_to_check(con: duckdb.DuckDBPyConnection) -> bool:
    sql = "SELECT count(*) FROM stat_typed WHERE reject_reason = $check"
    return con.execute(sql, {"check": _TO_CHECK}).fetchall()[0][0] > 0


# RTP samples the interval series is derived from at once (bounds its memory): whole streams are packed into buckets
# of about this many (queries/stats/intervals_streams.sql), and this many buckets are staged at once (a round: what is
# held while the series is derived, whatever the file's size)
_SAMPLES_PER_BUCKET = 150_000
_BUCKETS_PER_ROUND = 10
_DROP_ROUND = "DROP TABLE iv_samples; DROP TABLE iv_remote; DROP TABLE iv_pair"  # what intervals_stage.sql makes


def derive_intervals(
    con: duckdb.DuckDBPyConnection, source_id: int | list[int], between: Callable[[], None] | None = None
) -> int:
    """Per-interval rates, loss, concealment and MOS for one source's RTP streams (or several sources', a batch of
    small files): the streams numbered and packed into buckets, their inputs staged a round of buckets at a time and
    the series derived a bucket at a time (`between` runs after each: the caller commits there, so memory does not
    grow with the file); returns rows added."""
    if isinstance(source_id, list) and not source_id:
        return 0
    ids = sources_params(source_id)
    samples = con.execute(
        f"SELECT (SELECT count(*) FROM stats_inbound_rtp WHERE {IN_SOURCES}) "
        f"+ (SELECT count(*) FROM stats_outbound_rtp WHERE {IN_SOURCES})",
        ids,
    ).fetchall()[0][0]
    if not samples:
        return 0  # no RTP stream: no series (planning the statement took about 0.2 s a file)
    streams = query_text("stats/intervals_streams.sql")
    con.execute(streams, {**ids, "per_bucket": _SAMPLES_PER_BUCKET, "per_round": _BUCKETS_PER_ROUND})
    rounds = con.execute("SELECT round, list(DISTINCT bucket ORDER BY bucket) FROM iv_streams GROUP BY 1 ORDER BY 1")
    for round_, buckets in rounds.fetchall():
        for sql in query_statements("stats/intervals_stage.sql"):
            con.execute(sql, params_for(sql, {**ids, "round": round_}))
        for bucket in buckets:
            con.execute(query_text("stats/intervals.sql"), {"bucket": bucket})
            if bucket == buckets[-1]:
                con.execute(_DROP_ROUND)  # before the commit: the round's tables are gone, not held beside the next
            if between:
                between()
    con.execute("DROP TABLE iv_streams")
    return con.execute(f"SELECT count(*) FROM rtp_intervals WHERE {IN_SOURCES}", ids).fetchall()[0][0]
