"""Rules from a user's own folder are untrusted SQL: checked at load (one SELECT, the columns a finding needs,
UTF-8, a size cap), run without file access unless allowed, and stopped at a time and a memory limit."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analyzer.calls.sessionise import sessionise
from analyzer.detect.rules import MAX_RULE_BYTES, RuleError, load_rule, load_rules, run_rules, scan_rules
from analyzer.detect.sandbox import Limits, is_locked
from analyzer.errors import InputError
from tests.conftest import DATA

UNTRUSTED = DATA / "rules_untrusted"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def store(con, ingest):
    """A store with calls in it (a built-in rule fires on this ticket)."""
    ingest(DATA / "tickets" / "app_log_interruption_not_restored.log")
    sessionise(con)
    return con


def _error(folder: Path, **kw) -> str:
    with pytest.raises(RuleError) as err:
        load_rules([folder], **kw)
    return str(err.value)


def test_a_smuggled_statement_is_refused_at_load():
    msg = _error(UNTRUSTED / "smuggled_delete")
    assert msg.startswith(str(UNTRUSTED / "smuggled_delete" / "network.smuggled.yaml"))
    assert "must be exactly one SELECT statement, not SELECT, DELETE" in msg


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("DELETE FROM findings", "DELETE"),
        ("COPY findings TO 'out.csv'", "COPY"),
        ("ATTACH 'other.duckdb'", "ATTACH"),
        ("SELECT 1; SELECT 2", "SELECT, SELECT"),
        ("-- a comment and nothing else", "no statement"),
    ],
)
def test_only_one_select_statement(tmp_path, query, found):
    path = tmp_path / "network.x.yaml"
    path.write_text(
        f"id: network.x\ntitle: t\narea: network\nseverity: low\ndescription: d\nremediation: r\nquery: {query!r}\n"
    )
    with pytest.raises(RuleError, match=f"exactly one SELECT statement, not {found}"):
        load_rule(path)


def test_missing_columns_and_bad_sql_are_found_at_load():
    """Before: `rules list` passed these and `report --rules` died with a traceback."""
    assert "must return call_id, first_ts, last_ts, evidence, detail; missing first_ts" in _error(
        UNTRUSTED / "missing_columns"
    )
    assert "field 'query' is not valid SQL: Parser Error" in _error(UNTRUSTED / "bad_sql")


def test_scan_names_every_invalid_rule_and_keeps_the_rest():
    rules, errors = scan_rules([UNTRUSTED])
    bad = sorted(Path(str(e).split(": ")[0]).parent.name for e in errors)
    assert bad == ["bad_sql", "missing_columns", "not_utf8", "reads_files", "smuggled_delete"]
    ids = {r.id for r in rules}
    assert {"network.every_call", "network.slow", "network.greedy"} <= ids and "network.missing" not in ids
    assert any(r.bundled for r in rules) and not any(r.bundled for r in rules if r.id.startswith("network.e"))


def test_not_utf8_names_the_file_and_line():
    msg = _error(UNTRUSTED / "not_utf8")
    assert msg == f"{UNTRUSTED / 'not_utf8' / 'network.latin1.yaml'}: is not UTF-8 text (byte 0xe9 on line 2)"


def test_oversized_rule_file_is_refused_unread(tmp_path):
    path = tmp_path / "network.huge.yaml"
    path.write_text("id: network.huge\nquery: |\n  SELECT 1\n" + "  -- padding\n" * (MAX_RULE_BYTES // 12))
    with pytest.raises(RuleError, match=f"a rule file may have at most {MAX_RULE_BYTES}"):
        load_rule(path)


def test_user_rule_cannot_read_files_unless_allowed(store, monkeypatch):
    monkeypatch.chdir(ROOT)  # the rule reads a path relative to the repository
    assert "may not read files unless --allow-files is given" in _error(UNTRUSTED / "reads_files")
    rules = load_rules([UNTRUSTED / "reads_files"], allow_files=True)
    run_rules(store, rules)
    details = store.execute("SELECT detail FROM findings WHERE rule_id = 'network.reads_files'").fetchall()
    assert details and details[0][0].startswith("not for a rule's eyes")
    assert not is_locked(store)


def test_user_rules_run_locked_and_built_in_rules_still_work(store, monkeypatch):
    monkeypatch.chdir(ROOT)
    run_rules(store, load_rules([UNTRUSTED / "valid"]))
    fired = dict(store.execute("SELECT rule_id, count(*) FROM findings GROUP BY ALL").fetchall())
    assert fired.get("network.every_call", 0) >= 1  # its trailing `;  -- done` did not break the subquery
    assert any(not rule.startswith("network.") for rule in fired)  # a built-in rule fired in the same run
    assert is_locked(store)
    with pytest.raises(duckdb.PermissionException):
        store.execute("SELECT * FROM read_text('tests/data/rules_untrusted/secret.txt')")
    with pytest.raises(duckdb.Error, match="configuration has been locked"):
        store.execute("SET memory_limit = '100GB'")


def test_built_in_rules_alone_leave_the_store_open(store):
    run_rules(store, load_rules())
    assert not is_locked(store)


def test_time_limit_stops_a_rule_and_keeps_the_findings(store):
    before = run_rules(store, load_rules())
    with pytest.raises(RuleError) as err:
        run_rules(store, load_rules([UNTRUSTED / "slow"]), Limits(timeout_s=0.5))
    assert str(err.value).startswith(str(UNTRUSTED / "slow" / "network.slow.yaml"))
    assert "ran longer than 0.5 s and was stopped (ANALYZER_RULE_TIMEOUT_S" in str(err.value)
    assert store.execute("SELECT count(*) FROM findings").fetchone()[0] == before  # rolled back


def test_memory_limit_stops_a_rule(store):
    with pytest.raises(RuleError) as err:
        run_rules(store, load_rules([UNTRUSTED / "greedy"]), Limits(memory_limit="20MB"))
    assert str(err.value).startswith(str(UNTRUSTED / "greedy" / "network.greedy.yaml"))
    assert "was stopped: it needed more memory than the limit of 20MB (ANALYZER_RULE_MEMORY_LIMIT" in str(err.value)


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANALYZER_RULE_TIMEOUT_S", "7.5")
    monkeypatch.setenv("ANALYZER_RULE_MEMORY_LIMIT", "1GB")
    assert Limits.from_env() == Limits(7.5, "1GB")
    monkeypatch.setenv("ANALYZER_RULE_TIMEOUT_S", "soon")
    with pytest.raises(InputError, match="ANALYZER_RULE_TIMEOUT_S must be a number of seconds"):
        Limits.from_env()
