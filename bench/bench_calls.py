"""Benchmark: sessionise a store of N calls (default 100 000), all in DuckDB.

usage: python -m bench.bench_calls [--calls 100000]
The store is filled directly (10 typed events a call over 200 devices, half the calls with explicit call
ids, half found as activation windows from Apple's lines), then `sessionise` is timed. Prints seconds and
events/s and calls/s, beside the time DuckDB takes to sort the same events (the floor for any grouping).
"""

from __future__ import annotations

import argparse
import time

from analyzer.calls.sessionise import sessionise
from bench.fleet_store import filled_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    with filled_store(args.calls, audio=False, sessionised=False) as con:
        events = con.execute("SELECT count(*) FROM session_events").fetchall()[0][0]
        t = time.perf_counter()
        con.execute("SELECT count(*) FROM (SELECT * FROM session_events ORDER BY source_id, ts)").fetchall()
        floor = time.perf_counter() - t
        t = time.perf_counter()
        n = sessionise(con)
        took = time.perf_counter() - t
        attached = con.execute("SELECT count(*) FROM event_links WHERE call_id IS NOT NULL").fetchall()[0][0]
    print(f"store: {events:,} events, {args.calls:,} calls expected")
    print(f"duckdb sort of the events (floor): {floor:.2f}s")
    print(
        f"sessionise: {took:.2f}s  {events / took:,.0f} events/s  {n / took:,.0f} calls/s  calls found {n:,}  "
        f"events attached {attached:,}  ({took / floor:.0f}x the sort)"
    )


if __name__ == "__main__":
    main()
