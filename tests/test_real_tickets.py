"""Real tickets (tests/data/tickets: lines people pasted into public issue threads, SOURCES.md says where each is
from): the verdict, cause, evidence and timeline an expert expects (expected.toml)."""

from __future__ import annotations

import json
import re

import pytest
import tomllib

from analyzer.detect.rules import load_rules
from analyzer.pipeline import analyse
from analyzer.store.db import connect
from analyzer.triage.ticket import TriageOptions, build_report
from tests.conftest import DATA

TICKETS = DATA / "tickets"
CASES = tomllib.loads((TICKETS / "expected.toml").read_text())["ticket"]
RULES = load_rules()


def _report(path):
    con = connect(":memory:")
    try:
        done = analyse(con, [str(path)], RULES, one_device="ticket")
        assert done.summary.errors == []
        return build_report(con, RULES, TriageOptions())
    finally:
        con.close()


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_real_ticket(case):
    report = _report(TICKETS / case["file"])
    assert report.calls, "a ticket without call boundaries is still one analysis window"
    if case["verdict"] == "failed":
        assert report.verdict == "failed", [(f["rule_id"], f["detail"]) for c in report.calls for f in c["findings"]]
        assert report.cause in case.get("causes", [report.cause])
    else:
        assert report.verdict not in ("failed", "suspected"), [
            f["rule_id"] for c in report.calls for f in c["findings"]
        ]
    findings = [f for c in report.calls for f in c["findings"]]
    cited = json.dumps([f["evidence"] for f in findings], ensure_ascii=False)
    for text in case.get("evidence", []):
        assert text in cited
    if "finding" in case:
        assert any(re.search(case["finding"], f"{f['rule_id']} {f['title']} {f['detail']}", re.I) for f in findings)
    if "timeline" in case:
        timeline = [t["what"] for c in report.calls for t in c["timeline"]]
        assert any(re.search(case["timeline"], t, re.I) for t in timeline), timeline
