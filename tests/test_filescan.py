"""The one-pass file scan: content hash and line count (the count guards the ndjson fast path)."""

from __future__ import annotations

import pytest
import xxhash

import analyzer.read.filescan as fs


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b'{"a":1}\n{"a":2}\n', 2),
        (b'{"a":1}\n{"a":2}', 2),
        (b'{"a":1}\r\n{"a":2}\r\n', 2),
        (b'{"a":1}\n\n{"a":2}\n', 3),
        (b"", 0),
    ],
)
def test_scan(tmp_path, data, lines, monkeypatch):
    monkeypatch.setattr(fs, "_BLOCK", 4)
    p = tmp_path / "f"
    p.write_bytes(data)
    got = fs.scan_file(p)
    assert got.lines == lines
    assert got.digest == "xxh3-128:" + xxhash.xxh3_128(data).hexdigest()
