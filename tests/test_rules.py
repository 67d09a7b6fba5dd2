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


def _findings(con, ingest, folder):
    summary = ingest(folder)
    assert summary.errors == [] and all(f.rejected == 0 for f in summary.files)
    sessionise(con)
    run_rules(con, RULES)
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
    found = [f for f in _findings(con, ingest, FIXTURES / rule_id / "positive") if f[0] == rule_id]
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
    found = [f for f in _findings(con, ingest, FIXTURES / rule_id / "negative") if f[0] == rule_id]
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
