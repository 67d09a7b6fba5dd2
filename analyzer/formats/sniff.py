"""Sniff stage: decide a file's format from its content, not its name."""

from __future__ import annotations

import json
import re

from analyzer.formats import ALL_FORMATS, LogFormat, StatsFormat
from analyzer.formats.text import FORMAT as TEXT
from analyzer.read.lines import read_head
from analyzer.read.sources import InputFile

_TRACEV3_MAGIC = b"\x00\x10\x00\x00"  # tracev3 files open with a header chunk tag 0x1000


def _looks_binary(raw: bytes) -> bool:
    """Not text: NUL bytes (outside UTF-16), or many control bytes, or bytes that are not UTF-8 at all."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if raw.count(b"\0") > len(raw) // 10:
        return True
    control = sum(1 for b in raw if b < 9 or 13 < b < 32)
    undecodable = len(raw) - len(raw.decode("utf-8", errors="ignore").encode("utf-8"))
    return control + undecodable > len(raw) // 10


def understood() -> str:
    """One line listing the formats the tool reads, for error messages."""
    return "; ".join(f.title for f in ALL_FORMATS)


def _looks_json(head: str) -> bool:
    """The text opens a JSON value: its first line parses, or opens an object or an array of them."""
    text = head.lstrip("\ufeff \t\r\n")
    first = text.split("\n", 1)[0].strip()
    if not first or first[0] not in "{[":
        return False
    try:
        json.loads(first)
        return True
    except ValueError:
        return re.match(r'^(\[|\{|\[\s*\{|\{\s*")', first) is not None and (len(first) <= 2 or first[1] in '{"[ \t')


def sniff(item: InputFile) -> LogFormat | StatsFormat | None:
    """The format of `item`, or None when nothing matches (the caller decides if that is an error).

    Structured files (JSON exports, stats dumps) are recognised by their structure; any other text is a text log
    whose layout is decided line by line. Binary data, and JSON in a shape no reader knows, match nothing."""
    with open(item.path, "rb") as fh:
        raw = fh.read(4096)
    if not raw or _looks_binary(raw):
        return None
    head = read_head(item.path)
    lines = head.split("\n")
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    best: tuple[float, LogFormat | StatsFormat] | None = None
    for fmt in ALL_FORMATS:
        if fmt is TEXT:
            continue
        score = fmt.sniff_score(lines[:200])
        if score > 0 and (best is None or score > best[0]):
            best = (score, fmt)
    if best:
        return best[1]
    if _looks_json(head):
        return None
    return TEXT


def describe_unknown(item: InputFile) -> str:
    """Why a file was not understood, naming it and the formats that are."""
    with open(item.path, "rb") as fh:
        raw = fh.read(4096)
    if not raw:
        what = "it is empty"
    elif item.path.name.endswith(".tracev3") or raw.startswith(_TRACEV3_MAGIC):
        what = (
            "it is a binary unified-log file (.tracev3); export it on a Mac with "
            "`log show --archive <path>.logarchive --style ndjson > device.ndjson`"
        )
    elif _looks_binary(raw):
        what = "it looks like binary data"
    elif _looks_json(read_head(item.path)):
        what = f"it is JSON, but in a shape this tool does not read ({_json_shape(item)})"
    else:
        what = "its content matches none of the known layouts"
    return f"{item.label}: format not recognised: {what}. Understood formats: {understood()}"


def _json_shape(item: InputFile) -> str:
    """A few words on what a JSON file holds: its top-level keys, or what its first element is."""
    head = read_head(item.path).lstrip("\ufeff \t\r\n")
    try:
        value, _ = json.JSONDecoder().raw_decode(head)
    except ValueError:
        first = head.split("\n", 1)[0]
        try:
            value, _ = json.JSONDecoder().raw_decode(first)
        except ValueError:
            return "its first value does not parse within the first 64 KB"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:8])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(value, list):
        inner = value[0] if value else None
        if isinstance(inner, dict):
            return f"an array of objects with keys {', '.join(list(inner)[:8])}"
        return f"an array of {type(inner).__name__ if value else 'nothing'}"
    return f"a bare {type(value).__name__}"
