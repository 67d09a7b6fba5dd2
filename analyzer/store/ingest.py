"""Ingest: read -> sniff -> parse -> normalise -> store, one transaction per input file."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb

from analyzer.errors import InputError
from analyzer.formats.logparse import ParseOptions, Tally, fast_scan, store_fast
from analyzer.formats.sniff import describe_unknown, sniff
from analyzer.normalise.events import normalise_source
from analyzer.normalise.stats import StageCounts, derive_intervals, store_stage
from analyzer.read.filescan import scan_file
from analyzer.read.sources import Collector, InputFile
from analyzer.resources import query_statements
from analyzer.store.db import params_for, remove_incomplete


class _NothingRelevant(Exception):
    """A text file that holds nothing the analyzer is about (refused if named, skipped in a folder)."""


@dataclass
class FileResult:
    """What happened to one input file."""

    label: str
    format: str | None
    status: str  # ingested | duplicate | skipped | error
    source_id: int | None = None
    lines: int = 0
    records: int = 0
    stored: int = 0
    ignored: int = 0
    rejected: int = 0
    events: int = 0
    message: str = ""
    layouts: str | None = None  # text logs: the line layouts of the stored records, with counts


@dataclass
class IngestSummary:
    """Everything one ingest did, for the summary table and the exit code."""

    files: list[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    calls: int | None = None  # calls in the store after sessionising

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: list[str],
    opts: ParseOptions | None = None,
    progress: Callable[[str], None] | None = None,
    one_device: str | None = None,
) -> IngestSummary:
    """Ingest every file the paths lead to. Bad inputs become errors in the summary, not exceptions.

    one_device: every file whose name does not say its device (a sysdiagnose does) is from this one device,
    as in a ticket: the phone's log and its stats are then one device's evidence, whatever folder each is in."""
    opts = opts or ParseOptions()
    summary = IngestSummary()
    with Collector() as collector:
        try:
            collected = collector.collect(paths)
        except InputError as exc:
            summary.errors.append(str(exc))
            return summary
        summary.notes.extend(collected.notes)
        for item in collected.files:
            if one_device and not item.device_hint:
                item.device_key = one_device
            if progress:
                progress(item.label)
            try:
                summary.files.append(ingest_file(con, item, opts))
            except InputError as exc:
                summary.errors.append(str(exc))
                summary.files.append(FileResult(item.label, None, "error", message=str(exc)))
        if collected.logarchives:
            ingested = any(f.status in ("ingested", "duplicate") for f in summary.files)
            msg = (
                f"{', '.join(collected.logarchives)}: binary unified log archive (.logarchive), which this "
                "tool cannot read on Linux. Export it on a Mac: `log show --archive system_logs.logarchive "
                "--style ndjson --info --debug > device.ndjson` (add --start/--end around the call), then "
                "give the .ndjson file"
            )
            (summary.notes if ingested else summary.errors).append(msg)
    return summary


def ingest_file(con: duckdb.DuckDBPyConnection, item: InputFile, opts: ParseOptions) -> FileResult:
    """Ingest one plain file atomically: either all of it lands (source row, records, events) or none."""
    fmt = sniff(item)
    if fmt is None:
        if item.explicit:
            raise InputError(describe_unknown(item))
        return FileResult(item.label, None, "skipped", message=describe_unknown(item))
    # hash and count lines in a thread while DuckDB scans the same file (when the format has a fast scan)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending_scan = pool.submit(scan_file, item.path)
        fast_records = fast_scan(con, item, fmt) if fmt.kind == "log" else None
        scan = pending_scan.result()
    rows = con.execute("SELECT source_id, path FROM sources WHERE content_hash = ?", [scan.digest]).fetchall()
    if rows:
        con.execute("DROP TABLE IF EXISTS fast_rows")
        return FileResult(
            item.label,
            fmt.name,
            "duplicate",
            rows[0][0],
            message=f"already ingested as source {rows[0][0]} ({rows[0][1]})",
        )
    staged_in_parts = fmt.kind == "stats"
    con.execute("BEGIN TRANSACTION")
    source_id = None
    try:
        source_id = con.execute("SELECT nextval('seq_source')").fetchall()[0][0]
        con.execute(
            "INSERT INTO sources (source_id, content_hash, path, member, format, bytes, lines, meta_lines, records,"
            " stored, ignored, rejected, events, device_hint, device_key, complete)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, ?, ?, ?)",
            [
                source_id,
                scan.digest,
                item.display,
                item.member,
                fmt.name,
                item.path.stat().st_size,
                item.device_hint,
                item.device_key,
                not staged_in_parts,
            ],
        )
        if staged_in_parts:
            # a stats file commits part by part (bounded memory); `complete` stays false until the end, and a
            # store opened after a crash removes the parts (store.remove_incomplete)
            con.execute("COMMIT")
            con.execute("BEGIN TRANSACTION")
            tally, events = _ingest_stats(con, item, fmt, source_id, opts), 0
        else:
            if fast_records is not None and fast_records == scan.lines:
                tally = store_fast(con, item, fmt, source_id, opts, scan.lines)
            else:
                con.execute("DROP TABLE IF EXISTS fast_rows")
                tally = fmt.parse(con, item, source_id, opts)
            events = normalise_source(con, source_id)
            if fmt.name == "text":
                _check_text_is_a_log(con, item, source_id, tally)
            con.execute(
                "UPDATE sources SET layouts = (SELECT string_agg(envelope || ' ' || n, ', ' ORDER BY n DESC, envelope)"
                " FROM (SELECT envelope, count(*) AS n FROM log_records WHERE source_id = $s AND envelope IS NOT NULL"
                " GROUP BY envelope)) WHERE source_id = $s",
                {"s": source_id},
            )
        con.execute(
            "UPDATE sources SET lines = ?, meta_lines = ?, records = ?, stored = ?, ignored = ?, rejected = ?,"
            " events = ?, year_assumed = ?, complete = true WHERE source_id = ?",
            [
                tally.lines,
                tally.meta_lines,
                tally.records,
                tally.stored,
                tally.ignored,
                tally.rejected,
                events,
                tally.year_used,
                source_id,
            ],
        )
        con.execute("COMMIT")
    except _NothingRelevant as exc:
        con.execute("ROLLBACK")
        if item.explicit:
            raise InputError(str(exc)) from None
        return FileResult(item.label, fmt.name, "skipped", message=str(exc))
    except BaseException as exc:
        con.execute("ROLLBACK")
        if staged_in_parts and source_id is not None:
            remove_incomplete(con)
        if isinstance(exc, (duckdb.IOException, duckdb.OutOfMemoryException)):
            # a full disk or no memory left: nothing of this file is kept; say which file and why
            raise InputError(f"{item.label}: not stored, the store could not be written: {exc}") from exc
        raise
    layouts = con.execute("SELECT layouts FROM sources WHERE source_id = ?", [source_id]).fetchall()[0][0]
    return FileResult(
        item.label,
        fmt.name,
        "ingested",
        source_id,
        tally.lines,
        tally.records,
        tally.stored,
        tally.ignored,
        tally.rejected,
        events,
        layouts=layouts,
    )


def _check_text_is_a_log(con: duckdb.DuckDBPyConnection, item: InputFile, source_id: int, tally: Tally) -> None:
    """A text file is a log when something in it is about audio, calls or WebRTC; a file found in a folder must
    also have lines in a log layout (a ticket's notes or a README mention audio too)."""
    guide = (
        "give the phone's log: a `log show --style ndjson` export, a sysdiagnose, an idevicesyslog capture, "
        "or the Xcode / Console.app lines"
    )
    if tally.stored == 0 and tally.rejected == 0:
        raise _NothingRelevant(
            f"{item.label}: read as text ({tally.lines:,} lines, {tally.records:,} records), but none of it is "
            "about audio, calls or WebRTC (no AVAudioSession, RTCAudioSession, mediaserverd, CoreAudio, "
            f"interruption or route line); {guide}"
        )
    if not item.explicit:
        laid_out = con.execute(
            "SELECT count(*) FROM log_records WHERE source_id = ? AND envelope <> 'none'", [source_id]
        ).fetchall()[0][0]
        if laid_out == 0:
            raise _NothingRelevant(
                f"{item.label}: text with no line in a log layout (no time stamp, process or log prefix): "
                "not read as a log; name the file on the command line to read it anyway"
            )


def _ingest_stats(con: duckdb.DuckDBPyConnection, item: InputFile, fmt, source_id: int, opts: ParseOptions) -> Tally:
    """Stage a stats file's objects, type them part by part, and derive its interval series. A record is a
    stats object or a peer-connection state change."""
    con.execute(
        "DELETE FROM stat_stage; DELETE FROM stat_last; DELETE FROM rtcstats_delta; DELETE FROM rtcstats_objects;"
        " DELETE FROM pc_state_changes WHERE source_id = 0"
    )
    counts = StageCounts(0, 0, 0)

    def flush() -> None:
        part = store_stage(con, source_id, opts.window)
        counts.objects += part.objects
        counts.stored += part.stored
        counts.rejected += part.rejected
        con.execute("COMMIT")  # the typed part is on disk; memory does not grow with the file
        con.execute("BEGIN TRANSACTION")

    lines, meta = fmt.stage(con, item, opts, flush)
    flush()
    to_rejects, remove = query_statements("stats/check_state_times.sql")
    values = {"source_id": source_id, **opts.window}
    late = con.execute(to_rejects, params_for(to_rejects, values)).fetchall()[0][0]
    con.execute(remove, params_for(remove, values))
    states = con.execute("UPDATE pc_state_changes SET source_id = ? WHERE source_id = 0", [source_id]).fetchall()[0][0]
    derive_intervals(con, source_id)
    return Tally(
        lines=lines,
        meta_lines=meta,
        records=counts.objects + states + late,
        stored=counts.stored + states,
        ignored=0,
        rejected=counts.rejected + late,
    )
