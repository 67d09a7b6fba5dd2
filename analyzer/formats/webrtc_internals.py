"""chrome://webrtc-internals dumps ("Create Dump"): time series per stats property, per peer connection."""

from __future__ import annotations

import mmap
import re
from datetime import datetime

import duckdb
import pyarrow as pa

from analyzer.formats import internals_columns
from analyzer.formats.base import StatsFormat
from analyzer.formats.internals_scan import Series, iter_series, peer_connections, release
from analyzer.resources import query_text

# series text staged and stored at once (whole stats objects; the peer connections before it are held until then):
# the 391 MB dump in 90 s with 16 MB (commits 14 CPU s), 111 s with 8 MB, 140 s with 4 MB (26 s), peak 1.0 GB each
# under ANALYZER_MEMORY_LIMIT=1GB; 32 MB was no faster and peaked higher
PART_BYTES = 16 << 20
_SERIES_TABLE = (
    "CREATE OR REPLACE TEMP TABLE wi_series (pc_id VARCHAR, name VARCHAR, stat_id VARCHAR, prop VARCHAR, "
    "obj_text VARCHAR, seq BIGINT)"
)


class WebrtcInternals(StatsFormat):
    name = "webrtc_internals"
    title = "chrome://webrtc-internals dump"

    def sniff_score(self, lines: list[str]) -> float:
        head = "\n".join(lines[:200])
        if re.search(r'"PeerConnections"\s*:', head) or re.search(r'"getUserMedia"\s*:\s*\[', head):
            return 1.0
        return 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        """The dump read as a stream of series (analyzer/formats/internals_scan.py), staged in bounded batches."""
        with open(item.path, "rb") as fh:
            if fh.seek(0, 2) == 0:
                return 0, 0
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as doc:
                lines = _count_lines(doc)
                complete = _looks_complete(doc)
                _stage_series(con, doc, flush, opts.window)
        if not complete:
            con.execute(
                "INSERT INTO stat_stage (locator, reject_reason) VALUES ('document', "
                "'dump is not complete JSON (cut short or damaged): the series before the damage were read')"
            )
        return lines, 0


def _stage_series(con: duckdb.DuckDBPyConnection, doc: mmap.mmap, flush, window: dict[str, datetime]) -> None:
    """Every peer connection's series held in wi_series; whenever that is a part's worth, staged and flushed in
    parts of whole stats objects."""
    con.execute(_SERIES_TABLE)
    internals_columns.prepare(con)
    held = seq = 0
    gaps = Series()  # the text between the held series, read for state changes once a part's worth is held
    for pc_id, start, end in peer_connections(doc, lambda pos: release(doc, pos)):
        for batch in iter_series(doc, pc_id, start, end, PART_BYTES, seq):
            seq += len(batch.seq)
            held += _hold(con, batch)
            gaps.gap_pc += batch.gap_pc
            gaps.gaps += batch.gaps
            release(doc, batch.stop)
        if held >= PART_BYTES:
            _stage_held(con, flush, window, gaps)
            held, gaps = 0, Series()
        release(doc, end)
    _stage_held(con, flush, window, gaps)
    con.execute(
        "DROP TABLE wi_series; DROP TABLE IF EXISTS wi_parts; DROP TABLE IF EXISTS wi_part; "
        "DROP TABLE IF EXISTS wi_route; DROP TABLE wi_limits; DROP TABLE wi_known"
    )


def _hold(con: duckdb.DuckDBPyConnection, batch: Series) -> int:
    """A batch's series into wi_series (DuckDB's memory, spilled under its limit)."""
    if batch.name:
        table = pa.table({"pc_id": batch.pc_id, "name": batch.name, "obj_text": batch.obj_text, "seq": batch.seq})
        con.register("wi_batch", table)
        con.execute(query_text("stats/webrtc_internals_hold.sql"))
        con.unregister("wi_batch")
    return batch.size


def _stage_held(con: duckdb.DuckDBPyConnection, flush, window: dict[str, datetime], gaps: Series) -> None:
    """The state changes in the text between the held series staged (one statement for all their peer
    connections), then the held series part by part (analyzer/formats/internals_columns.py), each part stored
    (flush) before the next."""
    if gaps.gaps:
        con.register("pc_bodies", pa.table({"pc_id": gaps.gap_pc, "body": gaps.gaps}))
        con.execute(query_text("stats/webrtc_internals_states.sql"))
        con.unregister("pc_bodies")
    con.execute(query_text("stats/webrtc_internals_parts.sql"), {"part_bytes": PART_BYTES})
    parts = con.execute("SELECT DISTINCT part FROM wi_parts ORDER BY part").fetchall()
    for (part,) in parts:
        internals_columns.stage_part(con, part, window)
        flush()
    con.execute("DELETE FROM wi_series")


def _count_lines(doc: mmap.mmap) -> int:
    n, pos, block = 0, 0, 1 << 24
    while pos < len(doc):
        n += doc[pos : pos + block].count(b"\n")
        pos += block
        release(doc, min(pos, len(doc)))
    return n + 1


def _looks_complete(doc: mmap.mmap) -> bool:
    """A whole dump ends with the closing brace of its top-level object (only whitespace after it)."""
    tail = doc[max(0, len(doc) - 4096) :].rstrip()
    return tail.endswith(b"}")


FORMAT = WebrtcInternals()
