"""Per-call feature matrix for the classifier (queries/features.sql, documented column by column there)."""

from __future__ import annotations

import duckdb
import polars as pl

from analyzer.resources import query_text


def call_features(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per call in the store: call_id and the numeric features."""
    return con.sql(query_text("features.sql")).pl().with_columns(pl.exclude("call_id").cast(pl.Float64))


def feature_names(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "call_id"]
