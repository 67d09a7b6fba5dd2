"""The options several commands share, declared once, and the checks of option values (a bad value is a
UsageError: one line naming the option, exit 2)."""

from __future__ import annotations

from datetime import date as calendar_date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from analyzer.errors import InputError, UsageError

DEFAULT_DB = "analyzer.duckdb"


class OutputFormat(str, Enum):
    """How a command prints rows: for people (table, markdown) or for programs (json, ndjson, csv)."""

    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"
    markdown = "markdown"


MACHINE_FORMATS = (OutputFormat.json, OutputFormat.ndjson, OutputFormat.csv)


class TriageFormat(str, Enum):
    """How triage prints its report: terminal, JSON, or markdown ready to paste into the ticket."""

    table = "table"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="How to print the rows.")]
DbOption = Annotated[str, typer.Option("--db", help="DuckDB file (':memory:' for a one-shot run).")]
RulesOption = Annotated[list[Path] | None, typer.Option("--rules", help="A folder of your own rules (repeatable).")]
AllowFilesOption = Annotated[
    bool,
    typer.Option(
        "--allow-files", help="Let your own SQL (--rules, `sql`) read and write files and load DuckDB extensions."
    ),
]
AssumeOffsetOption = Annotated[
    str, typer.Option(help="UTC offset for formats that carry none (compact, idevicesyslog).")
]
YearOption = Annotated[
    int | None,
    typer.Option(help="Year for formats that carry none (idevicesyslog); default: the file's mtime year."),
]
DateOption = Annotated[
    str | None,
    typer.Option(help="Day (YYYY-MM-DD) for lines that give a time of day only (Xcode and SDK pastes)."),
]


def parse_options(assume_offset: str, year: int | None, date: str | None = None):
    """The parse options of --assume-offset, --year and --date, each checked."""
    from analyzer.formats.logparse import ParseOptions

    if not (len(assume_offset) == 5 and assume_offset[0] in "+-" and assume_offset[1:].isdigit()):
        raise UsageError(f"--assume-offset must look like +0000 or -0800, not {assume_offset!r}")
    if date is not None:
        try:
            day = calendar_date.fromisoformat(date)
        except ValueError:
            raise UsageError(f"--date must be a day like 2026-11-20, not {date!r}") from None
        plausible_day(day, "--date")
    return ParseOptions(assumed_offset=assume_offset, year=year, date=date)


def plausible_day(day: calendar_date, option: str, future_ok: bool = False) -> calendar_date:
    """`day` when it lies in the window every record's time is checked against (a report's period may reach into
    the future: it then holds no calls), else a usage error."""
    from analyzer.formats.logparse import earliest_plausible, latest_plausible

    lo, hi = earliest_plausible().date(), calendar_date.max if future_ok else latest_plausible().date()
    if not lo <= day <= hi:
        raise UsageError(f"{option} {day} is outside the plausible window {lo} .. {hi} (ANALYZER_EARLIEST/LATEST)")
    return day


def existing_store(db: str) -> str:
    """`db` when it is ':memory:' or a file that exists, else an error pointing at `analyzer ingest`."""
    if db != ":memory:" and not Path(db).exists():
        raise InputError(f"{db}: no such database (run `analyzer ingest ... --db {db}` first)")
    return db
