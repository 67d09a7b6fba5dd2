"""The simulator: deterministic, labelled, and in the real formats (no private dialect)."""

from __future__ import annotations

import csv
import hashlib
import random
from datetime import datetime, timezone

import pytest

from analyzer.calls.sessionise import sessionise
from analyzer.simulator.faults import DEFAULT_MIX, FAULTS, fault, faults_for, parse_mix
from analyzer.simulator.fleet import FleetOptions, simulate, write_tickets
from analyzer.simulator.timeline import describe, plan_call
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


def _plan(faults, seed="registry"):
    start = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    return plan_call(random.Random(seed), "C-1", start, "x", faults, [], duration=120)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_registered_fault_plans_a_call_that_names_it(name):
    healthy, plan = _plan([]), _plan([name])
    assert plan.faults == [name]
    assert describe(plan) == FAULTS[name].what
    # the fault's function ran: the same seed without it plans another call
    assert (plan.events, plan.media, plan.duration, plan.ended) != (
        healthy.events,
        healthy.media,
        healthy.duration,
        healthy.ended,
    )
    times = [t for t, _, _ in plan.events]
    assert times == sorted(times) and plan.events[0][1] == "call_start"


def test_registry_and_fault_classes_agree():
    failure_classes = [c for c in DEFAULT_MIX if c not in ("healthy", "combination")]
    assert {f.label for f in FAULTS.values()} == set(failure_classes)
    assert sorted(n for c in failure_classes for n in faults_for(c)) == sorted(FAULTS)
    assert all(f.what and f.stage in ("setup", "call") for f in FAULTS.values())


def test_a_new_fault_is_one_registered_function():
    @fault("test_mic_muted", "misconfiguration", "the app mutes the mic")
    def _muted(d):
        d.media.mic_level = [0.0] * d.duration

    try:
        assert "test_mic_muted" in faults_for("misconfiguration")
        plan = _plan(["test_mic_muted"])
        assert set(plan.media.mic_level) == {0.0}
        assert describe(plan) == "the app mutes the mic"
        with pytest.raises(ValueError, match="registered twice"):
            fault("test_mic_muted", "misconfiguration", "again")(_muted)
        with pytest.raises(ValueError, match="not a failure class"):
            fault("test_other", "healthy", "no")(_muted)
    finally:
        FAULTS.pop("test_mic_muted", None)
    assert "test_mic_muted" not in faults_for("misconfiguration")


def test_setup_faults_act_before_the_call_connects():
    failed = _plan(["activation_failed"])
    kinds = [k for _, k, _ in failed.events]
    assert "activate_failed" in kinds and "activate" not in kinds
    assert failed.duration <= 25 and len(failed.media.mic_level) == failed.duration
    configure = next(a for _, k, a in _plan(["a2dp_with_builtin_mic", "mix_with_others"]).events if k == "configure")
    assert configure["options"] == "allowBluetoothA2DP,duckOthers"
