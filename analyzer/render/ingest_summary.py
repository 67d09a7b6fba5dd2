"""The summary `analyzer ingest` prints: per file what was read, stored, ignored and rejected (stdout), and what
the user should know about it (stderr)."""

from __future__ import annotations

import sys
from dataclasses import asdict, fields

from analyzer.render.escape import clean
from analyzer.render.machine import write_document, write_rows
from analyzer.render.tables import print_rows
from analyzer.store.ingest import FileResult, IngestSummary

_COLS = ["file", "format", "status", "lines", "records", "stored", "ignored", "rejected", "events"]


def _format(f) -> str:
    """The format, and for a text log the layouts its lines were in."""
    if f.format == "text" and f.layouts:
        return f"text ({f.layouts})"
    return f.format or "-"


def print_summary(summary: IngestSummary, fmt: str, db: str) -> None:
    """Print the ingest summary; rejects are pointed at, errors and notes listed on stderr."""
    if fmt == "json":
        write_document({"files": [asdict(f) for f in summary.files], "notes": summary.notes, "errors": summary.errors})
        return
    if fmt in ("ndjson", "csv"):
        cols = [f.name for f in fields(FileResult)]
        write_rows(cols, [[getattr(f, c) for c in cols] for f in summary.files], fmt)
    else:
        rows = [
            [f.label, _format(f), f.status, f.lines, f.records, f.stored, f.ignored, f.rejected, f.events]
            for f in summary.files
        ]
        if len(summary.files) > 1:
            rows.append(["total", "", "", *(summary.total(a) for a in _COLS[3:])])
        print_rows(_COLS, rows, fmt, title="ingest")
    for line in _diagnostics(summary, db):
        print(clean(line), file=sys.stderr)


def _diagnostics(summary: IngestSummary, db: str) -> list[str]:
    """Duplicates, skipped files, where the rejects are, the call count, notes and errors."""
    out = [f"duplicate: {f.label}: {f.message}" for f in summary.files if f.status == "duplicate"]
    skipped = [f.label for f in summary.files if f.status == "skipped"]
    if skipped:
        shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        out.append(
            f"skipped {len(skipped)} file(s) in folders that are not a log or stats format: {shown} "
            "(reasons: --format json)"
        )
    rejected = summary.total("rejected")
    if rejected:
        out.append(
            f"{rejected} record(s) rejected: see them with "
            f'analyzer sql "SELECT s.path, r.line, r.reason, r.excerpt FROM rejects r JOIN sources s '
            f'USING (source_id)" --db {db}'
        )
    if summary.calls is not None:
        out.append(f"{summary.calls} call(s) in the store: analyzer calls --db {db}")
    return out + [f"note: {n}" for n in summary.notes] + [f"error: {e}" for e in summary.errors]
