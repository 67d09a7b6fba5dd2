"""Call-failure analyzer: why did a voice call fail on an iOS voice-agent app.

The library in one import: `analyse` (ingest a ticket or a fleet, group calls, run rules and the model),
`refresh`, `ingest_paths`, `load_rules`, `connect`, `build_report` and the errors. Names are imported when first
used, so `import analyzer` stays cheap (no DuckDB, scikit-learn or plotly until asked for)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from analyzer.errors import AnalyzerError, InputError, OutputError, UsageError

__version__ = "0.1.0"

_LAZY = {
    "analyse": "analyzer.pipeline",
    "refresh": "analyzer.pipeline",
    "collect": "analyzer.pipeline",
    "ingest_paths": "analyzer.store.ingest",
    "connect": "analyzer.store.db",
    "load_rules": "analyzer.detect.rules",
    "build_report": "analyzer.triage.ticket",
    "RuleError": "analyzer.detect.rules",
    "ModelError": "analyzer.classify.model",
    "CatalogueError": "analyzer.normalise.patterns",
}

__all__ = [
    "AnalyzerError",
    "CatalogueError",
    "InputError",
    "ModelError",
    "OutputError",
    "RuleError",
    "UsageError",
    "__version__",
    "analyse",
    "build_report",
    "collect",
    "connect",
    "ingest_paths",
    "load_rules",
    "refresh",
]

if TYPE_CHECKING:
    from analyzer.classify.model import ModelError
    from analyzer.detect.rules import RuleError, load_rules
    from analyzer.normalise.patterns import CatalogueError
    from analyzer.pipeline import analyse, collect, refresh
    from analyzer.store.db import connect
    from analyzer.store.ingest import ingest_paths
    from analyzer.triage.ticket import build_report


def __getattr__(name: str) -> object:
    """Import a public name's module the first time the name is used."""
    if name not in _LAZY:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
