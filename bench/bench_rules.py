"""Benchmark: run the whole rule pack over a store of N calls (default 100 000), set-based in DuckDB.

usage: python -m bench.bench_rules [--calls 100000]
The store holds the bench_calls events (explicit-id calls and activation windows) plus, for the explicit-id
calls, 300 s of audio intervals each way; in every tenth call an interruption ends with shouldResume at
120 s and outbound audio stays flat from 90 s, so the stats rules have data. Prints seconds, calls/s,
findings by rule, and the time of one plain aggregate over the same intervals as the floor.
"""

from __future__ import annotations

import argparse
import time

from analyzer.detect.rules import load_rules, run_rules
from bench.fleet_store import filled_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    rules = load_rules()
    with filled_store(args.calls, audio=True, sessionised=True) as con:
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
