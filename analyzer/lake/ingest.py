"""`analyzer ingest --lake`: ingest exactly as into a store (one code path), into a temporary one, then write each
input's set to the lake. Many such ingests can run at once on many machines: each writes only its own sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyzer.lake.write import write_sets
from analyzer.store.ingest import IngestSummary


def ingest_to_lake(paths: list[str], lake: Path, **ingest: Any) -> IngestSummary:
    """Ingest `paths` (ingest_paths' options in `ingest`) and add every input the lake lacks to it; an input the
    lake already holds is reported as a duplicate. The calls are found later, over the whole lake."""
    from analyzer.pipeline import collect
    from analyzer.store.db import connect

    con = connect(":memory:")
    try:
        summary = collect(con, paths, **ingest)
        new = {f.source_id for f in summary.files if f.status == "ingested" and f.source_id is not None}
        _, already = write_sets(con, lake, new)
        hashes = dict(con.execute("SELECT source_id, content_hash FROM sources").fetchall())
    finally:
        con.close()
    for f in summary.files:
        if f.status == "ingested" and hashes.get(f.source_id) in already:
            f.status, f.message = "duplicate", f"already in the lake {lake}"
    summary.calls = None
    return summary
