"""The log formats the analyzer reads, in sniffing order (most specific first)."""

from __future__ import annotations

from analyzer.formats import (
    idevicesyslog,
    oslog_json,
    oslog_ndjson,
    oslog_text,
    rtcstats,
    stats_ndjson,
    webrtc_internals,
    xcode_console,
)
from analyzer.formats.base import LogFormat, StatsFormat

LOG_FORMATS: list[LogFormat] = [
    oslog_ndjson.FORMAT,
    oslog_json.FORMAT,
    oslog_text.DEFAULT,
    oslog_text.COMPACT,
    oslog_text.SYSLOG,
    idevicesyslog.FORMAT,
    xcode_console.FORMAT,
]

STATS_FORMATS: list[StatsFormat] = [
    stats_ndjson.FORMAT,
    stats_ndjson.DOCUMENT,
    webrtc_internals.FORMAT,
    rtcstats.FORMAT,
]

ALL_FORMATS: list[LogFormat | StatsFormat] = [*STATS_FORMATS, *LOG_FORMATS]

BY_NAME: dict[str, LogFormat | StatsFormat] = {f.name: f for f in ALL_FORMATS}
