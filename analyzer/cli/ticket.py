"""`analyzer triage`: one ticket in, per call the verdict, the findings with their evidence and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.options import (
    AllowFilesOption,
    AssumeOffsetOption,
    DateOption,
    DbOption,
    RulesOption,
    TriageFormat,
    YearOption,
    parse_options,
)
from analyzer.errors import EXIT_FINDINGS, EXIT_INPUT, UsageError


def _severity(option: str, value: str, extra: tuple[str, ...] = ()) -> str:
    from analyzer.detect.rules import SEVERITIES

    if value not in (*SEVERITIES, *extra):
        raise UsageError(f"{option} must be one of {', '.join((*SEVERITIES, *extra))}, not {value!r}")
    return value


def _at_or_above(worst: str | None, fail_on: str) -> bool:
    from analyzer.reference import severity_rank

    rank = severity_rank()
    return worst is not None and fail_on != "none" and rank[worst] >= rank[fail_on]


def triage(
    paths: Annotated[
        list[str], typer.Argument(help="The ticket: folders, files, .zip/.tar.gz attachments, or - for stdin.")
    ],
    db: DbOption = ":memory:",
    call: Annotated[str | None, typer.Option("--call", help="Only this call.")] = None,
    fmt: Annotated[
        TriageFormat, typer.Option("--format", "-f", help="table, json, or markdown (ready for the ticket).")
    ] = TriageFormat.table,
    min_severity: Annotated[
        str, typer.Option(help="Hide findings below: critical | high | medium | low | info.")
    ] = "info",
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on", help="Exit 1 when a finding is at or above: critical | high | medium | low | info | none."
        ),
    ] = "high",
    redact: Annotated[
        bool, typer.Option("--redact", help="Replace phone numbers, e-mails, names, ids and IPs.")
    ] = False,
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
    assume_offset: AssumeOffsetOption = "+0000",
    year: YearOption = None,
    date: DateOption = None,
    model: Annotated[Path | None, typer.Option("--model", help="A model file (default: the one shipped).")] = None,
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only; do not load the classifier.")] = False,
) -> None:
    """One ticket in, a clear answer out: per call the verdict, the findings with their evidence lines and the fix,
    and a timeline. Exit code 0: no finding at or above --fail-on (default high); 1: such findings; 2: bad input.

    Example: analyzer triage sample_logs/phone-call-audio-never-returns --format markdown --fail-on medium
    """
    from analyzer.detect.rules import load_rules
    from analyzer.pipeline import analyse
    from analyzer.render.triage_report import print_terminal, to_json, to_markdown
    from analyzer.store.db import connect
    from analyzer.triage.ticket import TriageOptions, build_report

    _severity("--min-severity", min_severity)
    _severity("--fail-on", fail_on, ("none",))
    opts = parse_options(assume_offset, year, date)
    rule_pack = load_rules(rules, allow_files)
    con = connect(db)
    done = analyse(con, paths, rule_pack, opts, model=model, use_model=not no_model, one_device="ticket")
    report = build_report(con, rule_pack, TriageOptions(call, min_severity, redact))
    report.notes += done.summary.notes + done.notes
    report.errors = done.summary.errors + report.errors
    con.close()
    if fmt is TriageFormat.json:
        typer.echo(to_json(report))
    elif fmt is TriageFormat.markdown:
        typer.echo(to_markdown(report), nl=False)
    else:
        print_terminal(report, db)
    if report.errors:
        raise typer.Exit(EXIT_INPUT)
    if _at_or_above(report.worst, fail_on):
        raise typer.Exit(EXIT_FINDINGS)
