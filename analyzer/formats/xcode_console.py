"""Xcode / device console captures: `2023-03-29 11:25:55.371618-0700 App[2142:711493] msg`, with
WebRTC's stderr RTCLog lines in between."""

from __future__ import annotations

from analyzer.formats.base import LogFormat

FORMAT = LogFormat(
    name="xcode_console",
    title="Xcode / device console capture",
    line_re=(
        r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d)? [^\[]+\[\d+:[0-9a-fA-Fx]+\] "
        r"|\([\w+.-]+\.(mm|m|cc|cpp|h|swift):\d+\): )"
    ),
)
