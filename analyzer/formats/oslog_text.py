"""`log show` / `log stream` text styles: default, compact and syslog."""

from __future__ import annotations

from analyzer.formats.base import LogFormat

_META = (
    r"^(Timestamp\s+(Thread|Ty|\(process\))|Filtering the log data|Skipping info and debug|"
    r"Log\s+- Default:|-{5,}|={5,}|\s+\d+ lines? (printed|shown))"
)

DEFAULT = LogFormat(
    name="oslog_default",
    title="log show / log stream, default style",
    line_re=r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:?\d\d\s+0x[0-9a-fA-F]+\s+\w+\s+0x[0-9a-fA-F]+\s+\d+\s",
    meta_re=_META,
)

COMPACT = LogFormat(
    name="oslog_compact",
    title="log show / log stream, compact style",
    line_re=r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\s+\S{1,2}\s+[^\[]+\[\d+:[0-9a-fA-Fx]+\] ",
    meta_re=_META,
)

SYSLOG = LogFormat(
    name="oslog_syslog",
    title="log show / log stream, syslog style",
    line_re=r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:?\d\d\s+\S+ [^\[]+\[\d+\]: ",
    meta_re=_META,
)
