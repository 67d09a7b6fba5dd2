"""The `analyzer` command line (typer): one module per command group, registered here. Each command parses its
options, calls the library (analyzer.pipeline and the stages) and renders; heavy modules are imported inside the
commands that need them. Every AnalyzerError is caught once, in main(): one line on stderr, its exit code."""

from __future__ import annotations

import sys

import typer

from analyzer.cli import batch, lake, model, rules, simulate, store, ticket
from analyzer.cli.options import OutputFormat, TriageFormat
from analyzer.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE, AnalyzerError
from analyzer.render.escape import clean

__all__ = ["EXIT_FINDINGS", "EXIT_INPUT", "EXIT_OK", "EXIT_USAGE", "OutputFormat", "TriageFormat", "app", "main"]

app = typer.Typer(
    help="Find out why a voice call failed on an iOS voice-agent app, from unified logs and WebRTC stats. "
    f"Exit codes: {EXIT_OK} fine; {EXIT_FINDINGS} findings at or above triage --fail-on (or a failing rule "
    f"fixture); {EXIT_USAGE} bad usage or input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(ticket.triage)
app.command()(store.ingest)
app.command()(store.calls)
app.command()(simulate.simulate)
app.command()(batch.report)
app.command()(batch.dashboard)
app.command()(batch.serve)
app.command()(store.sql)
app.command()(lake.fleet)

rules_app = typer.Typer(help="The rule pack: list, show and test rules.", no_args_is_help=True)
rules_app.command("list")(rules.rules_list)
rules_app.command("show")(rules.rules_show)
rules_app.command("test")(rules.rules_test)
app.add_typer(rules_app, name="rules")

model_app = typer.Typer(
    help="The classifier: train it on labelled calls and evaluate it honestly.", no_args_is_help=True
)
model_app.command("train")(model.model_train)
model_app.command("evaluate")(model.model_evaluate)
app.add_typer(model_app, name="model")

lake_app = typer.Typer(help="The Parquet lake: export a store to it, import it into a store.", no_args_is_help=True)
lake_app.command("export")(lake.lake_export)
lake_app.command("import")(lake.lake_import)
app.add_typer(lake_app, name="lake")


def main() -> None:
    """Console-script entry point: run the app; an AnalyzerError is one line on stderr and its exit code."""
    import importlib

    from analyzer.errors import InputError
    from analyzer.settings import PROBLEMS

    try:
        for module in ("analyzer.read.lines", "analyzer.read.sources", "analyzer.store.db"):
            importlib.import_module(module)  # each reads its settings from the environment on import
        if PROBLEMS:
            raise InputError("; ".join(PROBLEMS))
        app()
    except AnalyzerError as exc:
        typer.echo(clean(f"error: {exc}"), err=True)
        sys.exit(exc.exit_code)
