"""`log show --style json` / `log stream --style json`, and the same records pretty-printed by other tools: an
array of unified-log records, recognised by its structure (the first element parses as a record), whatever the
indentation, key order or brace layout."""

from __future__ import annotations

import dataclasses
import json
import re

from analyzer.formats.base import LogFormat
from analyzer.read.lines import read_head

_RECORD_KEYS = {"eventMessage", "processImagePath", "traceID", "machTimestamp", "senderImagePath"}


def _first_element(head: str) -> dict | None:
    """The array's first element, when the text is an array that opens with an object."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith("["):
        return None
    body = text[1:]
    start = len(body) - len(body.lstrip())
    try:
        value, _ = json.JSONDecoder().raw_decode(body, start)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _JsonArrayFormat(LogFormat):
    def sniff_score(self, lines: list[str]) -> float:
        """1.0 when the text is a JSON array whose first element is a unified-log record."""
        first = _first_element("\n".join(lines))
        return 1.0 if first is not None and _RECORD_KEYS & first.keys() else 0.0

    def parse(self, con, item, source_id: int, opts):
        """Group the lines into records by where this file's record braces are, then parse (generic path)."""
        from analyzer.formats.logparse import parse_file

        head = read_head(item.path).lstrip("\ufeff")
        # `log show` opens each record with `},{` at column 0; other printers put the element's `{` on a line
        # of its own (or the whole element on one line) at the array's element indentation
        style = "leading" if re.search(r"^\},\{[ \t]*$", head, re.M) else "own_line"
        m = re.search(r"^([ \t]*)(\[[ \t]*)?\{", head, re.M)
        indent = len(m.group(1)) if m and m.group(2) is None else 0
        if style == "leading":
            start = r"^(\[[ \t]*)?(\}[ \t]*,[ \t]*)?\{[ \t]*$"
        else:
            start = r"^[ \t]{" + str(indent) + r"}(\[[ \t]*)?(\}[ \t]*,[ \t]*)?\{"
        grouped = dataclasses.replace(self, line_re=start)
        return parse_file(con, item, grouped, source_id, opts, {"brace_style": style})


FORMAT = _JsonArrayFormat(
    name="oslog_json",
    title="log show --style json (or the records pretty-printed by another tool)",
    line_re=r"^(\[\{|\[|\},\{|\{)\s*$",
    meta_re=r"^[\[\]][ \t]*$",
)
