"""rtcstats dumps (fippo/rtcstats, rtcstats-server): one [method, pcId, value, timestamp] entry a line,
getStats delta-compressed against the previous report."""

from __future__ import annotations

import json

import duckdb
import polars as pl

from analyzer.formats.base import StatsFormat
from analyzer.lines import iter_line_chunks
from analyzer.resources import query_statements, query_text


class Rtcstats(StatsFormat):
    name = "rtcstats"
    title = "rtcstats dump ([method, pc, value, ts] lines, delta-compressed getstats)"

    def sniff_score(self, lines: list[str]) -> float:
        body = [ln for ln in lines if ln.strip()][:20]
        hits = 0
        for ln in body:
            try:
                entry = json.loads(ln)
            except ValueError:
                continue
            if isinstance(entry, list) and len(entry) >= 3 and isinstance(entry[0], str):
                hits += 1
        return 1.0 if hits and hits >= (len(body) - 1) / 2 else 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        chunk_sql = query_statements("stats/rtcstats_chunk.sql")
        lines = meta = bad_lines = 0
        for chunk in iter_line_chunks(item.path):
            lines += chunk.frame.height + len(chunk.oversized)
            for line_no, nbytes, excerpt in chunk.oversized:
                con.execute(
                    "INSERT INTO stat_stage (line, locator, reject_reason, excerpt) VALUES (?, ?, ?, ?)",
                    [line_no, f"line {line_no}", f"line of {nbytes:,} bytes exceeds the line limit", excerpt],
                )
            recs = chunk.frame.filter(pl.col("line").str.strip_chars() != "")
            meta += chunk.frame.height - recs.height
            con.register(
                "chunk_records", recs.select(pl.col("line_no").alias("line_start"), pl.col("line").alias("text"))
            )
            for statement in chunk_sql:
                con.execute(statement)
            con.unregister("chunk_records")
            bad_lines += con.execute("SELECT count(*) FROM stat_stage WHERE obj IS NULL").fetchall()[0][0]
            flush()  # rejected lines; the deltas wait for rtcstats_finish.sql
        con.execute(query_text("stats/rtcstats_finish.sql"))
        # entries that are neither stats nor state changes (create, setLocalDescription, ...) are not records
        # of ours: count them as meta lines so the file's lines still add up
        other = con.execute(
            "SELECT ? - (SELECT count(DISTINCT line) FROM rtcstats_delta)"
            " - (SELECT count(*) FROM pc_state_changes WHERE source_id = 0)"
            " - (SELECT count(*) FROM stat_stage WHERE obj IS NULL)",
            [lines - meta],
        ).fetchall()[0][0]
        con.execute("DELETE FROM rtcstats_delta")
        return lines, meta + other


FORMAT = Rtcstats()
