"""getStats snapshots, one a line: the iOS app's upload (device) and Pion GetStats() maps (gateway)."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from analyzer.formats.base import StatsFormat, reject_oversized
from analyzer.read.lines import CHUNK_BYTES, MAX_LINE_BYTES, iter_line_chunks, sniff_encoding
from analyzer.resources import query_statements, query_text
from analyzer.store.db import params_for

_REPORT_KEYS = ("stats", "report", "statistics")


def _looks_like_report(obj: object) -> bool:
    if isinstance(obj, list):
        return bool(obj) and all(isinstance(o, dict) and "type" in o for o in obj[:5])
    if isinstance(obj, dict):
        if any(k in obj for k in _REPORT_KEYS):
            return _looks_like_report(next(obj[k] for k in _REPORT_KEYS if k in obj))
        values = list(obj.values())[:5]
        return bool(values) and all(isinstance(v, dict) and "type" in v for v in values)
    return False


class StatsNdjson(StatsFormat):
    name = "getstats_ndjson"
    title = "getStats snapshots, one JSON report a line (app upload, or Pion GetStats maps)"

    def sniff_score(self, lines: list[str]) -> float:
        body = [ln for ln in lines if ln.strip()][:10]
        if not body:
            return 0.0
        hits = 0
        for ln in body:
            try:
                hits += _looks_like_report(json.loads(ln))
            except ValueError:
                continue
        return 1.0 if hits and hits >= len(body) / 2 else 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        """Stage the file a part of whole lines (about CHUNK_BYTES) at a time, so memory does not grow with the
        file: a clean part by DuckDB's JSON reader (read_part), any other by the line reader, which rejects exactly
        its bad lines. A file that is not UTF-8 is read by the line reader whole."""
        with open(item.path, "rb") as fh:
            if sniff_encoding(fh.read(256)) != "utf-8":
                return _stage_line_chunks(con, item.path, 0, flush)
        lines = meta = 0
        stage_part = query_text("stats/ndjson_fast_part.sql")
        objects = query_text("stats/ndjson_objects.sql")
        with tempfile.TemporaryDirectory(prefix="analyzer-stats-") as tmp:
            part = Path(tmp) / "part.ndjson"
            for before, count in _write_parts(item.path, part, CHUNK_BYTES):
                if self.read_part(con, part) == count:
                    con.execute(stage_part, {"before": before, "origin": "device"})
                    con.execute(objects)
                    con.execute("DROP TABLE stage_objects; DROP TABLE stats_fast")
                    lines += count
                    flush()
                else:
                    con.execute("DROP TABLE IF EXISTS stats_fast")
                    part_lines, part_meta = _stage_line_chunks(con, part, before, flush)
                    lines, meta = lines + part_lines, meta + part_meta
        return lines, meta

    def read_part(self, con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
        """Read a part file with DuckDB's JSON reader into temp table stats_fast (queries/stats/ndjson_fast.sql:
        each line parsed once, its objects kept as JSON values); returns its row count, or None when the part is
        damaged or a line is not a wrapper with a non-empty `stats` list (the line reader reads it then). The
        reader skips blank lines: a count short of the part's lines means the line reader too. Called with nothing
        uncommitted (a damaged part's failed read rolls the transaction back)."""
        sql = query_text("stats/ndjson_fast.sql")
        try:
            con.execute(sql, params_for(sql, {"path": str(path), "max_bytes": MAX_LINE_BYTES}))
        except duckdb.Error:
            # the failed read aborted the transaction: roll it back (the caller flushed before the part, so
            # nothing is lost) and begin another; outside a transaction there is nothing to roll back
            with contextlib.suppress(duckdb.TransactionException):
                con.execute("ROLLBACK")
                con.execute("BEGIN TRANSACTION")
            con.execute("DROP TABLE IF EXISTS stats_fast")
            return None
        rows, plain = con.execute("SELECT count(*), count(*) FILTER (WHERE len(stats) > 0) FROM stats_fast").fetchall()[
            0
        ]
        return rows if rows == plain else None


_BLOCK = 8 * 1024 * 1024  # bytes copied at a time into a part file
_TAIL = 64 * 1024  # bytes read at a time to find the end of a part's last line


def _write_parts(path: Path, part: Path, part_bytes: int) -> Iterator[tuple[int, int]]:
    """Copy the file into `part` one part at a time, each about part_bytes of whole lines (a longer line whole),
    reading a block at a time; yields (lines before the part, lines in it) once each part is written."""
    before = 0
    with open(path, "rb") as src:
        while True:
            size = newlines = 0
            last = b""
            with open(part, "wb") as dst:
                while size < part_bytes and (block := src.read(min(_BLOCK, part_bytes - size))):
                    dst.write(block)
                    size, newlines, last = size + len(block), newlines + block.count(b"\n"), block[-1:]
                while last not in (b"", b"\n") and (block := src.read(_TAIL)):
                    cut = block.find(b"\n") + 1 or len(block)
                    dst.write(block[:cut])
                    src.seek(cut - len(block), 1)
                    size, newlines, last = size + cut, newlines + (block[cut - 1 : cut] == b"\n"), block[cut - 1 : cut]
            if not size:
                return
            count = newlines + (last != b"\n")
            yield before, count
            before += count


def _stage_line_chunks(con: duckdb.DuckDBPyConnection, path: Path, before: int, flush) -> tuple[int, int]:
    """The line reader over a file (or a part of one, `before` lines into the file): every line staged or rejected,
    one chunk at a time; returns (lines, blank lines)."""
    lines = meta = 0
    for chunk in iter_line_chunks(path):
        lines += chunk.frame.height
        blank = chunk.frame.filter(pl.col("line").str.strip_chars() == "").height
        meta += blank
        recs = chunk.frame.filter(pl.col("line").str.strip_chars() != "").select(
            (pl.col("line_no") + before).alias("line_start"), pl.col("line").alias("text")
        )
        chunk.oversized = [(line_no + before, size, excerpt) for line_no, size, excerpt in chunk.oversized]
        lines += reject_oversized(con, chunk)
        if recs.height:
            con.register("chunk_records", recs)
            stage_lines(con, "device")
            con.unregister("chunk_records")
        flush()
    return lines, meta


def stage_lines(con: duckdb.DuckDBPyConnection, origin: str) -> None:
    """Stage the getStats lines in chunk_records (queries/stats/ndjson_stage.sql, then ndjson_objects.sql)."""
    for sql in query_statements("stats/ndjson_stage.sql"):
        con.execute(sql, params_for(sql, {"origin": origin}))
    con.execute(query_text("stats/ndjson_objects.sql"))
    con.execute("DROP TABLE stage_lines; DROP TABLE stage_objects")


FORMAT = StatsNdjson()


class StatsDocument(StatsNdjson):
    """One stats report as a whole JSON document (e.g. a pretty-printed Pion GetStats() dump)."""

    name = "stats_json_document"
    title = "one getStats report as a JSON document (e.g. Pion GetStats() pretty-printed)"

    def sniff_score(self, lines: list[str]) -> float:
        body = [ln for ln in lines if ln.strip()]
        if not body or body[0].strip() not in ("{", "["):
            return 0.0
        head = "\n".join(body[:400])
        if '"PeerConnections"' in head or '"eventMessage"' in head:
            return 0.0
        kinds = ("inbound-rtp", "outbound-rtp", "candidate-pair", "transport", "remote-inbound-rtp", "codec")
        return 0.9 if any(f'"type": "{k}"' in head or f'"type":"{k}"' in head for k in kinds) else 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        # one report: small enough to hold (a gateway snapshot), so read it whole
        text = item.path.read_bytes().decode("utf-8", errors="replace")
        con.register("chunk_records", pl.DataFrame({"line_start": [1], "text": [text]}))
        stage_lines(con, "gateway")
        con.unregister("chunk_records")
        return text.count("\n") + (0 if text.endswith("\n") else 1), 0


DOCUMENT = StatsDocument()
