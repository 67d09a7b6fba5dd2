"""Run rules against their fixtures: <dir>/<rule_id>/positive must raise the rule, .../negative must not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.calls.sessionise import sessionise
from analyzer.detect.rules import Rule, run_rules
from analyzer.store.db import connect
from analyzer.store.ingest import ingest_paths


@dataclass
class FixtureResult:
    rule_id: str
    side: str  # positive | negative
    ok: bool
    message: str


def findings_for(folder: Path, rules: list[Rule]) -> list[tuple]:
    """Ingest one fixture folder into a fresh in-memory store and return (rule_id, call_id, severity, detail)."""
    con = connect(":memory:")
    try:
        summary = ingest_paths(con, [str(folder)])
        if summary.errors:
            raise ValueError(f"{folder}: {summary.errors[0]}")
        sessionise(con)
        run_rules(con, rules)
        return con.execute("SELECT rule_id, call_id, severity, detail FROM findings ORDER BY rule_id").fetchall()
    finally:
        con.close()


def check_fixtures(rules: list[Rule], fixtures: Path) -> list[FixtureResult]:
    """Every rule against its two fixture folders (a missing folder is a failure too)."""
    results = []
    for rule in rules:
        for side in ("positive", "negative"):
            folder = fixtures / rule.id / side
            if not folder.is_dir():
                results.append(FixtureResult(rule.id, side, False, f"no fixture folder {folder}"))
                continue
            hits = [f for f in findings_for(folder, rules) if f[0] == rule.id]
            if side == "positive":
                ok = len(hits) >= 1
                msg = hits[0][3] if hits else "the rule did not fire"
            else:
                ok = not hits
                msg = "quiet" if ok else f"the rule fired: {hits[0][3]}"
            results.append(FixtureResult(rule.id, side, ok, msg))
    return results
