"""Benchmark: ingest of WebRTC stats against DuckDB's own JSON reader of the same file.

usage: python -m bench.bench_stats [--lines 1000000] [--internals-mb 500] [--skip-internals] [--keep]
  * getStats upload, one report a line, at two sizes (--lines and a fifth of it): `analyzer ingest` with
    ANALYZER_MEMORY_LIMIT=1GB vs read_ndjson + unnest of the reports
  * webrtc-internals dump, at two sizes (--internals-mb and a fifth of it): `analyzer ingest` with
    ANALYZER_MEMORY_LIMIT=1GB vs read_json of the document + unnest of its series
Each prints seconds, MB/s, the ratio (ingest / raw) and peak memory, and the storage floor: the rows the ingest
stored written to a fresh store, one CREATE TABLE AS a table (what storing them costs at the least).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import duckdb

from bench.bench_ingest import INGEST, _run, raw_script

HERE = Path(__file__).resolve().parent

RAW_NDJSON = raw_script(
    r"""
con.execute('''CREATE TABLE objs AS SELECT line_ts, unnest(CAST(stats AS JSON[])) AS o
    FROM read_ndjson(?, columns={timestamp: 'BIGINT', call_id: 'VARCHAR', pc_id: 'VARCHAR', stats: 'JSON'})
    t(line_ts, call_id, pc_id, stats)''', [path])
result = {"kept": con.execute('SELECT count(*) FROM objs').fetchall()[0][0]}
"""
)

RAW_INTERNALS = raw_script(
    r"""
how = "read_json_objects + json_keys of every peer connection's stats"
try:
    con.execute('''CREATE TABLE series AS
        WITH d AS (SELECT json AS j FROM read_json_objects(?, format='unstructured', maximum_object_size=2000000000)),
        pcs AS (SELECT unnest(json_keys(j -> 'PeerConnections')) AS pc, j FROM d)
        SELECT pc, unnest(json_keys(j -> 'PeerConnections' -> pc -> 'stats')) AS k FROM pcs''', [path])
    n = con.execute('SELECT count(*) FROM series').fetchall()[0][0]
except duckdb.OutOfMemoryException:
    # DuckDB cannot hold the document as one JSON value here: fall back to reading and validating it
    how = "read_json ran out of memory; read_text + json_valid instead"
    t = time.perf_counter()
    n = con.execute('SELECT json_valid(content)::INT FROM read_text($path)', {"path": path}).fetchall()[0][0]
result = {"kept": n, "how": how}
"""
)

# what storing the ingest's rows costs at the least: the stats tables and the interval series an ingest stored
# (`path` is its store), each written to a fresh store by one CREATE TABLE AS, then a checkpoint
FLOOR = raw_script(
    r"""
con.execute("SET memory_limit = '715MiB'")  # DuckDB's pool under ANALYZER_MEMORY_LIMIT=1GB
con.execute("ATTACH $path AS ingested (READ_ONLY)", {"path": path})
t = time.perf_counter()
tables = [r[0] for r in con.execute('''SELECT table_name FROM duckdb_tables()
    WHERE database_name = 'ingested' AND (starts_with(table_name, 'stats_') OR table_name = 'rtp_intervals')
    ORDER BY 1''').fetchall()]
for table in tables:
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM ingested.{table}")
con.execute("CHECKPOINT")
result = {"kept": sum(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in tables)}
"""
)


def _make(kind: str, out: Path, n: int) -> None:
    text = (HERE / "make_stats.sql").read_text()
    part = text.split(f"-- @{kind}:")[1].split("-- @")[0]
    sql = part[part.index("\n") + 1 :].strip().rstrip(";")
    duckdb.connect().execute(sql, {"n": n, "out": str(out)})


def _report(name: str, path: Path, raw: dict, ing: dict, floor: dict) -> None:
    mb = path.stat().st_size / 1e6
    print(f"{name}: {path.name} ({mb:,.0f} MB)")
    print(
        f"  duckdb raw read:   {raw['seconds']:.2f}s  {mb / raw['seconds']:.0f} MB/s  rows {raw['kept']:,}  "
        f"peak {raw['rss_mb']:.0f} MB  ({raw.get('how', 'read_ndjson + unnest of the reports')})"
    )
    print(
        f"  analyzer ingest:   {ing['seconds']:.2f}s  {mb / ing['seconds']:.0f} MB/s  objects {ing['records']:,}  "
        f"rejected {ing['rejected']}  peak {ing['rss_mb']:.0f} MB"
    )
    print(f"  ratio (ingest / raw): {raw['seconds'] / ing['seconds']:.2f}x")
    print(
        f"  storage floor:     {floor['seconds']:.2f}s  {mb / floor['seconds']:.0f} MB/s  rows {floor['kept']:,}  "
        f"(the stored stats rows and intervals written to a fresh store, a statement a table; "
        f"floor / raw {raw['seconds'] / floor['seconds']:.2f}x)"
    )


def _ingest_capped(path: Path, work: Path) -> dict:
    """`analyzer ingest` of the file with the buffer pool capped at 1 GB (peak memory must not grow with the file)."""
    os.environ["ANALYZER_MEMORY_LIMIT"] = "1GB"
    try:
        return _run(INGEST, path, work)
    finally:
        del os.environ["ANALYZER_MEMORY_LIMIT"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=1_000_000, help="0: no getStats upload")
    ap.add_argument("--internals-mb", type=int, default=500)
    ap.add_argument("--skip-internals", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    made, uploads = [], []
    for lines in (args.lines // 5, args.lines) if args.lines else ():
        ndjson = out / f"getstats-{lines}.ndjson"
        if not ndjson.exists():
            _make("getstats", ndjson, lines)
        made.append(ndjson)
        uploads.append(ndjson)
    internals = []
    for mb in [] if args.skip_internals else [args.internals_mb // 5, args.internals_mb]:
        dump = out / f"internals-{mb}mb.json"
        if not dump.exists():
            # one peer connection of the generator is about 0.72 MB
            _make("internals", dump, max(1, round(mb / 0.72)))
            made.append(dump)
        internals.append(dump)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        work = Path(tmp)
        runs = [("getStats upload", RAW_NDJSON, f) for f in uploads]
        runs += [("webrtc-internals", RAW_INTERNALS, f) for f in internals]
        for name, raw, path in runs:
            ingested = _ingest_capped(path, work)
            floor = _run(FLOOR, Path(ingested["db"]), work)
            _report(f"{name} (ANALYZER_MEMORY_LIMIT=1GB)", path, _run(raw, path, work), ingested, floor)
    if not args.keep:
        for path in made:
            path.unlink()


if __name__ == "__main__":
    main()
