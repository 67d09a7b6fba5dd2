"""Split a text file into numbered lines in bounded chunks (polars frames), whatever its bytes.

The file is read in blocks cut at line ends; each block is split by polars, not by a Python loop.
UTF-16 (by BOM) is decoded; invalid UTF-8 is replaced and the line flagged; CRLF is handled; a line longer
than MAX_LINE_BYTES is reported (never held whole in memory) instead of read.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analyzer.settings import number
from analyzer.store.counts import EXCERPT

CHUNK_BYTES = int(number("ANALYZER_CHUNK_BYTES", 32 * 1024 * 1024, minimum=1))
MAX_LINE_BYTES = int(number("ANALYZER_MAX_LINE_BYTES", 16 * 1024 * 1024, minimum=1))
_REPLACEMENT = "\ufffd"


@dataclass
class LineChunk:
    """A block of consecutive lines: frame (line_no, line, bad_utf8) and lines too long to read."""

    frame: pl.DataFrame
    oversized: list[tuple[int, int, str]] = field(default_factory=list)  # (line_no, bytes, excerpt)


def sniff_encoding(head: bytes) -> str:
    """'utf-16' when a UTF-16 BOM (or a NUL every other byte) says so, else 'utf-8'."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:200]
    if len(sample) >= 8 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
        return "utf-16-le"
    return "utf-8"


def read_head(path: Path, n: int = 65536) -> str:
    """First n bytes of a file as text (for sniffing), decoded as the file's encoding."""
    with open(path, "rb") as fh:
        raw = fh.read(n)
    enc = sniff_encoding(raw)
    text = raw.decode(enc, errors="replace")
    return text.lstrip("\ufeff")


def _to_frame(text: str, first_line: int, had_bad_bytes: bool) -> pl.DataFrame:
    # str.split runs in C; polars' own split of one huge string is ~10x slower
    lines = pl.Series("line", text.split("\n"), dtype=pl.Utf8)
    n = len(lines)
    frame = pl.DataFrame({"line": lines}).with_columns(
        pl.int_range(first_line, first_line + n, dtype=pl.Int64).alias("line_no"),
        pl.col("line").str.strip_suffix("\r"),
    )
    if had_bad_bytes:
        frame = frame.with_columns(pl.col("line").str.contains(_REPLACEMENT, literal=True).alias("bad_utf8"))
    else:
        frame = frame.with_columns(pl.lit(False).alias("bad_utf8"))
    return frame.select("line_no", "line", "bad_utf8")


def iter_line_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[LineChunk]:
    """Yield consecutive LineChunks covering every line of the file, numbered from 1."""
    with open(path, "rb") as fh:
        encoding = sniff_encoding(fh.read(256))
    if encoding != "utf-8":
        yield from _iter_decoded(path, encoding, chunk_bytes)
        return
    yield from _iter_utf8(path, chunk_bytes)


def _iter_utf8(path: Path, chunk_bytes: int) -> Iterator[LineChunk]:
    line_no = 1
    carry = b""
    skipping: tuple[int, int, str] | None = None  # an oversized line being skipped: (line_no, bytes, excerpt)
    first = True
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk_bytes)
            if first:
                block = block.removeprefix(codecs.BOM_UTF8)
                first = False
            if not block:
                break
            oversized: list[tuple[int, int, str]] = []
            if skipping is not None:
                nl = block.find(b"\n")
                if nl == -1:
                    skipping = (skipping[0], skipping[1] + len(block), skipping[2])
                    continue
                oversized.append((skipping[0], skipping[1] + nl, skipping[2]))
                skipping = None
                line_no += 1
                block = block[nl + 1 :]
            buf = carry + block
            cut = buf.rfind(b"\n")
            if cut == -1:
                if len(buf) > MAX_LINE_BYTES:
                    skipping = (line_no, len(buf), buf[:EXCERPT].decode("utf-8", "replace"))
                    carry = b""
                else:
                    carry = buf
                if oversized:
                    yield LineChunk(pl.DataFrame(schema=_SCHEMA), oversized)
                continue
            body, carry = buf[:cut], buf[cut + 1 :]
            chunk, n = _decode_block(body, line_no)
            chunk.oversized[:0] = oversized
            line_no += n
            yield chunk
    if skipping is not None:
        yield LineChunk(pl.DataFrame(schema=_SCHEMA), [skipping])
    elif carry:
        chunk, _ = _decode_block(carry, line_no)
        yield chunk


_SCHEMA = {"line_no": pl.Int64, "line": pl.Utf8, "bad_utf8": pl.Boolean}


def _decode_block(body: bytes, first_line: int) -> tuple[LineChunk, int]:
    try:
        text = body.decode("utf-8")
        bad = False
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
        bad = True
    frame = _to_frame(text, first_line, bad)
    # lines over the limit that fit in one block: report them instead of storing megabytes of text
    long_mask = frame["line"].str.len_bytes() > MAX_LINE_BYTES
    oversized: list[tuple[int, int, str]] = []
    if long_mask.any():
        longs = frame.filter(long_mask)
        oversized = [
            (int(r[0]), int(r[1]), r[2])
            for r in longs.select(
                "line_no",
                pl.col("line").str.len_bytes().alias("bytes"),
                pl.col("line").str.slice(0, EXCERPT).alias("head"),
            ).iter_rows()
        ]
        frame = frame.filter(~long_mask)
    return LineChunk(frame, oversized), len(long_mask)


def _iter_decoded(path: Path, encoding: str, chunk_bytes: int) -> Iterator[LineChunk]:
    line_no = 1
    carry = ""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        while True:
            block = fh.read(chunk_bytes // 2)
            if not block:
                break
            buf = (carry + block).lstrip("\ufeff") if line_no == 1 else carry + block
            cut = buf.rfind("\n")
            if cut == -1:
                carry = buf
                continue
            body, carry = buf[:cut], buf[cut + 1 :]
            frame = _to_frame(body, line_no, _REPLACEMENT in body)
            line_no += frame.height
            yield LineChunk(frame)
    if carry:
        yield LineChunk(_to_frame(carry, line_no, _REPLACEMENT in carry))
