"""The fleet's batch outputs: `analyzer report` (files for the scheduled report) and `analyzer dashboard`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.options import DEFAULT_DB, AllowFilesOption, DbOption, RulesOption, existing_store, plausible_day
from analyzer.errors import UsageError
from analyzer.render.escape import clean


def _analysed_store(db: str, rules: list[Path] | None, allow_files: bool = False) -> tuple:
    """Open a store, and refresh what the rules and the model say of its calls; returns it and the rule pack."""
    from analyzer.detect.rules import load_rules
    from analyzer.detect.sandbox import is_locked
    from analyzer.pipeline import refresh
    from analyzer.store.db import connect

    existing_store(db)
    rule_pack = load_rules(rules, allow_files)
    con = connect(db)
    notes = refresh(con, rule_pack, regroup=False)  # the calls as ingest grouped them
    if is_locked(con):  # user rules took file access away for good; the report's files need it back
        con.close()
        con = connect(db)
    for note in notes:
        typer.echo(clean(note), err=True)
    return con, rule_pack


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return plausible_day(date.fromisoformat(value), option, future_ok=True)
    except ValueError as exc:
        raise UsageError(f"--since/--until must be YYYY-MM-DD: {exc}") from exc


def report(
    db: DbOption = DEFAULT_DB,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for report.html, calls/findings .parquet and .csv.")
    ] = Path("report"),
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD, UTC); default: the first call.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD, UTC); default: the last call.")] = None,
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """The scheduled batch report: failure rates over time and by cause, rule, iOS build, device and route, the
    rules that fire most, the calls only the model flags, and the change against the previous period.

    Example: analyzer report --db fleet.duckdb --since 2026-11-01 --until 2026-11-07 --out reports/week45
    """
    from analyzer.render.output import MANIFEST, check_folder
    from analyzer.render.report import write_report

    lo, hi = _day(since, "--since"), _day(until, "--until")
    if lo and hi and lo > hi:
        raise UsageError(f"--since {lo} is after --until {hi}")
    check_folder(out)
    path = write_report(_analysed_store(db, rules, allow_files)[0], out, lo, hi)
    typer.echo(clean(f"wrote {path}, calls.parquet, findings.parquet (and .csv), then {MANIFEST} in {out}"))


def dashboard(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path("dashboard.html"),
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """One self-contained interactive HTML file: fleet overview with filters, a searchable call list, and
    per-call timelines with evidence on hover.

    Example: analyzer dashboard --db fleet.duckdb --out dashboard.html
    """
    from analyzer.render.dashboard import write_dashboard
    from analyzer.render.output import check_file

    check_file(out)
    typer.echo(clean(f"wrote {write_dashboard(_analysed_store(db, rules, allow_files)[0], out)}"))


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str, typer.Option(help="Address to listen on; other than loopback needs ANALYZER_DASHBOARD_PASSWORD.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """The fleet dashboard served from the store: every call one click away, filters in the URL; read-only,
    Ctrl-C stops it. The rules and the model judge the store's calls once at start.

    Example: analyzer serve --db fleet.duckdb --port 8050
    """
    from analyzer.serve import serve as run_server
    from analyzer.serve.auth import password_for

    password_for(host)  # refused before any work: another address needs the password
    con, rule_pack = _analysed_store(db, rules, allow_files)
    con.close()
    run_server(Path(db), host, port, rule_pack)
