"""The pattern catalogue: every example line is recognised by its own pattern, through the real pipeline."""

from __future__ import annotations

import json

import pytest

from analyzer.normalise.patterns import CatalogueError, catalogue


def _ndjson_line(i: int, message: str) -> str:
    return json.dumps(
        {
            "eventMessage": message,
            "timestamp": f"2026-11-20 10:00:{i % 60:02d}.000000-0800",
            "processImagePath": "/private/var/containers/Bundle/Application/X/VoiceAgent.app/VoiceAgent",
            "processID": 1440,
            "messageType": "Default",
            "subsystem": "com.example.voiceagent",
            "category": "CallAudio",
        }
    )


def test_every_example_is_recognised_by_its_own_pattern(con, ingest, tmp_path):
    """Every example (the pattern's own and its further real lines) is typed by that pattern, not an earlier one."""
    cases = [(p.id, line) for p in catalogue().patterns for line in p.all_examples]
    path = tmp_path / "examples.ndjson"
    path.write_text("\n".join(_ndjson_line(i, line) for i, (_, line) in enumerate(cases)) + "\n")
    summary = ingest(path)
    assert summary.files[0].rejected == 0
    got = dict(con.execute("SELECT line_start, pattern_id FROM session_events").fetchall())
    wrong = {f"{pid}: {line[:60]}": got.get(i + 1) for i, (pid, line) in enumerate(cases) if got.get(i + 1) != pid}
    assert wrong == {}


def test_patterns_cover_every_producer_and_the_key_kinds():
    pats = catalogue().patterns
    assert {p.producer for p in pats} == {
        "contract",
        "webrtc",
        "apple_client",
        "apple_server",
        "telephony",
        "app_logger",
    }
    kinds = {p.kind for p in pats}
    for k in (
        "category_set",
        "mode_set",
        "options_set",
        "activation",
        "interruption_began",
        "interruption_ended",
        "route_change",
        "media_services_lost",
        "media_services_reset",
        "format_change",
        "error",
    ):
        assert k in kinds


def test_unrelated_lines_make_no_event(con, ingest, tmp_path):
    path = tmp_path / "noise.ndjson"
    lines = [
        "Audio session for Music app is fine",
        "callaudio v=2 event=call.start",
        "interruption of service",
    ]
    path.write_text("\n".join(_ndjson_line(i, m) for i, m in enumerate(lines)) + "\n")
    ingest(path)
    assert con.execute("SELECT count(*) FROM session_events").fetchone()[0] == 0


def test_malformed_catalogue_names_pattern_and_field(monkeypatch, tmp_path):
    import analyzer.normalise.patterns as mod

    bad = tmp_path / "bad.toml"
    bad.write_text(
        'relevance = ["x"]\n[[pattern]]\nid = "p1"\nproducer = "webrtc"\nkind = "nonsense"\n'
        'regex = "a"\nexample = "a"\n'
    )
    monkeypatch.setattr(mod, "_CATALOGUE", bad)
    mod.catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="pattern p1: unknown kind 'nonsense'"):
            mod.catalogue()
    finally:
        mod.catalogue.cache_clear()


def test_catalogue_header_lists_the_fields():
    """The catalogue's own comment names exactly the fields a pattern may fill (it went stale once)."""
    import re

    import analyzer.normalise.patterns as mod

    text = mod._CATALOGUE.read_text(encoding="utf-8")
    listed = re.search(r"^# Fields \(.*?\): (.*?)\.\n\n", text, re.S | re.M).group(1)
    assert tuple(f.strip() for f in listed.replace("\n#", " ").split(",")) == mod.FIELDS
