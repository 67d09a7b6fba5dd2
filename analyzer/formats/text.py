"""Text logs of any layout, decided line by line: `log show` text styles, idevicesyslog, Xcode and Console.app
pastes, WebRTC's stderr, bare subsystem-tag lines and SDK loggers, mixed in one file or not.

Each line is in the first envelope of envelopes.toml that matches it, or in none. A line in no envelope
continues the record before it (an exporter that prefixes every record, an indented line, an open bracket, a
known second line) or is a record of its own: no text line is refused. The SQL is queries/parse/text_lines.sql
(grouping, set-based per chunk) and text_parse.sql (instants and provenance); this module builds the parts of it
that come from the catalogue and carries state from one chunk to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import tomllib

from analyzer.formats.base import LogFormat
from analyzer.normalise.patterns import relevance_regex
from analyzer.read.lines import iter_line_chunks
from analyzer.read.sources import InputFile
from analyzer.resources import query_text
from analyzer.store.counts import Counts
from analyzer.store.db import params_for, sql_literal

_CATALOGUE = Path(__file__).with_name("envelopes.toml")
GROUPS = (
    "date",
    "mon",
    "day",
    "time",
    "fsep",
    "frac",
    "tz",
    "level",
    "process",
    "pid",
    "thread",
    "host",
    "sender",
    "subsystem",
    "category",
    "tag",
    "message",
)
DEFAULT_DATE = "2000-01-01"  # for times of day with no date anywhere before them (flagged no_date)


class EnvelopeError(ValueError):
    """envelopes.toml is malformed (names the envelope and the field)."""


@dataclass(frozen=True)
class Envelope:
    """One line layout."""

    name: str
    title: str
    regex: str
    groups: tuple[str, ...]
    examples: tuple[tuple[str, str], ...]
    complete: bool = False
    app_console: bool = False
    keep_prefix: bool = False

    @property
    def strict_time(self) -> bool:
        """An exporter's own time column: a time there that cannot be read is an error, not a missing time."""
        return self.complete or self.app_console


@dataclass(frozen=True)
class Envelopes:
    envelopes: tuple[Envelope, ...]
    continuations: tuple[str, ...]
    meta: tuple[str, ...]


@cache
def envelopes() -> Envelopes:
    """Load and check the envelope catalogue."""
    data = tomllib.loads(_CATALOGUE.read_text(encoding="utf-8"))
    out: list[Envelope] = []
    for i, raw in enumerate(data.get("envelope", [])):
        name = raw.get("name", f"#{i}")
        for key in ("name", "title", "regex"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise EnvelopeError(f"{_CATALOGUE.name}: envelope {name}: missing or empty {key!r}")
        groups = tuple(raw.get("groups", ()))
        unknown = [g for g in groups if g not in GROUPS]
        if unknown:
            raise EnvelopeError(f"{_CATALOGUE.name}: envelope {name}: unknown group(s) {', '.join(unknown)}")
        if "message" not in groups:
            raise EnvelopeError(f"{_CATALOGUE.name}: envelope {name}: no 'message' group")
        if re.compile(raw["regex"]).groups != len(groups):
            raise EnvelopeError(f"{_CATALOGUE.name}: envelope {name}: {len(groups)} groups named, regex has others")
        examples = tuple((str(e[0]), str(e[1])) for e in raw.get("examples", ()))
        if not examples:
            raise EnvelopeError(f"{_CATALOGUE.name}: envelope {name}: needs at least one real example")
        out.append(
            Envelope(
                name,
                raw["title"],
                raw["regex"],
                groups,
                examples,
                bool(raw.get("complete", False)),
                bool(raw.get("app_console", False)),
                bool(raw.get("keep_prefix", False)),
            )
        )
    if not data.get("meta") or not data.get("continuations"):
        raise EnvelopeError(f"{_CATALOGUE.name}: 'meta' and 'continuations' must be top-level lists")
    if len({e.name for e in out}) != len(out):
        raise EnvelopeError(f"{_CATALOGUE.name}: duplicate envelope names")
    return Envelopes(tuple(out), tuple(data.get("continuations", ())), tuple(data.get("meta", ())))


def _index_sql(cat: Envelopes) -> str:
    whens = " ".join(f"WHEN regexp_matches(line, {sql_literal(e.regex)}) THEN {i}" for i, e in enumerate(cat.envelopes))
    return f"CASE {whens} END"


@cache
def _fields_sql(present: tuple[int | None, ...]) -> str:
    """One SELECT per envelope `present` in the chunk (its regex evaluated once a record; None: the records in no
    envelope). Only those: a SELECT for every envelope of the catalogue took longer to plan than to run."""
    cat = envelopes()
    selects = []
    rest = "CASE WHEN len(ls) > 1 THEN rtrim(array_to_string(ls[2:], chr(10))) END"
    for i in present:
        env = None if i is None else cat.envelopes[i]
        cols = []
        for g in GROUPS:
            if env is None:
                value = "ls[1]" if g == "message" else "NULL"
            elif g == "message" and env.keep_prefix:
                value = "ls[1]"
            elif g in env.groups:
                value = f"nullif(s.{g}, '')"
            else:
                value = "NULL"
            if g == "message":
                value = f"concat_ws(chr(10), {value}, {rest})"
            cols.append(f"CAST({value} AS VARCHAR) AS {g}")
        name = env.name if env else "none"
        flags = (
            f"{sql_literal(name)} AS envelope, {sql_literal(bool(env and env.app_console))} AS app_console, "
            f"{sql_literal(bool(env and env.strict_time))} AS strict_time"
        )
        base = "line_start, line_end, bad_utf8, ls[1] AS first_line, " + flags + ", " + ", ".join(cols)
        if env is None:
            selects.append(f"SELECT {base} FROM text_records WHERE env IS NULL")
        else:
            names = "[" + ", ".join(sql_literal(g) for g in env.groups) + "]"
            selects.append(
                f"SELECT {base} FROM (SELECT *, regexp_extract(ls[1], {sql_literal(env.regex)}, {names}) AS s "
                f"FROM text_records WHERE env = {i})"
            )
    return "\nUNION ALL\n".join(selects)


@cache
def _statements() -> tuple[tuple[str, ...], str]:
    cat = envelopes()
    lines = query_text("parse/text_lines.sql")
    lines = lines.replace("{envelope_index}", _index_sql(cat))
    split = tuple(
        p.strip()
        for p in lines.split(";\n")
        if any(not ln.strip().startswith("--") and ln.strip() for ln in p.splitlines())
    )
    return split, query_text("parse/text_parse.sql")


def _meta_regex(cat: Envelopes) -> str:
    return "|".join(f"(?:{m})" for m in cat.meta)


def _cont_regex(cat: Envelopes) -> str:
    return "|".join(["^\\s", "^[)\\]}>]", *(f"(?:{c})" for c in cat.continuations)])


@dataclass
class _Carry:
    """What the next chunk needs from this one."""

    ts: str | None = None
    date: str | None = None
    time: str | None = None
    shift: int = 0


class TextFormat(LogFormat):
    """Any text log: the fallback of the sniff stage for text that is not a structured export."""

    def sniff_score(self, lines: list[str]) -> float:
        return 0.01 if any(ln.strip() for ln in lines) else 0.0

    def parse(self, con: duckdb.DuckDBPyConnection, item: InputFile, source_id: int, opts) -> Counts:
        """Read the file chunk by chunk into log_records and rejects (inside the caller's transaction)."""
        from analyzer.formats.logparse import read_chunk_lines, store_parsed

        cat = envelopes()
        group_sql, parse_sql = _statements()
        complete = [i for i, e in enumerate(cat.envelopes) if e.complete]
        year = opts.year or _file_year(item)
        counts = Counts()
        carry = pl.DataFrame(schema={"line_no": pl.Int64, "line": pl.Utf8, "bad_utf8": pl.Boolean})
        state = _Carry()
        used_year = False
        hosts: dict[str, int] = {}  # idevicesyslog: the phone's name, as often as it is written
        chunks = iter_line_chunks(item.path)
        pending = next(chunks, None)
        while pending is not None:
            following = next(chunks, None)
            final = following is None
            counts.add(read_chunk_lines(con, pending, source_id))
            frame = pl.concat([carry, pending.frame]) if carry.height else pending.frame
            if frame.height == 0:
                pending = following
                continue
            con.register("chunk_lines", frame)
            values = {
                "meta": _meta_regex(cat),
                "cont": _cont_regex(cat),
                "complete": complete,
                "first_line": int(frame["line_no"][0]),
            }
            for statement in group_sql[:3]:
                con.execute(statement, params_for(statement, values))
            hold = _hold_from(con, final)
            values["hold"] = hold
            for statement in group_sql[3:-1]:
                con.execute(statement, params_for(statement, values))
            present = con.execute("SELECT DISTINCT env FROM text_records ORDER BY env NULLS LAST").fetchall()
            fields = _fields_sql(tuple(e for (e,) in present) or (None,))
            con.execute(group_sql[-1].replace("{envelope_fields}", fields))
            con.unregister("chunk_lines")
            counts.meta_lines += con.execute(
                "SELECT count(*) FROM text_grouped WHERE brk AND (rec IS NULL)"
                " AND line_no < coalesce((SELECT min(line_no) FROM text_grouped WHERE rec >= $hold), 9e18)",
                {"hold": hold},
            ).fetchall()[0][0]
            held = con.execute("SELECT min(line_no) FROM text_grouped WHERE rec >= $hold", {"hold": hold}).fetchall()[
                0
            ][0]
            carry = frame.filter(pl.col("line_no") >= held) if held is not None else frame.clear()
            pvalues = {
                "relevance": relevance_regex(),
                "assumed_offset": opts.assumed_offset,
                "year": year,
                "default_date": opts.date or DEFAULT_DATE,
                "prev_ts": state.ts,
                "prev_date": state.date,
                "prev_time": state.time,
                "prev_shift": state.shift,
            }
            con.execute(parse_sql, params_for(parse_sql, pvalues))
            counts.add(store_parsed(con, source_id, opts)[0])
            for host, n in con.execute(
                "SELECT device_host, count(*) FROM parsed_chunk WHERE device_host IS NOT NULL GROUP BY ALL"
            ).fetchall():
                hosts[host] = hosts.get(host, 0) + n
            used_year = used_year or bool(
                con.execute("SELECT count(*) FROM parsed_chunk WHERE ts_quality = 'no_year'").fetchall()[0][0]
            )
            state = _next_state(con, state)
            pending = following
        if used_year:
            counts.year_assumed = year
        if hosts:
            _store_host(con, source_id, max(hosts, key=lambda h: (hosts[h], h)))
        return counts


def _store_host(con: duckdb.DuckDBPyConnection, source_id: int, host: str) -> None:
    """The capture's host name is the phone's own name (not its model): a fact of its device."""
    values = {"source_id": source_id, "name": host, "model": None, "os_version": None, "os_build": None}
    con.execute(query_text("parse/device_facts.sql"), {**values, "found_from": "idevicesyslog host"})


def _hold_from(con: duckdb.DuckDBPyConnection, final: bool) -> int:
    """The first record number kept for the next chunk: the last record, unless the file ends here or a break
    (blank line, header) after it closes it."""
    big = 2**62
    if final:
        return big
    row = con.execute("SELECT rec, brk FROM text_grouped ORDER BY line_no DESC LIMIT 1").fetchall()
    if not row or row[0][1]:
        return big
    return int(row[0][0])


def _next_state(con: duckdb.DuckDBPyConnection, state: _Carry) -> _Carry:
    row = con.execute(
        "SELECT CAST(arg_max(ts, line_start) FILTER (WHERE ts_quality NOT IN ('inherited', 'order_only')) AS VARCHAR),"
        " arg_max(left(ts_text, 10), line_start) FILTER (WHERE ts_quality IN ('exact', 'no_offset', 'no_year')),"
        " arg_max(substr(ts_text, 12, 15), line_start) FILTER (WHERE ts_text IS NOT NULL)"
        " FROM parsed_chunk"
    ).fetchall()[0]
    return _Carry(
        ts=row[0] or state.ts,
        date=row[1] or state.date,
        time=row[2] or state.time,
        shift=state.shift,
    )


def _file_year(item: InputFile) -> int:
    from datetime import datetime

    return datetime.fromtimestamp(item.path.stat().st_mtime).year


FORMAT = TextFormat(
    name="text",
    title="text log, any layout line by line (log show text styles, idevicesyslog, Xcode and Console.app "
    "pastes, WebRTC stderr, SDK and app loggers)",
    line_re=r".",
)


def envelope_names(con: duckdb.DuckDBPyConnection, lines: list[str]) -> list[str]:
    """The envelope each line is in ('none' for no envelope): the classification step on its own, for tests and
    for anyone checking how a line will be read."""
    cat = envelopes()
    frame = pl.DataFrame({"line_no": list(range(1, len(lines) + 1)), "line": lines, "bad_utf8": [False] * len(lines)})
    con.register("probe_lines", frame)
    try:
        rows = con.execute(f"SELECT {_index_sql(cat)} FROM probe_lines ORDER BY line_no").fetchall()
    finally:
        con.unregister("probe_lines")
    names = [e.name for e in cat.envelopes]
    return [names[r[0]] if r[0] is not None else "none" for r in rows]
