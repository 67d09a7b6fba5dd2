"""chrome://webrtc-internals dumps ("Create Dump"): time series per stats property, per peer connection."""

from __future__ import annotations

import re

import duckdb

from analyzer.formats.base import StatsFormat
from analyzer.resources import query_text


class WebrtcInternals(StatsFormat):
    name = "webrtc_internals"
    title = "chrome://webrtc-internals dump"

    def sniff_score(self, lines: list[str]) -> float:
        head = "\n".join(lines[:200])
        if re.search(r'"PeerConnections"\s*:', head) or re.search(r'"getUserMedia"\s*:\s*\[', head):
            return 1.0
        return 0.0

    def stage(self, con: duckdb.DuckDBPyConnection, item, opts) -> tuple[int, int]:
        path = str(item.path)
        con.execute(query_text("stats/webrtc_internals_stage.sql"), {"path": path})
        con.execute(query_text("stats/webrtc_internals_states.sql"), {"path": path})
        whole, lines = con.execute(
            "SELECT json_valid(content), length(content) - length(replace(content, chr(10), '')) + 1 FROM read_text(?)",
            [path],
        ).fetchall()[0]
        if not whole:
            con.execute(
                "INSERT INTO stat_stage (locator, reject_reason) VALUES ('document', "
                "'dump is not complete JSON (cut short or damaged): the series before the damage were read')"
            )
        return lines, 0


FORMAT = WebrtcInternals()
