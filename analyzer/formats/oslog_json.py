"""`log show --style json` / `log stream --style json`: a pretty-printed array of records."""

from __future__ import annotations

import re

from analyzer.formats.base import LogFormat


class _JsonArrayFormat(LogFormat):
    def sniff_score(self, lines: list[str]) -> float:
        """1.0 when the text opens a record with `[{` or `},{` and names unified-log keys."""
        body = [ln for ln in lines if ln.strip()]
        if not body or not re.match(self.line_re, body[0]):
            return 0.0
        head = "\n".join(body[:200])
        return 1.0 if re.search(r'^\s+"(eventMessage|processImagePath|traceID)" : ', head, re.M) else 0.0


FORMAT = _JsonArrayFormat(
    name="oslog_json",
    title="log show --style json",
    line_re=r"^(\[\{|\[|\},\{|\{)\s*$",
    meta_re=r"^\]\s*$",
)
