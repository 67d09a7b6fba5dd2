"""Benchmark: the report and the dashboard over N calls (default 100 000): seconds to write, file sizes, and in
headless chromium the time to open the dashboard and to filter the call list.

usage: python -m bench.bench_dashboard [--calls 100000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from analyzer.detect.rules import load_rules
from analyzer.pipeline import refresh
from analyzer.render.dashboard import write_dashboard
from analyzer.render.report import write_report
from bench.fleet_store import filled_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    with filled_store(args.calls, audio=True, sessionised=True) as con, tempfile.TemporaryDirectory() as tmp:
        refresh(con, load_rules(), regroup=False)
        t = time.perf_counter()
        report = write_report(con, Path(tmp) / "report", None, None)
        t_report = time.perf_counter() - t
        t = time.perf_counter()
        dash = write_dashboard(con, Path(tmp) / "dashboard.html")
        t_dash = time.perf_counter() - t
        print(f"calls: {args.calls:,}")
        print(f"report:    {t_report:.2f}s  {report.stat().st_size / 1e6:.1f} MB")
        print(f"dashboard: {t_dash:.2f}s  {dash.stat().st_size / 1e6:.1f} MB")
        chromium = shutil.which("chromium")
        if chromium:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                t = time.perf_counter()
                page.goto(dash.as_uri())
                page.wait_for_selector("#overview svg.main-svg")
                t_open = time.perf_counter() - t
                t = time.perf_counter()
                page.fill("#f_search", f"C-{(args.calls - 2) // 2 * 2}")  # one explicit-id call
                page.wait_for_function("document.querySelectorAll('tr.call').length === 1")
                t_filter = time.perf_counter() - t
                browser.close()
            print(f"chromium: open {t_open:.2f}s, filter by search {t_filter:.2f}s")


if __name__ == "__main__":
    main()
