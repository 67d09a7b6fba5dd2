"""Per-call feature matrix for the classifier (queries/calls/features.sql, documented column by column there)."""

from __future__ import annotations

import duckdb
import polars as pl

from analyzer.resources import query_text


def call_features(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per call in the store: call_id, the families of evidence it has, how the call was found, and the
    numeric features."""
    feats = con.sql(query_text("calls/features.sql")).pl().with_columns(pl.exclude("call_id").cast(pl.Float64))
    families = con.sql(
        "SELECT c.call_id, e.families, c.evidence_kind AS found_by "
        "FROM calls c LEFT JOIN call_evidence e USING (call_id)"
    ).pl()
    return feats.join(families, on="call_id", how="left").with_columns(
        pl.col("families").fill_null(""), pl.col("found_by").fill_null("")
    )


NOT_FEATURES = ("call_id", "families", "found_by", "label")


def feature_names(frame: pl.DataFrame) -> list[str]:
    """The numeric feature columns (the call id, its evidence families, how it was found and its label are not)."""
    return [c for c in frame.columns if c not in NOT_FEATURES]
