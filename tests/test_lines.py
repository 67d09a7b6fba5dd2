"""Line reading: encodings, line ends, oversized lines and chunk boundaries."""

from __future__ import annotations

import polars as pl

import analyzer.read.lines as lines_mod
from analyzer.read.lines import iter_line_chunks
from tests.conftest import LOGS


def _all(path, **kw):
    chunks = list(iter_line_chunks(path, **kw))
    frame = pl.concat([c.frame for c in chunks]) if chunks else pl.DataFrame()
    return frame, [o for c in chunks for o in c.oversized]


def test_crlf_and_missing_final_newline(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"one\r\ntwo\r\n\r\nfour")
    frame, _ = _all(p)
    assert frame["line"].to_list() == ["one", "two", "", "four"]
    assert frame["line_no"].to_list() == [1, 2, 3, 4]


def test_utf16_with_bom(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("héllo\nwörld\n".encode("utf-16"))
    frame, _ = _all(p)
    assert frame["line"].to_list() == ["héllo", "wörld"]


def test_invalid_utf8_is_flagged_not_fatal(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good\n\xff\xfe bad\nalso good\n")
    frame, _ = _all(p)
    assert frame["bad_utf8"].to_list() == [False, True, False]
    assert frame["line"][2] == "also good"


def test_oversized_line_is_reported_not_held(tmp_path, monkeypatch):
    monkeypatch.setattr(lines_mod, "MAX_LINE_BYTES", 1000)
    p = tmp_path / "long.txt"
    p.write_bytes(b"a\n" + b"x" * 5000 + b"\nb\n")
    frame, oversized = _all(p, chunk_bytes=256)
    assert frame["line"].to_list() == ["a", "b"]
    assert frame["line_no"].to_list() == [1, 3]
    assert [(o[0], o[1]) for o in oversized] == [(2, 5000)]


def test_small_chunks_give_the_same_lines(tmp_path):
    src = LOGS / "device_default.log"
    big, _ = _all(src)
    small, _ = _all(src, chunk_bytes=97)
    assert small.equals(big)


def test_multiline_records_survive_chunk_boundaries(con, ingest, monkeypatch):
    """A record cut by a chunk boundary is carried into the next chunk, not split or rejected."""
    ingest(LOGS / "device_default.log")
    expected = con.execute("SELECT line_start, line_end, message FROM log_records ORDER BY 1").fetchall()
    con.execute("DELETE FROM session_events; DELETE FROM log_records; DELETE FROM sources; DELETE FROM rejects")
    monkeypatch.setattr(lines_mod, "CHUNK_BYTES", 113)
    import analyzer.formats.logparse as parse_mod

    monkeypatch.setattr(parse_mod, "iter_line_chunks", lambda p: iter_line_chunks(p, chunk_bytes=113))
    summary = ingest(LOGS / "device_default.log")
    assert summary.files[0].rejected == 0
    got = con.execute("SELECT line_start, line_end, message FROM log_records ORDER BY 1").fetchall()
    assert got == expected
