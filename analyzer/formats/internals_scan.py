"""Find the stats series of a webrtc-internals dump in its bytes, a peer connection at a time, without parsing it.

A dump is one JSON document (it can be hundreds of MB): {"getUserMedia": [...], "PeerConnections": {"<pid>-<lid>":
{..., "updateLog": [...], "stats": {"<statId>-<property>": {"startTime", "endTime", "statsType", "values"}}}}}.
Each series is a brace-free object holding a "values" key; it is found by looking for `"values"` and its
enclosing braces (C-speed byte searches over the memory-mapped file), so a series is read exactly where the
pattern `"<name>" : { ... "values" ... }` (no braces inside) matches, and a dump cut short or damaged still gives
every series before the damage. What lies between the series (updateLog, configuration) is kept as text for the
state changes.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# a peer connection's entry: "<pid>-<lid>": {   (its body runs to the next one)
PC_HEADER = re.compile(rb'"([0-9]+-[0-9]+)"\s*:\s*\{')
_VALUES = b'"values"'
_SPACE = b" \t\n\r\f"
_WINDOW = 64 << 20


@dataclass
class Series:
    """A batch of one dump's series (parallel lists) and the text around them (`gaps`)."""

    pc_id: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    obj_text: list[str] = field(default_factory=list)
    seq: list[int] = field(default_factory=list)
    gap_pc: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    size: int = 0
    stop: int = 0  # where the batch's last series ends

    def add_gap(self, pc_id: str, text: bytes) -> None:
        """Text between series (kept when it can hold an updateLog entry)."""
        if b'"time"' in text:
            self.gap_pc.append(pc_id)
            self.gaps.append(text.decode("utf-8", errors="replace"))
            self.size += len(text)


def peer_connections(doc: mmap.mmap, done: Callable[[int], None] = lambda pos: None) -> Iterator[tuple[str, int, int]]:
    """Each peer connection's id and the byte range of its body (up to the next one's header, or the end), found
    as the reader goes, a window at a time; done(pos) is told how far the search has read."""
    head = _next_head(doc, 0, done)
    while head is not None:
        after = _next_head(doc, head.end(), done)
        yield head.group(1).decode(), head.end(), after.start() if after is not None else len(doc)
        head = after


def _next_head(doc: mmap.mmap, pos: int, done: Callable[[int], None]) -> re.Match | None:
    while pos < len(doc):
        # windows overlap by more than a header's length, so a header across a window's end is found
        found = PC_HEADER.search(doc, pos, min(len(doc), pos + _WINDOW + 4096))
        if found is not None:
            return found
        pos += _WINDOW
        done(min(pos, len(doc)))
    return None


def release(doc: mmap.mmap, end: int) -> None:
    """Drop the mapped pages before `end` from memory (read already; the kernel reads them again if needed), so
    the resident size follows the part being read, not the file."""
    if hasattr(mmap, "MADV_DONTNEED"):
        doc.madvise(mmap.MADV_DONTNEED, 0, end - end % mmap.PAGESIZE)


def iter_series(doc: mmap.mmap, pc_id: str, start: int, end: int, batch_bytes: int, seq: int = 0) -> Iterator[Series]:
    """The series of one peer connection's body, in batches of about `batch_bytes` of series text."""
    out = Series()
    pos = last = start  # where to look next; where the last series ended
    while True:
        v = doc.find(_VALUES, pos, end)
        if v < 0:
            break
        found = _series_at(doc, pos, v, end)
        if found is None:
            pos = v + len(_VALUES)
            continue
        q1, q2, brace, close = found
        out.add_gap(pc_id, doc[last:q1])
        out.pc_id.append(pc_id)
        out.name.append(doc[q1 + 1 : q2].decode("utf-8", errors="replace"))
        out.obj_text.append(doc[brace : close + 1].decode("utf-8", errors="replace"))
        out.seq.append(seq)
        seq += 1
        out.size += close + 1 - q1
        pos = last = out.stop = close + 1
        if out.size >= batch_bytes:
            yield out
            out = Series()
    out.add_gap(pc_id, doc[last:end])
    yield out


def _series_at(doc: mmap.mmap, pos: int, v: int, end: int) -> tuple[int, int, int, int] | None:
    """The series object holding the `"values"` at v: (its name's opening and closing quote, its opening and
    closing brace), or None when `"<name>" : {` and a brace-free body do not surround it."""
    brace = doc.rfind(b"{", pos, v)
    close = doc.find(b"}", v, end)
    if brace < 0 or close < 0 or doc.find(b"{", v, close) >= 0:
        return None
    q2 = doc.rfind(b'"', pos, brace)
    if q2 < 0 or doc[q2 + 1 : brace].strip(_SPACE) != b":":
        return None
    q1 = doc.rfind(b'"', pos, q2)
    if q1 < 0 or q1 + 1 == q2:
        return None
    return q1, q2, brace, close
