"""The lake both engines are compared on (issue #20: tests/test_lake.py, `python -m bench.bench_lake --equivalence`):
a simulated fleet through the real ingest, plus folders of extra inputs (the rules' positive fixtures, so that
every rule fires). The fleet keeps every fault and benign story the simulator draws, without its bulk: no unrelated
log lines, the shortest calls its faults are written for (45-60 s), 200 calls a device (few files)."""

from __future__ import annotations

import os
from pathlib import Path

from analyzer.simulator.fleet import FleetOptions

CALL_SECONDS = (45, 60)  # the simulator's shortest calls (its default draws 45-240 s); a fault may cut one shorter
CALLS_PER_DEVICE = 200  # the ingest's cost is per file as much as per row: 10 devices' files for 2,000 calls


def equivalence_options(calls: int, seed: int = 20) -> FleetOptions:
    """The simulator's options for the equivalence fleet of `calls` calls."""
    return FleetOptions(
        calls=calls, seed=seed, noise_per_minute=0, calls_per_device=CALLS_PER_DEVICE, call_seconds=CALL_SECONDS
    )


def equivalence_lake(folder: Path, calls: int, extra: list[Path], jobs: int | None = None) -> Path:
    """Simulate `calls` calls into folder/fleet, ingest them with `extra` (every file under each path) into a store
    in memory (`jobs` processes, default the machine's cores) and write it to folder/lake; returns the lake."""
    from analyzer.lake.write import write_sets
    from analyzer.pipeline import collect
    from analyzer.simulator.fleet import simulate
    from analyzer.store.db import connect

    simulate(folder / "fleet", equivalence_options(calls))
    con = connect(":memory:")
    try:
        collect(con, [str(folder / "fleet"), *map(str, extra)], jobs=jobs or os.cpu_count() or 1)
        write_sets(con, folder / "lake")
    finally:
        con.close()
    return folder / "lake"
