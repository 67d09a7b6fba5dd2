"""Benchmark: the served dashboard (`analyzer serve`) over N calls (default 100 000): p50 / p95 of each interaction
(open the fleet view, page, sort, filter, search, open a call, download its ticket) measured on the server side
(the callback's work: SQL and figures), and, when Debian's chromium is there, in a headless browser against the
running server.

usage: python -m bench.bench_serve [--calls 100000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import socket
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.fleet_store import fill

OUT = Path(__file__).resolve().parent / "out"

# the synthetic fleet's call.start lines name the app version, phone model and iOS version, as the instrumentation
# contract's do; each phone is known by a name that says neither (as a folder of its files would)
VARY_DEVICES = """
UPDATE session_events SET message = 'callaudio v=1 event=call.start call_id=C-' || (event_id // 10)
    || ' app_version=' || ['3.3.0', '3.4.0', '3.4.1'][source_id % 3 + 1]
    || ' device_model=' || ['iPhone14,7', 'iPhone15,2', 'iPhone15,4', 'iPhone16,1', 'iPhone17,3'][source_id % 5 + 1]
    || ' os_version=' || ['17.6.1', '18.0.1', '18.1', '18.2', '18.3.2'][source_id % 7 % 5 + 1]
WHERE kind = 'call_start';
UPDATE sources SET device_hint = NULL, device_key = 'phone-' || source_id
"""


def build_store(calls: int) -> Path:
    """The store of `calls` calls with rules and predictions run, kept in bench/out/ for the next run."""
    from analyzer.detect.rules import load_rules
    from analyzer.pipeline import refresh
    from analyzer.store.db import connect

    path = OUT / f"serve-{calls}.duckdb"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = connect(tmp)
    fill(con, calls, audio=True)
    for statement in VARY_DEVICES.split(";\n"):
        con.execute(statement)
    refresh(con, load_rules())
    con.close()
    tmp.rename(path)
    return path


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 of `fn` in milliseconds over `repeat` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def server_side(db: Path, calls: int, repeat: int) -> None:
    """Each interaction as the callbacks run it: the queries and the figures, no HTTP."""
    from analyzer.serve import views
    from analyzer.serve.data import Fleet, Query

    fleet = Fleet(db)
    t = time.perf_counter()
    fleet.refresh()
    print(f"snapshot of {calls:,} calls: {time.perf_counter() - t:.2f}s (once, and after each ingest)")
    last = (calls - 1) // 100 * 100
    some_call = fleet.page(Query(), 0, 1)[0][0]["call_id"]
    cases = {
        "fleet view (all charts)": lambda: views.fleet_figures(fleet.overview(Query())),
        "page 1 of the call list": lambda: fleet.page(Query(), 0, 100),
        "last page": lambda: fleet.page(Query(), last, last + 100),
        "sort by duration": lambda: fleet.page(Query(), 0, 100, "duration_s", True),
        "filter iOS + charts": lambda: (
            views.fleet_figures(fleet.overview(Query(os_version="18.1"))),
            fleet.page(Query(os_version="18.1"), 0, 100),
        ),
        "search a call id": lambda: fleet.page(Query(search="C-4242"), 0, 100),
        "open a call": lambda: views.call_view(fleet.call(some_call)),
        "ticket markdown": lambda: fleet.ticket_markdown(some_call),
    }
    print(f"{'interaction (server side)':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in cases.items():
        p50, p95 = timed(fn, repeat)
        print(f"{name:32} {p50:8.1f} {p95:8.1f}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_side(db: Path, repeat: int) -> None:
    """The same interactions in headless chromium against the running server: from the action to the answer drawn."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from analyzer.serve.app import build_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line a request

    port = _free_port()
    server = make_server("127.0.0.1", port, build_app(db).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            t = time.perf_counter()
            page.goto(base + "/")
            page.wait_for_selector("#calls-grid .ag-row")
            print(f"browser: first load {time.perf_counter() - t:.2f}s")
            results = {}

            def measure(name: str, act: Callable[[], None]) -> None:
                times = []
                for _ in range(max(3, repeat // 4)):
                    t = time.perf_counter()
                    act()
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
                results[name] = (statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))])

            def page_next() -> None:
                before = page.inner_text("#calls-grid .ag-paging-row-summary-panel")
                page.click("#calls-grid [aria-label='Next Page']")
                page.wait_for_function(
                    "b => document.querySelector('#calls-grid .ag-paging-row-summary-panel').innerText !== b "
                    "&& document.querySelectorAll('#calls-grid .ag-row .ag-cell').length > 0",
                    arg=before,
                )

            def matching() -> str:
                return page.inner_text("#matching")

            def filter_os() -> None:
                # a click on the iOS chart's first bar filters by that version; the next click clears it
                before = matching()
                box = page.locator("#fleet-os_version .bars path").first.bounding_box()
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly's drag layer
                page.wait_for_function("b => document.querySelector('#matching').innerText !== b", arg=before)

            def sort_duration() -> None:
                # each click on the header sorts anew (ascending, descending, none): the rows come from the server
                with page.expect_response(lambda r: "_dash-update-component" in r.url):
                    page.click("#calls-grid .ag-header-cell[col-id='duration_s'] .ag-header-cell-label")
                page.wait_for_selector("#calls-grid .ag-row .ag-cell[col-id='duration_s']")

            row = iter(range(1, 1000))

            def open_call() -> None:
                cell = page.locator(f"#calls-grid .ag-row[row-index='{next(row) % 20}'] .ag-cell[col-id='call_id']")
                call = cell.inner_text()
                cell.click()
                page.wait_for_function(
                    "c => (document.querySelector('#call-title') || {}).innerText === 'Call ' + c", arg=call
                )
                page.wait_for_selector("#call-timeline svg.main-svg")

            measure("next page", page_next)
            page.goto(base + "/")
            page.wait_for_selector("#calls-grid .ag-row .ag-cell[col-id='call_id']")
            measure("sort by duration", sort_duration)
            page.goto(base + "/")
            page.wait_for_selector("#calls-grid .ag-row .ag-cell[col-id='call_id']")
            measure("filter iOS (chart click)", filter_os)
            page.goto(base + "/")
            page.wait_for_selector("#calls-grid .ag-row .ag-cell[col-id='call_id']")
            measure("open a call", open_call)
            browser.close()
    finally:
        server.shutdown()
    print(f"{'interaction (browser)':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (p50, p95) in results.items():
        print(f"{name:32} {p50:8.1f} {p95:8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    t = time.perf_counter()
    db = build_store(args.calls)
    print(f"store: {db.name} ({db.stat().st_size / 1e6:.0f} MB, ready in {time.perf_counter() - t:.1f}s)")
    server_side(db, args.calls, args.repeat)
    if not args.no_browser and (shutil.which("chromium") or shutil.which("chromium-browser")):
        browser_side(db, args.repeat)


if __name__ == "__main__":
    main()
