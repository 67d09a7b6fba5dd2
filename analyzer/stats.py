"""Normalise stage for WebRTC stats: staged stats objects -> typed tables, and per-interval series.

Every stats format fills the working table `stat_stage` (one row per stats object per sample). This module
moves it into the typed tables of queries/schema.sql, using analyzer/stats_fields.toml to map W3C field
names to columns (generated SQL, one INSERT per stats type), rejects what cannot be typed, and derives the
per-interval series (queries/stats_intervals.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import tomllib

from analyzer.resources import query_text
from analyzer.store import params_for

_FIELDS = Path(__file__).with_name("stats_fields.toml")
EXCERPT = 300


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


def _q(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _path(field: str) -> str:
    return _q(f'$."{field}"')


def _numeric_fields(table: StatsTable) -> list[str]:
    return [f for f, _, kind in table.fields if kind == "num"]


# cumulative counters that can only grow from zero (packetsLost can be negative: RFC 3550 counts duplicates)
COUNTERS = {
    "packetsReceived",
    "packetsSent",
    "bytesReceived",
    "bytesSent",
    "totalSamplesReceived",
    "concealedSamples",
    "silentConcealedSamples",
    "concealmentEvents",
    "jitterBufferEmittedCount",
}


def _bad_number_check(table: StatsTable) -> str:
    """SQL over `nums` (the numeric fields, extracted in one pass): the first one present but not a number,
    or a cumulative counter below zero."""
    checks = []
    for i, f in enumerate(_numeric_fields(table), start=1):
        # a number, or a number sent as a string (legacy goog stats); never NaN or an infinity
        checks.append(
            f"WHEN nums[{i}] IS NOT NULL AND json_type(nums[{i}]) <> 'NULL' AND NOT coalesce(isfinite("
            f"CASE WHEN json_type(nums[{i}]) IN ('UBIGINT', 'BIGINT', 'DOUBLE', 'VARCHAR') "
            f"THEN TRY_CAST(nums[{i}] AS DOUBLE) END), false) "
            f"THEN 'field {f} is not a finite number: ' || left(nums[{i}]::VARCHAR, 40)"
        )
        if f in COUNTERS:
            checks.append(
                f"WHEN TRY_CAST(nums[{i}] AS DOUBLE) < 0 THEN 'field {f} is a negative counter: ' || nums[{i}]"
            )
    return "CASE " + " ".join(checks) + " END" if checks else "NULL"


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
        f"nullif(json_merge_patch(obj, {_q(strip)}), '{{}}'), {', '.join(exprs)} "
        f"FROM (SELECT *, json_extract(obj, {_paths(names)}) AS v FROM stat_stage "
        f"WHERE reject_reason IS NULL AND type = {_q(table.type)})"
    )


@cache
def store_statements() -> tuple[str, ...]:
    """The statements that move stat_stage into rejects and the typed tables (generated once)."""
    typed = stats_tables()
    marks = [
        f"UPDATE stat_stage SET reject_reason = bad FROM (SELECT rid, {_bad_number_check(t)} AS bad FROM "
        f"(SELECT rowid AS rid, json_extract(obj, {_paths(_numeric_fields(t))}) AS nums FROM stat_stage "
        f"WHERE reject_reason IS NULL AND type = {_q(t.type)})) b WHERE stat_stage.rowid = b.rid AND bad IS NOT NULL"
        for t in typed
    ]
    rejects = (
        "INSERT INTO rejects SELECT $source_id, line, line, reject_reason || coalesce(' (' || locator || ')', ''), "
        f"left(coalesce(excerpt, obj::VARCHAR), {EXCERPT}) FROM stat_stage WHERE reject_reason IS NOT NULL"
    )
    other_types = ", ".join(_q(t.type) for t in typed)
    other = (
        "INSERT INTO stats_other SELECT $source_id, line, locator, origin, call_id_hint, pc_id, stat_id, ts, type, "
        f"obj FROM stat_stage WHERE reject_reason IS NULL AND type NOT IN ({other_types})"
    )
    goog = query_text("stats/goog_to_w3c.sql")
    times = query_text("stats/check_time.sql")
    return (goog, times, *marks, rejects, *(_insert_sql(t) for t in typed), other)


@dataclass
class StageCounts:
    objects: int
    stored: int
    rejected: int


def store_stage(con: duckdb.DuckDBPyConnection, source_id: int, window: dict[str, datetime]) -> StageCounts:
    """Move everything staged for one source into rejects / typed tables, then empty the stage. `window`: the
    plausible instants ($earliest, $latest; ParseOptions.window)."""
    for sql in store_statements():
        con.execute(sql, params_for(sql, {"source_id": source_id, **window}))
    total, rejected = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL) FROM stat_stage"
    ).fetchall()[0]
    con.execute("DELETE FROM stat_stage")
    return StageCounts(total, total - rejected, rejected)


def derive_intervals(con: duckdb.DuckDBPyConnection, source_id: int) -> int:
    """Per-interval rates, loss, concealment and MOS for one source's RTP streams; returns rows added."""
    con.execute(query_text("stats_intervals.sql"), {"source_id": source_id})
    return con.execute("SELECT count(*) FROM rtp_intervals WHERE source_id = ?", [source_id]).fetchall()[0][0]
