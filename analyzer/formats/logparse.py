"""Parse stage: numbered lines -> records (multi-line aware) -> rows in log_records, or rows in rejects.

Grouping is done by polars on each chunk, parsing by the format's SQL in DuckDB; a record cut by a chunk
boundary is carried into the next chunk. Python only moves whole chunks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import duckdb
import polars as pl

from analyzer.errors import InputError
from analyzer.formats import LogFormat
from analyzer.formats.base import reject_oversized
from analyzer.normalise.patterns import relevance_regex
from analyzer.read.lines import LineChunk, iter_line_chunks
from analyzer.read.sources import InputFile
from analyzer.resources import query_statements, query_text
from analyzer.store.counts import EXCERPT, Counts
from analyzer.store.db import params_for


def _instant_from_env(name: str, default: datetime) -> datetime:
    """An instant from an environment variable (a day or an ISO 8601 time; UTC when it names no offset)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{name} must be a day like 2000-01-01 or an ISO 8601 time, not {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def earliest_plausible() -> datetime:
    """The earliest instant a record may carry: ANALYZER_EARLIEST, default 2000-01-01 UTC."""
    return _instant_from_env("ANALYZER_EARLIEST", datetime(2000, 1, 1, tzinfo=timezone.utc))


def latest_plausible() -> datetime:
    """The latest instant a record may carry: ANALYZER_LATEST, default a day from now."""
    return _instant_from_env("ANALYZER_LATEST", datetime.now(timezone.utc) + timedelta(days=1))


@dataclass
class ParseOptions:
    """Assumptions for formats that leave things out (no UTC offset, no year), and the plausible time window:
    a record dated outside earliest .. latest is rejected with the reason."""

    assumed_offset: str = "+0000"
    year: int | None = None
    date: str | None = None  # YYYY-MM-DD for logs that give a time of day only (else a placeholder, flagged)
    earliest: datetime = field(default_factory=earliest_plausible)
    latest: datetime = field(default_factory=latest_plausible)

    def __post_init__(self) -> None:
        if self.earliest >= self.latest:
            raise InputError(
                f"the plausible time window is empty: ANALYZER_EARLIEST {self.earliest.isoformat()} is not before "
                f"ANALYZER_LATEST {self.latest.isoformat()}"
            )

    @property
    def window(self) -> dict[str, datetime]:
        """The window as SQL parameters ($earliest, $latest)."""
        return {"earliest": self.earliest, "latest": self.latest}


def _group(frame: pl.DataFrame, fmt: LogFormat, final: bool) -> tuple[pl.DataFrame, pl.DataFrame, int, pl.DataFrame]:
    """Split lines into (records, orphan lines, meta-line count, carry for the next chunk)."""
    blank = pl.col("line").str.strip_chars() == ""
    meta = pl.col("line").str.contains(fmt.meta_re) if fmt.meta_re else pl.lit(False)
    df = frame.with_columns(blank.alias("blank"), (meta & ~blank).alias("meta"))
    if not fmt.multiline:
        recs = df.filter(~pl.col("blank") & ~pl.col("meta")).select(
            pl.col("line_no").alias("line_start"),
            pl.col("line_no").alias("line_end"),
            pl.col("line").alias("text"),
            "bad_utf8",
            pl.lit(False).alias("is_last"),
        )
        meta_count = int(df.select((pl.col("blank") | pl.col("meta")).sum()).item())
        return recs, df.clear().select("line_no", "line"), meta_count, df.clear().select(frame.columns)

    df = df.with_columns((pl.col("line").str.contains(fmt.line_re) & ~pl.col("meta")).alias("start"))
    df = df.with_columns(
        (pl.col("start") | pl.col("meta")).cum_sum().alias("seg"),
        pl.when(pl.col("start"))
        .then(pl.lit("rec"))
        .when(pl.col("meta"))
        .then(pl.lit("meta"))
        .otherwise(None)
        .forward_fill()
        .fill_null("orphan")
        .alias("kind"),
    )
    carry = df.clear()
    if not final and df.height:
        last_seg = df["seg"][-1]
        if df["kind"][-1] == "rec":
            carry = df.filter(pl.col("seg") == last_seg)
            df = df.filter(pl.col("seg") != last_seg)
    in_rec = df.filter(pl.col("kind") == "rec")
    outside = df.filter(pl.col("kind") != "rec")
    orphans = outside.filter(~pl.col("blank") & ~pl.col("meta")).select("line_no", "line")
    meta_count = outside.height - orphans.height
    recs = (
        in_rec.group_by("seg", maintain_order=True)
        .agg(
            pl.col("line_no").min().alias("line_start"),
            pl.col("line_no").filter(~pl.col("blank")).max().alias("line_end"),
            pl.col("line").str.join("\n").str.strip_chars_end().alias("text"),
            pl.col("bad_utf8").any().alias("bad_utf8"),
        )
        .drop("seg")
    )
    # the file's last record: a layout with closing lines (JSON array) can tell that it was cut
    recs = recs.with_columns((pl.lit(final) & (pl.int_range(pl.len()) == pl.len() - 1)).alias("is_last"))
    return recs, orphans, meta_count, carry.select(frame.columns)


def _sqlparams_for(
    fmt_sql: str, item: InputFile, opts: ParseOptions, extra: dict[str, object] | None = None
) -> tuple[str, dict[str, object], int]:
    sql = f"CREATE OR REPLACE TEMP TABLE parsed_chunk AS WITH parsed AS ({fmt_sql}) " + query_text("parse/finish.sql")
    year = opts.year or datetime.fromtimestamp(item.path.stat().st_mtime).year
    values: dict[str, object] = {
        "relevance": relevance_regex(),
        "assumed_offset": opts.assumed_offset,
        "year": year,
        "prev_ts": None,
        **(extra or {}),
    }
    return sql, params_for(sql, values), year


def store_parsed(con: duckdb.DuckDBPyConnection, source_id: int, opts: ParseOptions) -> tuple[Counts, str | None]:
    """Move parsed_chunk into rejects and log_records; return the chunk's counts and its last timestamp text.
    Every log format ends here, so the checks all records share run here (queries/parse/check_records.sql)."""
    con.execute(query_text("parse/check_records.sql"), opts.window)
    con.execute(query_text("parse/store_rejects.sql"), {"source_id": source_id, "excerpt": EXCERPT})
    con.execute(query_text("parse/store_records.sql"), {"source_id": source_id})
    cur = con.execute(query_text("parse/chunk_counts.sql"))
    row = dict(zip([d[0] for d in cur.description], cur.fetchall()[0], strict=True))
    last_ts = row.pop("last_ts")
    return Counts(**row), last_ts


def read_chunk_lines(con: duckdb.DuckDBPyConnection, chunk: LineChunk, source_id: int) -> Counts:
    """The lines a chunk of a log file holds, with its over-long lines rejected (each a record of its own)."""
    n = reject_oversized(con, chunk, source_id)
    return Counts(lines=chunk.frame.height + n, records=n, rejected=n)


def fast_scan(con: duckdb.DuckDBPyConnection, item: InputFile, fmt: LogFormat) -> int | None:
    """Run the format's fast whole-file scan into temp table fast_rows (outside any transaction).

    Returns the number of records DuckDB read, or None when the format has no fast scan or the read failed.
    """
    if fmt.fast_sql is None:
        return None
    values = {"path": str(item.path), "relevance": relevance_regex()}
    try:
        for statement in query_statements(fmt.fast_sql):
            con.execute(statement, params_for(statement, values))
        total = con.execute("SELECT count(*) FROM fast_all").fetchall()[0][0]
    except duckdb.Error:
        total = None
    con.execute("DROP TABLE IF EXISTS fast_all")
    return total


def store_fast(
    con: duckdb.DuckDBPyConnection, item: InputFile, fmt: LogFormat, source_id: int, opts: ParseOptions, lines: int
) -> Counts:
    """Store what fast_scan kept: its record numbers are line numbers (the caller checked the file is plain)."""
    parsed = (
        "SELECT line_no AS line_start, line_no AS line_end, CAST(NULL AS VARCHAR) AS text, relevant, is_meta,"
        " CAST(NULL AS VARCHAR) AS reject_reason, ts_text, process, pid, thread, level, subsystem, category,"
        " sender, message FROM fast_rows"
    )
    sql, params, _ = _sqlparams_for(parsed, item, opts)
    con.execute(sql, params)
    part, _ = store_parsed(con, source_id, opts)
    con.execute("DROP TABLE IF EXISTS fast_rows")
    part.lines, part.records = lines, lines - part.meta_lines  # every line is a record or a meta line
    part.ignored = part.records - part.stored - part.rejected
    return part


def parse_file(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    fmt: LogFormat,
    source_id: int,
    opts: ParseOptions,
    extra: dict[str, object] | None = None,
) -> Counts:
    """Parse one file line by line into log_records and rejects (inside the caller's transaction); `extra`
    holds values of the format's own SQL parameters."""
    counts = Counts()
    sql, params, year = _sqlparams_for(query_text(fmt.parse_sql), item, opts, extra)
    if "year" in params:
        counts.year_assumed = year
    carry = pl.DataFrame(schema={"line_no": pl.Int64, "line": pl.Utf8, "bad_utf8": pl.Boolean})
    chunks = iter_line_chunks(item.path)
    pending = next(chunks, None)
    while pending is not None:
        following = next(chunks, None)
        counts.add(read_chunk_lines(con, pending, source_id))
        frame = pl.concat([carry, pending.frame]) if carry.height else pending.frame
        recs, orphans, meta_count, carry = _group(frame, fmt, final=following is None)
        counts.meta_lines += meta_count
        if orphans.height:
            con.register("orphan_lines", orphans)
            con.execute(query_text("parse/reject_orphans.sql"), {"source_id": source_id, "excerpt": EXCERPT})
            con.unregister("orphan_lines")
            counts.add(Counts(records=orphans.height, rejected=orphans.height))
        if recs.height:
            con.register("chunk_records", recs)
            con.execute(sql, params)
            con.unregister("chunk_records")
            part, last_ts = store_parsed(con, source_id, opts)
            counts.add(part)
            if last_ts is not None and "prev_ts" in params:
                params["prev_ts"] = last_ts
        pending = following
    return counts
