"""What the served dashboard reads, and how, so that it never holds the store for long.

The fleet (one row a call, `queries/serve/snapshot.sql`) is copied into the server's own in-memory DuckDB when the
server starts and again whenever the store's file changes; the fleet view and the call list page, sort and filter
that copy (`queries/serve/filters.sql`, `page.sql`, `overview.sql`), so they answer while an `analyzer ingest` holds
the file. One call's detail is read from the store itself: the file is attached read-only for the request and
detached at once, so a concurrent ingest waits at most for that one request (it retries its lock)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import duckdb

from analyzer.detect.rules import Rule, load_rules
from analyzer.errors import InputError
from analyzer.normalise.stats import stats_tables
from analyzer.reference import severity_rank
from analyzer.resources import query_statements, query_text
from analyzer.store.db import StillLocked, connect, params_for, retry_locked, writer_waiting
from analyzer.triage.ticket import Report

PAGE_COLUMNS = (
    "call_id", "device", "device_model", "os_version", "app_version", "route", "start_utc", "duration_s", "verdict",
    "cause", "findings", "rules",
)  # fmt: skip
CALL_PARAM = "call"  # the URL's name for the open call (every other name is a filter)
BUSY_WAIT_S = 1.5  # how long one call's request waits for an ingest to let go of the file
REFRESH_EVERY_S = 2.0  # how often the store's file is looked at for changes
CACHED_TICKETS = 8  # tickets kept, the most recent calls opened
TICKET_AHEAD_AFTER_S = 0.4  # how long after a call is opened its ticket starts being built ahead
CACHED_ANSWERS = 256  # the fleet view's and the list's answers kept, the most recent (each a few kB at most)
SNAPSHOT = (("serve_calls", "snapshot.sql"), ("serve_links", "links.sql"))  # the snapshot's tables, from the store
PLOTTED = ("events", "series", "states")  # queries/serve/call_<name>.sql: what the timeline draws
ONE_CALL_TABLES = ("calls", "event_links", "call_streams", "findings", "predictions", "session_events")  # one_call.sql
# the store's stats and interval tables the views read per file and peer connection: one call's streams' rows only
# (the typed stats tables are stats_fields.toml's)
STREAM_TABLES = tuple(
    sorted({"pc_state_changes", "pc_spans", "rtp_intervals", "stats_other", *(t.name for t in stats_tables())})
)
# those the page of a call reads (its states, audio series, mic level and silent stretches); the ticket reads them all
PAGE_STREAM_TABLES = ("pc_state_changes", "rtp_intervals", "stats_media_source", "stats_transport")


class StoreBusy(Exception):
    """The store is being written (an ingest holds it) and could not be read in time."""


@dataclass(frozen=True)
class Query:
    """The fleet filters, as the URL names them (an empty value: no filter)."""

    day_from: str = ""
    day_to: str = ""
    verdict: str = ""
    cause: str = ""
    rule: str = ""
    os_version: str = ""
    device_model: str = ""
    app_version: str = ""
    route: str = ""
    search: str = ""

    @classmethod
    def from_search(cls, search: str | None) -> Query:
        """The filters named in a URL's query string (`?os_version=18.1&verdict=failed`); unknown names are ignored,
        and a day that is not a date is dropped."""
        given = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
        values = {f.name: given.get(f.name, "").strip() for f in fields(cls)}
        for name in ("day_from", "day_to"):
            try:
                date.fromisoformat(values[name])
            except ValueError:
                values[name] = ""
        return cls(**values)

    def params(self) -> dict[str, str]:
        """The filters as the $parameters of queries/serve/*.sql."""
        return asdict(self)

    def with_(self, **changes: str) -> Query:
        """This query with some filters changed."""
        return Query(**{**asdict(self), **changes})

    def to_search(self, call: str | None = None) -> str:
        """The URL query string naming these filters (and the open call)."""
        pairs = [(k, v) for k, v in asdict(self).items() if v]
        if call:
            pairs.append((CALL_PARAM, call))
        return "?" + urlencode(pairs) if pairs else ""


def call_in(search: str | None) -> str | None:
    """The call a URL's query string names (`call=`), if any."""
    values = parse_qs((search or "").lstrip("?")).get(CALL_PARAM)
    return values[-1] if values else None


def _signature(db: Path) -> tuple:
    """What changes when the store is written: the file's and its WAL's size and modification time."""
    out = []
    for p in (db, db.with_name(db.name + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


class TicketDropped(Exception):
    """A ticket being built ahead gave way to a page the user asked for (it is built when downloaded)."""


def _built(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class _Yielding:
    """A connection whose next statement does not start once `give_way` is set (TicketDropped): a ticket built
    ahead stops between two statements when the user opens another call."""

    def __init__(self, con: duckdb.DuckDBPyConnection, give_way: threading.Event) -> None:
        self._con, self._give_way = con, give_way

    def execute(self, *args, **kwargs) -> duckdb.DuckDBPyConnection:
        if self._give_way.is_set():
            raise TicketDropped
        return self._con.execute(*args, **kwargs)


class _Reader:
    """A session of its own (the store's views and macros over an empty schema, one thread) that attaches the store
    read-only for one request and detaches it, one request at a time."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.session = connect(":memory:")
        # one call's queries read a few rows: waking DuckDB's other threads costs more than it saves, and the other
        # core is left to the snapshot's queries and the page
        self.session.execute("SET threads = 1")
        self.session.execute(query_text("serve/reader.sql"))
        self.lock = threading.Lock()

    @contextmanager
    def attached(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The store attached read-only (waiting up to BUSY_WAIT_S for an ingest), then detached."""

        def attach() -> bool | None:
            if writer_waiting(self.db):  # an ingest waiting for the file goes first
                return None
            self.session.execute("ATTACH $path AS store (READ_ONLY)", {"path": str(self.db)})
            return True

        with self.lock:
            try:
                retry_locked(attach, BUSY_WAIT_S, str(self.db), most=0.1)
            except StillLocked:
                raise StoreBusy(str(self.db)) from None
            try:
                self.session.execute("USE store")
                yield self.session
            finally:
                self.session.execute("USE memory")
                self.session.execute("DETACH store")


class Fleet:
    """The served store: a snapshot of its calls in memory, and one call's detail read from the file on demand."""

    def __init__(self, db: Path, rules: list[Rule] | None = None) -> None:
        self.db = Path(db)
        if not self.db.is_file():
            raise InputError(f"--db {db}: no such store (run `analyzer ingest ... --db {db}` first)")
        connect(self.db, read_only=True, wait_s=BUSY_WAIT_S).close()  # a clear error for a store of another version
        self.rules = rules if rules is not None else load_rules()
        self._page_reader = _Reader(self.db)  # the snapshot and the open call's page
        self._ticket_reader = _Reader(self.db)  # tickets, built beside the pages (`prefetch_ticket`)
        self._tickets: OrderedDict[tuple, Future] = OrderedDict()
        self._wanted: dict[tuple, threading.Event] = {}  # set when a ticket's download is asked for
        self._ticket_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket")
        self._give_way = threading.Event()  # set when a call is opened: the ticket being built ahead stops
        self._snapshot = duckdb.connect(":memory:")
        self._snapshot_lock = threading.Lock()
        # answers of the snapshot's queries by (snapshot, query, parameters): the same filters asked again (a filter
        # cleared, a link opened twice, a sort undone) answer at once; a new snapshot starts anew
        self._answers: OrderedDict = OrderedDict()
        self._seen: tuple | None = None
        self._looked = 0.0
        self.generation = 0  # counts the snapshots taken: what is cached of a call is kept under it
        self.taken: str | None = None  # when the snapshot was taken (UTC), shown on the page
        self.note = ""  # why the snapshot may be older than the store

    def store(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """The store attached read-only for one request of the page (`_Reader.attached`)."""
        return self._page_reader.attached()

    def refresh(self) -> bool:
        """Take a new snapshot of the calls; False when an ingest holds the store (the old snapshot stays)."""
        signature = _signature(self.db)
        try:
            with self.store() as con:
                tables = {name: con.sql(query_text(f"serve/{sql}")).to_arrow_table() for name, sql in SNAPSHOT}
        except StoreBusy:
            self.note = "an ingest is writing the store: the fleet is as it was when the snapshot was taken"
            return False
        fresh = duckdb.connect(":memory:")
        for name, table in tables.items():
            fresh.register("snapshot_rows", table)
            fresh.execute(f"CREATE TABLE {name} AS SELECT * FROM snapshot_rows")
            fresh.unregister("snapshot_rows")
        for statement in query_statements("serve/filters.sql"):
            fresh.execute(statement)
        with self._snapshot_lock:
            old, self._snapshot = self._snapshot, fresh
            self._answers.clear()
            self.generation += 1
        old.close()
        self._seen, self.note = signature, ""
        self.taken = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        return True

    def maybe_refresh(self) -> None:
        """Refresh the snapshot when the store's file changed (looked at most every REFRESH_EVERY_S)."""
        now = time.monotonic()
        if self._seen is not None and now - self._looked < REFRESH_EVERY_S:
            return
        self._looked = now
        if _signature(self.db) != self._seen:
            self.refresh()

    def _rows(self, name: str, params: dict) -> list[dict]:
        """The rows of queries/serve/<name> over the snapshot (cached: callers must not change them)."""
        with self._snapshot_lock:
            snapshot = self._snapshot
            key = (id(snapshot), name, tuple(sorted(params.items())))
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            cur = snapshot.cursor()
        try:
            result = cur.execute(query_text(name), params)
            cols = [d[0] for d in result.description]
            rows = [dict(zip(cols, r, strict=True)) for r in result.fetchall()]
        finally:
            cur.close()
        with self._snapshot_lock:
            if snapshot is self._snapshot:  # not an answer of a snapshot replaced meanwhile
                self._answers[key] = rows
                while len(self._answers) > CACHED_ANSWERS:
                    self._answers.popitem(last=False)
        return rows

    def forget(self) -> None:
        """Drop the cached answers (the benchmark times the queries themselves)."""
        with self._snapshot_lock:
            self._answers.clear()

    def overview(self, q: Query) -> list[dict]:
        """The fleet view's counts: dim, value, verdict (days only), calls, failed (queries/serve/overview.sql)."""
        return self._rows("serve/overview.sql", q.params())

    def page(self, q: Query, start: int, end: int, sort: str = "start_utc", descending: bool = False) -> tuple:
        """Rows start..end of the call list under `q`, sorted; and how many calls match."""
        params = {**q.params(), "sort": sort, "descending": descending, "offset": max(0, start)}
        params["limit"] = max(0, end - params["offset"])
        rows = self._rows("serve/page.sql", params)
        total = rows[0]["total"] if rows else self.count(q)
        return [{k: r[k] for k in PAGE_COLUMNS} for r in rows], total

    def count(self, q: Query) -> int:
        """How many calls pass the filters."""
        rows = self._rows("serve/page.sql", {**q.params(), "sort": "", "descending": False, "offset": 0, "limit": 1})
        return rows[0]["total"] if rows else 0

    def summary(self, call_id: str) -> dict | None:
        """The call's row of the snapshot (verdict, device, iOS, ...), or None when it is not in the store."""
        rows = self._rows("serve/summary.sql", {"call_id": call_id})
        return rows[0] if rows else None

    @contextmanager
    def _one_call(
        self, call_id: str, reader: _Reader, streams: tuple[str, ...] = STREAM_TABLES
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The store narrowed to one call (queries/serve/one_call.sql): triage's queries, which read every call,
        read just it, where the snapshot says it is (so the snapshot is taken again first if the store changed).
        streams: the stats tables narrowed to its streams (any other is read whole)."""
        for _ in range(3):
            if _signature(self.db) != self._seen:
                self.refresh()
            events = [r["event_id"] for r in self._rows("serve/call_links.sql", {"call_id": call_id})]
            summary = self.summary(call_id) or {}
            cited = [summary[k] for k in ("cited_first", "cited_last") if summary.get(k) is not None]
            span = {"first_event": min(events + cited, default=0), "last_event": max(events + cited, default=-1)}
            with reader.attached() as con:
                if _signature(self.db) != self._seen:
                    continue  # written between the snapshot and now: look again
                params = span | {"link_events": events, "call_id": call_id}
                for statement in query_statements("serve/one_call.sql"):
                    con.execute(statement, params_for(statement, params))
                files = con.execute("SELECT min(source_id), max(source_id) FROM temp.main.call_streams").fetchall()[0]
                for table in streams:
                    con.execute(
                        f"CREATE OR REPLACE TEMP TABLE {table} AS FROM call_stream_rows($name, $first, $last)",
                        {"name": f"store.main.{table}", "first": files[0] or 0, "last": files[1] or -1},
                    )
                try:
                    yield con
                finally:
                    dropped = (*ONE_CALL_TABLES, *streams)
                    con.execute("".join(f"DROP TABLE IF EXISTS temp.main.{table};" for table in dropped))
                return
        raise StoreBusy(str(self.db))

    def call(self, call_id: str) -> dict:
        """One call as the page shows it: its verdict and route, findings with their evidence and fix, the model's
        view and the timeline as triage gives them (triage's own queries and code, without the parts of a ticket the
        page does not show), and its device events, stats series and connection states for the timeline; {'missing':
        id} when the store has no such call."""
        from analyzer.triage.redact import Redactor
        from analyzer.triage.ticket import call_finding, call_prediction, call_timeline

        self._give_way.set()
        rank, red, by_id = severity_rank(), Redactor(False), {r.id: r for r in self.rules}
        with self._one_call(call_id, self._page_reader, PAGE_STREAM_TABLES) as con:
            one = {"call_id": call_id}
            summary = self.summary(call_id)
            if summary is None:
                return {"missing": call_id}
            findings = [
                call_finding(con, f, by_id.get(f["rule_id"]), red)
                for f in _dicts(con.execute(query_text("triage/findings.sql"), one))
            ]
            gaps = _dicts(con.execute(query_text("triage/gaps.sql"), one))
            call = {
                **{k: summary[k] for k in ("verdict", "confidence", "routes", "start_utc", "duration_s", "found_by")},
                "call_id": call_id,
                "cause": summary["cause"] or None,
                "model": call_prediction(con, call_id),
                "findings": sorted(findings, key=lambda f: (-rank[f["severity"]], f["t_rel"] or 0)),
                "timeline": call_timeline(con, call_id, gaps, red),
            }
            detail = {name: _dicts(con.execute(query_text(f"serve/call_{name}.sql"), one)) for name in PLOTTED}
        return {"call": call, "summary": summary, **detail}

    def prefetch_ticket(self, call_id: str) -> None:
        """Start building the call's ticket ahead, beside the page (a session of its own, one ticket at a time), so
        that its download answers at once; it gives way to the next call opened (`call`), and a ticket asked for
        earlier and not started yet is dropped."""
        key = (call_id, self.generation)
        with self._snapshot_lock:
            held = self._tickets.get(key)
            if held is not None and (not held.done() or _built(held)):
                self._tickets.move_to_end(key)
                return
            for waiting in [k for k, f in self._tickets.items() if f.cancel()]:
                del self._tickets[waiting]
                self._wanted.pop(waiting, None)
            self._give_way.set()  # the ticket built before this one, if still running
            self._give_way = threading.Event()
            self._wanted[key] = wanted = threading.Event()
            self._tickets[key] = self._ticket_worker.submit(self._ahead, call_id, self._give_way, wanted)
            while len(self._tickets) > CACHED_TICKETS:
                self._wanted.pop(self._tickets.popitem(last=False)[0], None)

    def ticket_markdown(self, call_id: str) -> str:
        """The markdown `analyzer triage --call <id>` writes for this call (the one built ahead when there is one)."""
        key = (call_id, self.generation)
        with self._snapshot_lock:
            future, wanted = self._tickets.get(key), self._wanted.get(key)
        if wanted is not None:
            wanted.set()  # waiting to start: start now
        if future is not None and not future.cancelled():
            try:
                return future.result()
            except (StoreBusy, TicketDropped):
                pass  # given way to a page, or the store was being written then: build it now
        return self._ticket(call_id, self._page_reader)

    def _ahead(self, call_id: str, give_way: threading.Event, wanted: threading.Event) -> str:
        """A ticket built ahead: after TICKET_AHEAD_AFTER_S (while the browser draws the call's page, and the user
        may open another call instead), or at once when its download is asked for."""
        wanted.wait(TICKET_AHEAD_AFTER_S)
        if give_way.is_set():
            raise TicketDropped
        return self._ticket(call_id, self._ticket_reader, give_way)

    def _ticket(self, call_id: str, reader: _Reader, give_way: threading.Event | None = None) -> str:
        from analyzer.render.triage_report import to_markdown

        with self._one_call(call_id, reader) as con:
            return to_markdown(self._report(_Yielding(con, give_way) if give_way else con, call_id))

    def _report(self, con: duckdb.DuckDBPyConnection, call_id: str) -> Report:
        """Triage's report of one call, listing only the files that call was read from (the ticket shows them)."""
        from analyzer.triage.ticket import TriageOptions, build_report

        report = build_report(con, self.rules, TriageOptions(call_id=call_id))
        files = {r[0] for r in con.execute(query_text("serve/call_files.sql"), {"call_id": call_id}).fetchall()}
        report.sources = [s for s in report.sources if s["file"] in files]
        return report


def _dicts(result: duckdb.DuckDBPyConnection) -> list[dict]:
    cols = [d[0] for d in result.description]
    return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]
