"""The summary `analyzer ingest` prints: per file what was read, stored, ignored and rejected."""

from __future__ import annotations

import json
from dataclasses import asdict

from analyzer.render.escape import clean
from analyzer.render.tables import print_rows
from analyzer.store.ingest import IngestSummary

_COLS = ["file", "format", "status", "lines", "records", "stored", "ignored", "rejected", "events"]


def _format(f) -> str:
    """The format, and for a text log the layouts its lines were in."""
    if f.format == "text" and f.layouts:
        return f"text ({f.layouts})"
    return f.format or "-"


def print_summary(summary: IngestSummary, fmt: str, db: str) -> None:
    """Print the ingest summary; rejects are pointed at, errors and notes listed after the table."""
    if fmt == "json":
        print(
            json.dumps(
                {
                    "files": [asdict(f) for f in summary.files],
                    "notes": summary.notes,
                    "errors": summary.errors,
                },
                indent=2,
            )
        )
        return
    rows = [
        [f.label, _format(f), f.status, f.lines, f.records, f.stored, f.ignored, f.rejected, f.events]
        for f in summary.files
    ]
    if len(summary.files) > 1:
        rows.append(["total", "", "", *(summary.total(a) for a in _COLS[3:])])
    print_rows(_COLS, rows, fmt, title="ingest")
    for f in summary.files:
        if f.status == "duplicate":
            print(clean(f"duplicate: {f.label}: {f.message}"))
    skipped = [f.label for f in summary.files if f.status == "skipped"]
    if skipped:
        shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        print(
            clean(
                f"skipped {len(skipped)} file(s) in folders that are not a log or stats format: {shown} "
                "(reasons: --format json)"
            )
        )
    rejected = summary.total("rejected")
    if rejected:
        print(
            clean(
                f"{rejected} record(s) rejected: see them with "
                f'analyzer sql "SELECT s.path, r.line, r.reason, r.excerpt FROM rejects r JOIN sources s '
                f'USING (source_id)" --db {db}'
            )
        )
    if summary.calls is not None:
        print(clean(f"{summary.calls} call(s) in the store: analyzer calls --db {db}"))
    for note in summary.notes:
        print(clean(f"note: {note}"))
    for err in summary.errors:
        print(clean(f"error: {err}"))
