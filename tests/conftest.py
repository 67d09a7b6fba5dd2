"""Shared fixtures: an in-memory store and the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.store.db import connect
from analyzer.store.ingest import ingest_paths

DATA = Path(__file__).parent / "data"
LOGS = DATA / "logs"


@pytest.fixture
def con():
    c = connect(":memory:")
    yield c
    c.close()


@pytest.fixture
def ingest(con):
    """Ingest paths into the test store and return the summary."""

    def run(*paths, **kw):
        return ingest_paths(con, [str(p) for p in paths], **kw)

    return run
