"""Small getStats files stored a batch at a time: one read_ndjson over the batch's files and one run of the typing
statements (analyzer/normalise/stats.py, a source_id column) for all of them, instead of some fifty statements a
file, each mostly DuckDB's planning. Every file draws its source id at its turn in input order and its result is
given in that order, so the store holds the rows, ids and counts the per-file path gives. A file the batch cannot
take whole (damaged JSON, a blank line, a line without a report) is stored by the per-file path, alone, after the
batch; the batch's rows are committed together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial

import duckdb
import pyarrow as pa

from analyzer.errors import InputError
from analyzer.formats import LOG_FORMATS, stats_ndjson
from analyzer.formats.logparse import ParseOptions
from analyzer.formats.sniff import sniff
from analyzer.normalise.events import define_matches
from analyzer.normalise.stats import _WHEN_TO_CHECK, _any_to_check, derive_intervals, store_statements
from analyzer.read.filescan import scan_file
from analyzer.read.lines import MAX_LINE_BYTES, sniff_encoding
from analyzer.read.sources import InputFile
from analyzer.resources import query_statements, query_text
from analyzer.settings import number
from analyzer.store import ingest as ingest_mod
from analyzer.store.counts import EXCERPT, Counts
from analyzer.store.db import IN_SOURCES, params_for, remove_incomplete, sources_params, transaction
from analyzer.store.ingest import (
    FileResult,
    duplicate_result,
    fill_stats_source,
    find_duplicate,
    source_values,
    unwritable,
)
from analyzer.store.ingest_pool import ingest_steps

# bytes of getStats files stored in one batch (0: no batches); a file over 1 / _FILE_SHARE of it is stored alone
BATCH_MAX_BYTES = int(number("ANALYZER_BATCH_MAX_BYTES", 32 * 1024**2, minimum=0))
_FILE_SHARE = 4
_FORMAT = stats_ndjson.FORMAT
_SOURCE_COLUMNS = pa.schema(
    [
        ("source_id", pa.int64()),
        ("content_hash", pa.string()),
        ("path", pa.string()),
        ("member", pa.string()),
        ("format", pa.string()),
        ("bytes", pa.int64()),
        ("lines", pa.int64()),
        ("meta_lines", pa.int64()),
        ("records", pa.int64()),
        ("stored", pa.int64()),
        ("ignored", pa.int64()),
        ("rejected", pa.int64()),
        ("events", pa.int64()),
        ("device_hint", pa.string()),
        ("device_key", pa.string()),
        ("complete", pa.bool_()),
    ]
)


def batchable(item: InputFile, max_bytes: int | None = None) -> bool:
    """Whether the file is a small UTF-8 getStats upload (one report a line) a batch may take."""
    limit = BATCH_MAX_BYTES if max_bytes is None else max_bytes
    if any(c in str(item.path) for c in "*?[{") or str(item.path).startswith("~"):
        return False  # DuckDB's reader would take the name as a pattern
    try:
        if not 0 < item.path.stat().st_size <= limit // _FILE_SHARE:
            return False
        with open(item.path, "rb") as fh:
            if sniff_encoding(fh.read(256)) != "utf-8":
                return False
        return sniff(item) is _FORMAT
    except OSError:
        return False  # the per-file path says what is wrong with it


@dataclass
class _Pending:
    item: InputFile
    source_id: int
    digest: str
    lines: int
    bytes: int


@dataclass
class StatsBatch:
    """getStats files waiting to be stored together, each with the source id it drew at its turn."""

    con: duckdb.DuckDBPyConnection
    opts: ParseOptions
    max_bytes: int
    pending: list[_Pending] = field(default_factory=list)
    outcomes: dict[int, FileResult | InputError] = field(default_factory=dict)  # id(item) -> what became of it

    @property
    def full(self) -> bool:
        return sum(p.bytes for p in self.pending) >= self.max_bytes

    def add(self, item: InputFile) -> Callable[[], FileResult]:
        """The file's turn: a duplicate is said at once; any other draws its source id and waits for flush().
        Returns the call that gives its result (after flush)."""
        scan = scan_file(item.path)
        waiting = next((p for p in self.pending if p.digest == scan.digest), None)
        if waiting is not None:
            done = duplicate_result(item, _FORMAT.name, waiting.source_id, waiting.item.display)
        else:
            done = find_duplicate(self.con, item, _FORMAT.name, scan.digest)
        if done is None:
            source_id = self.con.execute("SELECT nextval('seq_source')").fetchall()[0][0]
            size = item.path.stat().st_size
            self.pending.append(_Pending(item, source_id, scan.digest, scan.lines, size))
        else:
            self.outcomes[id(item)] = done
        return lambda: _given(self.outcomes.pop(id(item)))

    def flush(self) -> None:
        """Store every pending file: the batch's in one transaction, any file it could not take on its own."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        alone = _store_batch(self.con, pending, self.opts, self.outcomes) if len(pending) > 1 else pending
        for waiting in alone:
            self.outcomes[id(waiting.item)] = _store_alone(self.con, waiting, self.opts)


def _given(outcome: FileResult | InputError) -> FileResult:
    if isinstance(outcome, InputError):
        raise outcome
    return outcome


def _settled(ingest: Callable[[], FileResult | Callable[[], FileResult]]) -> Callable[[], FileResult]:
    """Run a step now; the call that gives its result (or raises its InputError) later."""
    try:
        outcome = ingest()
    except InputError as exc:
        error = exc  # the except block forgets exc
        return lambda: _given(error)
    return outcome if callable(outcome) else lambda: _given(outcome)


_EVENTS_BATCH_FILES = 64  # log files whose events wait to be typed together, at most
_LOG_FORMATS = {f.name for f in LOG_FORMATS}


@dataclass
class EventsBatch:
    """Log files stored but for their events (sources incomplete), whose events are typed in one statement for all
    of them (the event ids follow the record ids, as file after file would give them)."""

    con: duckdb.DuckDBPyConnection
    waiting: list[FileResult] = field(default_factory=list)
    failed: dict[int, InputError] = field(default_factory=dict)  # id(result) -> why it was not stored

    def add(self, result: FileResult) -> Callable[[], FileResult]:
        """A log file's result, stored but for its events; the call that gives it once flush() ran."""
        if result.status == "ingested":
            self.waiting.append(result)
        return lambda: self._given(result)

    def _given(self, result: FileResult) -> FileResult:
        if id(result) in self.failed:
            raise self.failed.pop(id(result))
        return result

    def flush(self) -> None:
        """Type the waiting files' events and complete their sources, in one transaction (one file at a time when
        that fails but for a full disk or memory, which every file then says); a failure leaves none of them."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        define_matches(self.con)  # with workers, the main process may have typed no log yet
        done = 0  # files whose events are committed
        try:
            try:
                with transaction(self.con):
                    _type_events(self.con, waiting)
            except (duckdb.IOException, duckdb.OutOfMemoryException):
                raise
            except duckdb.Error:
                for result in waiting:
                    with transaction(self.con):
                        _type_events(self.con, [result])
                    done += 1
        except (duckdb.IOException, duckdb.OutOfMemoryException) as exc:
            remove_incomplete(self.con)
            for result in waiting[done:]:
                self.failed[id(result)] = unwritable(result.label, exc)
        except BaseException:
            remove_incomplete(self.con)
            raise


def _type_events(con: duckdb.DuckDBPyConnection, results: list[FileResult]) -> None:
    """The files' events (inside the caller's transaction), their counts into sources and their results."""
    ids = [r.source_id for r in results]
    ingest_mod.normalise_source(con, ids)
    counted = con.execute(
        f"SELECT source_id, count(*) FROM session_events WHERE {IN_SOURCES} GROUP BY source_id", sources_params(ids)
    ).fetchall()
    found = dict(counted)
    events = [found.get(i, 0) for i in ids]
    con.execute(
        "UPDATE sources SET events = e.n, complete = true FROM (SELECT unnest($sources) AS id, unnest($events) AS n) e "
        "WHERE sources.source_id = e.id",
        {"sources": ids, "events": events},
    )
    for result, n in zip(results, events, strict=True):
        result.events = n


def batched_steps(
    con: duckdb.DuckDBPyConnection, items: list[InputFile], opts: ParseOptions, jobs: int
) -> Iterator[tuple[InputFile, Callable[[], FileResult]]]:
    """ingest_steps (store/ingest_pool.py) with the small getStats files stored in batches and the logs' events
    typed for several files at once: each item with the call that gives its result, in input order. While a batch
    waits, the files after its first are stored at their turn and their results held until the batch is stored."""
    if not BATCH_MAX_BYTES:
        yield from ingest_steps(con, items, opts, jobs)
        return
    kept = frozenset(id(item) for item in items if batchable(item, BATCH_MAX_BYTES))
    batch, events = StatsBatch(con, opts, BATCH_MAX_BYTES), EventsBatch(con)
    held: list[tuple[InputFile, Callable[[], FileResult]]] = []

    def flush() -> None:
        events.flush()  # first: a stats file stored alone removes what is incomplete when it fails
        batch.flush()

    for item, ingest in ingest_steps(con, items, opts, jobs, kept, later_events=True):
        if ingest is None:
            held.append((item, batch.add(item)))
        else:
            if not _may_be_a_log(item):
                events.flush()  # a stats file stored here removes what is incomplete when it fails
            held.append((item, _settled(partial(_stored, ingest, events))))
        if batch.full or len(events.waiting) >= _EVENTS_BATCH_FILES:
            flush()
        if not batch.pending and not events.waiting:
            yield from held
            held.clear()
    flush()
    yield from held


def _may_be_a_log(item: InputFile) -> bool:
    """Whether the file sniffs as a log (or cannot be read: the per-file path says why)."""
    try:
        fmt = sniff(item)
    except OSError:
        return True
    return fmt is None or fmt.kind == "log"


def _stored(ingest: Callable[[], FileResult], events: EventsBatch) -> Callable[[], FileResult]:
    """Run a step; a log stored but for its events waits for the events batch."""
    result = ingest()
    if result.status == "ingested" and result.format in _LOG_FORMATS:
        return events.add(result)
    return lambda: result


def _read(con: duckdb.DuckDBPyConnection, files: list[_Pending]) -> list[_Pending]:
    """Append the files' lines to batch_read (queries/stats/batch_read.sql), halving a part whose read fails;
    returns the files no read took (damaged: the per-file path rejects exactly their bad lines)."""
    sql = query_text("stats/batch_read.sql")
    values = {"paths": [str(f.item.path) for f in files], "max_bytes": MAX_LINE_BYTES, "origin": "device"}
    try:
        con.execute(sql, params_for(sql, values))
    except duckdb.Error:
        if len(files) == 1:
            return files
        half = len(files) // 2
        return _read(con, files[:half]) + _read(con, files[half:])
    return []


def _store_batch(
    con: duckdb.DuckDBPyConnection,
    pending: list[_Pending],
    opts: ParseOptions,
    outcomes: dict[int, FileResult | InputError],
) -> list[_Pending]:
    """Read, type and store the batch's files in one transaction; returns the files to store one by one."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE batch_read (filename VARCHAR, rep JSON, call_id_hint VARCHAR, pc_id VARCHAR, "
        "report_ts VARCHAR, origin VARCHAR)"
    )
    damaged = _read(con, pending)
    listed = [{"filename": str(p.item.path), "lines": p.lines} for p in pending if p not in damaged]
    if len(listed) < 2:
        return pending  # at most one file read whole: no batch
    whole = {r[0] for r in con.execute(query_text("stats/batch_files.sql"), {"files": listed}).fetchall()}
    taken = [p for p in pending if p not in damaged and str(p.item.path) in whole]
    alone = [p for p in pending if p not in taken]
    if len(taken) < 2:
        return pending
    con.execute("DELETE FROM batch_read WHERE NOT list_contains($taken, filename)", {"taken": sorted(whole)})
    files = [{"filename": str(p.item.path), "source_id": p.source_id} for p in taken]
    con.execute("DELETE FROM stat_stage; DELETE FROM stat_last")
    try:
        for sql in query_statements("stats/batch_stage.sql"):
            con.execute(sql, params_for(sql, {"files": files}))
        con.execute(query_text("stats/ndjson_objects.sql"))
        con.execute(query_text("stats/batch_sourced.sql"))
        with transaction(con):
            results = _store_staged(con, taken, opts)
    except duckdb.Error:
        return pending  # e.g. a full disk: each file then says so on its own
    finally:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE stat_stage AS SELECT * EXCLUDE (source_id) FROM stat_stage WHERE false; "
            "DROP TABLE IF EXISTS stat_typed; DROP TABLE IF EXISTS stage_objects; DROP TABLE IF EXISTS batch_lines; "
            "DROP TABLE batch_read"
        )
    outcomes.update(results)
    return alone


def _store_staged(con: duckdb.DuckDBPyConnection, taken: list[_Pending], opts: ParseOptions) -> dict[int, FileResult]:
    """The batch's staged objects into rejects and the typed tables, its sources rows and interval series
    (inside the caller's transaction); each file's result."""
    values = {"excerpt": EXCERPT, **opts.window}
    for sql in store_statements(batch=True):
        if sql.startswith(_WHEN_TO_CHECK) and not _any_to_check(con):
            continue
        con.execute(sql, params_for(sql, values))
    counted = con.execute(
        "SELECT source_id, count(*), count(reject_reason) + (SELECT count(*) FROM stat_typed t "
        "WHERE t.source_id = s.source_id AND t.reject_reason IS NOT NULL) FROM stat_stage s GROUP BY source_id"
    ).fetchall()
    found = {source_id: (records, rejected) for source_id, records, rejected in counted}
    results, rows = {}, []
    for p in taken:
        records, rejected = found.get(p.source_id, (0, 0))
        counts = Counts(lines=p.lines, records=records, stored=records - rejected, rejected=rejected)
        results[id(p.item)] = FileResult(
            **asdict(counts), label=p.item.label, format=_FORMAT.name, status="ingested", source_id=p.source_id
        )
        rows.append(_source_row(p, counts, complete=True))
    _insert_sources(con, rows)
    derive_intervals(con, [p.source_id for p in taken])
    return results


def _source_row(p: _Pending, counts: Counts, complete: bool) -> dict[str, object]:
    """The file's row in sources (queries/store/insert_source.sql's columns, with its id and counts)."""
    return {
        "source_id": p.source_id,
        **source_values(p.item, _FORMAT.name, p.digest, p.bytes, complete),
        **{k: v for k, v in counts.as_params().items() if k != "year_assumed"},
    }


def _insert_sources(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    con.register("source_rows", pa.Table.from_pylist(rows, schema=_SOURCE_COLUMNS))
    try:
        con.execute("INSERT INTO sources BY NAME SELECT * FROM source_rows")
    finally:
        con.unregister("source_rows")


def _store_alone(con: duckdb.DuckDBPyConnection, p: _Pending, opts: ParseOptions) -> FileResult | InputError:
    """A file the batch did not take, stored by the per-file path under the source id it drew."""
    try:
        with transaction(con):
            _insert_sources(con, [_source_row(p, Counts(), complete=False)])
        counts, layouts = fill_stats_source(con, p.item, _FORMAT, p.source_id, opts)
    except (duckdb.IOException, duckdb.OutOfMemoryException) as exc:
        return unwritable(p.item.label, exc)
    except InputError as exc:
        return exc
    return FileResult(
        **asdict(counts),
        label=p.item.label,
        format=_FORMAT.name,
        status="ingested",
        source_id=p.source_id,
        layouts=layouts,
    )
