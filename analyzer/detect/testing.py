"""Test rules: each rule's own cases (its `tests:`, run through the pipeline on a fresh store), and the fixture
folders <dir>/<rule_id>/positive (must raise the rule) and .../negative (must not)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from analyzer.detect.rules import Rule, RuleCase
from analyzer.pipeline import analyse
from analyzer.store.db import connect

CASE_FILES = {"log": "device.log", "stats": "app_stats.ndjson"}  # what the ingest reads each input as


@dataclass
class FixtureResult:
    rule_id: str
    side: str  # positive | negative, or a case's name
    ok: bool
    message: str


def case_findings(rule: Rule, case: RuleCase) -> list[str]:
    """Analyse one case's input on a fresh in-memory store with the rule alone; the details of its findings.
    An input the ingest cannot read whole (an error or a rejected record) is the case's fault: ValueError."""
    with tempfile.TemporaryDirectory(prefix="rule-case-") as tmp:
        for field, name in CASE_FILES.items():
            text = getattr(case, field)
            if text:
                (Path(tmp) / name).write_text(text, encoding="utf-8")
        con = connect(":memory:")
        try:
            summary = analyse(con, [tmp], [rule], use_model=False).summary
            rejected = [f"{Path(f.label).name}: {f.rejected} record(s) rejected" for f in summary.files if f.rejected]
            if summary.errors or rejected:
                raise ValueError(f"{rule.path}: case {case.name!r}: {(summary.errors + rejected)[0]}")
            rows = con.execute("SELECT detail FROM findings WHERE rule_id = $id ORDER BY first_ts", {"id": rule.id})
            return [r[0] for r in rows.fetchall()]
        finally:
            con.close()


def check_case(rule: Rule, case: RuleCase) -> FixtureResult:
    """Run one case and say whether the rule did what the case expects."""
    try:
        details = case_findings(rule, case)
    except ValueError as exc:
        return FixtureResult(rule.id, case.name, False, str(exc))
    if case.expect == "quiet":
        ok = not details
        return FixtureResult(rule.id, case.name, ok, "quiet" if ok else f"the rule fired: {details[0]}")
    if len(details) == case.findings:
        return FixtureResult(rule.id, case.name, True, details[0])
    got = f"{len(details)} finding(s)" if details else "the rule did not fire"
    return FixtureResult(rule.id, case.name, False, f"expected {case.findings} finding(s), got {got}")


def check_cases(rules: list[Rule]) -> list[FixtureResult]:
    """Every rule against its own cases."""
    return [check_case(rule, case) for rule in rules for case in rule.tests]


def check_rules(rules: list[Rule], fixtures: Path) -> list[FixtureResult]:
    """What `analyzer rules test` runs: every rule's own cases, then its fixture folders."""
    return check_cases(rules) + check_fixtures(rules, fixtures)


def findings_for(folder: Path, rules: list[Rule]) -> list[tuple]:
    """Ingest one fixture folder into a fresh in-memory store and return (rule_id, call_id, severity, detail)."""
    con = connect(":memory:")
    try:
        summary = analyse(con, [str(folder)], rules, use_model=False).summary
        if summary.errors:
            raise ValueError(f"{folder}: {summary.errors[0]}")
        return con.execute("SELECT rule_id, call_id, severity, detail FROM findings ORDER BY rule_id").fetchall()
    finally:
        con.close()


def check_fixtures(rules: list[Rule], fixtures: Path) -> list[FixtureResult]:
    """Every rule against its two fixture folders, on its own (a missing folder is a failure too)."""
    results = []
    for rule in rules:
        for side in ("positive", "negative"):
            folder = fixtures / rule.id / side
            if not folder.is_dir():
                results.append(FixtureResult(rule.id, side, False, f"no fixture folder {folder}"))
                continue
            hits = [f for f in findings_for(folder, [rule]) if f[0] == rule.id]
            if side == "positive":
                ok = len(hits) >= 1
                msg = hits[0][3] if hits else "the rule did not fire"
            else:
                ok = not hits
                msg = "quiet" if ok else f"the rule fired: {hits[0][3]}"
            results.append(FixtureResult(rule.id, side, ok, msg))
    return results
