"""Shared test set-up: stores built from files or from a simulated fleet, always through analyzer.pipeline (the
sequence the CLI runs), never by calling the stages one by one; and the command line run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

from analyzer.classify.model import labelled_features, read_labels
from analyzer.detect.rules import Rule
from analyzer.pipeline import analyse, collect
from analyzer.simulator.fleet import FleetOptions, simulate
from analyzer.store.db import connect


def stored(*paths: Path | str, rules: list[Rule] | None = None, use_model: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory store holding `paths`, grouped into calls; with `rules`, their findings too (and the model's
    predictions when `use_model`)."""
    con = connect(":memory:")
    targets = [str(p) for p in paths]
    if rules is None:
        collect(con, targets)
    else:
        analyse(con, targets, rules, use_model=use_model)
    return con


def fleet(folder: Path, calls: int, seed: int, partial: float = 0.0, noise: float = 0.0) -> Path:
    """Write a simulated fleet of `calls` calls into `folder` (with its labels.csv) and return the folder."""
    simulate(folder, FleetOptions(calls=calls, seed=seed, noise_per_minute=noise, partial_evidence=partial))
    return folder


def labelled_fleet(
    folder: Path, calls: int, seed: int, partial: float = 0.0, rules: list[Rule] | None = None
) -> tuple[duckdb.DuckDBPyConnection, pl.DataFrame]:
    """A simulated fleet's store and the features of its labelled calls."""
    con = stored(fleet(folder, calls, seed, partial), rules=rules)
    return con, labelled_features(con, read_labels(folder / "labels.csv"))


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m analyzer ARGS` in a new process (this checkout's package), its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **(env or {})},
    )


def table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every stored table's rows as text, sorted (ingested_at, the time of the ingest, left out): two stores that
    hold the same rows give equal results."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary"
        ).fetchall()
    ]
    rows = {}
    for table in tables:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = $t AND column_name <> 'ingested_at' "
                "AND database_name = current_database() ORDER BY column_index",
                {"t": table},
            ).fetchall()
        ]
        listed = ", ".join(f'"{c}"::VARCHAR' for c in columns)
        rows[table] = con.execute(f'SELECT {listed} FROM "{table}" ORDER BY ALL').fetchall()
    return rows
