"""Triage as a user runs it (`python -m analyzer` from this checkout, so a console script installed from
another checkout is never the one tested) on each sample ticket, exit codes, the markdown
that goes into a ticket (golden file), redaction and escaping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
GOLDEN = Path(__file__).parent / "golden"


def triage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", "triage", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize(
    ("ticket", "verdict", "cause", "code"),
    [
        ("healthy-call", "healthy", None, 0),
        ("phone-call-audio-never-returns", "failed", "unrecovered_interruption", 1),
        ("airpods-a2dp-phone-mic", "failed", "bluetooth_routing", 1),
        ("wrong-category", "failed", "misconfiguration", 1),
        ("bluetooth-flapping", "failed", "bluetooth_routing", 1),
        ("network-only-failure", "failed", "network", 1),
    ],
)
def test_sample_tickets(ticket, verdict, cause, code):
    out = triage(f"sample_logs/{ticket}", "--format", "json")
    assert out.returncode == code, out.stderr
    report = json.loads(out.stdout)
    assert [(c["verdict"], c["cause"]) for c in report["calls"]] == [(verdict, cause)]
    assert report["errors"] == []


def test_markdown_golden():
    out = triage("sample_logs/phone-call-audio-never-returns", "--format", "markdown")
    assert out.returncode == 1
    assert out.stdout == (GOLDEN / "triage_phone_call.md").read_text()


def test_terminal_output_has_the_essentials():
    out = triage("sample_logs/wrong-category")
    assert out.returncode == 1
    for text in (
        "verdict failed: misconfiguration",
        "CRITICAL",
        "category playback while the call is live",
        "device_log.ndjson:",
        "fix:",
        "setCategory(.playAndRecord",
        "timeline",
        "what was read",
    ):
        assert text in out.stdout


def test_call_and_severity_filters():
    out = triage("sample_logs/airpods-a2dp-phone-mic", "--format", "json", "--min-severity", "critical")
    report = json.loads(out.stdout)
    assert report["calls"][0]["findings"] == [] and report["calls"][0]["verdict"] == "failed"
    out = triage("sample_logs/airpods-a2dp-phone-mic", "--format", "json", "--call", "C-nope")
    assert out.returncode == 2 and "no call 'C-nope'" in out.stdout


def test_bad_input_exits_2():
    out = triage("does/not/exist")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    out = triage("sample_logs/healthy-call", "--format", "yaml")
    assert out.returncode == 2 and "--format" in out.stderr


PLANTED = ["jane.doe@example.com", "555-0142", "10.20.30.40", "Jane", "80:82:23:8E:0B:B4"]


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_redact_removes_planted_personal_data(fmt):
    ticket = str(DATA / "triage" / "pii_ticket.ndjson")
    plain = triage(ticket, "--format", fmt, "--min-severity", "info")
    assert any(p in plain.stdout for p in PLANTED)  # the data is there without --redact
    red = triage(ticket, "--format", fmt, "--redact")
    assert red.returncode == 1
    leaked = [p for p in PLANTED if p in red.stdout]
    assert leaked == []


def test_redact_gives_a_value_one_token_across_calls():
    """The second call quotes a new number and address before the first call's: one report, one token per value
    (a redactor per call would number them afresh and give the first call's values other tokens)."""
    import re

    out = triage(str(DATA / "triage" / "pii_two_calls.ndjson"), "--format", "json", "--redact")
    calls = {c["call_id"]: c for c in json.loads(out.stdout)["calls"]}
    assert set(calls) == {"C-pii", "C-pii2"}

    def configure_line(call: dict) -> str:
        texts = [e["text"] for f in call["findings"] for e in f["evidence"] if "session.configure" in e["text"]]
        assert texts, call["call_id"]
        return texts[0]

    first, second = configure_line(calls["C-pii"]), configure_line(calls["C-pii2"])
    assert not re.search(r"555-01|10\.20\.30|10\.9\.9", first + second)
    phone, ip = re.search(r"patient (<phone-\d+>) at (<ip-\d+>)", first).groups()
    new_phone, old_phone, new_ip, old_ip = re.search(
        r"patient (<phone-\d+>) then (<phone-\d+>) at (<ip-\d+>) then (<ip-\d+>)", second
    ).groups()
    assert (old_phone, old_ip) == (phone, ip)
    assert new_phone != phone and new_ip != ip


def test_markdown_escapes_log_text():
    """Log text is either HTML-escaped or inside a code span (which markdown renders literally)."""
    import re

    out = triage(str(DATA / "triage" / "pii_ticket.ndjson"), "--format", "markdown").stdout
    outside_code = re.sub(r"(`+) .*? \1", "", out)
    assert "<script>" not in outside_code
    assert "<script>" in out  # it is shown, as text, in the evidence line's code span
    # a table cell or paragraph carrying log text cannot open HTML or break the table
    from analyzer.render.escape import md

    assert md("<b>x</b> | y") == "&lt;b&gt;x&lt;/b&gt; \\| y"
