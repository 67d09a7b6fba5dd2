"""The batch report and the dashboard: files written, idempotent, log text escaped, and (in a real browser,
Debian's chromium driven by Playwright) no console errors, charts drawn, a call's timeline on click."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def run(*args):
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("store") / "fleet.duckdb"
    out = run("ingest", "sample_logs", str(DATA / "triage" / "pii_ticket.ndjson"), "--db", str(db), "-q")
    assert out.returncode == 0, out.stderr
    return db


def test_report_files_and_idempotence(store, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("report", "--db", str(store), "--out", str(a)).returncode == 0
    assert run("report", "--db", str(store), "--out", str(b)).returncode == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == ["calls.csv", "calls.parquet", "findings.csv", "findings.parquet", "manifest.json", "report.html"]
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    calls = pl.read_parquet(a / "calls.parquet")
    assert calls.height == 7 and set(calls["verdict"]) >= {"failed", "healthy"}
    assert set(calls["app_version"].drop_nulls()) == {"3.4.1"}  # from the call.start lines
    html = (a / "report.html").read_text()
    assert "beyond noise" in html or "within noise" in html or "no calls in the previous period" in html
    assert "<script src=" not in html  # plotly is inline: the file opens offline


def test_report_window(store, tmp_path):
    out = run("report", "--db", str(store), "--out", str(tmp_path), "--since", "2030-01-01", "--until", "2030-01-31")
    assert out.returncode == 0
    assert pl.read_parquet(tmp_path / "calls.parquet").height == 0
    assert run("report", "--db", str(store), "--since", "last week").returncode == 2


def test_report_periods_at_the_ends_of_the_calendar(store, tmp_path):
    """A period that reaches far ahead has a period before it of the same length, without a date overflow."""
    out = run("report", "--db", str(store), "--out", str(tmp_path), "--since", "2026-11-01", "--until", "9999-12-31")
    assert out.returncode == 0, out.stderr
    assert run("report", "--db", str(store), "--out", str(tmp_path / "x"), "--since", "0001-01-01").returncode == 2


def test_log_text_is_escaped(store, tmp_path):
    path = tmp_path / "d.html"
    assert run("dashboard", "--db", str(store), "--out", str(path)).returncode == 0
    page = path.read_text()
    assert "<script>alert(1)</script>" not in page
    data = page[page.index('<script id="data"') :]
    assert "alert(1)" in data  # the text is there, escaped


def test_model_only_table_names_the_device_never_its_path():
    """The report's table of calls only the model flags shows the device as every output does (its name, or
    'unknown'), not the store's device key, which may be a folder path."""
    import duckdb

    from analyzer.resources import query_text

    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE report_calls AS SELECT * FROM (VALUES "
        "('C-1', '/home/u/tickets/4411/', 'unknown', 'unrecovered_interruption', 0.91::DOUBLE, 'suspected'), "
        "('C-2', '/x/sysdiagnose_a/', 'iPhone 22B83', 'bluetooth_routing', 0.7, 'suspected')) "
        "t(call_id, device_id, device, model_label, model_probability, verdict)"
    )
    rows = con.execute(query_text("report/model_only.sql")).fetchall()
    assert rows == [
        ("C-1", "unknown", "unrecovered_interruption", 0.91),
        ("C-2", "iPhone 22B83", "bluetooth_routing", 0.7),
    ]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_dashboard_and_report_in_a_browser(store, tmp_path):
    from playwright.sync_api import sync_playwright

    dash, rep = tmp_path / "dashboard.html", tmp_path / "rep"
    assert run("dashboard", "--db", str(store), "--out", str(dash)).returncode == 0
    assert run("report", "--db", str(store), "--out", str(rep)).returncode == 0
    ARTIFACTS.mkdir(exist_ok=True)
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1300, "height": 1600})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(dash.as_uri())
        page.wait_for_selector("#overview svg.main-svg")
        assert page.locator("tr.call").count() == 7
        page.fill("#f_search", "wrong-category")
        assert page.locator("tr.call").count() == 1
        page.click("tr.call")
        page.wait_for_selector("#timeline svg.main-svg")
        assert "Call C-wrong-category" in page.inner_text("#calltitle")
        assert page.locator("#timeline .scatterlayer .trace").count() >= 4
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.goto((rep / "report.html").as_uri())
        page.wait_for_selector("svg.main-svg")
        assert page.locator("svg.main-svg").count() >= 6
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert errors == []
