"""Per-call feature matrix for the classifier (queries/features.sql, documented column by column there)."""

from __future__ import annotations

import duckdb
import polars as pl

from analyzer.resources import query_text


def call_features(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per call in the store: call_id and the numeric features."""
    result = con.execute(query_text("features.sql"))
    cols = [d[0] for d in result.description]
    rows = result.fetchall()
    frame = pl.DataFrame(rows, schema=cols, orient="row", infer_schema_length=None)
    return frame.with_columns(pl.exclude("call_id").cast(pl.Float64))


def feature_names(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "call_id"]
