"""The tool's own errors and its exit codes. Every error the user can cause derives from AnalyzerError, carries the
exit code the command line ends with, and is printed by `analyzer.cli.main` as one line, never a traceback."""

EXIT_OK = 0
EXIT_FINDINGS = 1  # triage found something at or above --fail-on; `rules test` had a failing fixture
EXIT_USAGE = 2  # an option or argument the command cannot use (typer's own usage errors exit 2 too)
EXIT_INPUT = 2  # input, rules, a model or an output that cannot be read or written (scripts already rely on 2)


class AnalyzerError(Exception):
    """An error the user can fix: the message names the file, option or setting."""

    exit_code = EXIT_INPUT


class UsageError(AnalyzerError):
    """An option or argument the command cannot use (names the option)."""

    exit_code = EXIT_USAGE


class InputError(AnalyzerError):
    """Input that cannot be read: the message names the file and, where it can, the line."""


class OutputError(AnalyzerError):
    """An output that cannot be written where it was asked (a bad --out): the message names the option and path."""
