"""Compare what two versions of the analyzer store for the same stats files, row for row.

usage: python tools/compare_stats_paths.py [--base REV] [--write DIR] FILE...
Each FILE is ingested into a fresh in-memory store by the code of this tree and by the code of git revision REV
(default: the merge base with `main`, exported to a temporary folder), each in its own process; the counts,
every typed stats table, stats_other, rtp_intervals, pc_state_changes and rejects are compared. Exit status 1
when any file differs. `--write DIR`: also write the base revision's tables of each file to DIR/<file>.json (the
fixtures tests/test_webrtc_internals.py compares against).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stored(path: str) -> dict[str, list]:
    """Counts, typed stats tables, intervals, state changes and rejects of one file in a fresh store (each table
    as the sorted reprs of its rows, source_id left out). The plausible window ends at a fixed instant (rejects
    name it)."""
    os.environ["ANALYZER_LATEST"] = "2030-01-01T00:00:00Z"
    from analyzer.normalise.stats import stats_tables
    from analyzer.store.db import connect
    from analyzer.store.ingest import ingest_paths

    con = connect(":memory:")
    res = ingest_paths(con, [str(path)]).files[0]
    tables = [t.name for t in stats_tables()] + ["stats_other", "rtp_intervals", "rejects", "pc_state_changes"]
    out = {"counts": [repr((res.format, res.lines, res.records, res.stored, res.rejected, res.meta_lines))]}
    for table in tables:
        out[table] = sorted(map(repr, con.execute(f"SELECT * EXCLUDE (source_id) FROM {table}").fetchall()))
    con.close()
    return out


def _stored_by(tree: Path, path: Path) -> dict[str, list]:
    """`stored` run by the analyzer of `tree` (its own process, the tree first on sys.path)."""
    code = f"import json, runpy, sys; print(json.dumps(runpy.run_path({str(Path(__file__))!r})['stored'](sys.argv[1])))"
    out = subprocess.run([sys.executable, "-c", code, str(path.resolve())], cwd=tree, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{path}: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def _differences(old: dict[str, list], new: dict[str, list]) -> list[str]:
    out = []
    for table in old:
        gone = sorted(set(old[table]) - set(new.get(table, [])))
        added = sorted(set(new.get(table, [])) - set(old[table]))
        if gone or added or len(old[table]) != len(new.get(table, [])):
            out.append(f"  {table}: {len(old[table])} rows before, {len(new.get(table, []))} now")
            out += [f"    - {r[:160]}" for r in gone[:3]] + [f"    + {r[:160]}" for r in added[:3]]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--base", default=None, help="git revision of the code to compare with (default: merge base)")
    ap.add_argument("--write", type=Path, default=None, help="write the base revision's tables here")
    args = ap.parse_args()
    base = (
        args.base
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        _export(base, Path(tmp))
        for path in args.files:
            old, new = _stored_by(Path(tmp), path), _stored_by(ROOT, path)
            if args.write:
                args.write.mkdir(parents=True, exist_ok=True)
                (args.write / f"{path.name}.json").write_text(json.dumps(old, indent=0) + "\n")
            diff = _differences(old, new)
            rows = sum(len(v) for v in old.values())
            print(f"{path.name}: {'same' if not diff else 'DIFFERENT'} ({rows:,} rows; {old['counts'][0]})")
            if diff:
                print("\n".join(diff))
            failed += bool(diff)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
