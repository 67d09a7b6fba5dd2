"""`analyzer rules list | show | test`: the rule pack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.options import MACHINE_FORMATS, AllowFilesOption, FormatOption, OutputFormat, RulesOption
from analyzer.errors import EXIT_FINDINGS, EXIT_INPUT, InputError, UsageError
from analyzer.render.escape import clean


def rules_list(
    rules: RulesOption = None, fmt: FormatOption = OutputFormat.table, allow_files: AllowFilesOption = False
) -> None:
    """List the rules: id, area, severity, title. A rule that cannot be used is named with the reason (exit 2).

    Example: analyzer rules list --rules ./my-rules
    """
    from analyzer.detect.rules import scan_rules
    from analyzer.render.tables import print_rows

    usable, errors = scan_rules(rules, allow_files)
    rows = [[r.id, r.area, r.severity, r.title] for r in usable]
    print_rows(["id", "area", "severity", "title"], rows, fmt.value, title="rules")
    for exc in errors:
        typer.echo(clean(f"error: invalid rule: {exc}"), err=True)
    if errors:
        raise typer.Exit(EXIT_INPUT)


def rules_show(
    rule_id: Annotated[str, typer.Argument(help="The rule's id.")],
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """Show one rule whole: what it detects, the fix, its parameters and its query.

    Example: analyzer rules show interruption.ended_not_resumed
    """
    from analyzer.detect.rules import load_rules

    found = [r for r in load_rules(rules, allow_files) if r.id == rule_id]
    if not found:
        raise UsageError(f"no rule {rule_id!r} (see `analyzer rules list`)")
    r = found[0]
    params = ", ".join(f"{k}={v}" for k, v in r.parameters.items()) or "none"
    typer.echo(
        clean(
            f"{r.id}  [{r.area}, {r.severity}]\n{r.title}\n\n{r.description}\n\nFix:\n{r.remediation}\n\n"
            f"Parameters: {params}\nReferences: {', '.join(r.references) or 'none'}\nFile: {r.path}\n\n{r.query}"
        )
    )


def rules_test(
    fixtures: Annotated[
        Path, typer.Argument(help="Folder of <rule_id>/positive and <rule_id>/negative fixtures.")
    ] = Path("tests/rules"),
    rules: RulesOption = None,
    fmt: FormatOption = OutputFormat.table,
    allow_files: AllowFilesOption = False,
) -> None:
    """Run every rule's own cases (its `tests:`), then its fixtures: positive must fire, negative must stay quiet.
    Exit 1 on a failure.

    Example: analyzer rules test tests/rules --rules ./my-rules
    """
    from analyzer.detect.rules import load_rules
    from analyzer.detect.testing import check_rules
    from analyzer.render.tables import print_rows

    if not fixtures.is_dir():
        raise InputError(f"{fixtures}: no such fixtures folder")
    results = check_rules(load_rules(rules, allow_files), fixtures)
    print_rows(
        ["rule", "fixture", "result", "detail"],
        [[r.rule_id, r.side, "ok" if r.ok else "FAIL", r.message] for r in results],
        fmt.value,
    )
    failed = [r for r in results if not r.ok]
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed", err=fmt in MACHINE_FORMATS)
    if failed:
        raise typer.Exit(EXIT_FINDINGS)
