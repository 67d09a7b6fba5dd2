"""The store: `analyzer ingest` (add evidence), `analyzer calls` (list the calls) and `analyzer sql` (query it)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from analyzer.cli.lake import LakeOption
from analyzer.cli.options import (
    DEFAULT_DB,
    AllowFilesOption,
    AssumeOffsetOption,
    DateOption,
    DbOption,
    FormatOption,
    OutputFormat,
    YearOption,
    existing_store,
    parse_options,
)
from analyzer.errors import EXIT_INPUT, InputError

JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Processes reading the files of a folder at once (default: the machine's cores); the store holds the "
        "same rows whatever the number.",
    ),
]


def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, .zip/.tar/.tar.gz/.gz, or - for stdin.")],
    db: DbOption = DEFAULT_DB,
    assume_offset: AssumeOffsetOption = "+0000",
    year: YearOption = None,
    date: DateOption = None,
    fmt: FormatOption = OutputFormat.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    lake: LakeOption = None,
    jobs: JobsOption = None,
) -> None:
    """Add logs to a database, idempotently (a file already ingested is recognised by its content hash). With
    --lake, each input file becomes its own set of Parquet files in the lake instead (no database is written).

    Example: analyzer ingest sysdiagnose_2026.11.20_10-22-33-0800_iPhone-OS_iPhone_22B83.tar.gz --db fleet.duckdb
    """
    from analyzer.pipeline import collect
    from analyzer.render.escape import term
    from analyzer.render.ingest_summary import print_summary
    from analyzer.render.tables import console
    from analyzer.store.db import connect

    opts = parse_options(assume_offset, year, date)
    err = console(stderr=True)

    def progress(label: str) -> None:
        err.print(f"[dim]reading {term(label)}[/dim]")

    shown = None if quiet or fmt is not OutputFormat.table else progress
    if lake is not None:
        from analyzer.lake.ingest import ingest_to_lake

        summary = ingest_to_lake(paths, lake, opts=opts, progress=shown)
        print_summary(summary, fmt.value, "STORE (after analyzer lake import --lake DIR --db STORE)")
    else:
        con = connect(db)
        summary = collect(con, paths, opts=opts, progress=shown, jobs=jobs or os.cpu_count() or 1)
        con.close()
        print_summary(summary, fmt.value, db)
    if summary.errors:
        raise typer.Exit(EXIT_INPUT)


def calls(db: DbOption = DEFAULT_DB, fmt: FormatOption = OutputFormat.table) -> None:
    """List the calls in the store: id, device, start, duration, sources, and how each call was found.

    Example: analyzer calls --db fleet.duckdb --format json
    """
    from analyzer.render.tables import print_rows
    from analyzer.resources import query_text
    from analyzer.store.db import connect

    con = connect(existing_store(db), read_only=db != ":memory:")
    rel = con.execute(query_text("calls/list.sql"))
    print_rows([d[0] for d in rel.description], rel.fetchall(), fmt.value, title="calls")


def sql(
    query: Annotated[str, typer.Argument(help="A DuckDB SQL query over the store.")],
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = OutputFormat.table,
    allow_files: AllowFilesOption = False,
) -> None:
    """Run a query on the store and print the result. The store is read only; without --allow-files the query
    cannot read or write other files, attach databases, load extensions or change settings.

    Example: analyzer sql "SELECT kind, count(*) FROM session_events GROUP BY ALL" --db fleet.duckdb
    """
    import duckdb

    from analyzer.detect.sandbox import lock_down
    from analyzer.render.tables import print_rows
    from analyzer.store.db import connect

    con = connect(existing_store(db), read_only=db != ":memory:")
    if not allow_files:
        lock_down(con)
    try:
        rel = con.sql(query)
        if rel is None:
            return
        cols, rows = rel.columns, rel.fetchall()
    except duckdb.PermissionException as exc:
        raise InputError(f"query failed: {exc} (files, other databases and extensions need --allow-files)") from exc
    except duckdb.Error as exc:
        raise InputError(f"query failed: {exc}") from exc
    print_rows(cols, rows, fmt.value)
