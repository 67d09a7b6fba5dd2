"""What reading one input found: the count columns of its row in `sources` (queries/schema.sql), one definition
for every stage that counts (parse, stats staging, ingest, the summary)."""

from __future__ import annotations

from dataclasses import dataclass, fields

EXCERPT = 300  # characters of a rejected record kept in rejects.excerpt


@dataclass
class Counts:
    """Counts for one input (or one part of it). records = stored + ignored + rejected."""

    lines: int = 0  # physical lines read
    meta_lines: int = 0  # blank lines, headers, trailers and footers of the export
    records: int = 0
    stored: int = 0
    ignored: int = 0
    rejected: int = 0
    events: int = 0
    year_assumed: int | None = None  # formats without a year: the year applied (not added up)

    def add(self, other: Counts) -> None:
        """Add another part's counts to these."""
        for f in fields(Counts):
            if f.name != "year_assumed":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_params(self) -> dict[str, int | None]:
        """The counts as SQL parameters named like their columns ($lines, $stored, ...)."""
        return {f.name: getattr(self, f.name) for f in fields(Counts)}
