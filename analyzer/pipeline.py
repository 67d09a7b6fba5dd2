"""The stages in order, as one library call: read and store the evidence, group it into calls, run the rules,
and let the classifier speak where it may. The CLI, the rule fixtures, the tools and the tests all run this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analyzer.calls.sessionise import sessionise
from analyzer.detect.rules import Rule, run_rules
from analyzer.formats.logparse import ParseOptions
from analyzer.store.ingest import IngestSummary, ingest_paths


@dataclass
class Analysis:
    """What one analysis did: the ingest summary and what the classifier said of itself."""

    summary: IngestSummary
    notes: list[str] = field(default_factory=list)


def collect(con: duckdb.DuckDBPyConnection, paths: list[str], **ingest: Any) -> IngestSummary:
    """Ingest `paths` into the store (`ingest` holds ingest_paths' options: opts, progress, one_device, jobs) and group
    everything the store holds into calls (`summary.calls` is their count)."""
    summary = ingest_paths(con, paths, **ingest)
    summary.calls = sessionise(con)
    return summary


def _judge(con: duckdb.DuckDBPyConnection, rules: list[Rule], model: Path | None, use_model: bool) -> list[str]:
    """Run the rules and the classifier over the store's calls; notes say why the model was not used."""
    run_rules(con, rules)
    if not use_model:
        return []
    from analyzer.classify.model import DEFAULT_MODEL, ModelError, load, predict

    try:
        predict(con, load(model or DEFAULT_MODEL))
    except ModelError as exc:
        return [f"model not used: {exc}"]
    return []


def refresh(
    con: duckdb.DuckDBPyConnection,
    rules: list[Rule],
    model: Path | None = None,
    use_model: bool = True,
    regroup: bool = True,
) -> list[str]:
    """Group what the store holds into calls (unless not `regroup`: the calls as stored), run the rules and the
    classifier; returns notes (e.g. why the model was not used)."""
    if regroup:
        sessionise(con)
    return _judge(con, rules, model, use_model)


def analyse(
    con: duckdb.DuckDBPyConnection,
    paths: list[str],
    rules: list[Rule],
    opts: ParseOptions | None = None,
    model: Path | None = None,
    use_model: bool = True,
    one_device: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Analysis:
    """Ingest `paths` into the store and refresh calls, findings and predictions."""
    summary = collect(con, paths, opts=opts, progress=progress, one_device=one_device)
    return Analysis(summary, _judge(con, rules, model, use_model))
