"""Benchmark: sessionise a store of N calls (default 100 000), all in DuckDB.

usage: python bench/bench_calls.py [--calls 100000]
The store is filled directly (10 typed events a call over 200 devices, half the calls with explicit call
ids, half found as activation windows from Apple's lines), then `sessionise` is timed. Prints seconds and
events/s and calls/s, beside the time DuckDB takes to sort the same events (the floor for any grouping).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.calls import sessionise
from analyzer.store import connect

FILL = """
INSERT INTO sources (source_id, content_hash, path, format, bytes, lines, meta_lines, records, stored, ignored,
                     rejected, events, device_hint)
SELECT d, 'bench-' || d, 'device-' || d || '.ndjson', 'oslog_ndjson', 0, 0, 0, 0, 0, 0, 0, 0, 'iPhone' || d || ' 22B83'
FROM range(200) t(d);

INSERT INTO session_events (event_id, record_id, source_id, line_start, line_end, ts, process, pid, producer,
    subject_pid, subject_name, kind, pattern_id, call_id_hint, active, success, message)
SELECT
    c * 10 + k, c * 10 + k, c % 200, c * 10 + k, c * 10 + k,
    TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds((c // 200) * 600 + k * 30),
    CASE WHEN c % 2 = 0 THEN 'VoiceAgent' ELSE (CASE WHEN k IN (1, 9) THEN 'mediaserverd' ELSE 'VoiceAgent' END) END,
    CASE WHEN c % 2 = 0 OR k NOT IN (1, 9) THEN 1440 ELSE 120 END,
    CASE WHEN c % 2 = 0 THEN 'contract' WHEN k IN (1, 9) THEN 'apple_server' ELSE 'apple_client' END,
    1440, 'VoiceAgent',
    CASE WHEN c % 2 = 0 THEN (CASE k WHEN 0 THEN 'call_start' WHEN 9 THEN 'call_end' ELSE 'route_change' END)
         ELSE (CASE k WHEN 1 THEN 'activation' WHEN 9 THEN 'activation' ELSE 'error' END) END,
    'bench',
    CASE WHEN c % 2 = 0 THEN 'C-' || c END,
    CASE WHEN c % 2 = 1 AND k = 1 THEN true WHEN c % 2 = 1 AND k = 9 THEN false END,
    true,
    'bench event ' || c || '/' || k
FROM range(?) t(c), range(10) u(k)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        statements = FILL.split(";\n")
        con.execute(statements[0])
        con.execute(statements[1], [args.calls])
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
