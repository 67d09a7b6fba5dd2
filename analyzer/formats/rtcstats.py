"""rtcstats dumps: jitsi/fippo rtcstats-server dumps ([method, pc, value, epoch ms] lines, old-style delta-compressed
`getstats`), and fileFormat 3 (an `RTCStatsDump` line and a JSON header, then [method, connection, value, ...,
ms since the previous line]): rtcstats-js (v4/v5, numeric method codes, compressed `getStats`) and Chrome's own
webrtc-internals export (whole reports). queries/stats/rtcstats_chunk.sql and rtcstats_finish.sql do the work."""

from __future__ import annotations

import json

import duckdb
import polars as pl

from analyzer.formats.base import StatsFormat, reject_oversized
from analyzer.read.lines import iter_line_chunks, read_head
from analyzer.resources import query_statements, query_text
from analyzer.store.db import params_for

_FILE_FORMAT_3 = "RTCStatsDump"


class Rtcstats(StatsFormat):
    name = "rtcstats"
    title = "rtcstats dump (rtcstats-server lines, fileFormat 3 `RTCStatsDump` from rtcstats-js or Chrome's export)"

    def sniff_score(self, lines: list[str]) -> float:
        body = [ln for ln in lines if ln.strip()][:20]
        if body and body[0].strip() == _FILE_FORMAT_3:
            return 1.0
        hits = 0
        for ln in body:
            try:
                entry = json.loads(ln)
            except ValueError:
                continue
            if isinstance(entry, list) and len(entry) >= 3 and isinstance(entry[0], (str, int)):
                hits += 1
        return 1.0 if hits and hits >= (len(body) - 1) / 2 else 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts, flush) -> tuple[int, int]:
        head = read_head(item.path, 4096).lstrip("\ufeff")
        delta_time = head.startswith(_FILE_FORMAT_3)
        carry_absent = not delta_time and _old_header(head.split("\n", 1)[0])
        header_lines = 2 if delta_time else 0  # `RTCStatsDump` and the JSON header: metadata, not entries
        chunk_sql = query_statements("stats/rtcstats_chunk.sql")
        lines = meta = 0
        time_base = 0.0
        for chunk in iter_line_chunks(item.path):
            lines += chunk.frame.height + reject_oversized(con, chunk)
            frame = chunk.frame
            recs = frame.filter((pl.col("line").str.strip_chars() != "") & (pl.col("line_no") > header_lines))
            # a first line that is an object is an old dump's header (fileFormat 1/2): metadata
            recs = recs.filter(~((pl.col("line_no") == 1) & pl.col("line").str.strip_chars().str.starts_with("{")))
            meta += frame.height - recs.height
            if recs.height:
                con.register(
                    "chunk_records", recs.select(pl.col("line_no").alias("line_start"), pl.col("line").alias("text"))
                )
                values = {"delta_time": delta_time, "time_base": time_base, "carry_absent": carry_absent}
                for statement in chunk_sql:
                    con.execute(statement, params_for(statement, values))
                con.unregister("chunk_records")
                if delta_time:
                    last = con.execute("SELECT max(t_ms) FILTER (WHERE t_ms IS NOT NULL) FROM rtc_lines").fetchall()
                    time_base = last[0][0] if last[0][0] is not None else time_base
            flush()  # rejected lines; the objects wait for rtcstats_finish.sql
        con.execute(query_text("stats/rtcstats_finish.sql"))
        # entries that are neither stats nor state changes (create, setLocalDescription, ...) are not records
        # of ours: count them as meta lines so the file's lines still add up
        other = con.execute(
            "SELECT $entries - (SELECT count(DISTINCT line) FROM rtcstats_objects)"
            " - (SELECT count(*) FROM pc_state_changes WHERE source_id = 0)"
            " - (SELECT count(*) FROM stat_stage WHERE obj IS NULL)",
            {"entries": lines - meta},
        ).fetchall()[0][0]
        con.execute("DELETE FROM rtcstats_delta; DELETE FROM rtcstats_objects")
        return lines, meta + other


def _old_header(first_line: str) -> bool:
    """The old fippo rtcstats-server wrote a JSON object with its fileFormat (1 or 2) as the first line."""
    try:
        header = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(header, dict) and header.get("fileFormat") in (1, 2)


FORMAT = Rtcstats()
