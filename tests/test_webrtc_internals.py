"""webrtc-internals dumps read as a stream of series: the same tables as the pattern reader before it, row for row.

The expected tables (tests/data/stats/expected/<input>.json) were written by the code before the stream reader
(`python tools/compare_stats_paths.py --base <rev> --write tests/data/stats/expected <inputs>`).
"""

from __future__ import annotations

import json
import mmap
import runpy
from pathlib import Path

import pytest

from analyzer.formats import internals_columns, internals_scan
from analyzer.formats import webrtc_internals as wi

DATA = Path(__file__).parent / "data"
EXPECTED = DATA / "stats" / "expected"
TOOL = runpy.run_path(str(Path(__file__).parent.parent / "tools" / "compare_stats_paths.py"))

INPUTS = [
    DATA / "stats" / "webrtc_internals.json",
    DATA / "stats" / "webrtc_internals_shapes.json",  # out-of-order, derived, damaged and odd series
    DATA / "bad" / "webrtc_internals_cut.json",
    DATA / "bad" / "webrtc_internals_bad_offset.json",
    DATA / "bad" / "webrtc_internals_nan.json",
    DATA / "bad" / "webrtc_internals_year_9999.json",
    # typed straight from the series: extra properties, a late property, a timestamp series, a null, a counter
    # growing too fast, a value out of range, whole types (codec, certificate), text that looks like an exponent
    DATA / "stats" / "webrtc_internals_columns.json",
]


def _expected(path: Path) -> dict[str, list]:
    return json.loads((EXPECTED / f"{path.name}.json").read_text())


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_stream_reader_stores_what_the_pattern_reader_stored(path):
    """Counts, typed tables, stats_other, intervals, state changes and rejects as before, row for row."""
    stored = TOOL["stored"](path)
    assert TOOL["_differences"](_expected(path), stored) == []
    assert stored["stats_inbound_rtp"] or stored["stats_other"]


@pytest.mark.parametrize("path", INPUTS[:3], ids=lambda p: p.name)
def test_tiny_parts_store_the_same(path, monkeypatch):
    """Every stats object staged and stored in a part of its own, series handed over one at a time: the same
    rows (an object's samples are never split; the growth checks carry across parts)."""
    calls = []
    monkeypatch.setattr(wi, "PART_BYTES", 1)
    real_stage = wi._stage_held
    monkeypatch.setattr(wi, "_stage_held", lambda *args: calls.append(1) or real_stage(*args))
    stored = TOOL["stored"](path)
    assert TOOL["_differences"](_expected(path), stored) == []
    assert len(calls) >= 2  # held series staged after each peer connection, not once at the end


@pytest.mark.parametrize("path", INPUTS[:2], ids=lambda p: p.name)
def test_intervals_stream_by_stream_keep_their_rtt(path, monkeypatch):
    """The interval series derived a stream or so at a time, each bucket reading only its own streams' remote
    reports and its peer connections' candidate pairs (bounded memory): the same intervals, RTT included."""
    from analyzer.normalise import stats

    monkeypatch.setattr(stats, "_SAMPLES_PER_BUCKET", 1)
    monkeypatch.setattr(stats, "_BUCKETS_PER_ROUND", 2)
    stored = TOOL["stored"](path)
    assert TOOL["_differences"](_expected(path), stored) == []
    assert stored["rtp_intervals"]


def test_clean_objects_take_the_columnar_path(monkeypatch):
    """W3C objects with plain values are typed from their series (JSON text only for the samples stored whole, with
    an `extra` property, or rejected); legacy goog objects and objects with a value the exact checks must see go
    the JSON way."""
    routes, texts = {}, {}
    real = internals_columns.stage_part

    def stage_part(con, part, window):
        real(con, part, window)
        routes.update(con.execute("SELECT stat_id, columnar FROM wi_route").fetchall())
        texts.update(con.execute("SELECT stat_id, count(obj) FROM stat_pretyped GROUP BY ALL").fetchall())

    monkeypatch.setattr(internals_columns, "stage_part", stage_part)
    TOOL["stored"](DATA / "stats" / "webrtc_internals_columns.json")
    assert {s for s, columnar in routes.items() if columnar} == {"IT01A7", "OT01A8", "COT01", "SA7"}
    assert texts == {"IT01A7": 5, "OT01A8": 5, "COT01": 5, "SA7": 0}  # OT01A8: an object with a rejected sample
    routes.clear()
    TOOL["stored"](DATA / "stats" / "webrtc_internals.json")
    assert routes["IT01A1111"] and not routes["ssrc_3333_recv"]


def _scan(text: bytes, batch_bytes: int = 1 << 20) -> list[internals_scan.Series]:
    with mmap.mmap(-1, len(text)) as doc:
        doc.write(text)
        pcs = internals_scan.peer_connections(doc)
        return [b for pc, start, end in pcs for b in internals_scan.iter_series(doc, pc, start, end, batch_bytes)]


def test_scanner_finds_series_as_the_pattern_did():
    text = (
        b'{"PeerConnections": {"1-2": {"updateLog": [{"time": 1, "type": "x", "value": "y"}], "stats": {'
        b'"A-kind": {"statsType": "t", "values": "[\\"a{\\"]"},\n'  # a brace inside values: not a series
        b'"A-x" : { "startTime": "s", "values": "[1,2]" },'
        b'"A-[x/s]": {"values": [3]}}},\n'
        b'"3-4": {"stats": {"B-y": {"values": "[4]"}}}}, "UserAgent": "u"}'
    )
    batches = _scan(text)
    names = [(pc, n) for b in batches for pc, n in zip(b.pc_id, b.name, strict=True)]
    assert names == [("1-2", "A-x"), ("1-2", "A-[x/s]"), ("3-4", "B-y")]
    objs = [o for b in batches for o in b.obj_text]
    assert objs[0] == '{ "startTime": "s", "values": "[1,2]" }'
    # only the text between series that can hold an updateLog entry is kept for the state changes
    gaps = [g for b in batches for g in b.gaps]
    assert len(gaps) == 1 and '"time": 1' in gaps[0]


def test_scanner_batches_are_bounded():
    series = b", ".join(b'"S%d-p": {"values": "[%s]"}' % (i, b"1," * 50 + b"1") for i in range(40))
    text = b'{"PeerConnections": {"1-1": {"stats": {' + series + b"}}}}"
    batches = _scan(text, batch_bytes=500)
    assert sum(len(b.name) for b in batches) == 40
    assert len(batches) > 5 and max(b.size for b in batches) < 500 + 200


def test_no_peer_connection_no_series():
    assert _scan(b'{"getUserMedia": [], "PeerConnections": {}}') == []
    assert _scan(b"\x00") == []
