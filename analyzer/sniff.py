"""Sniff stage: decide a file's format from its content, not its name."""

from __future__ import annotations

from analyzer.formats import ALL_FORMATS, LogFormat, StatsFormat
from analyzer.lines import read_head
from analyzer.sources import InputFile

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


def sniff(item: InputFile) -> LogFormat | StatsFormat | None:
    """The format of `item`, or None when nothing matches (the caller decides if that is an error)."""
    head = read_head(item.path)
    lines = head.split("\n")
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    best: tuple[float, LogFormat | StatsFormat] | None = None
    for fmt in ALL_FORMATS:
        score = fmt.sniff_score(lines[:200])
        if score > 0 and (best is None or score > best[0]):
            best = (score, fmt)
    return best[1] if best else None


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
    else:
        what = "its content matches none of the known layouts"
    return f"{item.label}: format not recognised: {what}. Understood formats: {understood()}"
