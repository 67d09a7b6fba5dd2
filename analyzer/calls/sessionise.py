"""Sessionise stage: group events and stats into calls and align device and gateway clocks
(queries/calls/sessionise.sql does the work, set-based, over the whole store)."""

from __future__ import annotations

import duckdb

from analyzer.resources import query_statements
from analyzer.store.db import transaction


def sessionise(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild calls, call_streams, devices and event call ids in one transaction; returns the call count."""
    with transaction(con):
        for statement in query_statements("calls/sessionise.sql"):
            con.execute(statement)
    return con.execute("SELECT count(*) FROM calls").fetchall()[0][0]
