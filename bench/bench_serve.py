"""Benchmark: the served dashboard (`analyzer serve`) over N calls (default 100 000): p50 / p95 of each interaction
(open the fleet view, page, sort, filter, search, open a call, download its ticket) measured on the server side
(the callback's work: SQL and figures), and, when Debian's chromium is there, in a headless browser against the
running server.

usage: python -m bench.bench_serve [--calls 100000] [--repeat 40] [--no-server] [--only filter open] [--db STORE]
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


def server_side(db: Path, repeat: int) -> None:
    """Each interaction as the callbacks run it: the queries and the figures, no HTTP."""
    from analyzer.serve import views
    from analyzer.serve.data import Fleet, Query

    fleet = Fleet(db)
    t = time.perf_counter()
    fleet.refresh()
    calls = fleet.count(Query())
    print(f"snapshot of {calls:,} calls: {time.perf_counter() - t:.2f}s (once, and after each ingest)")
    last = (calls - 1) // 100 * 100
    some_call = fleet.page(Query(), 0, 1)[0][0]["call_id"]
    cases = {
        "fleet view (all charts)": lambda: views.fleet_charts(fleet.overview(Query()), {}),
        "page 1 of the call list": lambda: fleet.page(Query(), 0, 100),
        "last page": lambda: fleet.page(Query(), last, last + 100),
        "sort by duration": lambda: fleet.page(Query(), 0, 100, "duration_s", True),
        "filter iOS + charts": lambda: (
            views.fleet_charts(fleet.overview(Query(os_version="18.1")), {"os_version": "18.1"}),
            fleet.page(Query(os_version="18.1"), 0, 100),
        ),
        "search a call id": lambda: fleet.page(Query(search="C-4242"), 0, 100),
        "open a call": lambda: views.call_view(fleet.call(some_call)),
        "ticket markdown": lambda: fleet.ticket_markdown(some_call),
    }
    # the queries themselves, not the server's cache of answers (the same filters asked again answer from it)
    cases = {name: lambda fn=fn: (fleet.forget(), fn()) for name, fn in cases.items()}
    print(f"{'interaction (server side)':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in cases.items():
        p50, p95 = timed(fn, repeat)
        print(f"{name:32} {p50:8.1f} {p95:8.1f}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# in the page: when the user acted (a click, or Enter in the search box), and the frame in which the answer was there
TIMING = """
for (const type of ['click', 'keydown']) {
    document.addEventListener(type, e => {
        if (type === 'click' || e.key === 'Enter') { window.benchActed = performance.now(); }
    }, true);
}
// the texts of a column's cells in the list's rows drawn, in the rows' order (null while a row is still loading)
window.benchCells = col => {
    const cells = [...document.querySelectorAll(`#calls-grid .ag-row .ag-cell[col-id='${col}']`)];
    const row = c => +c.closest('.ag-row').getAttribute('row-index');
    const texts = cells.sort((a, b) => row(a) - row(b)).map(c => c.innerText);
    return texts.length > 0 && texts.every(t => t !== '') ? texts : null;
};
// when a download was handed to the browser (dcc.Download makes a blob URL of the file)
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = function (blob) {
    window.benchDownloaded = performance.now();
    return createObjectURL.call(URL, blob);
};
// whether an answer (a callback's, or the list's rows) has come back since the user acted
window.benchReplied = () => performance.getEntriesByType('resource').some(
    e => (e.name.includes('_dash-update-component') || e.name.includes('calls.json'))
        && e.startTime > window.benchActed && e.responseEnd > 0);
"""


def browser_side(db: Path, repeat: int, only: tuple[str, ...] = ()) -> None:
    """The same interactions in headless chromium against the running server, each from the user's action (the
    click's or key's event in the page) to the animation frame in which its whole answer is in the page (charts,
    count and list rows; a call's head, timeline and findings); the driver's own round trips are left out and shown
    apart (wall time as Playwright sees it). Baseline: a click whose callback changes nothing (clear filters with none
    set), from the click to its answer's arrival."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from analyzer.serve.app import build_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line a request

    port = _free_port()
    server = make_server("127.0.0.1", port, build_app(db).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    runs = max(5, repeat // 2)
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.add_init_script(TIMING)

            def home() -> None:
                page.goto(base + "/")
                page.wait_for_selector("#calls-grid .ag-row .ag-cell[col-id='call_id']")
                page.wait_for_selector("#fleet-os_version .bar")

            t = time.perf_counter()
            home()
            print(f"browser: first load {time.perf_counter() - t:.2f}s (the list and the charts drawn)")

            def answered(predicate: str, arg: object = None) -> None:
                """Wait for `predicate` (a JS function of arg) to hold, noting the frame it first held in."""
                page.wait_for_function(
                    f"a => {{ if (({predicate})(a)) {{ window.benchAnswered = performance.now(); return true; }} }}",
                    arg=arg,
                    polling="raf",
                )

            def measure(name: str, act: Callable[[int], None]) -> None:
                in_page, wall = [], []
                for i in range(runs):
                    t = time.perf_counter()
                    act(i)
                    wall.append((time.perf_counter() - t) * 1000)
                    in_page.append(page.evaluate("window.benchAnswered - window.benchActed"))
                results[name] = (*_p50_p95(in_page), _p50_p95(wall)[1])

            def baseline(i: int) -> None:
                with page.expect_response(lambda r: "_dash-update-component" in r.url):
                    page.click("#clear-filters")
                page.evaluate(
                    "window.benchAnswered = Math.max(...performance.getEntriesByType('resource')"
                    ".filter(e => e.name.includes('_dash-update-component')).map(e => e.responseEnd))"
                )

            def page_next(i: int) -> None:
                page.click("#calls-grid [aria-label='Next Page']")
                # the next page's first row is there (the summary changes before the rows arrive)
                answered(
                    "s => (document.querySelector(`#calls-grid .ag-row[row-index='${s}'] .ag-cell[col-id='call_id']`)"
                    " || {}).innerText > ''",
                    (i + 1) * 20,
                )

            def sort_duration(i: int) -> None:
                # each click sorts anew (ascending, descending, none): the rows come from the server, in that order
                page.click("#calls-grid .ag-header-cell[col-id='duration_s'] .ag-header-cell-label")
                answered(
                    "() => { const d = benchCells('duration_s');"
                    " const order = document.querySelector(\"#calls-grid .ag-header-cell[col-id='duration_s']\")"
                    ".getAttribute('aria-sort');"
                    " const sorted = d !== null && d.every((v, k) => k === 0 || (order === 'ascending'"
                    " ? +d[k - 1] <= +v : order === 'descending' ? +d[k - 1] >= +v : true));"
                    " return benchReplied() && sorted; }",
                )

            def filter_os(i: int) -> None:
                # a click on the iOS chart's bar filters by that version (the count, the other charts and the list
                # follow); the next click clears it
                bar = page.locator("#fleet-os_version .bar[data-value='18.1']")
                bar.wait_for()
                on = i % 2 == 0
                before = page.inner_text("#matching")
                bar.click()
                answered(
                    "a => { const os = benchCells('os_version');"
                    " return document.querySelector('#matching').innerText !== a.before && os !== null"
                    " && (a.on ? os.every(v => v === '18.1') : os.some(v => v !== '18.1')); }",
                    {"before": before, "on": on},
                )

            def search(i: int) -> None:
                # a call id typed into the search box, Enter: the count and the list show its calls
                term = f"C-{17 + 31 * i}"  # a call of any fleet of 1,000 calls or more
                box = page.locator("#filter-search")
                box.fill(term)
                box.press("Enter")
                answered(
                    "t => { const ids = benchCells('call_id');"
                    " return benchReplied() && ids !== null && ids.every(v => v.includes(t))"
                    " && document.querySelector('#matching').innerText.match(/^[0-9,]+ calls match/) !== null; }",
                    term,
                )

            def open_call(i: int) -> None:
                cell = page.locator(f"#calls-grid .ag-row[row-index='{(i + 1) % 20}'] .ag-cell[col-id='call_id']")
                call = cell.inner_text()
                cell.click()
                answered(
                    "c => (document.querySelector('#call-title') || {}).innerText === 'Call ' + c"
                    " && (document.querySelector('#call-timeline .gtitle') || {}).textContent"
                    " === 'Timeline of call ' + c"
                    " && document.querySelector('#call-findings') !== null",
                    call,
                )

            def download(i: int) -> None:
                # a call opened (not timed), then its ticket: from the click to the file handed to the browser
                cell = page.locator(f"#calls-grid .ag-row[row-index='{(i + 3) % 20}'] .ag-cell[col-id='call_id']")
                call = cell.inner_text()
                cell.click()
                page.wait_for_function(
                    "c => (document.querySelector('#call-title') || {}).innerText === 'Call ' + c", arg=call
                )
                with page.expect_download():
                    page.click("#download-button")
                answered("() => window.benchDownloaded > window.benchActed")

            cases = {
                "baseline: a callback doing nothing": baseline,
                "next page": page_next,
                "sort by duration": sort_duration,
                "filter iOS (chart click)": filter_os,
                "search a call id": search,
                "open a call": open_call,
                "download a call's ticket": download,
            }
            for name, act in cases.items():
                if only and not name.startswith("baseline") and not any(word in name for word in only):
                    continue
                home()
                measure(name, act)
            browser.close()
    finally:
        server.shutdown()
    print(f"{'interaction (browser, ' + str(runs) + ' runs)':36} {'p50 ms':>8} {'p95 ms':>8} {'driver p95':>11}")
    floor = results["baseline: a callback doing nothing"][1]
    for name, (p50, p95, wall) in results.items():
        print(f"{name:36} {p50:8.1f} {p95:8.1f} {wall:11.1f}   {p95 / floor:4.1f}x baseline")


def _p50_p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-server", action="store_true", help="only the browser's figures")
    ap.add_argument("--only", nargs="*", default=(), help="browser interactions whose names hold one of these words")
    ap.add_argument(
        "--db",
        type=Path,
        help="a store of your own instead of the synthetic one (e.g. a simulated fleet ingested: its calls have "
        "stats; the filter and search interactions need iOS 18.1 and call ids C-<n>, so pick the others)",
    )  # fmt: skip
    args = ap.parse_args()
    t = time.perf_counter()
    db = args.db or build_store(args.calls)
    print(f"store: {db.name} ({db.stat().st_size / 1e6:.0f} MB, ready in {time.perf_counter() - t:.1f}s)")
    if not args.no_server:
        server_side(db, args.repeat)
    if not args.no_browser and (shutil.which("chromium") or shutil.which("chromium-browser")):
        browser_side(db, args.repeat, tuple(args.only))


if __name__ == "__main__":
    main()
