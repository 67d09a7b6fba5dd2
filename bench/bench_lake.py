"""Benchmark: `analyzer fleet` over a lake, DuckDB (the lake read into memory) against Spark local[2], at two fleet
sizes (default 10 000 and 100 000 calls), and how each scales from the smaller to the larger (the ratio of times
against the ratio of calls). The lake is written from the synthetic store bench/fleet_store.py fills (200 devices,
half the calls with the app's ids, audio intervals), by `analyzer lake export`'s code.

With --equivalence N it runs the issue's equivalence instead: the lake of tests/test_lake.py (a simulated fleet of
N calls, 2,000 in the test, and every rule's positive fixture: analyzer/lake/equivalence.py), analysed by both
engines, compared row for row (analyzer/lake/compare.py), with each engine's seconds.

usage: python -m bench.bench_lake [--calls 10000 100000] [--no-spark] [--equivalence 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
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


def equivalence_lake(calls: int) -> Path:
    """The lake of tests/test_lake.py's equivalence (analyzer/lake/equivalence.py) at `calls` calls, kept in
    bench/out/."""
    from analyzer.lake.equivalence import equivalence_lake as build

    folder = OUT / f"equivalence-{calls}"
    if (folder / "lake" / "table=sources").exists():
        return folder / "lake"
    fixtures = sorted((Path(__file__).resolve().parents[1] / "tests" / "rules").glob("*/positive"))
    return build(folder, calls, fixtures)


def equivalence(calls: int) -> None:
    """Both engines over the equivalence lake: their seconds, the rules that fired and what differs."""
    from analyzer.detect.rules import load_rules
    from analyzer.lake.compare import differences, output_rows

    start = time.perf_counter()
    lake = equivalence_lake(calls)
    print(f"lake of {calls:,} simulated calls and the rules' positive fixtures: {time.perf_counter() - start:.1f} s")
    outs = {engine: OUT / f"equivalence-{engine}-{calls}" for engine in ("duckdb", "spark")}
    for engine, out in outs.items():
        print(f"{engine:>6}: {timed(engine, lake, out):8.1f} s", flush=True)
    fired = {r[0] for r in output_rows(outs["duckdb"], "findings", ("finding_id",))}
    print(f"rules that fired: {len(fired)} of {len(load_rules())}")
    found = differences(outs["duckdb"], outs["spark"])
    print("the same calls, findings, predictions and verdicts" if not found else "\n".join(found))


def timed(engine: str, lake: Path, out: Path) -> float:
    """Seconds `analyzer fleet --engine ENGINE` takes over `lake` (rules and model, the same call as the CLI's).
    Spark runs in a process of its own each time, so every size starts its JVM cold (in one process the second
    size would reuse the first's JVM, warmed)."""
    from analyzer.detect.rules import load_rules
    from analyzer.lake.fleet import fleet_duckdb

    start = time.perf_counter()
    if engine == "spark":
        command = [sys.executable, "-m", "analyzer", "fleet", "--engine", "spark", "--lake", str(lake)]
        root = Path(__file__).resolve().parents[1]
        done = subprocess.run([*command, "--out", str(out)], cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"spark over {lake} failed:\n{done.stderr[-3000:]}")
    else:
        fleet_duckdb(lake, out, load_rules(), None, True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--no-spark", action="store_true", help="DuckDB only (no Java here)")
    parser.add_argument("--equivalence", type=int, metavar="N", help="compare the engines on N simulated calls")
    args = parser.parse_args()
    if args.equivalence:
        equivalence(args.equivalence)
        return
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
