"""WebRTC stats: the four real shapes, typed tables, and the derived per-interval series."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

import pytest

import analyzer.formats.stats_ndjson as stats_ndjson
import analyzer.read.lines as lines_mod
from analyzer.normalise.stats import limits, stats_tables
from tests.conftest import DATA

STATS = DATA / "stats"
T0 = datetime(2025, 11, 20, 18, 22, 33, tzinfo=timezone.utc)


def test_field_catalogue_matches_schema(con):
    for table in stats_tables():
        cols = {r[0] for r in con.execute(f"DESCRIBE {table.name}").fetchall()}
        assert set(table.columns) <= cols, table.name


def test_limits_name_numeric_fields():
    numeric = {f for t in stats_tables() for f, _, kind in t.fields if kind == "num"}
    text = {f for t in stats_tables() for f, _, kind in t.fields if kind == "text"}
    assert set(limits()) & text == set()
    assert {"packetsReceived", "bytesSent", "ssrc", "fractionLost"} <= set(limits()) & numeric
    assert all(lim.min is None or lim.max is None or lim.min < lim.max for lim in limits().values())


OUT_OF_RANGE = [
    (2, "field packetsReceived is out of range: 1e+40 (it holds 0 .. 9,007,199,254,740,991) (line 2)"),
    (4, "field ssrc is out of range: 1099511627776.0 (it holds 0 .. 4,294,967,295) (line 4)"),
    (5, "field packetsReceived grows implausibly fast: 2499950 a second since the sample before (at most 10,000)"),
    (6, "field bytesReceived grows implausibly fast: "),
    (7, "field fractionLost is out of range: 3.0 (it holds 0 .. 1) (line 7)"),
    (8, "field clockRate is not a finite number: NaN (line 8)"),  # a field no table types: still checked
    (9, "field jitter is not a finite number: 1e999 (line 9)"),
]


@pytest.mark.parametrize("chunk_bytes", [None, 64], ids=["whole", "line_by_line"])
def test_numbers_checked_against_their_limits(con, ingest, monkeypatch, chunk_bytes):
    """Range, finiteness and growth per second, with the field named; a counter's growth is checked across the
    parts a file is typed in (64-byte chunks: every line is a part of its own)."""
    if chunk_bytes:
        monkeypatch.setattr(
            stats_ndjson, "iter_line_chunks", functools.partial(lines_mod.iter_line_chunks, chunk_bytes=chunk_bytes)
        )
        monkeypatch.setattr(stats_ndjson, "CHUNK_BYTES", chunk_bytes)  # the fast path's parts too
    res = ingest(DATA / "bad" / "stats_out_of_range.ndjson").files[0]
    assert (res.records, res.stored, res.rejected) == (12, 5, 7)
    got = con.execute("SELECT line, reason FROM rejects ORDER BY line").fetchall()
    assert [line for line, _ in got] == [line for line, _ in OUT_OF_RANGE]
    for (_, reason), (_, expected) in zip(got, OUT_OF_RANGE, strict=True):
        assert reason.startswith(expected), reason
    assert con.execute("SELECT max(packets_received), max(ssrc) FROM stats_inbound_rtp").fetchall() == [(450, 1111)]


def _intervals(con, stat_id):
    return con.execute(
        "SELECT seconds, gap, counter_reset, packets, packets_per_s, loss_rate, concealment_ratio, line "
        "FROM rtp_intervals WHERE stat_id = ? ORDER BY ts_end",
        [stat_id],
    ).fetchall()


def test_getstats_upload_counts_and_rejects(con, ingest):
    res = ingest(STATS / "device_getstats.ndjson").files[0]
    assert res.format == "getstats_ndjson"
    assert (res.records, res.stored, res.rejected) == (52, 49, 3)
    reasons = sorted(r[0] for r in con.execute("SELECT reason FROM rejects").fetchall())
    assert reasons == [
        'field packetsReceived is not a finite number: "lots" (line 8)',
        "not valid JSON (line 6)",
        "stats object without type (line 8)",
    ]
    # the rest of the file was read after the cut line
    assert con.execute("SELECT max(line) FROM stats_inbound_rtp").fetchall()[0][0] == 8


def test_intervals_hand_computed(con, ingest):
    ingest(STATS / "device_getstats.ndjson")
    lead_in, *rows = _intervals(con, "IT01A1111")
    # the stream's first sample opens it: what it counted before (nothing here), one polling step, no rates
    assert lead_in[:4] == (1.0, True, False, 0.0) and lead_in[4] is None
    assert rows[0] == (1.0, False, False, 50.0, 50.0, 0.0, 0.0, 2)
    # 50 packets received and 5 lost in the interval: 5 / 55; 960 of 48000 samples concealed
    assert rows[1][:5] == (1.0, False, False, 50.0, 50.0)
    assert rows[1][5] == pytest.approx(5 / 55) and rows[1][6] == pytest.approx(0.02)
    # two samples with the same timestamp: the later line (151 packets) wins
    assert rows[2][3] == 51.0 and rows[2][7] == 5
    # 17 s without a sample: a gap, no rates
    assert rows[3][:3] == (17.0, True, False) and rows[3][4] is None and rows[3][5] is None
    # packetsReceived went from 1000 to 40: the stream restarted, the interval counts 40
    assert rows[4][:5] == (1.0, False, True, 40.0, 40.0)


def test_mos_and_rtt_come_from_the_right_reports(con, ingest):
    ingest(STATS / "device_getstats.ndjson")
    out = con.execute(
        "SELECT rtt_s, jitter_s, round(mos, 3) FROM rtp_intervals WHERE stat_id = 'OT01A2222' "
        "AND NOT gap ORDER BY ts_end LIMIT 1"
    ).fetchall()[0]
    assert out[:2] == (0.08, 0.004)  # remote-inbound-rtp of ssrc 2222
    inb = con.execute("SELECT rtt_s FROM rtp_intervals WHERE stat_id = 'IT01A1111' LIMIT 1").fetchall()[0][0]
    assert inb == 0.1  # the candidate pair's currentRoundTripTime
    # d = 80/2 + 2*4 + 20 = 68 ms; R = 93.2 - 0.024*68 = 91.568; MOS = 1 + 0.035R + R(R-60)(100-R)7e-6
    r = 93.2 - 0.024 * 68
    assert out[2] == pytest.approx(1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6, abs=1e-3)


# by hand: d = rtt/2 + 2 jitter + 20 ms; R = 93.2 - Id(d) - 95 Ppl / (Ppl + 25.1)
@pytest.mark.parametrize(
    ("rtt", "jitter", "loss", "mos"),
    [
        (0.0, 0.0, 0.0, 4.40),  # d 20, R 92.72
        (0.4, 0.02, 0.0, 3.94),  # d 260 (past 177.3: +0.11 (d-177.3)), R 77.86
        (0.1, 0.01, 0.1, 3.30),  # d 90, Ie_eff 27.07, R 63.97
        (2.0, 0.1, 0.5, 1.0),  # R < 0
    ],
)
def test_emodel(con, rtt, jitter, loss, mos):
    assert con.execute("SELECT round(emodel_mos(?, ?, ?), 2)", [rtt, jitter, loss]).fetchall()[0][0] == mos


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1763662953000", T0),
        ("1763662953000000", T0),
        ("1763662953", T0),
        ("1763662953000.0", T0),
        ("2025-11-20T18:22:33Z", T0),
        ("not a time", None),
    ],
)
def test_stats_timestamp_units(con, value, expected):
    assert con.execute("SELECT stats_instant(?)", [value]).fetchall()[0][0] == expected


def test_ios_rtcstatistics_are_flattened(con, ingest):
    ingest(STATS / "ios_rtcstatistics.ndjson")
    rows = con.execute("SELECT ts, packets_received, kind, call_id_hint, pc_id FROM stats_inbound_rtp ORDER BY ts")
    assert rows.fetchall()[1] == (
        datetime(2025, 11, 20, 18, 22, 34, tzinfo=timezone.utc),
        50.0,
        "audio",
        "C-10",
        "PC-2",
    )


def test_pion_maps_are_gateway_stats(con, ingest):
    ingest(STATS / "pion_gateway.ndjson", STATS / "pion_getstats.json")
    origins = con.execute("SELECT DISTINCT origin FROM stats_inbound_rtp").fetchall()
    assert origins == [("gateway",)]
    assert con.execute("SELECT count(*) FROM stats_transport").fetchall()[0][0] == 3
    assert con.execute("SELECT type FROM stats_other").fetchall() == [("peer-connection",)]


def test_unknown_fields_stay_reachable(con, ingest):
    ingest(STATS / "pion_gateway.ndjson")
    extra = con.execute("SELECT extra ->> 'headerBytesReceived' FROM stats_inbound_rtp ORDER BY ts DESC LIMIT 1")
    assert extra.fetchall()[0][0] == "1200"


def test_webrtc_internals_series(con, ingest):
    res = ingest(STATS / "webrtc_internals.json").files[0]
    assert res.format == "webrtc_internals" and res.rejected == 0
    rows = con.execute(
        "SELECT ts, packets_received, concealed_samples FROM stats_inbound_rtp WHERE stat_id = 'IT01A1111' ORDER BY ts"
    ).fetchall()
    assert [r[1] for r in rows] == [0, 50, 100, 150, 150]
    assert rows[4][0] == datetime(2026, 11, 20, 18, 22, 37, tzinfo=timezone.utc)  # startTime + 4 s
    last = _intervals(con, "IT01A1111")[-1]
    assert last[4] == 0.0 and last[6] == 1.0  # no packets and everything concealed: audio stopped
    states = con.execute("SELECT event, state FROM pc_state_changes WHERE pc_id = '4242-1' ORDER BY ts").fetchall()
    assert states[-1] == ("iceconnectionstatechange", "disconnected")


def test_webrtc_internals_legacy_goog_stats(con, ingest):
    ingest(STATS / "webrtc_internals.json")
    legacy = con.execute(
        "SELECT packets_received, jitter_s, round(audio_level, 3) FROM stats_inbound_rtp "
        "WHERE stat_id = 'ssrc_3333_recv' ORDER BY ts"
    ).fetchall()
    assert legacy[1] == (40.0, 0.006, 0.2)  # googJitterReceived in ms, audioOutputLevel out of 32767
    rtt = con.execute(
        "SELECT current_round_trip_time_s FROM stats_candidate_pair WHERE stat_id = 'Conn-audio-1-0' ORDER BY ts"
    ).fetchall()
    assert [r[0] for r in rtt] == [0.05, 0.06, 0.07]
    when = con.execute("SELECT ts FROM pc_state_changes WHERE pc_id = '4242-2'").fetchall()[0][0]
    assert when == datetime(2026, 11, 20, 18, 22, 33, tzinfo=timezone.utc)  # "11/20/2026, 6:22:33 PM"


def test_truncated_webrtc_internals_keeps_what_precedes(con, ingest, tmp_path):
    text = (STATS / "webrtc_internals.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"CPabc-currentRoundTripTime"') + 40])
    res = ingest(cut).files[0]
    assert res.rejected == 1
    assert con.execute("SELECT reason FROM rejects").fetchall()[0][0].startswith("dump is not complete JSON")
    assert con.execute("SELECT count(*) FROM stats_inbound_rtp").fetchall()[0][0] == 5


def test_rtcstats_delta_decompression(con, ingest):
    res = ingest(STATS / "rtcstats_dump.jsonl").files[0]
    assert (res.format, res.rejected) == ("rtcstats", 1)
    out = con.execute("SELECT line, packets_sent, ssrc FROM stats_outbound_rtp ORDER BY line").fetchall()
    # line 6 left the unchanged outbound object out: it is carried with its previous values
    assert out == [(5, 0.0, 2222), (6, 0.0, 2222), (7, 50.0, 2222)]
    inb = con.execute("SELECT line, packets_received, packets_lost, kind FROM stats_inbound_rtp ORDER BY line")
    assert inb.fetchall() == [(5, 0.0, 0.0, "audio"), (6, 50.0, 0.0, "audio"), (7, 100.0, 3.0, "audio")]
    states = con.execute("SELECT event, state FROM pc_state_changes ORDER BY line").fetchall()
    # the ICE states, and the app closing the connection (a `close` entry)
    assert [s[1] for s in states] == ["checking", "connected", "disconnected", "closed"]
    assert states[-1][0] == "close"
    assert con.execute("SELECT line, reason FROM rejects").fetchall() == [(8, "not valid JSON (line 8)")]


def test_stats_counts_add_up(con, ingest):
    ingest(STATS)
    bad = con.execute("SELECT path FROM sources WHERE records <> stored + ignored + rejected").fetchall()
    assert bad == []


def _refresh(con):
    from analyzer.detect.rules import load_rules
    from analyzer.pipeline import refresh

    refresh(con, load_rules(), use_model=False)


def test_app_upload_states_come_from_the_transport(con, ingest):
    # an app's getStats upload has no state events: the transport's iceState, where it changes, stands in
    ingest(STATS / "app_upload_drop.ndjson", STATS / "gateway_drop.ndjson")
    _refresh(con)
    states = con.execute(
        "SELECT state, strftime(ts, '%H:%M:%S') FROM call_pc_states WHERE pc_id = 'PC-C-drop' ORDER BY ts"
    ).fetchall()
    assert states == [("connected", "09:00:01"), ("disconnected", "09:00:10"), ("connected", "09:00:18")]
    found = dict(con.execute("SELECT rule_id, detail FROM findings").fetchall())
    assert "8.0 s" in found.pop("network.connection_recovered")
    # the placeholder receiver (ssrc 3333, never a packet) is not one-way audio although the gateway sent on 1111
    assert found == {}
    facts = con.execute(
        "SELECT pc_id, ever_connected, connection_failed, ice_reconnects FROM connection_facts "
        "WHERE origin = 'device' ORDER BY pc_id"
    ).fetchall()
    # the data-only connection is a connection of the call, with no audio to judge
    assert facts == [("PC-C-drop", True, False, 1), ("PC-C-drop-data", True, False, 0)]
    streams = con.execute("SELECT pc_id FROM call_streams WHERE call_id = 'C-drop' ORDER BY pc_id").fetchall()
    assert ("PC-C-drop-data",) in streams


def test_app_upload_failed_connection(con, ingest):
    ingest(STATS / "app_upload_failed.ndjson")
    _refresh(con)
    found = dict(con.execute("SELECT rule_id, detail FROM findings").fetchall())
    assert "PC-C-fail failed after 33.0 s connected" in found["network.connection_failed"]
    assert "network.connection_recovered" not in found


def _stored_tables(path, fast: bool, monkeypatch) -> dict[str, list]:
    """Every stats table, the intervals and the rejects of one file ingested into a fresh store."""
    from analyzer.store.db import connect
    from analyzer.store.ingest import ingest_paths

    with monkeypatch.context() as m:
        # a fixed end of the plausible window: the rejects name it, and two ingests may straddle a minute
        m.setenv("ANALYZER_LATEST", "2030-01-01T00:00:00Z")
        if not fast:
            m.setattr(stats_ndjson.StatsNdjson, "read_part", lambda self, con, path: None)
        con = connect(":memory:")
        res = ingest_paths(con, [str(path)]).files[0]
        tables = [t.name for t in stats_tables()] + ["stats_other", "rtp_intervals", "rejects", "pc_state_changes"]
        out = {"counts": [(res.lines, res.records, res.stored, res.rejected, res.meta_lines)]}
        for table in tables:
            out[table] = sorted(map(repr, con.execute(f"SELECT * EXCLUDE (source_id) FROM {table}").fetchall()))
        con.close()
    return out


FAST_INPUTS = [
    STATS / "device_getstats.ndjson",  # a broken line: the line reader takes it either way
    STATS / "app_upload_drop.ndjson",
    STATS / "gateway_drop.ndjson",
    STATS / "pion_gateway.ndjson",
    STATS / "ios_rtcstatistics.ndjson",
    DATA / "bad" / "stats_out_of_range.ndjson",
    DATA / "bad" / "non_finite.ndjson",
    DATA / "bad" / "negative_counters.ndjson",
    DATA / "bad" / "duplicate_stat_ids.ndjson",
    DATA / "bad" / "stats_year_10000.ndjson",
    DATA / "stats" / "fast_path_shapes.ndjson",
    DATA / "stats" / "fast_path_typed.ndjson",  # the typed read's edge cases: wrong types, aliases, values, extras
]
# the files whose every line is a wrapper with a non-empty `stats` list: the fast path's typed read takes them
TYPED_READ = {
    "app_upload_drop.ndjson",
    "stats_out_of_range.ndjson",
    "non_finite.ndjson",
    "negative_counters.ndjson",
    "duplicate_stat_ids.ndjson",
    "fast_path_typed.ndjson",
}


@pytest.mark.parametrize("path", FAST_INPUTS, ids=lambda p: p.name)
def test_fast_path_stores_what_the_line_reader_stores(path, monkeypatch):
    """A clean getStats file read whole by DuckDB's JSON reader gives the same counts, typed rows, intervals and
    rejects as the line-by-line path."""
    fast = _stored_tables(path, True, monkeypatch)
    assert fast == _stored_tables(path, False, monkeypatch)
    assert fast["counts"][0][1] > 0
    assert fast["stats_inbound_rtp"] or fast["stats_other"]


def test_fast_path_is_taken_only_for_a_clean_file(con, tmp_path):
    """Only a clean part of wrapper lines with `stats` lists is read by DuckDB's reader (bare or iOS maps, a
    `report` key, an empty list or a damaged line take the line reader)."""
    for path in FAST_INPUTS:
        expected = path.read_text().count("\n") if path.name in TYPED_READ else None
        assert stats_ndjson.FORMAT.read_part(con, path) == expected, path.name
    clean = STATS / "app_upload_drop.ndjson"
    lines = clean.read_text().count("\n")
    damaged = tmp_path / "damaged.ndjson"
    text = clean.read_text().splitlines()
    damaged.write_text("\n".join([*text[:2], '{"timestamp": 1, "stats": [', *text[2:]]) + "\n")
    assert stats_ndjson.FORMAT.read_part(con, damaged) is None
    blank = tmp_path / "blank.ndjson"
    blank.write_text("\n".join([*text[:2], "", *text[2:]]) + "\n")
    assert stats_ndjson.FORMAT.read_part(con, blank) == lines  # one short: not taken


def test_damaged_file_rejects_exactly_its_bad_lines(con, ingest, tmp_path):
    text = (STATS / "app_upload_drop.ndjson").read_text().splitlines()
    damaged = tmp_path / "damaged.ndjson"
    damaged.write_text("\n".join([*text[:2], '{"timestamp": 1, "stats": [', *text[2:]]) + "\n")
    clean = ingest(STATS / "app_upload_drop.ndjson").files[0]
    res = ingest(damaged).files[0]
    assert (res.records, res.stored, res.rejected) == (clean.records + 1, clean.stored, clean.rejected + 1)
    got = con.execute("SELECT line, reason FROM rejects WHERE source_id = $s", {"s": res.source_id}).fetchall()
    assert (3, "not valid JSON (line 3)") in got


def test_intervals_in_buckets_are_the_whole_file_intervals(monkeypatch):
    """The interval series derived a few streams at a time (bounded memory) is the one derived over the whole file:
    every window it takes is within one stream."""
    from analyzer.normalise import stats

    paths = [STATS / "app_upload_drop.ndjson", STATS / "gateway_drop.ndjson", DATA / "stats" / "fast_path_typed.ndjson"]
    whole = [_stored_tables(p, True, monkeypatch)["rtp_intervals"] for p in paths]
    monkeypatch.setattr(stats, "_SAMPLES_PER_BUCKET", 3)
    monkeypatch.setattr(stats, "_BUCKETS_PER_ROUND", 2)  # the inputs staged a few buckets at a time
    assert [_stored_tables(p, True, monkeypatch)["rtp_intervals"] for p in paths] == whole
    assert all(whole)


def test_intervals_in_buckets_share_their_streams_reports(monkeypatch):
    """A stream renamed mid-call (a new stat id, the same ssrc) is two streams, which may fall in two buckets: each
    takes its RTT from the same remote-inbound-rtp reports, as over the whole file."""
    from analyzer.normalise import stats
    from analyzer.store.db import connect
    from analyzer.store.ingest import ingest_paths

    path = STATS / "renamed_stream.ndjson"  # outbound stat id OT-A for 5 s, then OT-B, ssrc 2222 throughout
    whole = _stored_tables(path, True, monkeypatch)["rtp_intervals"]
    monkeypatch.setattr(stats, "_SAMPLES_PER_BUCKET", 3)
    monkeypatch.setattr(stats, "_BUCKETS_PER_ROUND", 1)  # and each bucket's inputs staged on their own
    assert _stored_tables(path, True, monkeypatch)["rtp_intervals"] == whole
    con = connect(":memory:")
    ingest_paths(con, [str(path)])
    got = con.execute("SELECT count(DISTINCT stat_id), count(*), count(rtt_s) FROM rtp_intervals").fetchall()
    assert got == [(2, 10, 10)]  # every interval of both streams has the reports' RTT


def test_typed_read_rejects_what_the_json_checks_reject(con, ingest):
    """The typed read's edge cases get the rejects and typed values the JSON checks gave before it (a boolean, a
    string or an object in a numeric field is not a number; a number as a string is; 1e999 anywhere is not finite;
    unknown keys stay in `extra`)."""
    res = ingest(STATS / "fast_path_typed.ndjson").files[0]
    assert (res.records, res.stored, res.rejected) == (21, 9, 12)
    got = [
        (line, reason.split(" (line")[0]) for line, reason in con.execute("SELECT line, reason FROM rejects").fetchall()
    ]
    assert sorted(got)[:11] == [
        (1, "stats entry is not an object"),
        (3, 'field bytesReceived is not a finite number: "abc"'),
        (3, "field fractionLost is out of range: 2.0 (it holds 0 .. 1)"),
        (3, "field jitter is not a finite number: {}"),
        (3, "field packetsReceived is not a finite number: true"),
        (3, "stats object without id"),
        (3, "stats object without type"),
        (4, "field bytesReceived is a negative counter: -3"),
        (4, "field bytesSent is not a finite number: 1e999"),
        (4, "field note is not a finite number: 1e999"),
        (5, "field packetsReceived grows implausibly fast: 25000000 a second since the sample before (at most 10,000)"),
    ]
    inbound = con.execute("SELECT extra, ssrc, packets_lost FROM stats_inbound_rtp ORDER BY line, stat_id").fetchall()
    assert inbound[:2] == [('{"foo":{"bar":[1,2]},"mid":null}', 1111, 0.0), (None, 1111, 1.0)]
    pair = con.execute("SELECT nominated, local_candidate_id FROM stats_candidate_pair").fetchall()
    assert pair == [("true", '["x"]')]
