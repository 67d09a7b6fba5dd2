"""Per-call feature matrix for the classifier (queries/features.sql, documented column by column there)."""

from __future__ import annotations

import duckdb
import polars as pl

from analyzer.resources import query_text


def call_features(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per call in the store: call_id, the families of evidence it has, and the numeric features."""
    feats = con.sql(query_text("features.sql")).pl().with_columns(pl.exclude("call_id").cast(pl.Float64))
    families = con.sql("SELECT call_id, families FROM call_evidence").pl()
    return feats.join(families, on="call_id", how="left").with_columns(pl.col("families").fill_null(""))


NOT_FEATURES = ("call_id", "families", "label")


def feature_names(frame: pl.DataFrame) -> list[str]:
    """The numeric feature columns (the call id, its evidence families and its label are not features)."""
    return [c for c in frame.columns if c not in NOT_FEATURES]
