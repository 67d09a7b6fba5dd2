"""`analyzer serve`: the served dashboard over a small simulated fleet. Its SQL (paging, sorting, filters that leave
their own chart alone, hostile values kept inert), who the device is, the password off loopback, an ingest running
while it serves, the ticket it downloads, and (Debian's chromium driven by Playwright) the pages themselves."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analyzer.detect.rules import load_rules
from analyzer.errors import InputError
from analyzer.pipeline import analyse
from analyzer.render.triage_report import to_markdown
from analyzer.serve import views
from analyzer.serve.app import build_app
from analyzer.serve.auth import password_for, require_password
from analyzer.serve.data import Fleet, Query, StoreBusy, TicketDropped
from analyzer.simulator.fleet import FleetOptions, simulate
from analyzer.store.db import connect
from analyzer.triage.ticket import TriageOptions, build_report
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = DATA / "serve" / "hostile_device_log.ndjson"
HOSTILE_CALL = "C-q'\"<script>alert(1)</script>"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A fleet of 24 simulated calls on 3 phones, plus a ticket whose call id and call.start fields hold markup."""
    root = tmp_path_factory.mktemp("serve")
    simulate(root / "fleet", FleetOptions(calls=24, seed=5))
    db = root / "fleet.duckdb"
    con = connect(db)
    analyse(con, [str(root / "fleet" / "devices"), str(HOSTILE)], load_rules())
    con.close()
    return db


@pytest.fixture(scope="module")
def fleet(store):
    f = Fleet(store)
    f.refresh()
    return f


def _all_rows(fleet: Fleet, q: Query, **sort) -> list[dict]:
    rows, total = fleet.page(q, 0, 10_000, **sort)
    assert len(rows) == total
    return rows


def test_pages_cover_every_call_once_in_order(fleet):
    every = _all_rows(fleet, Query())
    assert len(every) == 25
    pages = [fleet.page(Query(), start, start + 7)[0] for start in range(0, 28, 7)]
    assert [r["call_id"] for p in pages for r in p] == [r["call_id"] for r in every]
    assert fleet.page(Query(), 21, 28)[1] == 25 and len(fleet.page(Query(), 21, 28)[0]) == 4
    longest = _all_rows(fleet, Query(), sort="duration_s", descending=True)
    assert [r["duration_s"] for r in longest] == sorted((r["duration_s"] for r in every), reverse=True)
    by_id = _all_rows(fleet, Query(), sort="call_id")
    assert [r["call_id"] for r in by_id] == sorted(r["call_id"] for r in every)


def test_filters_and_each_chart_leaves_its_own_filter_out(store, fleet):
    every = _all_rows(fleet, Query())
    versions = sorted({r["os_version"] for r in every} - {"unknown"})
    assert len(versions) >= 2
    one = _all_rows(fleet, Query(os_version=versions[0]))
    assert one and {r["os_version"] for r in one} == {versions[0]}
    assert len(one) == sum(r["os_version"] == versions[0] for r in every)
    overview = fleet.overview(Query(os_version=versions[0]))
    os_chart = {r["value"] for r in overview if r["dim"] == "os_version"}
    assert set(versions) <= os_chart  # the iOS chart still offers the other versions
    days = sum(r["calls"] for r in overview if r["dim"] == "day")
    assert days == len(one)  # the other charts count the filtered calls
    failed = [r for r in every if r["verdict"] == "failed"]
    assert failed and len(_all_rows(fleet, Query(verdict="failed"))) == len(failed)
    rule = failed[0]["rules"].split(", ")[0]
    assert all(rule in r["rules"] for r in _all_rows(fleet, Query(rule=rule)))
    assert _all_rows(fleet, Query(search=every[3]["call_id"].lower()))[0]["call_id"] == every[3]["call_id"]
    con = connect(store, read_only=True)
    device_id = con.execute("SELECT device_id FROM calls WHERE call_id = $c", {"c": every[0]["call_id"]}).fetchone()[0]
    con.close()
    folder = device_id.rstrip("/").rsplit("/", 1)[-1]
    assert folder not in every[0]["device"]  # the device's folder is not its name, yet the search finds its calls
    assert every[0]["call_id"] in {r["call_id"] for r in _all_rows(fleet, Query(search=folder.upper()))}
    assert Query.from_search("?day_from=yesterday&verdict=failed") == Query(verdict="failed")


def _counted(rows: list[dict], q: Query) -> dict:
    """The fleet view's counts as the call list's rows give them: each chart's values over the calls that pass every
    filter but its own."""
    values = {
        "day": lambda r: [r["start_utc"][:10]],
        "verdict": lambda r: [r["verdict"]],
        "cause": lambda r: [r["cause"]] if r["cause"] else [],
        "rule": lambda r: r["rules"].split(", ") if r["rules"] else [],
        "os_version": lambda r: [r["os_version"]],
        "device_model": lambda r: [r["device_model"]],
        "app_version": lambda r: [r["app_version"]],
        "route": lambda r: [r["route"]],
    }
    chosen = {"day": q.day_from, **{dim: getattr(q, dim) for dim in values if dim != "day"}}
    counts: dict = {}
    for r in rows:
        passes = {dim: not chosen[dim] or chosen[dim] in values[dim](r) for dim in values}
        for dim in values:
            if all(ok for other, ok in passes.items() if other != dim):
                for v in values[dim](r):
                    counts[(dim, v)] = counts.get((dim, v), 0) + 1
    return counts


def test_the_fleet_view_counts_every_call_with_or_without_a_search(fleet):
    every = _all_rows(fleet, Query())
    version, day = every[0]["os_version"], every[0]["start_utc"][:10]
    term = every[0]["device"][:3].upper()  # a search most calls match (the counts then come from every call)
    for q in (Query(), Query(os_version=version), Query(os_version=version, day_from=day, day_to=day, verdict="failed"),
              Query(search=term), Query(search=term, os_version=version)):  # fmt: skip
        shown: dict = {}
        for r in fleet.overview(q):
            shown[(r["dim"], r["value"])] = shown.get((r["dim"], r["value"]), 0) + r["calls"]
        matching = [r for r in every if not q.search or q.search.lower() in (r["call_id"] + r["device"]).lower()]
        assert shown == _counted(matching, q), q
    assert len(_all_rows(fleet, Query(search=term))) > 1


def test_the_list_answers_the_grid_directly(store, fleet, monkeypatch):
    import analyzer.serve.app as served

    monkeypatch.setattr(served, "ROWS_MOST", 10)
    app = build_app(store, fleet)
    client = app.server.test_client()
    every = _all_rows(fleet, Query())
    version = every[0]["os_version"]
    answer = client.get(f"/calls.json?filters=%3Fos_version%3D{version}&start=1&end=4&sort=duration_s&desc=1").json
    assert answer == {"rows": fleet.page(Query(os_version=version), 1, 4, "duration_s", True)[0],
                      "total": sum(r["os_version"] == version for r in every)}  # fmt: skip
    assert client.get("/calls.json?start=2&end=100000").json["rows"] == every[2:12]  # at most ROWS_MOST a request
    refused = client.get("/calls.json?start=x&end=5")
    assert refused.status_code == 400 and b"whole numbers" in refused.data
    guarded = build_app(store, fleet)
    require_password(guarded.server, "s3cret")
    assert guarded.server.test_client().get("/calls.json?start=0&end=5").status_code == 401


def test_the_fleet_view_answers_the_page_directly(store, fleet):
    app = build_app(store, fleet)
    client = app.server.test_client()
    every = _all_rows(fleet, Query())
    version = every[0]["os_version"]
    q = Query(os_version=version)
    view = client.get(f"/fleet.json?filters={q.to_search('C-1').replace('?', '%3F').replace('&', '%26')}").json
    assert view["charts"] == views.fleet_charts(fleet.overview(q), {"os_version": version, "day": ""})
    matching = sum(r["os_version"] == version for r in every)
    assert view["matching"].startswith(f"{matching:,} calls match the filters")
    assert version in [o["value"] for o in view["options"]["os_version"]]
    # each dropdown offers what the other filters leave: the iOS filter does not narrow its own choices
    assert {o["value"] for o in view["options"]["os_version"]} == {r["os_version"] for r in every}
    assert {o["value"] for o in view["options"]["device_model"]} == {
        r["device_model"] for r in every if r["os_version"] == version
    }
    assert client.get("/fleet.json").json["matching"].startswith(f"{len(every):,} calls match")
    guarded = build_app(store, fleet)
    require_password(guarded.server, "s3cret")
    assert guarded.server.test_client().get("/fleet.json").status_code == 401


def test_answers_are_kept_until_the_snapshot_changes(store):
    served = Fleet(store)
    served.refresh()
    every, failed = served.overview(Query()), served.overview(Query(verdict="failed"))
    assert served.overview(Query()) is every and served.overview(Query(verdict="failed")) is failed
    assert every != failed
    page = served.page(Query(), 0, 5)
    assert served.page(Query(), 0, 5) == page and served.page(Query(), 5, 10) != page
    served.refresh()
    again = served.overview(Query())
    assert again is not every and again == every  # a new snapshot is asked anew


def test_hostile_values_stay_text(fleet):
    rows = _all_rows(fleet, Query(search="<script>"))
    assert [r["call_id"] for r in rows] == [HOSTILE_CALL]
    assert rows[0]["app_version"] == "<img/src=x/onerror=alert(2)>"  # as logged, not interpreted
    assert rows[0]["device_model"] == "iPhone'\"<b>1"
    assert _all_rows(fleet, Query(search="' OR 1=1 --")) == []
    assert _all_rows(fleet, Query(app_version="<img/src=x/onerror=alert(2)>"))[0]["call_id"] == HOSTILE_CALL
    assert fleet.page(Query(), 0, 5, sort="call_id; DROP TABLE serve_calls")[1] == 25
    panel = views.call_view(fleet.call(HOSTILE_CALL))
    hovers = [h for trace in panel["timeline"]["data"] for h in trace.get("hovertext", [])]
    assert any("&lt;script&gt;" in h for h in hovers) and not any("<script>" in h for h in hovers)
    assert "<script>" not in panel["timeline"]["layout"]["title"]["text"]
    assert "dangerously" not in repr(panel)


def test_fleet_charts_mark_the_chosen_value_and_keep_values_as_data(fleet):
    hostile_app = "<img/src=x/onerror=alert(2)>"
    charts = views.fleet_charts(fleet.overview(Query(app_version=hostile_app)), {"app_version": hostile_app})
    apps = charts["app_version"]["bars"]
    assert [b["value"] for b in apps if b.get("chosen")] == [hostile_app]  # the value itself: the page inserts text
    assert all(0 <= b["share"] <= 1 for chart in charts.values() for b in chart.get("bars", []))
    days = charts["day"]["days"]
    assert len(days) == 1 and not any(d.get("chosen") for d in days)  # the other charts count the one call
    assert sum(share for _, share in days[0]["segments"]) == 1
    every = views.fleet_charts(fleet.overview(Query()), {})
    causes = every["cause"]["bars"]
    assert causes and causes[0]["share"] == 1 and not any(b.get("chosen") for b in causes)
    assert len(every["day"]["days"]) > 1


def test_device_is_named_from_the_evidence_never_a_path(fleet):
    every = _all_rows(fleet, Query())
    assert all("/" not in r["device"] and not r["device"].startswith("file:") for r in every)
    models = {r["device_model"] for r in every if r["call_id"].startswith("C-5-")}
    assert models - {"unknown"} and all(m.startswith("iPhone") or m == "unknown" for m in models)
    assert {r["os_version"] for r in every} & {"17.6.1", "18.0.1", "18.1", "18.2", "18.3.2"}


def test_ticket_is_what_triage_writes(store, fleet):
    call = next(r for r in _all_rows(fleet, Query(verdict="failed")))["call_id"]
    served = fleet.ticket_markdown(call)
    con = connect(store, read_only=True)
    whole = to_markdown(build_report(con, load_rules(), TriageOptions(call_id=call)))
    con.close()
    cut = "## What was read"
    assert served.split(cut)[0] == whole.split(cut)[0]
    assert "**Evidence:**" in served and "**Fix:**" in served
    assert served.split(cut)[1].count("device\\_log") == 1  # only the files this call was read from


def test_prefetched_ticket_is_served_for_its_snapshot_only(fleet, monkeypatch):
    """A call's ticket built beside its page is the one the download gets, until a new snapshot is taken."""
    call = next(r for r in _all_rows(fleet, Query(verdict="failed")))["call_id"]
    fleet.prefetch_ticket(call)
    built = fleet.ticket_markdown(call)
    assert built.startswith("# ") and call in built
    monkeypatch.setattr(fleet, "_ticket", lambda call_id, *how: f"built again: {call_id}")
    assert fleet.ticket_markdown(call) == built  # the prefetched one, not built again
    fleet.refresh()
    assert fleet.ticket_markdown(call) == f"built again: {call}"


def test_a_ticket_built_ahead_gives_way_to_the_next_call_opened(fleet):
    """Building a ticket ahead stops between two statements once a call is opened; its download builds it then."""
    first, second = (r["call_id"] for r in _all_rows(fleet, Query(verdict="failed"))[:2])
    stop = threading.Event()
    stop.set()
    with pytest.raises(TicketDropped):
        fleet._ticket(first, fleet._ticket_reader, stop)
    fleet.prefetch_ticket(first)
    fleet.call(second)  # the ticket of `first` gives way, unless it was built already
    assert fleet.ticket_markdown(first) == fleet._ticket(first, fleet._page_reader)


PANEL_FIELDS = ("call_id", "verdict", "cause", "confidence", "routes", "start_utc", "duration_s", "found_by", "model",
                "timeline")  # fmt: skip


def _shown(call: dict) -> dict:
    """What the page shows of a call of triage's report: its fields, and its findings in triage's order up to ties
    (findings of one severity at one time come in the store's order, which a query of the whole store may lose)."""
    findings = sorted(call["findings"], key=lambda f: (f["severity"], f["t_rel"] or 0, f["rule_id"], f["detail"]))
    return {k: call[k] for k in PANEL_FIELDS} | {"findings": findings}


def test_a_call_shows_what_triage_says_of_it(store, fleet):
    """The page reads one call where the snapshot says it is (its links, its events' span), not by scanning the
    store: it shows what triage's report of the whole store says of that call (calls with and without findings)."""
    every = _all_rows(fleet, Query())
    some = [r for r in every if r["findings"]][:5] + [r for r in every if not r["findings"]][:2]  # triage is slow
    shown = {r["call_id"]: fleet.call(r["call_id"])["call"] for r in some}
    con = connect(store, read_only=True)
    rules = load_rules()
    for call, page in shown.items():
        whole = build_report(con, rules, TriageOptions(call_id=call)).calls[0]
        assert _shown(page) == _shown(whole), call
    con.close()
    assert any(
        f["evidence"]
        for r in _all_rows(fleet, Query(verdict="failed"))
        for f in fleet.call(r["call_id"])["call"]["findings"]
    )
    assert fleet.call("C-no-such-call") == {"missing": "C-no-such-call"}


def test_one_call_reads_only_its_own_streams_stats(fleet):
    call = next(r["call_id"] for r in _all_rows(fleet, Query()) if r["verdict"] != "healthy")
    mine = (
        "SELECT count(*) FROM store.main.{} t WHERE (t.source_id, coalesce(t.pc_id, '')) IN "
        "(SELECT source_id, coalesce(pc_id, '') FROM store.main.call_streams WHERE call_id = $call)"
    )
    with fleet._one_call(call, fleet._page_reader) as con:
        for table in ("stats_inbound_rtp", "rtp_intervals", "stats_transport"):
            held = con.execute(f"SELECT count(*) FROM temp.main.{table}").fetchall()[0][0]
            every = con.execute(f"SELECT count(*) FROM store.main.{table}").fetchall()[0][0]
            assert 0 < held == con.execute(mine.format(table), {"call": call}).fetchall()[0][0] < every, table


def test_a_call_read_from_overlapping_exports_shows_each_event_once(tmp_path):
    """Two exports of one phone's log that overlap (the second holds the last two thirds of the first): the page
    shows each of a call's events once, as triage's report of the whole store does."""
    simulate(tmp_path / "fleet", FleetOptions(calls=3, seed=7))
    log = next((tmp_path / "fleet" / "devices").glob("*/device_log.ndjson"))
    lines = log.read_text().splitlines(keepends=True)
    (log.parent / "device_log_later.ndjson").write_text("".join(lines[len(lines) // 3 :]))
    db = tmp_path / "overlap.duckdb"
    con = connect(db)
    analyse(con, [str(tmp_path / "fleet" / "devices")], load_rules())
    assert con.execute("SELECT count(*) FROM event_links WHERE dup_of IS NOT NULL").fetchone()[0] > 0
    con.close()
    served = Fleet(db)
    served.refresh()
    con = connect(db, read_only=True)
    for row in _all_rows(served, Query()):
        detail = served.call(row["call_id"])
        whole = build_report(con, load_rules(), TriageOptions(call_id=row["call_id"])).calls[0]
        assert _shown(detail["call"]) == _shown(whole), row["call_id"]
        events = [(e["t_rel"], e["kind"], e["message"]) for e in detail["events"]]
        assert events and len(events) == len(set(events)), row["call_id"]
    con.close()


def test_a_password_is_required_beyond_this_machine(monkeypatch, store):
    monkeypatch.delenv("ANALYZER_DASHBOARD_PASSWORD", raising=False)
    assert password_for("127.0.0.1") is None and password_for("localhost") is None
    with pytest.raises(InputError, match="ANALYZER_DASHBOARD_PASSWORD"):
        password_for("0.0.0.0")
    monkeypatch.setenv("ANALYZER_DASHBOARD_PASSWORD", "s3cret")
    assert password_for("0.0.0.0") == "s3cret"
    from flask import Flask

    app = Flask("t")
    app.add_url_rule("/", "i", lambda: "ok")
    require_password(app, "s3cret")
    client = app.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", auth=("anyone", "wrong")).status_code == 401
    assert client.get("/", auth=("anyone", "s3cret")).status_code == 200


def test_refuses_to_start_on_another_address_without_a_password(store):
    env = {k: v for k, v in __import__("os").environ.items() if k != "ANALYZER_DASHBOARD_PASSWORD"}
    code = "import sys; from analyzer.serve import serve; serve(sys.argv[1], '0.0.0.0', 0)"
    out = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode != 0 and "ANALYZER_DASHBOARD_PASSWORD" in out.stderr


def test_a_waiting_writer_goes_before_new_reads(store, tmp_path):
    """An ingest waiting for the file leaves a mark; the server's reads step aside while it is fresh (a steady
    stream of short reads would otherwise keep the ingest out) and ignore one a dead process left behind."""
    import os

    from analyzer.store import db as store_db

    path = tmp_path / "marked.duckdb"
    shutil.copy(store, path)
    served = Fleet(path)
    mark = store_db.waiting_mark(path)
    mark.write_text("1\n")
    with pytest.raises(StoreBusy), served.store():
        pass
    stale = time.time() - store_db.WAITING_FRESH_S - 5
    os.utime(mark, (stale, stale))
    with served.store() as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] > 0

    # the writer's side: the mark is there while it waits for a reader in another process, and gone after
    reader = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print('open', flush=True); time.sleep(3)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert reader.stdout.readline().strip() == "open"
    mark.unlink()
    seen: list[bool] = []
    watcher = threading.Thread(target=lambda: [seen.append(mark.exists()) or time.sleep(0.05) for _ in range(40)])
    watcher.start()
    connect(path).close()
    watcher.join()
    reader.wait()
    assert any(seen) and not mark.exists()


def test_an_ingest_runs_while_the_store_is_served(store, tmp_path):
    db = tmp_path / "busy.duckdb"
    shutil.copy(store, db)
    served = Fleet(db)
    served.refresh()
    before = served.count(Query())
    call = served.page(Query(), 0, 1)[0][0]["call_id"]
    answers: list[str] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            try:
                served.call(call)
                answers.append("call")
            except StoreBusy:
                answers.append("busy")
            served.page(Query(), 0, 50)  # the snapshot answers throughout
            answers.append("page")

    reader = threading.Thread(target=keep_reading)
    reader.start()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "analyzer",
            "ingest",
            str(ROOT / "sample_logs" / "wrong-category"),
            "--db",
            str(db),
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    stop.set()
    reader.join()
    assert out.returncode == 0, out.stderr
    assert "call" in answers and "page" in answers
    # the snapshot is stale: a call is still read where the store now has it (the snapshot is taken again first)
    con = connect(db, read_only=True)
    whole = build_report(con, load_rules(), TriageOptions(call_id=call)).calls[0]
    con.close()
    shown = served.call(call)["call"]
    assert _shown(shown) == _shown(whole)
    assert served.count(Query()) == before + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(store):
    from werkzeug.serving import make_server

    port = _free_port()
    httpd = make_server("127.0.0.1", port, build_app(store).server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_the_dashboard_in_a_browser(server, fleet, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    every = _all_rows(fleet, Query())
    version = sorted({r["os_version"] for r in every} - {"unknown"})[0]
    expected = [r for r in every if r["os_version"] == version]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server + "/")
        page.wait_for_selector("#calls-grid .ag-row .ag-cell[col-id='call_id']")
        page.wait_for_selector("#fleet-os_version .bar")
        assert "25 calls match" in page.inner_text("#matching")
        expect(page.locator("#call-timeline")).to_be_hidden()  # drawn ahead (views.timeline_warmup), not shown
        page.screenshot(path=str(ARTIFACTS / "serve_fleet.png"), full_page=True)
        # a click on a bar filters by its value: the URL names it, the bar is marked, the other charts follow; the
        # page asks once for the fleet view and once for the list's rows (asked ahead, and taken by the grid)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url.split("?")[0].rsplit("/", 1)[-1]))
        page.click(f"#fleet-os_version .bar[data-value='{version}']")
        page.wait_for_function(
            "n => (document.querySelector('#matching')?.innerText || '').startsWith(n + ' calls match')",
            arg=str(len(expected)),
        )
        page.wait_for_timeout(500)
        assert asked.count("fleet.json") == 1 and asked.count("calls.json") == 1, asked
        assert f"os_version={version}" in page.url
        expect(page.locator("#fleet-os_version .bar.chosen .label")).to_have_text(version)
        page.click(f"#fleet-os_version .bar[data-value='{version}']")  # a second click clears it
        page.wait_for_function("(document.querySelector('#matching')?.innerText || '').startsWith('25 calls match')")
        page.go_back()  # the browser's history names the filter again: the counts and the list follow it
        page.wait_for_function(
            "n => (document.querySelector('#matching')?.innerText || '').startsWith(n + ' calls match')",
            arg=str(len(expected)),
        )
        page.wait_for_function(
            "v => { const c = [...document.querySelectorAll(\"#calls-grid .ag-row .ag-cell[col-id='os_version']\")];"
            " return c.length > 0 && c.every(x => x.innerText === v); }",
            arg=version,
        )
        # filter by iOS version: the URL names it, the list and the counts follow
        page.goto(server + "/?os_version=" + version)
        page.wait_for_function(
            "n => document.querySelector('#matching') && document.querySelector('#matching').innerText"
            ".startsWith(n + ' calls match')",
            arg=str(len(expected)),
        )
        page.wait_for_function(
            "v => { const c = [...document.querySelectorAll(\"#calls-grid .ag-row .ag-cell[col-id='os_version']\")];"
            " return c.length > 0 && c.every(x => x.innerText === v); }",
            arg=version,
        )
        # the whole fleet again, 20 calls a page: the last page, and the last call on it
        page.goto(server + "/")
        page.wait_for_function("(document.querySelector('#matching')?.innerText || '').startsWith('25 calls match')")
        page.click("#calls-grid .ag-paging-button[aria-label='Last Page']")
        last_call = max(every, key=lambda r: (r["start_utc"], r["call_id"]))["call_id"]
        cell = page.locator("#calls-grid .ag-row[row-index='24'] .ag-cell[col-id='call_id']")
        expect(cell).to_have_text(last_call, timeout=20_000)  # waits: the grid fills the row after it draws it
        assert "Page 2 of 2" in page.inner_text("#calls-grid .ag-paging-panel")
        asked.clear()
        cell.click()
        expect(page.locator("#call-timeline .gtitle")).to_have_text(f"Timeline of call {last_call}", timeout=20_000)
        assert "fleet.json" not in asked and "calls.json" not in asked, asked  # the filters did not change
        expect(page.locator("#call-timeline")).to_be_visible()
        assert "call=" in page.url
        expect(page.locator("#call-title")).to_have_text(f"Call {last_call}", timeout=20_000)
        assert page.locator("#call-timeline .scatterlayer .trace").count() >= 2  # its events and findings
        page.click("text=close the call")  # the URL no longer names it, and the page no longer shows it
        expect(page.locator("#call-title")).to_have_count(0, timeout=20_000)
        assert "call=" not in page.url
        page.go_back()  # the browser's history names it again
        expect(page.locator("#call-title")).to_have_text(f"Call {last_call}", timeout=20_000)
        # a failed call: its findings with their evidence lines and fix, and the ticket
        failed = next(r for r in every if r["verdict"] == "failed")["call_id"]
        page.goto(server + "/?call=" + failed)
        page.wait_for_selector("#call-findings .evidence li")
        expect(page.locator("#call-timeline .gtitle")).to_have_text(f"Timeline of call {failed}", timeout=20_000)
        assert page.locator("#call-timeline .scatterlayer .trace").count() >= 8  # events, states and both legs' stats
        assert "fix" in page.inner_text("#call-findings")
        page.screenshot(path=str(ARTIFACTS / "serve_call.png"), full_page=True)
        with page.expect_download() as info:
            page.click("#download-button")
        ticket = tmp_path / "ticket.md"
        info.value.save_as(ticket)
        text = ticket.read_text()
        assert text.startswith("# Call triage") and f"## Call {failed}" in text
        # markup in a call id and the call.start fields is shown as text
        page.goto(server + "/?search=%3Cscript%3E")
        page.wait_for_function(
            "v => [...document.querySelectorAll(\"#calls-grid .ag-row .ag-cell[col-id='app_version']\")]"
            ".map(c => c.innerText).join('|') === v",
            arg="<img/src=x/onerror=alert(2)>",
        )  # one row, the markup shown as text
        # in the charts too (drawn from the fleet view, which answers beside the rows)
        expect(page.locator("#fleet-app_version .bar .label")).to_have_text(["<img/src=x/onerror=alert(2)>"])
        page.click("#calls-grid .ag-row .ag-cell[col-id='call_id']")
        expect(page.locator("#call-title")).to_have_text(f"Call {HOSTILE_CALL}", timeout=20_000)
        time.sleep(0.5)
        page.screenshot(path=str(ARTIFACTS / "serve_hostile.png"), full_page=True)
        browser.close()
    assert dialogs == [] and errors == []
