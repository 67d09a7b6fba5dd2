"""The log formats the analyzer reads, in sniffing order (most specific first)."""

from __future__ import annotations

from analyzer.formats import idevicesyslog, oslog_json, oslog_ndjson, oslog_text, xcode_console
from analyzer.formats.base import LogFormat

LOG_FORMATS: list[LogFormat] = [
    oslog_ndjson.FORMAT,
    oslog_json.FORMAT,
    oslog_text.DEFAULT,
    oslog_text.COMPACT,
    oslog_text.SYSLOG,
    idevicesyslog.FORMAT,
    xcode_console.FORMAT,
]

BY_NAME: dict[str, LogFormat] = {f.name: f for f in LOG_FORMATS}
