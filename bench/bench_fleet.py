"""Benchmark: `analyzer ingest` of a simulated fleet folder against DuckDB's raw read of the same files.

usage: python -m bench.bench_fleet [--calls 2000] [--noise 600] [--keep] [--jobs 1 2] [--per-file]
  * the fleet: `analyzer simulate --calls N` (device log exports, app getStats uploads, gateway stats), made once
    under bench/out/ and kept with --keep
  * baseline: DuckDB parsing every line of the same files (read_json_objects of the ndjson files, read_text of
    the others) into a table, in one statement (DuckDB reads the files in parallel), before the ingests and again
    after them: the faster of the two (a read can be slowed by the machine, or by a fleet just written being
    flushed, which would flatter the ratio)
  * `analyzer ingest <folder>` into a fresh store (one transaction per file), its wall time, CPU time and peak
    memory; CPU / wall says how many of the cores the ingest kept busy; once per --jobs value (worker processes
    reading the files; 1: one file after another in one process), in the same run
  * --per-file: each --jobs value also without batches (ANALYZER_BATCH_MAX_BYTES=0: every small getStats file
    stored by the per-file path), in the same run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_ingest import PEAK, raw_script

HERE = Path(__file__).resolve().parent

RAW = raw_script(
    r"""
con.execute('''CREATE TABLE lines AS SELECT json::VARCHAR AS line
    FROM read_json_objects($nd, format = 'newline_delimited', maximum_object_size = 100000000)''',
    {"nd": path + "/**/*.ndjson"})
if sys.argv[3] == "txt":
    con.execute("INSERT INTO lines SELECT content FROM read_text($txt)", {"txt": path + "/**/*.txt"})
result = {"rows": con.execute("SELECT count(*) FROM lines").fetchall()[0][0]}
"""
)


def _child(args: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run a child process (with `env` added to the environment); its stdout, wall seconds and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, cwd=HERE.parent, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-4000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out.stdout, wall, cpu


def _make_fleet(folder: Path, calls: int, noise: float) -> None:
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [sys.executable, "-m", "analyzer", "simulate", "--calls", str(calls), "--out", str(tmp)]
    subprocess.run([*cmd, "--noise", str(noise), "--quiet"], check=True, cwd=HERE.parent)
    tmp.rename(folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--noise", type=float, default=600.0)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    ap.add_argument("--per-file", action="store_true", help="each --jobs value also without batches")
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    folder = out / f"fleet-{args.calls}-{args.noise:g}"
    if not folder.exists():
        _make_fleet(folder, args.calls, args.noise)
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".ndjson", ".txt")]
    mb = sum(p.stat().st_size for p in files) / 1e6
    txt = "txt" if any(p.suffix == ".txt" for p in files) else "-"
    os.sync()  # a fleet just written is still being flushed: that would slow whatever reads it first
    with tempfile.TemporaryDirectory(dir=out) as tmp:

        def raw_read() -> tuple[dict, float]:
            raw_out, raw_wall, raw_cpu = _child(
                [sys.executable, "-c", RAW, str(folder), str(Path(tmp) / "raw.duckdb"), txt]
            )
            (Path(tmp) / "raw.duckdb").unlink(missing_ok=True)
            return json.loads(raw_out.strip().splitlines()[-1]), raw_cpu / raw_wall

        raws = [raw_read()]  # and again after the ingests: the faster of the two is the baseline
        code = PEAK + (
            "import json, resource, sys, time\nfrom analyzer.store.db import connect\n"
            "from analyzer.store.ingest import ingest_paths\nt = time.perf_counter()\ncon = connect(sys.argv[2])\n"
            "s = ingest_paths(con, [sys.argv[1]], jobs=int(sys.argv[3]))\ncon.close()\n"
            "print(json.dumps({'seconds': time.perf_counter() - t, 'files': len(s.files), "
            "'records': s.total('records'), 'rejected': s.total('rejected'), 'errors': len(s.errors), "
            "'rss_mb': peak_mb(), 'worker_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
        )
        runs = []
        for jobs in args.jobs:
            for name, env in [("batches", {}), *([("per file", {"ANALYZER_BATCH_MAX_BYTES": "0"})] * args.per_file)]:
                db = Path(tmp) / f"fleet-{jobs}.duckdb"
                cmd = [sys.executable, "-c", code, str(folder), str(db), str(jobs)]
                ing_out, ing_wall, ing_cpu = _child(cmd, env)
                runs.append((f"jobs {jobs}, {name}", json.loads(ing_out.strip().splitlines()[-1]), ing_cpu / ing_wall))
                db.unlink()
        raws.append(raw_read())
    raw, raw_busy = min(raws, key=lambda r: r[0]["seconds"])
    print(f"fleet: {folder.name} ({args.calls:,} calls, {len(files):,} files, {mb:,.0f} MB), {os.cpu_count()} cores")
    print(
        f"  duckdb raw read:  {raw['seconds']:.2f}s  {mb / raw['seconds']:.0f} MB/s  rows {raw['rows']:,}  "
        f"peak {raw['rss_mb']:.0f} MB  cpu/wall {raw_busy:.2f}  (the faster of {raws[0][0]['seconds']:.2f}s before "
        f"the ingests and {raws[1][0]['seconds']:.2f}s after)"
    )
    for run, ing, busy in runs:
        print(
            f"  analyzer ingest, {run}:  {ing['seconds']:.2f}s  {mb / ing['seconds']:.0f} MB/s  "
            f"files {ing['files']:,}  records {ing['records']:,}  rejected {ing['rejected']:,}  "
            f"errors {ing['errors']}  peak {ing['rss_mb']:.0f} MB, a worker {ing['worker_mb']:.0f} MB  "
            f"cpu/wall {busy:.2f}"
        )
        print(f"  ratio (ingest / raw), {run}: {raw['seconds'] / ing['seconds']:.2f}x")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
