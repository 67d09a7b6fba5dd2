"""The rule pack: every rule loads and validates, fires on its positive fixture and not on its negative one,
and healthy calls raise nothing critical or high."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.calls.sessionise import sessionise
from analyzer.detect.rules import RuleError, load_rule, load_rules, run_rules, validate_queries

FIXTURES = Path(__file__).parent / "rules"
RULES = load_rules()
IDS = [r.id for r in RULES]
BY_ID = {r.id: [r] for r in RULES}  # a fixture is judged by its own rule alone: the rules do not read each other


def _findings(con, ingest, folder, rules=RULES):
    summary = ingest(folder)
    assert summary.errors == [] and all(f.rejected == 0 for f in summary.files)
    sessionise(con)
    run_rules(con, rules)
    return con.execute("SELECT rule_id, call_id, severity, evidence, stats_evidence, detail FROM findings").fetchall()


def test_pack_loads_and_validates(con):
    assert len(RULES) >= 20
    validate_queries(con, RULES)
    assert {r.area for r in RULES} == {"misconfiguration", "interruption", "bluetooth", "network"}


def test_every_rule_has_both_fixtures():
    missing = [i for i in IDS for side in ("positive", "negative") if not (FIXTURES / i / side).is_dir()]
    assert missing == []


@pytest.mark.parametrize("rule_id", IDS)
def test_positive_fixture_fires(con, ingest, rule_id):
    found = [f for f in _findings(con, ingest, FIXTURES / rule_id / "positive", BY_ID[rule_id]) if f[0] == rule_id]
    assert len(found) == 1, found
    _, call_id, _, evidence, stats_evidence, detail = found[0]
    assert call_id and detail
    # the evidence points at real source lines of that call
    assert evidence or stats_evidence
    if evidence:
        rows = con.execute(
            "SELECT count(*) FROM events WHERE list_contains(?, event_id) AND call_id = ?", [evidence, call_id]
        ).fetchall()[0][0]
        assert rows == len(set(evidence))


def test_rules_test_command_checks_every_fixture(tmp_path):
    """The same check users run on their own pack (`analyzer rules test`), including a failing fixture."""
    from analyzer.detect.testing import check_fixtures

    rule = next(r for r in RULES if r.id == "bluetooth.no_suitable_route")
    results = check_fixtures([rule], FIXTURES)
    assert [(r.side, r.ok) for r in results] == [("positive", True), ("negative", True)]
    # a negative fixture that does contain the fault must be reported as a failure
    import shutil

    shutil.copytree(FIXTURES / rule.id / "positive", tmp_path / rule.id / "negative")
    shutil.copytree(FIXTURES / rule.id / "positive", tmp_path / rule.id / "positive")
    bad = check_fixtures([rule], tmp_path)
    assert [(r.side, r.ok) for r in bad] == [("positive", True), ("negative", False)]
    assert bad[1].message.startswith("the rule fired")


@pytest.mark.parametrize("rule_id", IDS)
def test_negative_fixture_is_quiet(con, ingest, rule_id):
    found = [f for f in _findings(con, ingest, FIXTURES / rule_id / "negative", BY_ID[rule_id]) if f[0] == rule_id]
    assert found == []


def test_healthy_calls_raise_nothing_serious(con, ingest, tmp_path):
    from analyzer.simulator.faults import parse_mix
    from analyzer.simulator.fleet import FleetOptions, simulate

    simulate(tmp_path, FleetOptions(calls=24, seed=11, mix=parse_mix("healthy=1"), noise_per_minute=30))
    serious = [f for f in _findings(con, ingest, tmp_path) if f[2] in ("critical", "high")]
    assert serious == []


BAD_RULES = [
    ("id: misconfiguration.x\n", "field 'title' is missing or empty"),
    (
        "id: wrong.name\ntitle: t\narea: misconfiguration\nseverity: high\ndescription: d\nremediation: r\n"
        "query: SELECT 1\n",
        "field 'id' is 'wrong.name' but the file is named",
    ),
    (
        "id: misconfiguration.bad\ntitle: t\narea: audio\nseverity: high\ndescription: d\nremediation: r\n"
        "query: SELECT 1\n",
        "field 'area' must be one of",
    ),
    (
        "id: misconfiguration.bad\ntitle: t\narea: misconfiguration\nseverity: urgent\ndescription: d\nremediation: r\n"
        "query: SELECT 1\n",
        "field 'severity' must be one of",
    ),
    (
        "id: misconfiguration.bad\ntitle: t\narea: misconfiguration\nseverity: high\ndescription: d\nremediation: r\n"
        "query: SELECT $limit\n",
        "undeclared parameter(s): limit",
    ),
    ("id: misconfiguration.bad\ntitle: [unclosed\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_RULES)
def test_malformed_rule_names_file_and_field(tmp_path, text, message):
    path = tmp_path / "misconfiguration.bad.yaml"
    path.write_text(text)
    with pytest.raises(RuleError) as err:
        load_rule(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_query_that_does_not_fit_the_store(con, tmp_path):
    path = tmp_path / "network.broken.yaml"
    path.write_text(
        "id: network.broken\ntitle: t\narea: network\nseverity: low\ndescription: d\nremediation: r\n"
        "query: SELECT call_id FROM calls\n"
    )
    with pytest.raises(RuleError, match="must return call_id, first_ts, last_ts, evidence, detail"):
        validate_queries(con, [load_rule(path)])


# each rule's own cases (`tests:` in its YAML), run through the pipeline on a fresh store
CASES = [(rule, case) for rule in RULES for case in rule.tests]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.id}-{c.name}" for r, c in CASES])
def test_rule_case(rule, case):
    from analyzer.detect.testing import check_case

    result = check_case(rule, case)
    assert result.ok, result.message


def test_every_rule_has_a_fire_case_a_quiet_case_and_its_false_positives():
    lacking = [
        r.id
        for r in RULES
        if not {c.expect for c in r.tests} >= {"fire", "quiet"} or not r.false_positives or not all(r.false_positives)
    ]
    assert lacking == []


def test_case_runner_reports_a_case_the_rule_does_not_meet():
    import dataclasses

    from analyzer.detect.testing import check_case

    rule = next(r for r in RULES if r.id == "interruption.never_ended")
    fire = next(c for c in rule.tests if c.expect == "fire")
    as_quiet = check_case(rule, dataclasses.replace(fire, expect="quiet", findings=0))
    assert not as_quiet.ok and as_quiet.message.startswith("the rule fired")
    twice = check_case(rule, dataclasses.replace(fire, findings=2))
    assert not twice.ok and twice.message == "expected 2 finding(s), got 1 finding(s)"
    no_time = '{"call_id": "T1", "stats": [{"id": "out", "type": "outbound-rtp", "packetsSent": 5}]}\n'
    broken = check_case(rule, dataclasses.replace(fire, stats=no_time))
    assert not broken.ok and "case 'began_never_ended'" in broken.message and "rejected" in broken.message


def test_rules_test_command_runs_cases_and_fixtures():
    from analyzer.detect.testing import check_rules

    rule = next(r for r in RULES if r.id == "bluetooth.no_suitable_route")
    results = check_rules([rule], FIXTURES)
    assert [r.side for r in results] == [c.name for c in rule.tests] + ["positive", "negative"]
    assert all(r.ok for r in results)


RULE_HEAD = (
    "id: misconfiguration.bad\ntitle: t\narea: misconfiguration\nseverity: high\ndescription: d\nremediation: r\n"
)
LOG = "    log: |\n      2026-01-10 09:00:00.000000+0000 VoiceAgent[1440:7] hello\n"
BAD_CASES = [
    ("false_positives: [1]\n", "field 'false_positives' must be a list of sentences"),
    ("tests: one\n", "field 'tests' must be a list of cases"),
    ("tests:\n  - expect: fire\n" + LOG, "field 'tests' case 1 needs a 'name' in snake_case"),
    ("tests:\n  - name: a\n    expect: loud\n" + LOG, "field 'tests' case 'a': 'expect' must be fire or quiet"),
    ("tests:\n  - name: a\n    expect: fire\n", "field 'tests' case 'a' needs its input"),
    ("tests:\n  - name: a\n    expect: fire\n    findings: 0\n" + LOG, "'findings' must be a whole number"),
    ("tests:\n  - name: a\n    expect: quiet\n    findings: 1\n" + LOG, "'findings' is for fire cases only"),
    ("tests:\n  - name: a\n    expect: fire\n    logs: x\n", "case 1 has unknown field(s): logs"),
    ("tests:\n  - name: a\n    expect: fire\n" + LOG + "  - name: a\n    expect: quiet\n" + LOG, "is named twice"),
    ("tests:\n  - name: a\n    expect: fire\n    log: |\n" + "      x\n" * 21, "'log' may have at most 20 lines"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CASES)
def test_malformed_case_or_false_positives_names_file_and_field(tmp_path, text, message):
    path = tmp_path / "misconfiguration.bad.yaml"
    path.write_text(RULE_HEAD + "query: SELECT 1\n" + text)
    with pytest.raises(RuleError) as err:
        load_rule(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_rule_docs_are_generated_from_the_pack():
    """docs/rules.md is what tools/make_rule_docs.py writes now: it cannot go stale."""
    import importlib.util

    tool = Path(__file__).parent.parent / "tools" / "make_rule_docs.py"
    spec = importlib.util.spec_from_file_location("make_rule_docs", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DOCS.read_text(encoding="utf-8") == module.render(RULES)
