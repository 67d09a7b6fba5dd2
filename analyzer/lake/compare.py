"""Two `analyzer fleet` outputs compared table by table (DuckDB's and Spark's): calls, findings (their numbering
aside) and verdicts row for row; predictions row for row with probabilities to a tolerance."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb

from analyzer.lake.fleet import output_files

PROBABILITY_TOLERANCE = 1e-9  # both engines predict with the same numpy runtime, on features each computed
EXACT = (("calls", ()), ("findings", ("finding_id",)), ("call_verdicts", ("model_probability",)))


def output_rows(out: Path, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """One table an engine wrote under --out, its rows in one order (`drop`: columns left out)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    files = {"f": output_files(out, table)}
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet($f)", files).fetchall()]
    listed = ", ".join(f'"{c}"' for c in cols if c not in drop)
    rows = con.execute(f"SELECT {listed} FROM read_parquet($f) ORDER BY ALL", files).fetchall()
    con.close()
    return rows


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=0, abs_tol=PROBABILITY_TOLERANCE)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def _predictions(out: Path) -> dict[str, tuple]:
    """call_id -> its prediction row, the JSON of every label's probability parsed."""
    rows = output_rows(out, "predictions")
    return {r[0]: (r[1], r[2], json.loads(r[3]) if r[3] else None, *r[4:]) for r in rows}


def differences(expected: Path, got: Path, shown: int = 3) -> list[str]:
    """What differs between two fleet outputs (empty: the same), a few rows a table."""
    found = []
    for table, drop in EXACT:
        want, have = output_rows(expected, table, drop), output_rows(got, table, drop)
        if want != have:
            pairs = [(w, h) for w, h in zip(want, have, strict=False) if w != h]
            found.append(f"{table}: {len(want)} rows vs {len(have)}; the first that differ: {pairs[:shown]}")
    want_p, have_p = _predictions(expected), _predictions(got)
    if want_p.keys() != have_p.keys():
        found.append(f"predictions: calls differ ({len(want_p)} vs {len(have_p)})")
    bad = [c for c in sorted(want_p.keys() & have_p.keys()) if not _close_rows(want_p[c], have_p[c])]
    found += [f"predictions of {c}: {want_p[c]} vs {have_p[c]}" for c in bad[:shown]]
    return found


def _close_rows(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
