"""The verdict policy (queries/triage/verdicts.sql over queries/reference/*.csv): how findings and the model's
view make a call's verdict, and that triage, the report and the dashboard say the same word for every call."""

from __future__ import annotations

import csv
import json

import pytest

from analyzer.detect.rules import load_rules
from analyzer.pipeline import analyse
from analyzer.render.dashboard import dashboard_data
from analyzer.render.report import write_report
from analyzer.render.triage_report import to_json
from analyzer.simulator.fleet import FleetOptions, simulate
from analyzer.store.db import connect
from analyzer.triage.ticket import TriageOptions, build_report

FINDING_FOR = {"failed": "high", "degraded": "medium", "healthy": None}
CAUSE_AREA = {"network": "network", "bluetooth_routing": "bluetooth", None: None}


def _store_with(findings: list[tuple[str, str, int]], prediction: dict | None):
    """A store holding one call `c1` (60 s), the given (severity, area, seconds in) findings and a prediction."""
    con = connect(":memory:")
    con.execute(
        "INSERT INTO calls VALUES ('c1', 'd1', TIMESTAMPTZ '2026-01-01 10:00:00+00', "
        "TIMESTAMPTZ '2026-01-01 10:01:00+00', 'explicit_id', true, NULL, 1, 0, [], NULL, 'aligned', true, "
        "NULL, NULL, NULL, NULL)"
    )
    for i, (severity, area, at_s) in enumerate(findings):
        con.execute(
            "INSERT INTO findings (finding_id, rule_id, area, severity, call_id, first_ts) "
            "VALUES ($i, $rule, $area, $severity, 'c1', TIMESTAMPTZ '2026-01-01 10:00:00+00' + to_seconds($at))",
            {"i": i, "rule": f"{area}.r{i}", "area": area, "severity": severity, "at": at_s},
        )
    if prediction is not None:
        con.execute(
            "INSERT INTO predictions (call_id, label, probability, model, abstained, unjudged, suspects, suspect_p) "
            "VALUES ('c1', $label, $p, 'm', $abstained, $unjudged, $suspects, 0.5)",
            {
                "label": prediction.get("label"),
                "p": prediction.get("probability"),
                "abstained": prediction.get("abstained"),
                "unjudged": prediction.get("unjudged"),
                "suspects": prediction.get("suspects", False),
            },
        )
    return con


def _judgement(con) -> tuple:
    return con.execute("SELECT verdict, cause, confidence FROM call_judgements WHERE call_id = 'c1'").fetchone()


@pytest.mark.parametrize(
    "rules, prediction, expected",
    [
        (
            ("failed", "network"),
            {"label": "network", "probability": 0.9},
            ("failed", "network", "rules, and the model agrees (p=0.90)"),
        ),
        (
            ("failed", "network"),
            {"label": "healthy", "probability": 0.6},
            ("failed", "network", "rules; the model says healthy (p=0.60)"),
        ),
        (
            ("healthy", None),
            {"label": "bluetooth_routing", "probability": 0.8, "suspects": True},
            ("suspected", "bluetooth_routing", "failure suspected, no rule matched: model only (p=0.80)"),
        ),
        (
            ("healthy", None),
            {"label": "bluetooth_routing", "probability": 0.3, "suspects": False},
            ("healthy", None, "no rule matched; model: bluetooth_routing (p=0.30)"),
        ),
        (
            ("healthy", None),
            {"label": "network", "probability": 0.9, "suspects": True, "unjudged": "no device log in this ticket"},
            (
                "suspected",
                "network",
                "failure suspected, no rule matched: model only (p=0.90); no device log in this ticket",
            ),
        ),
        (("healthy", None), None, ("healthy", None, "rules only (no model)")),
        (
            ("healthy", None),
            {"label": None, "probability": None, "abstained": "this one has device log"},
            ("healthy", None, "rules only; the model abstains: this one has device log"),
        ),
        (
            ("degraded", "network"),
            {"label": "bluetooth_routing", "probability": 0.95, "suspects": True},
            ("degraded", "network", "rules; the model says bluetooth_routing (p=0.95)"),
        ),
    ],
)
def test_verdict_combines_rules_and_model(rules, prediction, expected):
    verdict, cause = rules
    severity = FINDING_FOR[verdict]
    findings = [(severity, CAUSE_AREA[cause], 5)] if severity else []
    assert _judgement(_store_with(findings, prediction)) == expected


@pytest.mark.parametrize(
    "findings, expected",
    [
        # the most severe finding names the cause, whatever its area or time
        ([("medium", "interruption", 1), ("high", "misconfiguration", 50)], ("failed", "misconfiguration")),
        # equal severity: the more specific area (a Bluetooth symptom over the misconfiguration behind it)
        ([("high", "misconfiguration", 1), ("high", "bluetooth", 50)], ("failed", "bluetooth_routing")),
        ([("critical", "network", 1), ("critical", "interruption", 50)], ("failed", "unrecovered_interruption")),
        # equal severity and area: the earliest finding (same cause either way)
        ([("high", "network", 40), ("high", "network", 2)], ("failed", "network")),
        # low and info findings leave a call healthy, with no cause
        ([("low", "bluetooth", 1), ("info", "network", 2)], ("healthy", None)),
        ([("medium", "bluetooth", 3), ("low", "interruption", 1)], ("degraded", "bluetooth_routing")),
    ],
)
def test_worst_finding_decides(findings, expected):
    assert _judgement(_store_with(findings, None))[:2] == expected


@pytest.fixture(scope="module")
def fleet_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet")
    simulate(folder, FleetOptions(calls=60, seed=23, noise_per_minute=0, partial_evidence=0.3))
    con = connect(":memory:")
    analyse(con, [str(folder)], load_rules())
    return con, tmp_path_factory.mktemp("out")


def test_triage_report_and_dashboard_say_the_same_word(fleet_store):
    con, out = fleet_store
    triage = {
        c["call_id"]: c["verdict"]
        for c in json.loads(to_json(build_report(con, load_rules(), TriageOptions())))["calls"]
    }
    write_report(con, out / "report", None, None)
    with (out / "report" / "calls.csv").open(encoding="utf-8", newline="") as f:
        report = {r["call_id"]: r["verdict"] for r in csv.DictReader(f)}
    data = dashboard_data(con)
    i, v = data["columns"].index("call_id"), data["columns"].index("verdict")
    dashboard = {r[i]: r[v] for r in data["calls"]}
    assert len(triage) == con.execute("SELECT count(*) FROM calls").fetchone()[0] >= 50
    assert triage == report == dashboard
    assert {"healthy", "failed"} <= set(triage.values())  # more than one word is compared
    allowed = {r[0] for r in con.execute("SELECT verdict FROM ref_verdicts").fetchall()}
    assert set(triage.values()) <= allowed
