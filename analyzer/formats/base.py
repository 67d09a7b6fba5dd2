"""What a log format is to the pipeline: how to sniff it, group its lines into records, and parse them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from analyzer.read.lines import LineChunk
from analyzer.resources import query_text
from analyzer.store.db import params_for


@dataclass(frozen=True)
class LogFormat:
    """A real export layout. Parsing itself is the SQL in queries/parse/<name>.sql."""

    kind = "log"

    name: str
    title: str
    line_re: str  # a record's first line (polars/RE2 syntax); used for sniffing and for grouping
    multiline: bool = True  # records may continue on following lines (multi-line messages)
    meta_re: str | None = None  # headers, trailers and footers of the export: counted, not records
    min_share: float = 0.6  # share of the sniffed lines that must match line_re
    fast_sql: str | None = None  # a whole-file DuckDB scan for clean files (queries/parse/...), if any

    @property
    def parse_sql(self) -> str:
        return f"parse/{self.name}.sql"

    def parse(self, con, item, source_id: int, opts):
        """Parse one file into log_records and rejects (inside the caller's transaction); returns a Tally."""
        from analyzer.formats.logparse import parse_file

        return parse_file(con, item, self, source_id, opts)

    def sniff_score(self, lines: list[str]) -> float:
        """Share of the sample's non-meta lines that start a record in this layout (0 when too few)."""
        start = re.compile(self.line_re)
        meta = re.compile(self.meta_re) if self.meta_re else None
        sample = [ln for ln in lines if ln.strip() and not (meta and meta.search(ln))]
        if not sample:
            return 0.0
        hits = sum(1 for ln in sample if start.search(ln))
        share = hits / len(sample)
        # multi-line formats: continuation lines lower the share, so require a few starts instead
        if self.multiline and hits >= min(3, len(sample)):
            return max(share, self.min_share)
        return share if share >= self.min_share else 0.0


class StatsFormat:
    """A WebRTC stats layout: it stages stats objects into `stat_stage`; analyzer/normalise/stats.py types them."""

    kind = "stats"
    name: str = ""
    title: str = ""

    def sniff_score(self, lines: list[str]) -> float:
        raise NotImplementedError

    def stage(self, con, item, opts, flush) -> tuple[int, int]:
        """Fill stat_stage (and pc_state_changes with source_id 0), calling flush() whenever a bounded part of
        the file is staged so memory does not grow with the file; return (lines read, meta lines)."""
        raise NotImplementedError


def reject_oversized(con: duckdb.DuckDBPyConnection, chunk: LineChunk, source_id: int | None = None) -> int:
    """Reject the chunk's lines too long to read: into rejects for a log source, or (source_id None) into
    stat_stage, where a stats format's rejects wait for the rest of its part. Returns how many."""
    sql = query_text("parse/reject_line.sql" if source_id is not None else "stats/stage_reject_line.sql")
    for line_no, nbytes, excerpt in chunk.oversized:
        values = {"source_id": source_id, "line": line_no, "reason": f"line of {nbytes:,} bytes exceeds the line limit"}
        con.execute(sql, params_for(sql, {**values, "excerpt": excerpt}))
    return len(chunk.oversized)
