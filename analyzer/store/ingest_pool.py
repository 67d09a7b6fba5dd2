"""Files in parallel: worker processes sniff, parse and type each small file into a private in-memory store, and
the main process stores each file's rows in one transaction of its own, in input order. The ids a worker's store
gave (from its sequences, reset for each file) are shifted to where the main store's sequences stand, which move
on by exactly as much as the worker's did, so the store holds the same rows whatever the number of workers."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial

import duckdb
import pyarrow as pa

from analyzer.errors import InputError
from analyzer.formats.logparse import ParseOptions
from analyzer.read.sources import InputFile
from analyzer.settings import number
from analyzer.store.db import connect, source_tables, transaction
from analyzer.store.ingest import (
    FileResult,
    find_duplicate,
    ingest_file,
    scan_input,
    sniff_input,
    store_file,
    unwritable,
)

# files up to this size go to the workers (a worker holds a file's rows in memory); larger ones are stored part by
# part by the main process, in their turn
POOL_MAX_BYTES = int(number("ANALYZER_POOL_MAX_BYTES", 64 * 1024**2, minimum=0))
_SEQUENCES = ("seq_source", "seq_record", "seq_event")
_ID_SEQUENCE = {"source_id": "seq_source", "record_id": "seq_record", "event_id": "seq_event"}
_RECONNECT_EVERY = 200  # files a worker's private store serves before it is opened afresh (its memory returned)


@dataclass
class Prepared:
    """One file as a worker left it: its result or its error, its hash, its rows, and the ids it drew."""

    result: FileResult | None = None
    error: str | None = None
    format: str | None = None
    digest: str | None = None
    drawn: dict[str, int] = field(default_factory=dict)  # sequence -> values drawn
    rows: dict[str, pa.Table] = field(default_factory=dict)  # quoted table name -> the file's rows


_worker: dict[str, object] = {}


def _start_worker(threads: int) -> None:
    _worker.update(threads=threads, files=0, con=None)


def _private_store() -> duckdb.DuckDBPyConnection:
    """The worker's in-memory store, emptied and its sequences restarted for the next file."""
    con = _worker["con"]
    if con is None or _worker["files"] >= _RECONNECT_EVERY:
        if con is not None:
            con.close()
        con = connect(":memory:")
        con.execute("SET threads = $n", {"n": _worker["threads"]})
        tables = (*source_tables(con), "sources")
        counted = " UNION ALL ".join(f"SELECT {i}, count(*) FROM {name}" for i, name in enumerate(tables))
        _worker.update(con=con, files=0, tables=tables, counted=counted, filled=tables)
    _worker["files"] += 1
    for name in _worker["filled"]:
        con.execute(f"DELETE FROM {name}")
    con.execute("; ".join(f"CREATE OR REPLACE SEQUENCE {seq} START 1" for seq in _SEQUENCES))
    _worker["filled"] = _worker["tables"]  # until the file is done (a failure: all emptied next time)
    return con


def _filled(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The private store's tables that hold rows (one statement counts them all)."""
    tables = _worker["tables"]
    return tuple(tables[i] for i, n in con.execute(_worker["counted"]).fetchall() if n)


def _drawn(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many values each sequence gave since the store was emptied."""
    values = ", ".join(f"nextval('{seq}') - 1" for seq in _SEQUENCES)
    return dict(zip(_SEQUENCES, con.execute(f"SELECT {values}").fetchall()[0], strict=True))


def prepare(item: InputFile, opts: ParseOptions, later_events: bool = False) -> Prepared:
    """In a worker: ingest one file into the private store; its outcome and rows, for the main process
    (later_events: a log's events are left to the main process, store/ingest_batch.py)."""
    con = _private_store()
    try:
        fmt = sniff_input(item)
    except InputError as exc:
        return Prepared(error=str(exc))
    if isinstance(fmt, FileResult):
        return Prepared(result=fmt)
    scan, fast_records = scan_input(con, item, fmt)
    done = Prepared(format=fmt.name, digest=scan.digest)
    try:
        done.result = store_file(con, item, fmt, scan, fast_records, opts, later_events)
    except InputError as exc:
        done.error = str(exc)
    done.drawn = _drawn(con)
    _worker["filled"] = _filled(con)
    if done.result is not None and done.result.status == "ingested":
        done.rows = {name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in _worker["filled"]}
    return done


def _draw(con: duckdb.DuckDBPyConnection, seq: str, n: int) -> int:
    """Draw n values of the main store's sequence; returns what to add to a worker's id (its values start at 1)."""
    if n == 0:
        return 0
    last = con.execute("SELECT max(nextval($seq)) FROM range($n)", {"seq": seq, "n": n}).fetchall()[0][0]
    return last - n


def store_prepared(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    pending: Future | None,
    opts: ParseOptions,
    later_events: bool = False,
) -> FileResult:
    """In the main process: store what a worker made of `item` in one transaction, as ingest_file would have. A file
    no worker read (a worker was killed, e.g. for memory) is read here."""
    try:
        if pending is None:
            raise BrokenProcessPool
        done: Prepared = pending.result()
    except BrokenProcessPool:
        return ingest_file(con, item, opts, later_events)
    if done.digest is not None:
        duplicate = find_duplicate(con, item, done.format, done.digest)
        if duplicate:
            return duplicate
    try:
        with transaction(con):
            shift = {seq: _draw(con, seq, n) for seq, n in done.drawn.items()}
            for name, rows in done.rows.items():
                _insert(con, name, rows, shift)
    except (duckdb.IOException, duckdb.OutOfMemoryException) as exc:
        raise unwritable(item.label, exc) from exc
    if done.error is not None:
        raise InputError(done.error)
    result = done.result
    if result.source_id is None:
        return result
    return replace(result, source_id=result.source_id + shift["seq_source"])


def _insert(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table, shift: dict[str, int]) -> None:
    ids = [c for c in rows.column_names if c in _ID_SEQUENCE]
    moved = ", ".join(f"{c} + $shift_{c} AS {c}" for c in ids)
    dropped = " EXCLUDE (ingested_at)" if "ingested_at" in rows.column_names else ""  # stored now, by the default
    con.register("prepared_rows", rows)
    try:
        sql = f"INSERT INTO {name} BY NAME SELECT *{dropped} REPLACE ({moved}) FROM prepared_rows"
        con.execute(sql, {f"shift_{c}": shift[_ID_SEQUENCE[c]] for c in ids})
    finally:
        con.unregister("prepared_rows")


def _pooled(item: InputFile) -> bool:
    try:
        return item.path.stat().st_size <= POOL_MAX_BYTES
    except OSError:
        return False  # the main process says what is wrong with it


def ingest_steps(
    con: duckdb.DuckDBPyConnection,
    items: list[InputFile],
    opts: ParseOptions,
    jobs: int,
    kept: frozenset[int] = frozenset(),
    later_events: bool = False,
) -> Iterator[tuple[InputFile, Callable[[], FileResult] | None]]:
    """Each item with the call that ingests it into the store (a FileResult, or an InputError), in input order.
    With jobs > 1 and two files or more to share, `jobs` worker processes read the small files ahead. An item
    whose id() is in `kept` comes with None: the caller stores it (store/ingest_batch.py), as it types the logs'
    events when later_events."""
    pooled = [item for item in items if id(item) not in kept and _pooled(item)] if jobs > 1 else []
    to_pool = {id(item) for item in pooled}
    if len(pooled) < 2:
        for item in items:
            yield item, None if id(item) in kept else partial(ingest_file, con, item, opts, later_events)
        return
    threads = max(1, (os.cpu_count() or 1) // jobs)
    context = multiprocessing.get_context("spawn")  # the main process holds DuckDB's threads: no fork
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(threads,)) as pool:
        waiting = iter(pooled)
        ahead: dict[int, Future | None] = {}

        def read_ahead() -> None:
            while len(ahead) < 2 * jobs and (item := next(waiting, None)) is not None:
                try:
                    ahead[id(item)] = pool.submit(prepare, item, opts, later_events)
                except BrokenProcessPool:
                    ahead[id(item)] = None

        for item in items:
            read_ahead()
            if id(item) in to_pool:
                yield item, partial(store_prepared, con, item, ahead.pop(id(item)), opts, later_events)
            elif id(item) in kept:
                yield item, None
            else:
                yield item, partial(ingest_file, con, item, opts, later_events)
