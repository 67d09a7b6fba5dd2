"""A sysdiagnose's device metadata: `remotectl_dumpstate.txt` (the product type, iOS version and build of the
`Local device`) and `logs/SystemVersion/SystemVersion.plist` (iOS version and build). Not a log: the file holds no
records, only what the device is, which goes to `device_facts` (queries/parse/device_facts.sql) for sessionise."""

from __future__ import annotations

import plistlib
import re
from dataclasses import asdict, dataclass

import duckdb

from analyzer.formats.base import LogFormat
from analyzer.read.lines import read_head
from analyzer.read.sources import InputFile
from analyzer.resources import query_text
from analyzer.store.counts import Counts

_MAX_BYTES = 1 << 20  # read at most this much (these files are a few KB)
_REMOTECTL = re.compile(r"^Local device\s*$")
_REMOTECTL_KEYS = {
    # the block's own lines, then its Properties (both name the same facts; the first seen wins)
    "model": re.compile(r"^\t(?:Product Type:|\tProductType =>)\s*(\S+)\s*$"),
    "os_version": re.compile(r"^\t(?:OS Build:\s*([\d.]+)\s*\(|\tOSVersion =>\s*([\d.]+)\s*$)"),
    "os_build": re.compile(r"^\t(?:OS Build:\s*[\d.]+\s*\((\w+)\)|\tBuildVersion =>\s*(\w+)\s*$)"),
}
_MODEL = re.compile(r"^(?:iPhone|iPad|iPod|Watch|AppleTV|RealityDevice)\d+,\d+$")
_VERSION = re.compile(r"^\d+(?:\.\d+){0,3}$")
_BUILD = re.compile(r"^\d+[A-Z]\d+[a-z]?$")


@dataclass(frozen=True)
class DeviceInfo:
    """What one metadata file says the device is (None where it does not say, or says something malformed)."""

    model: str | None = None
    os_version: str | None = None
    os_build: str | None = None


def _checked(value: object, shape: re.Pattern[str]) -> str | None:
    return value if isinstance(value, str) and shape.match(value) else None


def from_remotectl(text: str) -> DeviceInfo:
    """The `Local device` block of remotectl_dumpstate.txt (other devices it lists, a paired watch, are not this)."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if _REMOTECTL.match(ln)), None)
    if start is None:
        return DeviceInfo()
    found: dict[str, str] = {}
    for line in lines[start + 1 :]:
        if line and not line.startswith("\t"):
            break  # the next device's block
        for key, pattern in _REMOTECTL_KEYS.items():
            m = pattern.match(line)
            if m and key not in found:
                found[key] = next(g for g in m.groups() if g)
    return DeviceInfo(
        _checked(found.get("model"), _MODEL),
        _checked(found.get("os_version"), _VERSION),
        _checked(found.get("os_build"), _BUILD),
    )


def from_system_version(raw: bytes) -> DeviceInfo:
    """SystemVersion.plist (XML or binary): ProductVersion and ProductBuildVersion of an iOS device."""
    try:
        data = plistlib.loads(raw)
    except Exception:  # plistlib raises whatever its parser meets in a malformed file (IndexError, ExpatError...)
        return DeviceInfo()
    if not isinstance(data, dict) or data.get("ProductName") not in ("iPhone OS", "iOS", "iPadOS"):
        return DeviceInfo()
    return DeviceInfo(
        None, _checked(data.get("ProductVersion"), _VERSION), _checked(data.get("ProductBuildVersion"), _BUILD)
    )


def _is_system_version(head: str) -> bool:
    return "<plist" in head and "<key>ProductBuildVersion</key>" in head and "<key>ProductVersion</key>" in head


class DeviceInfoFormat(LogFormat):
    """Recognised by content: a remotectl dump that opens with `Local device`, or a SystemVersion plist."""

    def sniff_score(self, lines: list[str]) -> float:
        first = next((ln for ln in lines if ln.strip()), "")
        if _REMOTECTL.match(first) and any(_REMOTECTL_KEYS["model"].match(ln) for ln in lines):
            return 1.0
        return 1.0 if _is_system_version("\n".join(lines)) else 0.0

    def parse(self, con: duckdb.DuckDBPyConnection, item: InputFile, source_id: int, opts) -> Counts:
        """Store what the file says of the device; every line is metadata (no log records)."""
        with open(item.path, "rb") as fh:
            raw = fh.read(_MAX_BYTES)
            newlines, last = raw.count(b"\n"), raw[-1:]
            while block := fh.read(_MAX_BYTES):  # counted like every other file (analyzer/read/filescan.py)
                newlines, last = newlines + block.count(b"\n"), block[-1:]
        head = read_head(item.path)
        info = from_system_version(raw) if _is_system_version(head) else from_remotectl(head)
        if info != DeviceInfo():
            values = {"source_id": source_id, "name": None, **asdict(info), "found_from": "sysdiagnose metadata"}
            con.execute(query_text("parse/device_facts.sql"), values)
        lines = newlines + (1 if last and last != b"\n" else 0)
        return Counts(lines=lines, meta_lines=lines)


FORMAT = DeviceInfoFormat(
    name="device_info",
    title="a sysdiagnose's device metadata (remotectl_dumpstate.txt, SystemVersion.plist)",
    line_re=r"^Local device\s*$",
)
