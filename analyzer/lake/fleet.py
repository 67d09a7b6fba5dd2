"""`analyzer fleet`: the analysis over a lake (sessionise, the rules, the model's predictions, the verdicts), on DuckDB
or on Spark, from the same SQL; writes calls, findings, predictions and call_verdicts as Parquet under --out."""

from __future__ import annotations

import functools
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.detect.rules import Rule
from analyzer.errors import OutputError

if TYPE_CHECKING:
    import pyarrow as pa

    from analyzer.lake.spark import SparkStore

log = logging.getLogger(__name__)
OUTPUTS = ("calls", "findings", "predictions", "call_verdicts")


def output_files(out: Path, table: str) -> str:
    """The glob of one output table's files (one folder a table, whichever engine wrote it)."""
    return str(out / table / "*.parquet")


def _clear(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        for table in OUTPUTS:
            shutil.rmtree(out / table, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot write there: {exc.strerror or exc}") from None


def fleet_duckdb(lake: Path, out: Path, rules: list[Rule], model: Path | None, use_model: bool) -> list[str]:
    """The lake read into a DuckDB store in memory, analysed by analyzer.pipeline.refresh; returns its notes."""
    from analyzer.lake.read import import_lake
    from analyzer.pipeline import refresh
    from analyzer.store.db import connect

    con = connect(":memory:")
    import_lake(con, lake)
    notes = refresh(con, rules, model=model, use_model=use_model)
    _clear(out)
    for table in OUTPUTS:
        (out / table).mkdir()
        con.execute(
            f"COPY (SELECT * FROM {table}) TO $path (FORMAT parquet)", {"path": str(out / table / "part-0.parquet")}
        )
    con.close()
    return notes


def _rule_sql(store: SparkStore, rule: Rule) -> str:
    """One rule as the DuckDB SELECT of findings' columns that analyzer/detect/rules.py inserts (finding_id 0:
    numbered once every rule has run), its parameters as literals."""
    import sqlglot
    from sqlglot import exp

    from analyzer.detect.rules import _column_types, _embed, _stats_evidence_sql
    from analyzer.store.db import sql_literal

    stats = _stats_evidence_sql(_column_types(store.duck, rule))
    sql = _embed(
        rule,
        "SELECT CAST(0 AS BIGINT) AS finding_id, $rule_id AS rule_id, $rule_area AS area, $rule_severity AS severity,"
        f" call_id, first_ts, last_ts, evidence, {stats} AS stats_evidence, detail FROM {{query}} f",
    )
    values = {"rule_id": rule.id, "rule_area": rule.area, "rule_severity": rule.severity, **rule.parameters}

    def bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.Parameter, exp.Placeholder)) and node.name in values:
            return sqlglot.parse_one(sql_literal(values[node.name]), read="duckdb")
        return node

    return sqlglot.parse_one(sql, read="duckdb").transform(bind).sql("duckdb")


def _predict_batches(batches: Iterator[pa.RecordBatch], model_path: str) -> Iterator[pa.RecordBatch]:
    """Spark's Arrow batches of call features -> the predictions rows analyzer/classify/model.py writes (the numpy
    runtime, on a small store of the batch's own)."""
    import polars as pl

    from analyzer.calls.features import NOT_FEATURES
    from analyzer.classify.model import insert_predictions, load
    from analyzer.store.db import connect

    model = load(Path(model_path))
    for batch in batches:
        if batch.num_rows == 0:
            continue
        feats = pl.from_arrow(batch).with_columns(pl.exclude(*NOT_FEATURES).cast(pl.Float64))
        con = connect(":memory:")
        insert_predictions(con, feats, model)
        rows = con.sql("SELECT * REPLACE (CAST(probabilities AS VARCHAR) AS probabilities) FROM predictions")
        yield from rows.to_arrow_table().to_batches()
        con.close()


def fleet_spark(
    lake: Path, out: Path, rules: list[Rule], model: Path | None, use_model: bool, master: str = "local[2]"
) -> list[str]:
    """The same analysis on Spark: the statements transpiled, the model in an Arrow UDF (mapInArrow); returns notes."""
    from analyzer.classify.model import DEFAULT_MODEL, ModelError, load
    from analyzer.lake.spark import open_store, spark_session, timed
    from analyzer.resources import query_text

    spark = spark_session(master)
    store, work = open_store(spark, lake)
    notes: list[str] = []
    try:
        store.run_file("calls/sessionise.sql")
        store.freeze_views()
        found = []
        for rule in rules:
            with timed(f"rule {rule.id}"):
                found.append(store.query(_rule_sql(store, rule)).localCheckpoint(eager=True))
        if found:
            with timed("findings"):
                findings = functools.reduce(lambda a, b: a.unionByName(b), found)
                store.replace_numbered("findings", findings, "finding_id", "rule_id, call_id, first_ts")
        if use_model:
            try:
                load(model or DEFAULT_MODEL)
            except ModelError as exc:
                notes.append(f"model not used: {exc}")
            else:
                feats = store.query(
                    f"SELECT f.*, coalesce(e.families, '') AS families, coalesce(c.evidence_kind, '') AS found_by "
                    f"FROM ({query_text('calls/features.sql')}) f JOIN calls c USING (call_id) "
                    "LEFT JOIN call_evidence e USING (call_id)"
                )
                schema = store.spark.table("predictions").schema
                predicted = feats.mapInArrow(
                    functools.partial(_predict_batches, model_path=str(model or DEFAULT_MODEL)), schema
                )
                with timed("predictions"):
                    store.replace("predictions", predicted)
        store.run_file("triage/verdicts.sql")
        _clear(out)
        for table in OUTPUTS:
            with timed(f"write {table}"):
                store.spark.table(table).coalesce(1).write.mode("overwrite").parquet(str(out / table))
    finally:
        store.close()
        work.cleanup()
    return notes
