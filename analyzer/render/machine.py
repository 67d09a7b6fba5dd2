"""Rows for programs: JSON (one array), NDJSON (one object a line) and CSV, shared by every command that prints
rows. JSON escapes control characters itself; CSV cells go through csv_cell (no formula, no escape sequence)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from analyzer.render.escape import clean, csv_cell

FORMATS = ("json", "ndjson", "csv")


def _cell(value: object) -> object:
    if value is None:
        return ""
    return csv_cell(value) if isinstance(value, str) else value


def write_document(doc: object, out: TextIO | None = None) -> None:
    """One JSON document (an object or an array), indented; values JSON cannot hold are written as text."""
    print(json.dumps(doc, default=str, indent=2), file=out or sys.stdout)


def write_rows(cols: Sequence[str], rows: Sequence[Sequence[object]], fmt: str, out: TextIO | None = None) -> None:
    """Write a result set as json, ndjson or csv."""
    out = out or sys.stdout
    records = (dict(zip(cols, r, strict=True)) for r in rows)
    if fmt == "json":
        write_document(list(records), out)
    elif fmt == "ndjson":
        for record in records:
            print(json.dumps(record, default=str), file=out)
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([clean(c) for c in cols])
        writer.writerows([_cell(v) for v in r] for r in rows)
    else:
        raise ValueError(f"not a machine format: {fmt!r}")
