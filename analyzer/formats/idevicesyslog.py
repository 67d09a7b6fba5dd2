"""idevicesyslog (libimobiledevice) output: `Mon DD HH:MM:SS device proc(sender)[pid] <Level>: msg`."""

from __future__ import annotations

from analyzer.formats.base import LogFormat

FORMAT = LogFormat(
    name="idevicesyslog",
    title="idevicesyslog (libimobiledevice)",
    line_re=r"^[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(\.\d+)? \S+ [^\[]+\[\d+\] <\w+>:",
    meta_re=r"^\[(connected|disconnected)(:[^\]]*)?\]|^(Waiting for device|\[connected)",
)
