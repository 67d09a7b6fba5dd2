"""Run SQL we did not write (`analyzer sql`, user rules): no files, network or extensions, the configuration
locked, and a watchdog that stops a query past its time limit.

DuckDB cannot give external access back to a database once it is taken away, so locking is for the rest of
that connection's life: lock after everything the tool itself needs from the file system (views, reference
tables), and open the store again for anything that writes files afterwards.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from analyzer.errors import InputError
from analyzer.store.db import MEMORY_LIMIT, pool_limit


@dataclass(frozen=True)
class Limits:
    """What one untrusted query may use: seconds of wall time (0: no limit) and DuckDB's memory limit."""

    timeout_s: float = 120.0
    memory_limit: str = MEMORY_LIMIT

    @classmethod
    def from_env(cls) -> Limits:
        """ANALYZER_RULE_TIMEOUT_S and ANALYZER_RULE_MEMORY_LIMIT, else the defaults."""
        timeout = os.environ.get("ANALYZER_RULE_TIMEOUT_S", "")
        memory = os.environ.get("ANALYZER_RULE_MEMORY_LIMIT", "")
        try:
            seconds = float(timeout) if timeout else cls.timeout_s
        except ValueError:
            raise InputError(f"ANALYZER_RULE_TIMEOUT_S must be a number of seconds, not {timeout!r}") from None
        return cls(seconds, memory or cls.memory_limit)


def set_memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    """The memory limit for what runs next, as ANALYZER_MEMORY_LIMIT is: the process's (DuckDB's pool gets it less
    what the rest of the process holds; past it a query spills to disk, or fails if it cannot)."""
    try:
        con.execute("SET memory_limit = $limit", {"limit": pool_limit(limit)})
    except duckdb.Error as exc:
        raise InputError(f"ANALYZER_RULE_MEMORY_LIMIT must be a size like 2GB, not {limit!r}: {exc}") from exc


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Take away file, network and extension access and lock the configuration (for good, on this database)."""
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET allow_community_extensions = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def is_locked(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `lock_down` has run on this database (it can then no longer read or write files)."""
    return not con.execute("SELECT current_setting('enable_external_access')").fetchone()[0]


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[Callable[[], bool]]:
    """Interrupt whatever `con` runs after `seconds` (0: never); yields a function saying whether it did."""
    fired = threading.Event()
    if seconds <= 0:
        yield fired.is_set
        return

    def stop() -> None:
        fired.set()
        con.interrupt()

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        yield fired.is_set
    finally:
        timer.cancel()
        timer.join()
