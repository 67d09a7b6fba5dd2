"""The verdict policy's reference tables (queries/reference/*.csv): one definition, read here for Python's
choices and checks (which severities and areas a rule may have, how severities and verdicts order) and loaded into
every connection for queries/triage/verdicts.sql."""

from __future__ import annotations

import csv
from functools import cache

import duckdb

from analyzer.resources import query_statements, resource_dir

# table name -> (file, {column: SQL type})
POLICY = {
    "ref_severities": ("severities.csv", {"severity": "VARCHAR", "rank": "INTEGER", "verdict": "VARCHAR"}),
    "ref_areas": ("areas.csv", {"area": "VARCHAR", "priority": "INTEGER", "cause": "VARCHAR"}),
    "ref_verdicts": ("verdicts.csv", {"verdict": "VARCHAR", "rank": "INTEGER", "meaning": "VARCHAR"}),
}


@cache
def _rows(table: str) -> tuple[dict[str, str], ...]:
    path = resource_dir("queries") / "reference" / POLICY[table][0]
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def severity_rank() -> dict[str, int]:
    """Each severity's rank, info 0 .. critical 4."""
    return {r["severity"]: int(r["rank"]) for r in _rows("ref_severities")}


def severities() -> tuple[str, ...]:
    """The severities, most severe first."""
    rank = severity_rank()
    return tuple(sorted(rank, key=lambda s: -rank[s]))


def areas() -> tuple[str, ...]:
    """The areas a rule may belong to, most specific first."""
    return tuple(r["area"] for r in sorted(_rows("ref_areas"), key=lambda r: -int(r["priority"])))


def verdict_rank() -> dict[str, int]:
    """Each verdict's rank, healthy 0 .. failed 3 (a ticket's verdict is its worst call's)."""
    return {r["verdict"]: int(r["rank"]) for r in _rows("ref_verdicts")}


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Load the policy tables into this connection and create the verdict views over them."""
    for table, (name, columns) in POLICY.items():
        path = resource_dir("queries") / "reference" / name
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv($path, header = true, columns = $cols)",
            {"path": str(path), "cols": columns},
        )
    for statement in query_statements("triage/verdicts.sql"):
        con.execute(statement)
