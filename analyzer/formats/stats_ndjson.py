"""getStats snapshots, one a line: the iOS app's upload (device) and Pion GetStats() maps (gateway)."""

from __future__ import annotations

import json

import duckdb
import polars as pl

from analyzer.formats.base import StatsFormat, reject_oversized
from analyzer.read.lines import CHUNK_BYTES, MAX_LINE_BYTES, iter_line_chunks
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
        lines = meta = 0
        for chunk in iter_line_chunks(item.path):
            lines += chunk.frame.height
            blank = chunk.frame.filter(pl.col("line").str.strip_chars() == "").height
            meta += blank
            recs = chunk.frame.filter(pl.col("line").str.strip_chars() != "").select(
                pl.col("line_no").alias("line_start"), pl.col("line").alias("text")
            )
            lines += reject_oversized(con, chunk)
            if recs.height:
                con.register("chunk_records", recs)
                stage_lines(con, "device")
                con.unregister("chunk_records")
            flush()
        return lines, meta

    def fast_read(self, con: duckdb.DuckDBPyConnection, item) -> int | None:
        """Read the whole file with DuckDB's JSON reader into temp table stats_fast (queries/stats/ndjson_fast.sql:
        each line parsed once, its objects kept as JSON values); returns its row count, or None when the file is
        damaged or a line is not a wrapper with a non-empty `stats` list (the line-by-line path reads it then)."""
        sql = query_text("stats/ndjson_fast.sql")
        try:
            con.execute(sql, params_for(sql, {"path": str(item.path), "max_bytes": MAX_LINE_BYTES}))
        except duckdb.Error:
            con.execute("DROP TABLE IF EXISTS stats_fast")
            return None
        rows, plain = con.execute("SELECT count(*), count(*) FILTER (WHERE len(stats) > 0) FROM stats_fast").fetchall()[
            0
        ]
        if rows != plain:
            con.execute("DROP TABLE stats_fast")
            return None
        return rows

    def stage_fast(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        """Stage what fast_read kept, a part of about CHUNK_BYTES at a time; every line is a record."""
        part = query_text("stats/ndjson_fast_part.sql")
        objects = query_text("stats/ndjson_objects.sql")
        lines = con.execute("SELECT count(*) FROM stats_fast").fetchall()[0][0]
        per_part = max(1, lines * CHUNK_BYTES // max(1, item.path.stat().st_size))
        for start in range(0, lines, per_part):
            con.execute(part, {"start": start, "stop": start + per_part, "origin": "device"})
            con.execute(objects)
            flush()
        con.execute("DROP TABLE IF EXISTS stage_objects; DROP TABLE IF EXISTS stats_fast")
        return lines, 0


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

    def fast_read(self, con: duckdb.DuckDBPyConnection, item) -> int | None:
        """No fast path: one document is read whole by stage()."""
        return None

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        # one report: small enough to hold (a gateway snapshot), so read it whole
        text = item.path.read_bytes().decode("utf-8", errors="replace")
        con.register("chunk_records", pl.DataFrame({"line_start": [1], "text": [text]}))
        stage_lines(con, "gateway")
        con.unregister("chunk_records")
        return text.count("\n") + (0 if text.endswith("\n") else 1), 0


DOCUMENT = StatsDocument()
