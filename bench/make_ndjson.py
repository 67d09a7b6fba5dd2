"""Build a large system-wide `log show --style ndjson` file (about 1% audio-session lines), in DuckDB.

usage: python -m bench.make_ndjson OUT.ndjson [--mb 1100]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

SQL = (Path(__file__).with_name("make_ndjson.sql")).read_text()

ROW_BYTES = 800  # measured average line length of the rows above


def build(out: str, mb: int) -> None:
    """Write about `mb` megabytes of ndjson to `out`, then the `finished` record."""
    rows = mb * 1024 * 1024 // ROW_BYTES
    con = duckdb.connect()
    con.execute(SQL.replace("{out}", out.replace("'", "''")), [rows])
    with open(out, "a") as fh:
        fh.write('{"finished":1}\n')


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=1100)
    args = ap.parse_args()
    t = time.perf_counter()
    build(args.out, args.mb)
    print(f"wrote {args.out} in {time.perf_counter() - t:.1f}s")
