"""`log show --style ndjson` exports, and mandiant unifiedlog_iterator `--format jsonl` output."""

from __future__ import annotations

import json

from analyzer.formats.base import LogFormat


class _NdjsonFormat(LogFormat):
    def sniff_score(self, lines: list[str]) -> float:
        """1.0 when the first JSON lines carry unified-log keys (eventMessage, or mandiant's message+process)."""
        seen = parsed = body = 0
        for ln in lines[:20]:
            if not ln.strip():
                continue
            body += 1
            try:
                obj = json.loads(ln)
            except ValueError:
                continue
            parsed += 1
            if not isinstance(obj, dict):
                return 0.0
            if "eventMessage" in obj or {"message", "process", "log_type"} <= obj.keys():
                seen += 1
        # one object a line: most lines parse on their own (an array printed one element a line does not)
        return 1.0 if seen and parsed * 2 > body else 0.0


FORMAT = _NdjsonFormat(
    name="oslog_ndjson",
    title="log show --style ndjson (and mandiant unifiedlog jsonl)",
    line_re=r"^\s*\{",
    multiline=False,
    fast_sql="parse/oslog_ndjson_fast.sql",
)
