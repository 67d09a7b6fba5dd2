"""Benchmark: cold start of `analyzer triage` on a sample ticket (a new process each run), median of N runs,
beside two floors measured in the same run: `python -c 'import duckdb'`, and `analyzer ingest` of the same
ticket into an in-memory store (the floor plus parsing).

usage: python -m bench.bench_triage [--runs 7] [--ticket sample_logs/phone-call-audio-never-returns]
Targets: under 1.5 s on a 2-core machine, and under 2x the floor-plus-parse time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--ticket", default="sample_logs/phone-call-audio-never-returns")
    args = ap.parse_args()
    py = sys.executable
    floor = median_seconds([py, "-c", "import duckdb"], args.runs)
    parse = median_seconds(
        [py, "-m", "analyzer", "ingest", args.ticket, "--db", ":memory:", "-q", "-f", "json"], args.runs
    )
    triage = median_seconds([py, "-m", "analyzer", "triage", args.ticket, "--format", "json"], args.runs)
    print(f"ticket: {args.ticket} ({args.runs} runs each, median)")
    print(f"python -c 'import duckdb' (floor):   {floor:.2f}s")
    print(f"analyzer ingest (floor plus parse):  {parse:.2f}s")
    print(f"analyzer triage:                     {triage:.2f}s  (target < 1.5 s)")
    print(f"triage / floor-plus-parse: {triage / parse:.2f}x  (target < 2x);  triage / floor: {triage / floor:.1f}x")


if __name__ == "__main__":
    main()
