"""The log formats the analyzer reads, in sniffing order (most specific first)."""

from __future__ import annotations

from analyzer.formats import (
    device_info,
    oslog_json,
    oslog_ndjson,
    rtcstats,
    stats_ndjson,
    text,
    webrtc_internals,
)
from analyzer.formats.base import LogFormat, StatsFormat

LOG_FORMATS: list[LogFormat] = [
    oslog_ndjson.FORMAT,
    oslog_json.FORMAT,
    device_info.FORMAT,  # a sysdiagnose's device metadata: no records, what the device is
    text.FORMAT,  # any other text: layouts decided line by line (the sniff's fallback)
]

STATS_FORMATS: list[StatsFormat] = [
    stats_ndjson.FORMAT,
    stats_ndjson.DOCUMENT,
    webrtc_internals.FORMAT,
    rtcstats.FORMAT,
]

ALL_FORMATS: list[LogFormat | StatsFormat] = [*STATS_FORMATS, *LOG_FORMATS]

BY_NAME: dict[str, LogFormat | StatsFormat] = {f.name: f for f in ALL_FORMATS}
