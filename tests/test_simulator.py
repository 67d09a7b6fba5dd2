"""The simulator: deterministic, labelled, and in the real formats (no private dialect)."""

from __future__ import annotations

import csv
import hashlib

import pytest

from analyzer.calls.sessionise import sessionise
from analyzer.simulator.faults import FAULTS, parse_mix
from analyzer.simulator.fleet import FleetOptions, simulate, write_tickets
from tests.conftest import LOGS


def _labels(folder):
    return list(csv.DictReader((folder / "labels.csv").read_text().splitlines()))


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("fleet")
    simulate(out, FleetOptions(calls=24, seed=5, calls_per_device=6, noise_per_minute=120))
    return out


def test_same_seed_same_files(fleet, tmp_path):
    again = tmp_path / "again"
    simulate(again, FleetOptions(calls=24, seed=5, calls_per_device=6, noise_per_minute=120))
    assert _digest(again) == _digest(fleet)
    other = tmp_path / "other"
    simulate(other, FleetOptions(calls=24, seed=6, calls_per_device=6, noise_per_minute=120))
    assert _digest(other) != _digest(fleet)


def test_labels_match_faults(fleet):
    rows = _labels(fleet)
    assert len(rows) == 24
    for r in rows:
        if r["faults"]:
            assert r["label"] == FAULTS[r["faults"].split("+")[0]][0]
        else:
            assert r["label"] == "healthy"


def test_fault_mix_is_honoured(tmp_path):
    simulate(tmp_path, FleetOptions(calls=30, seed=2, mix=parse_mix("network=1"), noise_per_minute=0))
    labels = {r["label"] for r in _labels(tmp_path)}
    assert labels == {"network"}
    with pytest.raises(ValueError, match="unknown class 'loud'"):
        parse_mix("loud=1")


def test_fleet_parses_like_the_real_formats(con, ingest, fleet):
    summary = ingest(fleet)
    formats = {f.format for f in summary.files if f.status == "ingested"}
    assert formats == {"oslog_ndjson", "text", "getstats_ndjson"}
    texts = [f for f in summary.files if f.format == "text" and f.status == "ingested"]
    assert texts and {f.layouts.split()[0] for f in texts} == {"oslog_default"}
    assert sum(f.rejected for f in summary.files) == 0
    # the simulated log records have exactly the columns the real samples fill
    sim = con.execute(
        "SELECT count(*) FILTER (WHERE subsystem IS NULL OR category IS NULL OR pid IS NULL "
        "OR ts IS NULL OR utc_offset_min IS NULL) FROM log_records"
    ).fetchall()[0][0]
    assert sim == 0
    # every audio line the simulator writes is one the catalogue knows from a real example
    unrecognised = con.execute(
        "SELECT count(*) FROM log_records r WHERE NOT EXISTS "
        "(SELECT 1 FROM session_events e WHERE e.record_id = r.record_id)"
    ).fetchall()[0][0]
    assert unrecognised == 0


def test_simulated_event_kinds_are_real_event_kinds(tmp_path, fleet):
    """Same columns, and only event kinds and patterns that real lines (the samples and the catalogue's real
    example lines) also produce."""
    from analyzer.normalise.patterns import catalogue
    from analyzer.store.db import connect
    from analyzer.store.ingest import ingest_paths
    from tests.test_patterns import _ndjson_line

    examples = tmp_path / "examples.ndjson"
    examples.write_text("\n".join(_ndjson_line(i, p.example) for i, p in enumerate(catalogue().patterns)) + "\n")
    real = connect(":memory:")
    ingest_paths(real, [str(LOGS), str(examples)])
    sim = connect(":memory:")
    ingest_paths(sim, [str(fleet)])
    for q in ("SELECT DISTINCT kind FROM session_events", "SELECT DISTINCT pattern_id FROM session_events"):
        assert {r[0] for r in sim.execute(q).fetchall()} <= {r[0] for r in real.execute(q).fetchall()}
    cols = "SELECT table_name, column_name FROM information_schema.columns ORDER BY ALL"
    assert sim.execute(cols).fetchall() == real.execute(cols).fetchall()


def test_calls_and_clock_offsets_recovered(con, ingest, fleet):
    ingest(fleet)
    sessionise(con)
    labels = {r["call_id"]: r for r in _labels(fleet)}
    calls = {r[0]: r[1:] for r in con.execute("SELECT call_id, alignment, gateway_offset_s FROM calls").fetchall()}
    assert set(labels) <= set(calls)
    aligned = [c for c, (a, _) in calls.items() if a == "aligned"]
    assert len(aligned) >= 0.8 * len(labels)
    # the estimate is the true offset plus the 40 ms network delay the simulator puts on each packet
    errors = [abs(calls[c][1] - float(labels[c]["gateway_offset_s"]) - 0.04) for c in aligned]
    assert max(errors) < 0.1


def test_sample_tickets(tmp_path):
    names = write_tickets(tmp_path)
    assert len(names) == 6
    for name in names:
        folder = tmp_path / name
        assert sorted(p.name for p in folder.iterdir()) == [
            "README.md",
            "app_stats.ndjson",
            "device_log.ndjson",
            "gateway_stats.ndjson",
        ]
        assert "Synthetic" in (folder / "README.md").read_text()
