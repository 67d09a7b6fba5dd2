"""Open the DuckDB store and apply queries/schema.sql, the single definition of its tables."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb

from analyzer.errors import InputError
from analyzer.reference import install as install_policy
from analyzer.resources import query_text, resource_dir
from analyzer.settings import number

T = TypeVar("T")
DEFAULT_DB = "analyzer.duckdb"
SCHEMA_VERSION = "4"  # queries/schema.sql writes it; a store with another version is refused, not misread


def params_for(sql: str, values: dict[str, object]) -> dict[str, object]:
    """The subset of `values` that `sql` names as $parameters (DuckDB refuses unused ones)."""
    code = re.sub(r"--[^\n]*", "", sql)  # a $name in a comment is not a parameter
    names = set(re.findall(r"\$([a-z_]+)", code))
    return {k: v for k, v in values.items() if k in names}


# the rows of some sources (one file's, or a batch's): the list, and its least and greatest id so that the scan skips
# the row groups of other files (rows lie by source); sources_params gives its parameters, which the SQL files that
# take a set of sources ($sources, $first, $last) share
IN_SOURCES = "source_id BETWEEN $first AND $last AND list_contains($sources, source_id)"


def sources_params(source_id: int | list[int]) -> dict[str, object]:
    """The parameters of IN_SOURCES for one source or a non-empty list of them."""
    sources = source_id if isinstance(source_id, list) else [source_id]
    return {"sources": sources, "first": min(sources), "last": max(sources)}


def sql_literal(value: object) -> str:
    """`value` as an SQL literal, for generated SQL that cannot take a parameter (a number stays a number)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


LOCK_WAIT_S = float(number("ANALYZER_LOCK_WAIT_S", 120.0, float))
MEMORY_LIMIT = re.sub(r"[^0-9A-Za-z.]", "", os.environ.get("ANALYZER_MEMORY_LIMIT", "4GB"))

# what a process holds beside DuckDB's buffer pool (the interpreter, pyarrow, DuckDB's unpooled allocations): about
# 240 MB at the peak of a 391 MB webrtc-internals ingest. ANALYZER_MEMORY_LIMIT bounds the process, so the pool gets
# the limit less this (less a quarter of a limit under 1 GB).
_PROCESS_RESERVE = 256 << 20
_UNITS = {"b": 1} | {
    u + b: base**i for i, u in enumerate("kmgt", 1) for b, base in (("", 1000), ("b", 1000), ("ib", 1024))
}


def pool_limit(limit: str) -> str:
    """DuckDB's memory_limit for a process limit (ANALYZER_MEMORY_LIMIT): the limit less what the rest of the process
    holds; a size this cannot read is given to DuckDB as it is (DuckDB says what is wrong with it)."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", limit)
    unit = _UNITS.get(found.group(2).lower()) if found else None
    if found is None or unit is None:
        return limit
    total = int(float(found.group(1)) * unit)
    return f"{(total - min(_PROCESS_RESERVE, total // 4)) >> 10}KiB"


_POOL_LIMIT = pool_limit(MEMORY_LIMIT)


WAITING_FRESH_S = 10.0  # a writer's waiting mark older than this was left by a process that died


def waiting_mark(target: str | Path) -> Path:
    """The file a writer keeps beside the store while it waits for readers to let go of it."""
    return Path(f"{target}.writer-waiting")


def writer_waiting(target: str | Path) -> bool:
    """Whether a writer is waiting for the store: readers that come and go (the served dashboard) step aside, so a
    steady stream of short reads cannot keep an ingest out."""
    try:
        return time.time() - waiting_mark(target).stat().st_mtime < WAITING_FRESH_S
    except OSError:
        return False


class StillLocked(Exception):
    """Another process kept the store locked for the whole wait (the lock error it last gave is the cause)."""


def retry_locked(
    attempt: Callable[[], T | None],
    wait_s: float,
    what: str,
    pause: float = 0.1,
    most: float = 2.0,
    waiting: Callable[[], None] | None = None,
) -> T:
    """`attempt()` until it succeeds, for up to `wait_s`: an attempt that fails for a lock (another process holds the
    file) or gives None (asked to step aside) is tried again after a pause (doubling up to `most`; `waiting()` runs
    before each); StillLocked when the time is up. Any other I/O error: an InputError naming `what`."""
    deadline = time.monotonic() + wait_s
    while True:
        last = None
        try:
            done = attempt()
            if done is not None:
                return done
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise InputError(f"{what}: cannot open the database: {exc}") from exc
            last = exc
        if time.monotonic() >= deadline:
            raise StillLocked(what) from last
        if waiting is not None:
            waiting()
        time.sleep(pause)
        pause = min(pause * 2, most)


def _open(target: str, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Open the file; when another process holds it (a concurrent ingest), wait for it, then say so plainly. A writer
    that waits says so in its waiting mark (touched at each try, removed when it is done waiting)."""
    mark = None if read_only or target == ":memory:" else waiting_mark(target)

    def announce() -> None:
        if mark is not None:
            with contextlib.suppress(OSError):  # a folder it may not write: it waits unannounced
                mark.write_text(f"{os.getpid()}\n")

    try:
        return retry_locked(lambda: duckdb.connect(target, read_only=read_only), wait_s, target, waiting=announce)
    except StillLocked as exc:
        raise InputError(
            f"{target}: the database is in use by another analyzer process; waited {wait_s:g} s "
            "(set ANALYZER_LOCK_WAIT_S to wait longer)"
        ) from exc.__cause__
    finally:
        if mark is not None:
            with contextlib.suppress(OSError):
                mark.unlink(missing_ok=True)


def connect(
    db: str | Path = DEFAULT_DB, read_only: bool = False, wait_s: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at `db` (':memory:' for one-shot use) with the schema applied.
    A store another process is writing is waited for (ingests queue up instead of failing)."""
    target = str(db)
    con = _open(target, read_only, LOCK_WAIT_S if wait_s is None else wait_s)
    con.execute("SET TimeZone = 'UTC'; SET enable_progress_bar = false")  # the commands say their own progress
    # an ASOF join whose left side DuckDB guesses small (a filter pushed below it) became a nested loop over every
    # earlier row of the right side: 24 s instead of 1 s for the intervals of 3 webrtc-internals peer connections
    con.execute("SET asof_loop_join_threshold = 0")
    if MEMORY_LIMIT:
        # bounded memory: past the limit DuckDB writes to its temp directory instead of growing
        try:
            con.execute("SET memory_limit = $limit", {"limit": _POOL_LIMIT})
        except duckdb.Error as exc:
            con.close()
            raise InputError(f"ANALYZER_MEMORY_LIMIT must be a size like 4GB, not {MEMORY_LIMIT!r}: {exc}") from None
    _check_version(con, target, read_only)  # before the schema is applied: another version's store is left as it is
    if not read_only:
        con.execute(query_text("schema.sql"))
        _load_reference(con)
        remove_incomplete(con)
    _create_ref_macros(con)
    con.execute(query_text("macros.sql"))
    con.execute(query_text("views.sql"))
    install_policy(con)
    return con


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Reference tables kept as data files in queries/reference/, replaced on every open so that a new
    release's table reaches old stores."""
    path = resource_dir("queries") / "reference" / "osstatus.csv"
    con.execute(
        "INSERT OR REPLACE INTO ref_osstatus SELECT * FROM read_csv($path, header = true, columns = {"
        "'code': 'BIGINT', 'fourcc': 'VARCHAR', 'name': 'VARCHAR', 'constants': 'VARCHAR', 'family': 'VARCHAR',"
        " 'meaning': 'VARCHAR', 'usual_cause': 'VARCHAR', 'fix': 'VARCHAR', 'verified': 'VARCHAR'})",
        {"path": str(path)},
    )
    con.execute(
        "INSERT OR REPLACE INTO ref_rtcstats_codes SELECT * FROM read_csv($path, header = true,"
        " columns = {'kind': 'VARCHAR', 'code': 'VARCHAR', 'name': 'VARCHAR'})",
        {"path": str(resource_dir("queries") / "reference" / "rtcstats_codes.csv")},
    )


def stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The schema version the open store was written with: None for a store without the analyzer's tables (new,
    or a DuckDB file other tools use too), 'none' for a store written before versions were recorded."""
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary"
        ).fetchall()
    }
    if not tables & {"schema_meta", "sources", "log_records"}:
        return None
    if "schema_meta" not in tables:
        return "none"
    rows = con.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchall()
    return rows[0][0] if rows else "none"


def _check_version(con: duckdb.DuckDBPyConnection, target: str, read_only: bool) -> None:
    """Refuse a store whose tables another version of the analyzer wrote (columns would not line up)."""
    found = stored_version(con)
    if found == SCHEMA_VERSION or (found is None and not read_only):
        return
    found = found or "none"
    con.close()
    newer = found.isdigit() and int(found) > int(SCHEMA_VERSION)
    raise InputError(
        f"{target}: this store has schema version {found}, written by {'a newer' if newer else 'an older'} "
        f"analyzer; this analyzer reads version {SCHEMA_VERSION}. Ingest the files again into a new store "
        "(--db NEW_FILE)"
    )


def remove_incomplete(con: duckdb.DuckDBPyConnection) -> int:
    """Delete every row of sources whose ingest did not finish (a crash while storing part by part), so that
    a file is either fully in the store or not at all; its next ingest stores it again."""
    ids = [r[0] for r in con.execute("SELECT source_id FROM sources WHERE NOT complete").fetchall()]
    if not ids:
        return 0
    ids.append(0)  # state changes a stats format had staged but not yet given their source
    with transaction(con):
        for name in source_tables(con):
            con.execute(f"DELETE FROM {name} WHERE list_contains($ids, source_id)", {"ids": ids})
        con.execute("DELETE FROM sources WHERE list_contains($ids, source_id)", {"ids": ids})
    return len(ids) - 1


def source_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every stored table with a source_id column but sources itself, each quoted as an identifier."""
    base_tables = (
        "SELECT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "USING (database_name, schema_name, table_name) "
        "WHERE c.column_name = 'source_id' AND NOT t.temporary AND c.table_name <> 'sources' ORDER BY 1"
    )
    # a table name from the catalogue, quoted as an identifier
    return ['"' + r[0].replace('"', '""') + '"' for r in con.execute(base_tables).fetchall()]


# Reference tables exposed as MAP literals, so that the macros in queries/macros.sql can look values up
# without a subquery (DuckDB allows none inside lambdas, and a MAP lookup is much cheaper per row).
_REF_MAPS = {
    "ref_port_map": "SELECT raw, canonical FROM ref_port_types",
    "ref_option_bits": "SELECT lower(name), bit FROM ref_category_options",
    "ref_option_names": "SELECT bit, name FROM ref_category_options ORDER BY bit",
    "ref_osstatus_names": "SELECT code, name FROM ref_osstatus",
    "ref_route_reasons": "SELECT lower(name), name FROM ref_route_change_reason"
    " UNION ALL SELECT CAST(code AS VARCHAR), name FROM ref_route_change_reason",
    "ref_rtc_methods": "SELECT code, name FROM ref_rtcstats_codes WHERE kind = 'method'",
    "ref_rtc_types": "SELECT code, name FROM ref_rtcstats_codes WHERE kind = 'type'",
    "ref_rtc_props": "SELECT code, name FROM ref_rtcstats_codes WHERE kind = 'property'",
}


def _create_ref_macros(con: duckdb.DuckDBPyConnection) -> None:
    """One macro per entry of _REF_MAPS, returning that reference table as a MAP literal."""
    for name, query in _REF_MAPS.items():
        rows = con.execute(query).fetchall()  # MAP literals keep this order
        entries = ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in rows)
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}() AS MAP {{{entries}}}")


@cache
def vocabulary(table: str) -> tuple[str, ...]:
    """The closed list of names a reference table of queries/schema.sql holds (first column, in its order),
    read from the schema itself so that Python never keeps a copy of it."""
    with duckdb.connect(":memory:") as con:
        con.execute(query_text("schema.sql"))
        names = con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return tuple(r[0] for r in names)
