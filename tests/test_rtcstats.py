"""rtcstats dumps in every vintage: real rtcstats-server dumps (jitsi lines, legacy goog stats, Firefox), rtcstats-js
fileFormat 3 with compressed reports, and Chrome's own webrtc-internals export; per-connection facts against the
values rtcstats-server's own test suite expects for the same dumps (tests/data/stats/SOURCES.md)."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone

import pytest

from analyzer.detect.rules import load_rules
from analyzer.pipeline import refresh
from tests.conftest import DATA

STATS = DATA / "stats"
RULES = DATA.parent / "rules"


def _analyse(con, ingest, path):
    res = ingest(path).files[0]
    refresh(con, load_rules(), use_model=False)
    return res


def _facts(con) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT pc_id, connection_failed, ice_reconnects, session_duration_ms, ever_connected, last_state "
        "FROM connection_facts"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _track(con, pc_id, side, direction, ssrc):
    rows = con.execute(
        "SELECT packets, packets_lost FROM track_facts WHERE pc_id = ? AND side = ? AND direction = ? AND ssrc = ?",
        [pc_id, side, direction, ssrc],
    ).fetchall()
    assert len(rows) == 1, (pc_id, side, direction, ssrc, rows)
    return rows[0]


def _series_sum_to_counters(con):
    """Every stream's interval packets add up to its last counter: nothing is lost between samples."""
    return con.execute(
        "SELECT stat_id, sum(packets), max(counter) FROM rtp_intervals WHERE NOT counter_reset "
        "GROUP BY source_id, pc_id, stat_id HAVING abs(sum(packets) - max(counter)) > 1e-6"
    ).fetchall()


def test_reconnecting_chrome_dump_matches_the_peer(con, ingest):
    dump = RULES / "network.connection_recovered/positive/chrome-standard-pc-reconnect.rtcstats.gz"
    res = _analyse(con, ingest, dump)
    assert res.format == "rtcstats" and res.rejected == 0 and res.records == res.stored + res.ignored
    facts = _facts(con)
    # rtcstats-server expects: PC_0 failed with 2 ICE reconnects; PC_1 and PC_2 failed and never connected
    assert facts["PC_0"][:2] == (True, 2) and facts["PC_0"][3:] == (True, "failed")
    assert facts["PC_1"] == (True, 0, 0, False, "failed") and facts["PC_2"] == facts["PC_1"]
    # three overlapping connections of one page: one session
    assert con.execute("SELECT call_id, evidence_kind FROM calls").fetchall() == [("session:1.0", "peer_connection")]
    assert _series_sum_to_counters(con) == []


def test_firefox_dump_matches_the_peer(con, ingest):
    _analyse(con, ingest, STATS / "firefox97-standard-stats-sfu.rtcstats.gz")
    # rtcstats-server expects pcSessionDurationMs 70587, no failure, and 3366 packets on audio receiver 2555995057
    assert _facts(con)["PC_0"][:4] == (False, 0, 70587, True)
    assert _track(con, "PC_0", "local", "receiver", 2555995057) == (3366, 0)
    closed = con.execute("SELECT closed_by_app FROM connection_facts").fetchall()
    assert closed == [(True,)]  # the dump's `close` entry
    assert _series_sum_to_counters(con) == []


def test_legacy_goog_dump_is_read_as_w3c(con, ingest):
    path = STATS / "google-legacy-screenshare-p2p.rtcstats.gz"
    _analyse(con, ingest, path)
    # the oracle: the last packetsSent the dump itself reports for that send ssrc
    sent = 0
    with gzip.open(path, "rt") as f:
        for line in f:
            entry = json.loads(line)
            if isinstance(entry[2], dict) and isinstance(entry[2].get("ssrc_883876235_send"), dict):
                sent = max(sent, int(entry[2]["ssrc_883876235_send"].get("packetsSent", 0)))
    assert sent > 0
    assert _track(con, "PC_0", "local", "sender", 883876235) == (sent, 0)
    # googRtt is in milliseconds, the store in seconds
    rtt = con.execute("SELECT mean_rtt_s FROM connection_facts").fetchall()[0][0]
    assert 0.05 < rtt < 1.0
    kinds = con.execute("SELECT DISTINCT kind FROM stats_outbound_rtp ORDER BY 1").fetchall()
    assert kinds == [("audio",), ("video",)]


def test_rtcstats_js_compressed_reports(con, ingest):
    res = _analyse(con, ingest, STATS / "rtcstats_v4_compressed.rtcstats")
    assert (res.format, res.rejected) == ("rtcstats", 0)
    t0 = datetime(2026, 11, 21, 10, 0, 0, 400000, tzinfo=timezone.utc)  # the running sum of the line deltas
    inb = con.execute("SELECT ts, packets_received, packets_lost, jitter_s FROM stats_inbound_rtp ORDER BY ts")
    inb = inb.fetchall()
    assert inb[0][0] == t0
    # numeric property codes decoded; a property left out is unchanged
    assert [r[1:] for r in inb] == [(50, 0, 0.01), (100, 0, 0.012), (150, 3, 0.012)]
    # the outbound object is removed (null) in the third report
    sent = con.execute("SELECT packets_sent FROM stats_outbound_rtp ORDER BY ts").fetchall()
    assert [r[0] for r in sent] == [50, 100]
    # the candidate pair is carried unchanged into reports that leave it out
    rtt = con.execute("SELECT current_round_trip_time_s FROM stats_candidate_pair ORDER BY ts").fetchall()
    assert [r[0] for r in rtt] == [0.04, 0.05, 0.05]
    # an object with its own timestamp keeps it
    remote = con.execute("SELECT ts FROM stats_other WHERE type = 'remote-outbound-rtp'").fetchall()
    assert remote == [(datetime(2026, 11, 21, 10, 0, 2, 100000, tzinfo=timezone.utc),)]
    states = con.execute("SELECT state FROM pc_states ORDER BY ts").fetchall()
    assert [s[0] for s in states] == ["connecting", "connected", "disconnected", "connected", "closed"]
    facts = con.execute("SELECT ice_reconnects, uses_relay, remote_type, closed_by_app FROM connection_facts")
    facts = facts.fetchall()
    assert facts == [(1, True, "relay", True)]
    found = con.execute("SELECT rule_id FROM findings").fetchall()
    assert found == [("network.connection_recovered",)]


def test_chrome_webrtc_internals_export(con, ingest):
    res = _analyse(con, ingest, STATS / "chrome_rtcstats_export.txt")
    assert (res.format, res.rejected) == ("rtcstats", 0)
    # float deltas summed from the page-level first line; states written as JSON strings lose their quotes
    states = con.execute("SELECT event, state, ts FROM pc_state_changes ORDER BY ts").fetchall()
    assert [s[1] for s in states] == ["have-local-offer", "checking", "connecting", "connected", "connected", "failed"]
    assert states[1][2] == datetime(2026, 11, 21, 10, 1, 40, 205500, tzinfo=timezone.utc)
    # webrtc-internals' derived "[...]" keys are not stats
    extras = con.execute("SELECT extra FROM stats_inbound_rtp UNION ALL SELECT extra FROM stats_outbound_rtp")
    extras = extras.fetchall()
    assert all(e[0] is None or "[" not in e[0] for e in extras)
    assert _track(con, "31-1", "local", "receiver", 1111) == (105, 2)
    assert _facts(con)["31-1"][0] is True
    detail = con.execute("SELECT detail FROM findings WHERE rule_id = 'network.connection_failed'").fetchall()
    assert detail and "failed after 3.0 s connected" in detail[0][0]


@pytest.mark.parametrize("name", ["rtcstats_v4_compressed.rtcstats", "chrome_rtcstats_export.txt"])
def test_counts_add_up(con, ingest, name):
    ingest(STATS / name)
    bad = con.execute("SELECT path FROM sources WHERE records <> stored + ignored + rejected").fetchall()
    assert bad == []
