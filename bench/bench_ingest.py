"""Benchmark: `analyzer ingest` of a large system-wide ndjson export against DuckDB's own read_ndjson
of the same file, with the same projection and the same relevance filter, both storing what they keep.

usage: python -m bench.bench_ingest [--mb 1100] [--keep]
Prints seconds, MB/s, the speed ratio (ingest / raw scan; target >= 0.5) and peak memory of each run,
plus peak memory of ingest on a file a quarter the size (memory must not grow with file size).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.make_ndjson import build

HERE = Path(__file__).resolve().parent
_RUNS = itertools.count()  # each run's store a new file (a run's temp folder beside it is a file of the folder too)

# peak resident memory of this process since exec (VmHWM; ru_maxrss would include the parent's)
PEAK = r"""
def peak_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
"""

_RAW_HEAD = r"""
import duckdb, json, sys, time
path, db = sys.argv[1], sys.argv[2]
t = time.perf_counter()
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")  # a long read drew it on stdout, where the result is read
"""
_RAW_TAIL = r"""
con.close()
print(json.dumps({"seconds": time.perf_counter() - t, "rss_mb": peak_mb(), **result}))
"""


def raw_script(body: str) -> str:
    """A benchmark's baseline child script: `path` and `db` are its first two arguments, `con` a DuckDB connection
    to db and `t` the start (body may reset it); body sets the dict `result`, printed as JSON with the seconds
    since t and the peak memory (rss_mb)."""
    return PEAK + _RAW_HEAD + body.strip("\n") + _RAW_TAIL


RAW = raw_script(
    r"""
from analyzer.normalise.patterns import relevance_regex
con.execute('''CREATE TABLE kept AS
SELECT timestamp, eventMessage, processImagePath, processID, threadID, messageType, subsystem, category, senderImagePath
FROM read_ndjson(?, columns={timestamp: 'VARCHAR', eventMessage: 'VARCHAR', processImagePath: 'VARCHAR',
     processID: 'BIGINT', threadID: 'BIGINT', messageType: 'VARCHAR', subsystem: 'VARCHAR', category: 'VARCHAR',
     senderImagePath: 'VARCHAR'}, ignore_errors=true)
WHERE regexp_matches(concat_ws(' ', processImagePath, subsystem, category, eventMessage), ?)''',
    [path, relevance_regex()])
result = {"kept": con.execute('SELECT count(*) FROM kept').fetchall()[0][0]}
"""
)

INGEST = (
    PEAK
    + r"""
import json, sys, time
from analyzer.store.ingest import ingest_paths
from analyzer.store.db import connect
path, db = sys.argv[1], sys.argv[2]
t = time.perf_counter()
con = connect(db)
s = ingest_paths(con, [path])
con.close()
f = s.files[0]
print(json.dumps({"seconds": time.perf_counter() - t, "kept": f.stored, "events": f.events, "rejected": f.rejected,
                  "records": f.records, "rss_mb": peak_mb()}))
"""
)


def _run(code: str, path: Path, workdir: Path) -> dict:
    db = workdir / f"run-{os.getpid()}-{next(_RUNS)}.duckdb"
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(db)], capture_output=True, text=True, cwd=HERE.parent
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    last = [line for line in out.stdout.splitlines() if line.startswith("{")][-1]
    return {**json.loads(last), "db": str(db)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=int, default=1100)
    ap.add_argument("--keep", action="store_true", help="keep the generated files in bench/out")
    args = ap.parse_args()
    outdir = HERE / "out"
    outdir.mkdir(exist_ok=True)
    big, small = outdir / f"system-{args.mb}mb.ndjson", outdir / f"system-{args.mb // 4}mb.ndjson"
    for p, mb in ((big, args.mb), (small, args.mb // 4)):
        if not p.exists():
            build(str(p), mb)
    size_mb = big.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(dir=outdir) as tmp:
        work = Path(tmp)
        # each measured twice, alternating, best of two (the first run also warms the page cache)
        raws, ings = [], []
        for _ in range(2):
            raws.append(_run(RAW, big, work))
            ings.append(_run(INGEST, big, work))
        raw = min(raws, key=lambda r: r["seconds"])
        ing = min(ings, key=lambda r: r["seconds"])
        ing_small = _run(INGEST, small, work)
    ratio = raw["seconds"] / ing["seconds"]
    print(f"file: {big.name} ({size_mb:,.0f} MB, {ing['records']:,} records)")
    print(
        f"duckdb read_ndjson + filter: {raw['seconds']:.2f}s  {size_mb / raw['seconds']:.0f} MB/s  "
        f"kept {raw['kept']:,}  peak {raw['rss_mb']:.0f} MB"
    )
    print(
        f"analyzer ingest:             {ing['seconds']:.2f}s  {size_mb / ing['seconds']:.0f} MB/s  "
        f"kept {ing['kept']:,}  events {ing['events']:,}  rejected {ing['rejected']}  peak {ing['rss_mb']:.0f} MB"
    )
    print(f"speed ratio (ingest / raw scan): {ratio:.2f}x   (target >= 0.5x)")
    print(
        f"peak memory: {ing_small['rss_mb']:.0f} MB on {small.stat().st_size / 1e6:,.0f} MB, "
        f"{ing['rss_mb']:.0f} MB on {size_mb:,.0f} MB"
    )
    if not args.keep:
        big.unlink()
        small.unlink()


if __name__ == "__main__":
    main()
