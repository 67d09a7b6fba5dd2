"""The lake: `analyzer lake export` (a store's inputs to Parquet), `analyzer lake import` (a lake into a store) and
`analyzer fleet` (the analysis over a lake, on DuckDB or Spark). `analyzer ingest --lake` writes to one too."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.options import DEFAULT_DB, DbOption, RulesOption, existing_store

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


def fleet(
    lake: LakeDirOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for calls, findings, predictions and call_verdicts.")],
    engine: Annotated[Engine, typer.Option("--engine", help="Who runs the SQL.")] = Engine.duckdb,
    rules: RulesOption = None,
    model: Annotated[Path | None, typer.Option("--model", help="A model file (default: the one shipped).")] = None,
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only; do not load the classifier.")] = False,
    master: Annotated[str, typer.Option("--master", help="Spark master (--engine spark).")] = "local[2]",
) -> None:
    """Analyse a whole lake: group into calls, run the rules and the model, give every call its verdict; writes
    calls, findings, predictions and call_verdicts as Parquet (one folder each) under --out. The same SQL runs on
    DuckDB (the lake read into memory) or on Spark (transpiled by sqlglot); the model predicts in an Arrow UDF.

    Example: analyzer fleet --engine spark --lake /data/lake --out /data/analysis
    """
    from analyzer.detect.rules import load_rules
    from analyzer.lake.fleet import fleet_duckdb, fleet_spark
    from analyzer.render.escape import clean

    rule_pack = load_rules(rules)
    if engine is Engine.spark:
        notes = fleet_spark(lake, out, rule_pack, model, not no_model, master)
    else:
        notes = fleet_duckdb(lake, out, rule_pack, model, not no_model)
    for note in notes:
        typer.echo(clean(note), err=True)
    typer.echo(f"calls, findings, predictions and call_verdicts written to {out}", err=True)
