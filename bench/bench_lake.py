"""Benchmark: `analyzer fleet` over a lake, DuckDB (the lake read into memory) against Spark local[2], at two fleet
sizes (default 10 000 and 100 000 calls), and how each scales from the smaller to the larger (the ratio of times
against the ratio of calls). The lake is written from the synthetic store bench/fleet_store.py fills (200 devices,
half the calls with the app's ids, audio intervals), by `analyzer lake export`'s code.

usage: python -m bench.bench_lake [--calls 10000 100000] [--no-spark]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.fleet_store import filled_store

OUT = Path(__file__).resolve().parent / "out"


def build_lake(calls: int) -> Path:
    """The lake of `calls` calls, kept in bench/out/ for the next run."""
    from analyzer.lake.write import write_sets

    lake = OUT / f"lake-{calls}"
    if (lake / "table=sources").exists():
        return lake
    with filled_store(calls, audio=True, sessionised=False) as con:
        write_sets(con, lake)
    return lake


def timed(engine: str, lake: Path, out: Path) -> float:
    """Seconds `analyzer fleet --engine ENGINE` takes over `lake` (rules and model, the same call as the CLI's)."""
    from analyzer.detect.rules import load_rules
    from analyzer.lake.fleet import fleet_duckdb, fleet_spark

    run = fleet_spark if engine == "spark" else fleet_duckdb
    rules = load_rules()
    start = time.perf_counter()
    run(lake, out, rules, None, True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--no-spark", action="store_true", help="DuckDB only (no Java here)")
    args = parser.parse_args()
    engines = ["duckdb"] if args.no_spark else ["duckdb", "spark"]
    times: dict[tuple[str, int], float] = {}
    for calls in args.calls:
        lake = build_lake(calls)
        for engine in engines:
            times[engine, calls] = timed(engine, lake, OUT / f"fleet-{engine}-{calls}")
            print(f"{engine:>6} {calls:>7,} calls: {times[engine, calls]:8.1f} s", flush=True)
    small, large = args.calls
    for engine in engines:
        growth = times[engine, large] / times[engine, small]
        print(f"{engine:>6} {small:,} -> {large:,} calls ({large / small:.0f}x): time {growth:.1f}x")
    if "spark" in engines:
        for calls in args.calls:
            ratio = times["spark", calls] / times["duckdb", calls]
            print(f"spark local[2] / duckdb at {calls:,} calls: {ratio:.1f}x")


if __name__ == "__main__":
    main()
