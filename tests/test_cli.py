"""The command line as a user runs it: exit codes, help, output formats."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LOGS
from tests.helpers import run_cli as run


@pytest.mark.parametrize("cmd", [[], ["ingest"], ["sql"]])
def test_help_has_an_example(cmd):
    out = run(*cmd, "--help")
    assert out.returncode == 0
    if cmd:
        assert "Example: analyzer" in out.stdout


def test_ingest_then_query(tmp_path):
    db = tmp_path / "t.duckdb"
    out = run("ingest", str(LOGS), "--db", str(db), "--format", "json")
    assert out.returncode == 0, out.stderr
    files = json.loads(out.stdout)["files"]
    assert len(files) == 8 and all(f["status"] == "ingested" for f in files)
    q = run(
        "sql",
        "SELECT count(*) AS n FROM session_events WHERE kind = 'route_change'",
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert json.loads(q.stdout) == [{"n": 2}]  # default-style and Xcode captures


def test_stdin_is_read():
    out = run("ingest", "-", "--db", ":memory:", "--format", "json", stdin=(LOGS / "device_syslog.log").read_text())
    assert out.returncode == 0
    (res,) = json.loads(out.stdout)["files"]
    assert (res["format"], res["layouts"]) == ("text", "oslog_syslog 2")


def test_bad_input_exits_2_without_traceback(tmp_path):
    out = run("ingest", str(tmp_path / "missing.ndjson"), "--db", ":memory:")
    assert out.returncode == 2
    assert "missing.ndjson: no such file or folder" in out.stdout + out.stderr
    assert "Traceback" not in out.stderr


def test_bad_sql_exits_2(tmp_path):
    db = tmp_path / "t.duckdb"
    run("ingest", str(LOGS / "device.ndjson"), "--db", str(db))
    out = run("sql", "SELECT nope FROM nowhere", "--db", str(db))
    assert out.returncode == 2 and "query failed" in out.stderr and "Traceback" not in out.stderr


def test_bad_offset_option():
    out = run("ingest", str(LOGS / "device.ndjson"), "--db", ":memory:", "--assume-offset", "PST")
    assert out.returncode == 2 and "--assume-offset" in out.stderr


def test_date_option_places_times_of_day():
    ticket = LOGS.parent / "tickets" / "app_log_interruption_not_restored.log"
    out = run("triage", str(ticket), "--format", "json", "--no-model", "--date", "2025-07-14")
    call = json.loads(out.stdout)["calls"][0]
    assert call["start_utc"].startswith("2025-07-14 11:") and call["time_basis"] == "no_date"
    bad = run("triage", str(ticket), "--date", "14/07")
    assert bad.returncode == 2 and "--date must be a day" in bad.stderr


UNTRUSTED = LOGS.parent / "rules_untrusted"


def test_sql_cannot_touch_other_files_unless_allowed(tmp_path):
    """Before: `analyzer sql` read any file (read_text), wrote any file (COPY ... TO) and installed extensions."""
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    target = tmp_path / "written.csv"
    for query, refused in [
        (f"SELECT content FROM read_text('{secret}')", "Permission Error"),
        (f"COPY (SELECT 1) TO '{target}'", "Permission Error"),
        (f"ATTACH '{tmp_path / 'other.duckdb'}' AS other", "Permission Error"),
        ("INSTALL httpfs", "Permission Error"),
        ("SET enable_external_access = true", "Cannot"),
        ("SET memory_limit = '100GB'", "configuration has been locked"),
    ]:
        out = run("sql", query, "--db", ":memory:")
        assert out.returncode == 2 and refused in out.stderr and "Traceback" not in out.stderr, (query, out.stderr)
    assert not target.exists() and not (tmp_path / "other.duckdb").exists()
    assert "--allow-files" in run("sql", f"SELECT * FROM read_text('{secret}')", "--db", ":memory:").stderr
    query = f"SELECT content FROM read_text('{secret}')"
    allowed = run("sql", query, "--db", ":memory:", "--format", "json", "--allow-files")
    assert json.loads(allowed.stdout) == [{"content": "private"}]


def test_sql_error_while_fetching_exits_2():
    out = run("sql", "SELECT * FROM range(3) WHERE CAST('x' || range AS INT) > 0", "--db", ":memory:")
    assert out.returncode == 2 and "Conversion Error" in out.stderr and "Traceback" not in out.stderr


def test_rules_list_names_invalid_rules():
    out = run("rules", "list", "--rules", str(UNTRUSTED), "--format", "json")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "network.every_call" in out.stdout  # the usable rules are still listed
    for bad in ["bad_sql", "missing_columns", "not_utf8", "reads_files", "smuggled_delete"]:
        assert f"error: invalid rule: {UNTRUSTED / bad}" in out.stderr, bad


def test_report_with_user_rules(tmp_path):
    """Before: a bad user rule passed `rules list`, then `report --rules` died with a traceback; a good one now
    runs sandboxed and the report is still written."""
    db = tmp_path / "t.duckdb"
    assert run("ingest", str(LOGS), "--db", str(db)).returncode == 0
    good = run("report", "--db", str(db), "--out", str(tmp_path / "r"), "--rules", str(UNTRUSTED / "valid"))
    assert good.returncode == 0, good.stderr
    assert "network.every_call" in (tmp_path / "r" / "findings.csv").read_text()
    bad = run("report", "--db", str(db), "--out", str(tmp_path / "r2"), "--rules", str(UNTRUSTED / "smuggled_delete"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "network.smuggled.yaml: field 'query' must be exactly one SELECT statement" in bad.stderr
    slow = run(
        "report",
        "--db",
        str(db),
        "--out",
        str(tmp_path / "r3"),
        "--rules",
        str(UNTRUSTED / "slow"),
        env={"ANALYZER_RULE_TIMEOUT_S": "1"},
    )
    assert slow.returncode == 2 and "Traceback" not in slow.stderr
    assert "network.slow.yaml: field 'query' ran longer than 1 s and was stopped" in slow.stderr


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("ANALYZER_MAX_RATIO", "abc", "ANALYZER_MAX_RATIO must be a number"),
        ("ANALYZER_MAX_EXTRACT_BYTES", "8GB", "ANALYZER_MAX_EXTRACT_BYTES must be a whole number"),
        ("ANALYZER_MAX_EXTRACT_ENTRIES", "-1", "must be a finite number of at least 1"),
        ("ANALYZER_LOCK_WAIT_S", "soon", "ANALYZER_LOCK_WAIT_S must be a number"),
        ("ANALYZER_MEMORY_LIMIT", "lots", "ANALYZER_MEMORY_LIMIT must be a size like 4GB"),
    ],
)
def test_malformed_settings_are_named_not_a_traceback(setting, value, message):
    out = run("ingest", str(LOGS / "device.ndjson"), "--db", ":memory:", env={setting: value})
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "--date", "9999-12-31"],
        ["ingest", "--date", "0001-01-01"],
        ["report", "--since", "0001-01-01", "--out", "r"],
        ["report", "--since", "2026-11-20", "--until", "2026-11-01", "--out", "r"],
    ],
)
def test_days_outside_the_plausible_window_are_refused(args, tmp_path):
    """A day given on the command line goes through the same window as the records' times (no year 9999 call,
    no date overflow in the report's previous period)."""
    target = [str(LOGS / "device.ndjson")] if args[0] == "ingest" else []
    out = run(*args, *target, "--db", str(tmp_path / "s.duckdb"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "outside the plausible window" in out.stderr or "is after --until" in out.stderr


@pytest.mark.parametrize(
    ("ticket", "fail_on", "code"),
    [
        ("wrong-category", "high", 1),  # a critical finding: at or above high (the default)
        ("wrong-category", "critical", 1),
        ("wrong-category", "none", 0),
        ("network-only-failure", "high", 1),  # its worst finding is high
        ("network-only-failure", "critical", 0),  # ...which is below critical
        ("healthy-call", "info", 0),  # no finding at all
    ],
)
def test_fail_on_sets_the_exit_code(ticket, fail_on, code):
    sample = LOGS.parents[2] / "sample_logs" / ticket
    out = run("triage", str(sample), "--format", "json", "--no-model", "--fail-on", fail_on)
    assert out.returncode == code, out.stderr
    assert json.loads(out.stdout)["calls"]


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", str(LOGS / "device.ndjson"), "--db", ":memory:"],
        ["calls", "--db", ":memory:"],
        ["rules", "list"],
        ["rules", "test", str(LOGS)],
        ["sql", "SELECT 1", "--db", ":memory:"],
        ["triage", str(LOGS / "device.ndjson")],
    ],
)
def test_unknown_format_is_refused_not_printed_as_a_table(args):
    """Before: `--format yaml` (or csv) printed a table in ingest, calls, rules list and sql."""
    out = run(*args, "--format", "yaml")
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    assert "Invalid value for '--format'" in out.stderr


def test_machine_formats_of_sql():
    query = "SELECT * FROM (VALUES (1, '=cmd()', NULL), (2, 'plain', 'x')) t(n, text, maybe)"
    ndjson = run("sql", query, "--db", ":memory:", "--format", "ndjson")
    assert [json.loads(line) for line in ndjson.stdout.splitlines()] == [
        {"n": 1, "text": "=cmd()", "maybe": None},
        {"n": 2, "text": "plain", "maybe": "x"},
    ]
    csv = run("sql", query, "--db", ":memory:", "--format", "csv")
    assert csv.stdout == "n,text,maybe\n1,'=cmd(),\n2,plain,x\n"  # a formula cell is made safe
    as_json = run("sql", query, "--db", ":memory:", "--format", "json")
    assert json.loads(as_json.stdout)[0] == {"n": 1, "text": "=cmd()", "maybe": None}


def test_diagnostics_go_to_stderr(tmp_path):
    """Before: ingest printed its notes, rejects and errors, and triage its notes, on stdout with the results."""
    out = run("ingest", str(LOGS / "device.ndjson"), "--db", ":memory:", "-q")
    assert out.returncode == 0
    assert "1 record(s) rejected" in out.stderr and "1 call(s) in the store" in out.stderr
    assert "device.ndjson" in out.stdout  # the table
    missing = run("ingest", str(tmp_path / "missing.log"), "--db", ":memory:", "-q")
    assert missing.returncode == 2 and "error: " in missing.stderr
    for text in ("record(s) rejected", "call(s) in the store", "error:"):
        assert text not in out.stdout + missing.stdout
    ticket = run("triage", str(LOGS / "device.ndjson"), "--model", str(tmp_path / "nope.npz"))
    assert "note: model not used" in ticket.stderr and "note:" not in ticket.stdout


def test_model_evaluate_with_a_bad_rule_is_one_line(tmp_path):
    """Before: `model evaluate` loaded the rules unguarded: a bad rule file gave a traceback."""
    from analyzer.classify.model import DEFAULT_MODEL

    out = run(
        "model",
        "evaluate",
        "--db",
        str(tmp_path / "a.duckdb"),
        "--model",
        str(DEFAULT_MODEL),
        "--train-db",
        str(tmp_path / "b.duckdb"),
        "--train-labels",
        str(tmp_path / "labels.csv"),
        "--rules",
        str(UNTRUSTED / "smuggled_delete"),
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr and out.stderr.count("\n") == 1
    assert "network.smuggled.yaml: field 'query' must be exactly one SELECT statement" in out.stderr


def test_library_api_is_one_lazy_import():
    """`import analyzer` gives the pipeline and the errors; DuckDB, scikit-learn and plotly load only when used."""
    import subprocess
    import sys

    code = (
        "import sys, analyzer; heavy = [m for m in ('duckdb', 'sklearn', 'plotly') if m in sys.modules]; "
        "from analyzer import AnalyzerError, InputError, OutputError, RuleError, ModelError, CatalogueError; "
        "assert all(issubclass(e, AnalyzerError) for e in (InputError, OutputError, RuleError, ModelError, "
        "CatalogueError)); from analyzer import analyse, refresh, ingest_paths, load_rules, connect, build_report; "
        "[getattr(analyzer, name) for name in analyzer.__all__]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("limit", "pool"),
    [
        ("4GB", f"{(4 * 10**9 - (256 << 20)) >> 10}KiB"),  # the process's reserve left out of DuckDB's pool
        ("1GiB", "786432KiB"),  # 1 GiB less 256 MiB
        ("1gb", "732421KiB"),  # under 1 GiB: a quarter kept back (250 MB), not 256 MiB
        ("1MB", "732KiB"),
        ("80%", "80%"),  # a size this does not read is DuckDB's to read (and to refuse)
        ("lots", "lots"),
    ],
)
def test_memory_limit_bounds_the_process_not_only_duckdb(limit, pool):
    """ANALYZER_MEMORY_LIMIT bounds the whole process: DuckDB's buffer pool gets it less what the interpreter and
    libraries hold beside it."""
    from analyzer.store.db import pool_limit

    assert pool_limit(limit) == pool
