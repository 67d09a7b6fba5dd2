"""Ingest: read -> sniff -> parse -> normalise -> store, one transaction per input file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import duckdb

from analyzer.errors import InputError
from analyzer.formats import LogFormat, StatsFormat
from analyzer.formats.logparse import ParseOptions, fast_scan, store_fast
from analyzer.formats.sniff import describe_unknown, sniff
from analyzer.normalise.events import define_matches, normalise_source
from analyzer.normalise.stats import derive_intervals, store_stage
from analyzer.normalise.typed_rows import store_typed
from analyzer.read.filescan import FileScan, scan_file
from analyzer.read.sources import Collector, InputFile
from analyzer.resources import query_statements, query_text
from analyzer.store.counts import Counts
from analyzer.store.db import params_for, remove_incomplete, transaction


class _NothingRelevant(Exception):
    """A text file that holds nothing the analyzer is about (refused if named, skipped in a folder)."""


@dataclass(kw_only=True)
class FileResult(Counts):
    """What happened to one input file: its counts, and what became of it."""

    label: str
    format: str | None
    status: str  # ingested | duplicate | skipped | error
    source_id: int | None = None
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
    jobs: int = 1,
) -> IngestSummary:
    """Ingest every file the paths lead to. Bad inputs become errors in the summary, not exceptions.

    one_device: every file whose name does not say its device (a sysdiagnose does) is from this one device,
    as in a ticket: the phone's log and its stats are then one device's evidence, whatever folder each is in.
    jobs: processes that read the files (store/ingest_pool.py); small getStats files are stored a batch at a time
    (store/ingest_batch.py); the store holds the same rows whatever the jobs and batches."""
    from analyzer.store.ingest_batch import batched_steps  # it builds on this module

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
        for item, ingest in batched_steps(con, collected.files, opts, jobs):
            if progress:
                progress(item.label)
            try:
                summary.files.append(ingest())
            except InputError as exc:
                summary.errors.append(str(exc))
                summary.files.append(FileResult(label=item.label, format=None, status="error", message=str(exc)))
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


def ingest_file(
    con: duckdb.DuckDBPyConnection, item: InputFile, opts: ParseOptions, later_events: bool = False
) -> FileResult:
    """Ingest one plain file atomically: either all of it lands (source row, records, events) or none.
    later_events: a log's events are left to the caller (store/ingest_batch.py), its source incomplete till then."""
    fmt = sniff_input(item)
    if isinstance(fmt, FileResult):
        return fmt
    scan, fast_records = scan_input(con, item, fmt)
    duplicate = find_duplicate(con, item, fmt.name, scan.digest)
    if duplicate:
        con.execute("DROP TABLE IF EXISTS fast_rows")
        return duplicate
    return store_file(con, item, fmt, scan, fast_records, opts, later_events)


def sniff_input(item: InputFile) -> LogFormat | StatsFormat | FileResult:
    """The file's format; a file of no known format found in a folder is skipped (its result), one named is an
    InputError."""
    fmt = sniff(item)
    if fmt is not None:
        return fmt
    if item.explicit:
        raise InputError(describe_unknown(item))
    return FileResult(label=item.label, format=None, status="skipped", message=describe_unknown(item))


def find_duplicate(con: duckdb.DuckDBPyConnection, item: InputFile, fmt_name: str, digest: str) -> FileResult | None:
    """The result of a file whose bytes the store already holds (ingest is idempotent), or None."""
    found = con.execute(query_text("store/find_source.sql"), {"content_hash": digest}).fetchall()
    if not found:
        return None
    return duplicate_result(item, fmt_name, *found[0])


def unwritable(label: str, exc: Exception) -> InputError:
    """The error of a file the store could not be written for (a full disk, no memory left): nothing of it is kept."""
    return InputError(f"{label}: not stored, the store could not be written: {exc}")


def duplicate_result(item: InputFile, fmt_name: str, source_id: int, path: str) -> FileResult:
    """The result of a file whose bytes are already source `source_id` (read from `path`)."""
    message = f"already ingested as source {source_id} ({path})"
    return FileResult(label=item.label, format=fmt_name, status="duplicate", source_id=source_id, message=message)


def store_file(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    fmt,
    scan: FileScan,
    fast_records: int | None,
    opts: ParseOptions,
    later_events: bool = False,
) -> FileResult:
    """Store a sniffed and scanned file that the store does not hold yet (the rest of ingest_file)."""
    try:
        if fmt.kind == "stats":
            source_id, counts, layouts = _store_stats_file(con, item, fmt, scan.digest, opts)
        else:
            source_id, counts, layouts = _store_log_file(
                con, item, fmt, scan, fast_records, opts, later_events=later_events
            )
    except _NothingRelevant as exc:
        if item.explicit:
            raise InputError(str(exc)) from None
        return FileResult(label=item.label, format=fmt.name, status="skipped", message=str(exc))
    except (duckdb.IOException, duckdb.OutOfMemoryException) as exc:
        # a full disk or no memory left: nothing of this file is kept; say which file and why
        raise unwritable(item.label, exc) from exc
    return FileResult(
        **asdict(counts), label=item.label, format=fmt.name, status="ingested", source_id=source_id, layouts=layouts
    )


def scan_input(con: duckdb.DuckDBPyConnection, item: InputFile, fmt) -> tuple[FileScan, int | None]:
    """Hash and count the file's lines in a thread while DuckDB scans the same file (a log format's fast_sql);
    returns the scan and the number of records the fast scan read (None without one: a stats file is read a part
    at a time when it is stored)."""
    if fmt.kind != "log":
        return scan_file(item.path), None
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending_scan = pool.submit(scan_file, item.path)
        fast_records = fast_scan(con, item, fmt)
        return pending_scan.result(), fast_records


def source_values(item: InputFile, fmt_name: str, digest: str, size: int, complete: bool) -> dict[str, object]:
    """What an input's row in sources says of it before it is read (queries/store/insert_source.sql's parameters; a
    batch adds its id and counts: store/ingest_batch.py)."""
    return {
        "content_hash": digest,
        "path": item.display,
        "member": item.member,
        "format": fmt_name,
        "bytes": size,
        "device_hint": item.device_hint,
        "device_key": item.device_key,
        "complete": complete,
    }


def _insert_source(con: duckdb.DuckDBPyConnection, item: InputFile, fmt, digest: str, complete: bool) -> int:
    """The input's row in sources (queries/store/insert_source.sql); returns its source_id."""
    values = source_values(item, fmt.name, digest, item.path.stat().st_size, complete)
    return con.execute(query_text("store/insert_source.sql"), values).fetchall()[0][0]


def _finish_source(con: duckdb.DuckDBPyConnection, source_id: int, counts: Counts, complete: bool = True) -> str | None:
    """Write the input's counts and layouts into its sources row and mark it complete (or not yet: its events come
    later); returns the layouts."""
    sql = query_text("store/finish_source.sql")
    return con.execute(sql, {**counts.as_params(), "source_id": source_id, "complete": complete}).fetchall()[0][0]


def _store_log_file(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    fmt,
    scan: FileScan,
    fast_records: int | None,
    opts: ParseOptions,
    *,
    later_events: bool,
) -> tuple[int, Counts, str | None]:
    """Parse a log file into log_records and rejects and type its events, in one transaction (later_events: the
    events are typed later, for several files at once, and the source stays incomplete till then)."""
    define_matches(con)
    with transaction(con):
        source_id = _insert_source(con, item, fmt, scan.digest, complete=True)
        if fast_records is not None and fast_records == scan.lines:
            counts = store_fast(con, item, fmt, source_id, opts, scan.lines)
        else:
            con.execute("DROP TABLE IF EXISTS fast_rows")
            counts = fmt.parse(con, item, source_id, opts)
        if not later_events:
            counts.events = normalise_source(con, source_id)
        if fmt.name == "text":
            _check_text_is_a_log(con, item, source_id, counts)
        layouts = _finish_source(con, source_id, counts, complete=not later_events)
    return source_id, counts, layouts


def _store_stats_file(
    con: duckdb.DuckDBPyConnection, item: InputFile, fmt, digest: str, opts: ParseOptions
) -> tuple[int, Counts, str | None]:
    """Store a stats file part by part (bounded memory): its sources row says `complete = false` until the end,
    and what a failure leaves is removed (store.remove_incomplete), as a store opened after a crash does."""
    with transaction(con):
        source_id = _insert_source(con, item, fmt, digest, complete=False)
    counts, layouts = fill_stats_source(con, item, fmt, source_id, opts)
    return source_id, counts, layouts


def fill_stats_source(
    con: duckdb.DuckDBPyConnection, item: InputFile, fmt, source_id: int, opts: ParseOptions
) -> tuple[Counts, str | None]:
    """Store a stats file whose sources row (`complete = false`) is written: its rows part by part, then its counts;
    what a failure leaves is removed (store.remove_incomplete)."""
    try:
        with _checkpoint_less_often(con), transaction(con):
            counts = _ingest_stats(con, item, fmt, source_id, opts)
            layouts = _finish_source(con, source_id, counts)
    except BaseException:
        remove_incomplete(con)
        raise
    return counts, layouts


def _check_text_is_a_log(con: duckdb.DuckDBPyConnection, item: InputFile, source_id: int, counts: Counts) -> None:
    """A text file is a log when something in it is about audio, calls or WebRTC; a file found in a folder must
    also have lines in a log layout (a ticket's notes or a README mention audio too)."""
    guide = (
        "give the phone's log: a `log show --style ndjson` export, a sysdiagnose, an idevicesyslog capture, "
        "or the Xcode / Console.app lines"
    )
    if counts.stored == 0 and counts.rejected == 0:
        raise _NothingRelevant(
            f"{item.label}: read as text ({counts.lines:,} lines, {counts.records:,} records), but none of it is "
            "about audio, calls or WebRTC (no AVAudioSession, RTCAudioSession, mediaserverd, CoreAudio, "
            f"interruption or route line); {guide}"
        )
    if not item.explicit:
        laid_out = con.execute(
            "SELECT count(*) FROM log_records WHERE source_id = $source_id AND envelope <> 'none'",
            {"source_id": source_id},
        ).fetchall()[0][0]
        if laid_out == 0:
            raise _NothingRelevant(
                f"{item.label}: text with no line in a log layout (no time stamp, process or log prefix): "
                "not read as a log; name the file on the command line to read it anyway"
            )


# the store is checkpointed once its write-ahead log holds this much: DuckDB's default (16 MB) is less than a part of
# a getStats file (29 MB), so every part's commit checkpointed (2.7 of 20 CPU seconds for a 156 MB file, 0.8 and
# one checkpoint at the end at 128 MB, about one every 4 parts)
_STATS_CHECKPOINT = "128MB"


@contextmanager
def _checkpoint_less_often(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """While a stats file is stored part by part: a checkpoint after a few parts' commits, not every one."""
    before = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute("SET checkpoint_threshold = $size", {"size": _STATS_CHECKPOINT})
    try:
        yield
    finally:
        con.execute("SET checkpoint_threshold = $size", {"size": before})


def _ingest_stats(con: duckdb.DuckDBPyConnection, item: InputFile, fmt, source_id: int, opts: ParseOptions) -> Counts:
    """Stage a stats file's objects, type them part by part, and derive its interval series. A record is a
    stats object or a peer-connection state change."""
    con.execute(
        "DELETE FROM stat_stage; DELETE FROM stat_last; DELETE FROM rtcstats_delta; DELETE FROM rtcstats_objects;"
        " DELETE FROM pc_state_changes WHERE source_id = 0"
    )
    counts = Counts()

    def commit() -> None:
        con.execute("COMMIT")  # the typed part is on disk; memory does not grow with the file
        con.execute("BEGIN TRANSACTION")

    commit()  # a format may roll back a part it failed to read (stats_ndjson read_part): nothing before it

    def flush() -> None:
        counts.add(store_stage(con, source_id, opts.window))  # nothing staged: no statements run
        counts.add(store_typed(con, source_id, opts.window))  # rows a format typed itself (webrtc-internals)
        commit()

    counts.lines, counts.meta_lines = fmt.stage(con, item, opts, flush)
    flush()
    to_rejects, remove = query_statements("stats/check_state_times.sql")
    values = {"source_id": source_id, **opts.window}
    late = con.execute(to_rejects, params_for(to_rejects, values)).fetchall()[0][0]
    con.execute(remove, params_for(remove, values))
    states = con.execute(
        "UPDATE pc_state_changes SET source_id = $source_id WHERE source_id = 0", {"source_id": source_id}
    ).fetchall()[0][0]
    derive_intervals(con, source_id, commit)
    counts.add(Counts(records=states + late, stored=states, rejected=late))
    return counts
