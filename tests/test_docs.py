"""The documentation matches the command line: every registered command and sub-command is in the README's
commands table and its --help runs and shows an example; and some CLI errors, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from tests.conftest import LOGS
from tests.helpers import run_cli as run

README = Path(__file__).resolve().parents[1] / "README.md"


def _name(info) -> str:
    return info.name or info.callback.__name__.replace("_", "-")


def _commands() -> list[str]:
    """Every command as a user types it: `triage`, `rules list`, ..."""
    found = [_name(c) for c in app.registered_commands]
    for group in app.registered_groups:
        found += [f"{group.name} {_name(c)}" for c in group.typer_instance.registered_commands]
    return found


def _readme_commands() -> list[str]:
    """The first cell of each row of the README's commands table."""
    text = README.read_text()
    table = text[text.index("## Commands") :].split("\n## ", 1)[0]
    return re.findall(r"^\| `analyzer ([^`]*)` \|", table, flags=re.MULTILINE)


COMMANDS = _commands()


def test_every_command_is_found():
    assert {"triage", "ingest", "sql", "rules list", "rules test", "model evaluate"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_in_the_readme_table(command):
    rows = _readme_commands()
    assert any(row == command or row.startswith(command + " ") for row in rows), (command, rows)


def test_readme_table_names_only_real_commands():
    for row in _readme_commands():
        assert any(row == c or row.startswith(c + " ") for c in COMMANDS), row


@pytest.mark.parametrize("command", COMMANDS)
def test_help_runs_and_shows_an_example(command):
    out = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert f"Example: analyzer {command}" in out.output


def _unboxed(text: str) -> str:
    """typer's error panel as plain words: no box characters, no line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_unknown_format_is_refused_word_for_word():
    out = run("calls", "--db", ":memory:", "--format", "yaml")
    assert out.returncode == 2 and out.stdout == ""
    expected = "Invalid value for '--format' / '-f': 'yaml' is not one of 'table', 'json', 'ndjson', 'csv', 'markdown'."
    assert expected in _unboxed(out.stderr).replace("Value error, ", "")


def test_bad_fail_on_word_for_word():
    out = run("triage", str(LOGS / "device.ndjson"), "--fail-on", "sometimes")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "error: --fail-on must be one of critical, high, medium, low, info, none, not 'sometimes'\n"


def test_missing_database_word_for_word(tmp_path):
    db = tmp_path / "none.duckdb"
    out = run("calls", "--db", str(db))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == f"error: {db}: no such database (run `analyzer ingest ... --db {db}` first)\n"


def test_missing_file_word_for_word(tmp_path):
    missing = tmp_path / "missing.ndjson"
    out = run("ingest", str(missing), "--db", ":memory:", "--format", "json")
    assert out.returncode == 2
    assert out.stderr == ""  # in JSON the error is in the document
    assert f"{missing}: no such file or folder" in out.stdout
    out = run("ingest", str(missing), "--db", ":memory:", "--format", "csv")
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "0 call(s) in the store: analyzer calls --db :memory:",
        f"error: {missing}: no such file or folder",
    ]
