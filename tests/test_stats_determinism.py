"""The same stats file stored twice gives the same rows, whatever the threads did (issue #18)."""

from __future__ import annotations

import pytest

from analyzer.normalise.stats import stats_tables
from analyzer.store.db import connect
from analyzer.store.ingest import ingest_paths
from tests.conftest import DATA

STATS = DATA / "stats"


def _stored(path, threads: int) -> dict[str, list]:
    """Every stats table and the intervals of one file in a fresh store read with `threads` DuckDB threads."""
    con = connect(":memory:")
    con.execute(f"SET threads = {threads}")
    ingest_paths(con, [str(path)])
    tables = [t.name for t in stats_tables()] + ["stats_other", "rtp_intervals"]
    out = {t: con.execute(f"SELECT * EXCLUDE (source_id) FROM {t} ORDER BY ALL").fetchall() for t in tables}
    con.close()
    return out


@pytest.mark.parametrize(
    "name", ["firefox97-standard-stats-sfu.rtcstats.gz", "google-legacy-screenshare-p2p.rtcstats.gz"]
)
def test_rtcstats_objects_have_the_same_text_every_run(name):
    """An rtcstats object rebuilt from its deltas lists its keys in one order (its text, `extra` and stats_other's
    object, was the order threads grouped the keys in)."""
    one = _stored(STATS / name, 1)
    assert one == _stored(STATS / name, 4)
    assert one["stats_other"]


def test_tied_reports_give_one_rtt():
    """Two remote reports of a stream (or two nominated pairs) at one instant: the interval takes the later line's,
    then the greater stat id's, every run."""
    con = connect(":memory:")
    ingest_paths(con, [str(STATS / "tied_reports.ndjson")])
    got = con.execute(
        "SELECT direction, list(DISTINCT rtt_s), list(DISTINCT loss_rate) FILTER (WHERE NOT gap) "
        "FROM rtp_intervals GROUP BY direction ORDER BY direction"
    ).fetchall()
    con.close()
    # outbound: the remote report RIB2222 (RTT 0.4, 2% lost); inbound: no remote report, the pair CP02 (0.3)
    assert got == [("inbound", [0.3], [0.0]), ("outbound", [0.4], [0.02])]
    assert _stored(STATS / "tied_reports.ndjson", 1) == _stored(STATS / "tied_reports.ndjson", 4)
