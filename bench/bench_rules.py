"""Benchmark: run the whole rule pack over a store of N calls (default 100 000), set-based in DuckDB.

usage: python bench/bench_rules.py [--calls 100000]
The store holds the bench_calls events (explicit-id calls and activation windows) plus, for the explicit-id
calls, 300 s of audio intervals each way; in every tenth call an interruption ends with shouldResume at
120 s and outbound audio stays flat from 90 s, so the stats rules have data. Prints seconds, calls/s,
findings by rule, and the time of one plain aggregate over the same intervals as the floor.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.calls import sessionise
from analyzer.rules import load_rules, run_rules
from analyzer.store import connect
from bench.bench_calls import FILL

INTERVALS = """
INSERT INTO rtp_intervals
SELECT c % 200, 'device', 'C-' || c, 'PC-' || c, CASE d WHEN 0 THEN 'IT01' ELSE 'OT01' END,
    CASE d WHEN 0 THEN 'inbound' ELSE 'outbound' END,
    TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds((c // 200) * 600 + s * 10),
    TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds((c // 200) * 600 + s * 10 + 10),
    -- 10 s intervals over the 300 s call; outbound flat from 90 s on in every tenth call
    10.0, c * 100 + s, false, false,
    50, CASE WHEN d = 1 AND c % 10 = 0 AND s >= 9 THEN 0 ELSE 50 END, 5000, 0, 0.0, 0.0, 0.1, 0.004, 0.08, 4.3
FROM range(0, ?, 2) t(c), range(30) u(s), range(2) v(d)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        statements = FILL.split(";\n")
        con.execute(statements[0])
        con.execute(statements[1], [args.calls])
        con.execute(INTERVALS, [args.calls])
        # every tenth call: a phone call interrupts at 90 s and audio never comes back (see INTERVALS)
        con.execute("UPDATE session_events SET kind = 'interruption_began' WHERE event_id % 100 = 3")
        con.execute(
            "UPDATE session_events SET kind = 'interruption_ended', should_resume = true WHERE event_id % 100 = 4"
        )
        sessionise(con)
        n_calls = con.execute("SELECT count(*) FROM calls").fetchall()[0][0]
        t = time.perf_counter()
        con.execute("SELECT count(*), avg(packets_per_s) FROM call_audio GROUP BY direction").fetchall()
        floor = time.perf_counter() - t
        t = time.perf_counter()
        found = run_rules(con, rules)
        took = time.perf_counter() - t
        by_rule = con.execute("SELECT rule_id, count(*) FROM findings GROUP BY ALL ORDER BY 2 DESC").fetchall()
    print(f"store: {n_calls:,} calls, {len(rules)} rules")
    print(f"one aggregate over the audio intervals (floor): {floor:.2f}s")
    print(f"all rules: {took:.2f}s  {n_calls / took:,.0f} calls/s  findings {found:,}")
    for rule_id, n in by_rule:
        print(f"  {rule_id}: {n:,}")


if __name__ == "__main__":
    main()
