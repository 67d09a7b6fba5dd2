"""The lake: `analyzer lake export` (a store's inputs to Parquet), `analyzer lake import` (a lake into a store) and
`analyzer fleet` (the analysis over a lake, on DuckDB or Spark). `analyzer ingest --lake` writes to one too."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.options import DEFAULT_DB, DbOption, existing_store

LakeOption = Annotated[
    Path | None,
    typer.Option("--lake", help="A lake folder: the inputs' tables as Parquet, one set of files per input file."),
]
LakeDirOption = Annotated[Path, typer.Option("--lake", help="The lake folder.")]


class Engine(str, Enum):
    """Which engine runs the analysis over a lake."""

    duckdb = "duckdb"
    spark = "spark"


def lake_export(lake: LakeDirOption, db: DbOption = DEFAULT_DB) -> None:
    """Write a store's inputs to a lake (Parquet, table=/day=/bucket=, one set of files per input file); inputs the
    lake already holds are left as they are.

    Example: analyzer lake export --db fleet.duckdb --lake /data/lake
    """
    from analyzer.lake.write import write_sets
    from analyzer.store.db import connect

    con = connect(existing_store(db), read_only=db != ":memory:")
    written, already = write_sets(con, lake)
    con.close()
    typer.echo(f"{len(written)} input(s) written to {lake}, {len(already)} already there", err=True)


def lake_import(lake: LakeDirOption, db: DbOption = DEFAULT_DB) -> None:
    """Read a lake into a new store: the same tables, row for row (ids renumbered only where the lake's sets came
    from separate ingests), then group everything into calls.

    Example: analyzer lake import --lake /data/lake --db fleet.duckdb
    """
    from analyzer.calls.sessionise import sessionise
    from analyzer.lake.read import import_lake
    from analyzer.store.db import connect

    con = connect(db)
    sets = import_lake(con, lake)
    calls = sessionise(con)
    con.close()
    typer.echo(f"{sets} input(s) read from {lake}; {calls} call(s) in the store: analyzer calls --db {db}", err=True)
