"""chrome://webrtc-internals dumps ("Create Dump"): time series per stats property, per peer connection."""

from __future__ import annotations

import mmap
import re

import duckdb
import polars as pl

from analyzer.formats.base import StatsFormat
from analyzer.resources import query_text

# a peer connection's entry: "<pid>-<lid>": {   (its body runs to the next one)
_PC_HEADER = re.compile(rb'"([0-9]+-[0-9]+)"\s*:\s*\{')


class WebrtcInternals(StatsFormat):
    name = "webrtc_internals"
    title = "chrome://webrtc-internals dump"

    def sniff_score(self, lines: list[str]) -> float:
        head = "\n".join(lines[:200])
        if re.search(r'"PeerConnections"\s*:', head) or re.search(r'"getUserMedia"\s*:\s*\[', head):
            return 1.0
        return 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        """One peer connection at a time (memory is bounded by the largest one, not the dump)."""
        series_sql = query_text("stats/webrtc_internals_stage.sql")
        states_sql = query_text("stats/webrtc_internals_states.sql")
        with open(item.path, "rb") as fh:
            size = fh.seek(0, 2)
            if size == 0:
                return 0, 0
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as doc:
                heads = list(_PC_HEADER.finditer(doc))
                lines = _count_lines(doc)
                complete = _looks_complete(doc)
                for i, m in enumerate(heads):
                    end = heads[i + 1].start() if i + 1 < len(heads) else size
                    body = doc[m.end() : end].decode("utf-8", errors="replace")
                    con.register("pc_bodies", pl.DataFrame({"pc_id": [m.group(1).decode()], "body": [body]}))
                    con.execute(series_sql)
                    con.execute(states_sql)
                    con.unregister("pc_bodies")
                    flush()
        if not complete:
            con.execute(
                "INSERT INTO stat_stage (locator, reject_reason) VALUES ('document', "
                "'dump is not complete JSON (cut short or damaged): the series before the damage were read')"
            )
        return lines, 0


def _count_lines(doc: mmap.mmap) -> int:
    n, pos, block = 0, 0, 1 << 24
    while pos < len(doc):
        n += doc[pos : pos + block].count(b"\n")
        pos += block
    return n + 1


def _looks_complete(doc: mmap.mmap) -> bool:
    """A whole dump ends with the closing brace of its top-level object (only whitespace after it)."""
    tail = doc[max(0, len(doc) - 4096) :].rstrip()
    return tail.endswith(b"}")


FORMAT = WebrtcInternals()
