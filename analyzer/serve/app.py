"""The served dashboard as a Dash app: the fleet view (charts that filter each other), the call list (AG Grid, paged,
sorted and filtered in DuckDB) and one call. The URL holds the state: the filters and the open call are its query
string, so a link names what it shows."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import dash_ag_grid as dag
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import Response, jsonify, request

from analyzer.serve import views
from analyzer.serve.data import CALL_PARAM, PAGE_COLUMNS, Fleet, Query, StoreBusy, call_in

FILTERS = ("verdict", "cause", "rule", "os_version", "device_model", "app_version", "route")  # one dropdown each
CHART_DIMS = ("day", *(dim for dim, _ in views.CHARTS))
FILTER_INPUTS = (
    Input("url", "search"),
    Input("filter-days", "start_date"),
    Input("filter-days", "end_date"),
    *(Input(f"filter-{name}", "value") for name in FILTERS),
    Input("filter-search", "value"),
    Input("chart-click", "data"),
    Input("clear-filters", "n_clicks"),
)  # what sets the filters (`_query`)
HIDDEN = {"display": "none"}
# the timeline until a call is open: drawn (views.timeline_warmup) but unseen and taking no room, so that the first
# call opened updates a plot of the page's width rather than making one (about 50 ms of the page's time)
GRAPH_HIDDEN = {"visibility": "hidden", "height": "0px", "overflow": "hidden"}
LABELS = {
    "verdict": "verdict",
    "cause": "cause",
    "rule": "rule",
    "os_version": "iOS",
    "device_model": "device model",
    "app_version": "app version",
    "route": "route",
}
HEADERS = {"os_version": "iOS", "device_model": "model", "app_version": "app", "duration_s": "duration (s)"}
CACHED_CALLS = 32
PAGE_SIZE = 20  # calls a page of the list (each page is one query)
STYLE = """
body{font-family:sans-serif;margin:1em 1.5em}.controls{display:flex;flex-wrap:wrap;gap:.6em;align-items:end}
.controls>div{min-width:150px}.charts{display:grid;grid-template-columns:repeat(3,1fr);gap:.5em}
.verdict.failed,.sev.critical,.sev.high{color:#c62828}.verdict.suspected{color:#ef6c00}
.verdict.degraded,.sev.medium{color:#b28704}.verdict.healthy{color:#2e7d32}
.evidence li{font-family:monospace;font-size:12px;white-space:pre-wrap}pre{background:#f6f6f6;padding:.5em}
.finding{border-left:4px solid #ddd;padding-left:.8em;margin-bottom:1em}#status{color:#666}
.chart h4{margin:.4em 0}.bar{display:flex;align-items:center;gap:.4em;cursor:pointer;font-size:13px;padding:1px 2px}
.bar:hover{background:#eee}.bar.chosen{background:#fff3e0;font-weight:bold}.empty{color:#999}
.bar .label{flex:0 0 38%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;text-align:right}
.bar .track{flex:1;background:#f5f5f5;height:14px}.fill{display:block;height:100%;background:#ef6c00}
.fill.cause,.fill.rule{background:#c62828}.bar .number{flex:0 0 10em;font-size:12px;color:#444;white-space:nowrap}
.days{display:flex;gap:3px;height:180px}.days .bar{flex:1;flex-direction:column;min-width:0;padding:0;gap:2px}
.days .stack{flex:1;display:flex;flex-direction:column;justify-content:flex-end;width:100%}.seg{display:block}
.days .label{flex:none;width:100%;text-align:center;font-size:11px}
.key{font-weight:normal;font-size:12px}
.key::before{content:"";display:inline-block;width:.8em;height:.8em;margin:0 .2em 0 .6em}
""" + "".join(f".seg.{v},.key.{v}::before{{background:{c}}}" for v, c in views.VERDICT_COLOURS.items())
FLEET_PATH = "fleet.json"  # the fleet view under the filters (`fleet_json`), asked for by the page (FLEET_ASK)
ROWS_PATH = "calls.json"  # the call list's rows, asked for by the grid itself (GRID_ROWS, `calls_json`)
ROWS_MOST = 500  # rows one request may ask for
# The list's rows: the grid asks the server for them directly (no Dash round trip between new filters and the request
# for their rows). `filters` are those the list shows (the URL's until `sync` first names them); `show` makes the
# grid ask again when they change (compared as the URL's query string without the open call, whatever the order or
# encoding of its names). A block asked for ahead (ROWS_AHEAD) is taken by the grid when it asks for that block.
ROWS_ASK = (
    """<script>
window.serveRows = {
    filters: undefined,
    ahead: null,  // {key, at, answer}: the block asked for when the URL last named other filters
    last: {start: 0, end: PAGE_SIZE, sort: 'start_utc', desc: ''},  // the block the grid last asked for
    key(filters, start, end, sort, desc) {
        const given = new URLSearchParams(filters || '');
        given.delete('CALL_PARAM');
        const pairs = [...given.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
        return JSON.stringify([pairs, start, end, sort, desc]);
    },
    fetch(filters, start, end, sort, desc) {
        const ask = new URLSearchParams({filters: filters, start: start, end: end, sort: sort, desc: desc});
        return fetch('ROWS_PATH?' + ask, {credentials: 'same-origin'})
            .then(r => r.ok ? r.json() : Promise.reject(r.status));
    },
    get(start, end, sort, desc) {
        const filters = this.filters === undefined ? window.location.search : this.filters;
        this.last = {start: start, end: end, sort: sort, desc: desc};
        const key = this.key(filters, start, end, sort, desc), ahead = this.ahead;
        this.ahead = null;
        if (ahead && ahead.key === key && performance.now() - ahead.at < 5000) { return ahead.answer; }
        return this.fetch(filters, start, end, sort, desc);
    },
    show(filters) {
        const changed = this.filters !== undefined && this.key(this.filters) !== this.key(filters);
        this.filters = filters;
        const api = changed && window.dash_ag_grid && dash_ag_grid.getApi('calls-grid');
        if (!api) { return; }
        // a refresh shows the rows held until the new ones come (the rows drawn once, not as loading first: about
        // half the page's work on a new filter) but asks again for every block held: only when one page's are held
        const page = Math.ceil(api.paginationGetPageSize() / api.getGridOption('cacheBlockSize'));
        if (Object.keys(api.getCacheBlockState() || {}).length <= page) { api.refreshInfiniteCache(); }
        else { api.purgeInfiniteCache(); }
    },
};
</script>""".replace("ROWS_PATH", ROWS_PATH)
    .replace("CALL_PARAM", CALL_PARAM)
    .replace("PAGE_SIZE", str(PAGE_SIZE))
)
# The fleet view (the charts' data, the dropdowns' choices, the count and the status line) under the filters last
# asked for, set in the page when it comes (an answer for filters asked before others is dropped).
FLEET_ASK = """<script>
window.serveFleet = {
    asked: undefined,
    show(filters) {
        const key = window.serveRows.key(filters);
        if (key === this.asked) { return; }
        this.asked = key;
        fetch('FLEET_PATH?' + new URLSearchParams({filters: filters || ''}), {credentials: 'same-origin'})
            .then(r => r.ok ? r.json() : Promise.reject(r.status))
            .then(view => {
                if (key !== this.asked) { return; }
                const set = window.dash_clientside.set_props;
                for (const [name, options] of Object.entries(view.options)) { set('filter-' + name, {options}); }
                set('fleet-charts', {data: view.charts});
                set('matching', {children: view.matching});
                set('status', {children: view.status});
            })
            .catch(() => { if (key === this.asked) { this.asked = undefined; } });
    },
};
</script>""".replace("FLEET_PATH", FLEET_PATH)
# The URL names new filters as soon as `sync` answers, well before the page has drawn that answer and the Dash
# callbacks that follow it have run: the fleet view and the first block of the grid's current page are asked for
# then, and the grid shows that block when it comes.
ROWS_AHEAD = """<script>
(function () {
    let asking = null;  // the filters whose rows are being asked for ahead
    const ahead = () => {
        const search = window.location.search, rows = window.serveRows, now = rows.key(search);
        const api = window.dash_ag_grid && dash_ag_grid.getApi('calls-grid');
        if (rows.filters === undefined || now === rows.key(rows.filters) || now === asking || !api) { return; }
        asking = now;
        window.serveFleet.show(search);
        const start = api.paginationGetCurrentPage() * api.paginationGetPageSize();
        const block = [search, start, start + rows.last.end - rows.last.start, rows.last.sort, rows.last.desc];
        const answer = rows.fetch(...block);
        rows.ahead = {key: rows.key(...block), at: performance.now(), answer: answer};
        answer.catch(() => {}).then(() => {
            asking = null;
            rows.show(search);
        });
    };
    for (const name of ['pushState', 'replaceState']) {
        const original = history[name];
        history[name] = function () {
            const out = original.apply(this, arguments);
            ahead();
            return out;
        };
    }
})();
</script>"""
GRID_ROWS = """
function(id) {
    const source = {
        getRows(params) {
            const sort = (params.sortModel || [])[0] || {};
            const desc = sort.sort === 'desc' ? '1' : '';
            window.serveRows.get(params.startRow, params.endRow, sort.colId || 'start_utc', desc)
                .then(a => params.successCallback(a.rows, a.total))
                .catch(() => params.failCallback());
        },
    };
    const install = api => {
        const current = api.getGridOption('datasource');
        if (current === undefined) { setTimeout(() => install(api), 5); }
        else if (current !== source) { api.setGridOption('datasource', source); }
    };
    dash_ag_grid.getApiAsync(id).then(install);
    return id;
}
"""
# the filters `sync` named (the first load's, the browser's history, or any the URL did not name ahead)
SHOW_FILTERS = """
function(key) {
    window.serveRows.show(key);
    window.serveFleet.show(key);
    return key;
}
"""
# the fleet charts drawn from their data (views.fleet_charts) as plain elements: text goes in as text (textContent,
# dataset, title), never as markup
DRAW_CHARTS = """
function(charts) {
    if (!charts) { return window.dash_clientside.no_update; }
    const el = (tag, className, text) => {
        const e = document.createElement(tag);
        if (className) { e.className = className; }
        if (text !== undefined) { e.textContent = text; }
        return e;
    };
    const bar = (dim, item) => {
        const e = el('div', item.chosen ? 'bar chosen' : 'bar');
        e.dataset.dim = dim;
        e.dataset.value = item.value;
        e.title = item.hover;
        return e;
    };
    for (const [dim, chart] of Object.entries(charts)) {
        const box = document.getElementById('fleet-' + dim);
        if (!box) { continue; }
        const title = el('h4', null, chart.title + ' ');
        const parts = [title];
        if (chart.days) {
            chart.legend.forEach(v => title.appendChild(el('span', 'key ' + v, v)));
            const days = el('div', 'days');
            chart.days.forEach(d => {
                const column = bar(dim, d), stack = el('span', 'stack');
                d.segments.slice().reverse().forEach(([v, share]) => {
                    const seg = el('span', 'seg ' + v);
                    seg.style.height = (100 * share) + '%';
                    stack.appendChild(seg);
                });
                column.append(stack, el('span', 'label', d.value));
                days.appendChild(column);
            });
            parts.push(chart.days.length ? days : el('p', 'empty', 'no calls'));
        } else {
            chart.bars.forEach(b => {
                const row = bar(dim, b), track = el('span', 'track'), fill = el('span', 'fill ' + dim);
                fill.style.width = (100 * b.share) + '%';
                track.appendChild(fill);
                row.append(el('span', 'label', b.value), track, el('span', 'number', b.number));
                parts.push(row);
            });
            if (!chart.bars.length) { parts.push(el('p', 'empty', 'no calls')); }
        }
        box.replaceChildren(...parts);
    }
    return Object.keys(charts).length;
}
"""
# a click on a fleet chart's bar (or day) names its dimension and value to the `sync` callback (one listener for
# every bar, so that redrawing the charts needs no callback inputs of their own)
CHART_CLICKS = """<script>
document.addEventListener('click', function (event) {
    const bar = event.target.closest('[data-dim]');
    if (!bar || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
    window.serveChartClicks = (window.serveChartClicks || 0) + 1;
    window.dash_clientside.set_props('chart-click', {
        data: {dim: bar.dataset.dim, value: bar.dataset.value, n: window.serveChartClicks}
    });
});
</script>"""

SCRIPTS = CHART_CLICKS + ROWS_ASK + FLEET_ASK + ROWS_AHEAD  # in the page's head, before Dash's own


def _layout() -> html.Div:
    dropdowns = [
        html.Div([html.Label(LABELS[name]), dcc.Dropdown(id=f"filter-{name}", placeholder="all")]) for name in FILTERS
    ]
    grid = dag.AgGrid(
        id="calls-grid",
        rowModelType="infinite",
        columnDefs=[
            {"field": c, "headerName": HEADERS.get(c, c.replace("_", " ")), "sortable": True} for c in PAGE_COLUMNS
        ],
        defaultColDef={"resizable": True, "filter": False},
        getRowId="params.data.call_id",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": [PAGE_SIZE, 50, 100],
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "animateRows": False,
            "suppressAnimationFrame": True,
        },
        style={"height": "480px"},
    )
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="filters-shown"),
            dcc.Store(id="grid-source"),
            dcc.Store(id="filters"),  # the URL's filters as a query string, set by `sync`, followed by fleet and list
            dcc.Store(id="open-call"),  # the call the URL names
            dcc.Store(id="chart-click"),  # the bar last clicked: {dim, value, n}
            dcc.Store(id="fleet-charts"),  # the charts' data (views.fleet_charts), drawn by DRAW_CHARTS
            dcc.Store(id="fleet-drawn"),
            dcc.Download(id="download"),
            html.H1("Call failures"),
            html.P(id="status"),
            html.Div(
                className="controls",
                children=[
                    html.Div([html.Label("days"), dcc.DatePickerRange(id="filter-days", clearable=True)]),
                    *dropdowns,
                    html.Div(
                        [
                            html.Label("search"),
                            dcc.Input(id="filter-search", debounce=True, placeholder="call id or device"),
                        ]
                    ),
                    html.Button("clear filters", id="clear-filters"),
                ],
            ),
            html.Div(id="fleet-day", className="chart"),
            html.Div([html.Div(id=f"fleet-{dim}", className="chart") for dim, _ in views.CHARTS], className="charts"),
            html.P(id="matching"),
            grid,
            html.Div(id="call-head"),
            html.Button("Download the ticket (markdown)", id="download-button", style=HIDDEN),
            # in the page from the start, hidden until a call is open: plotly.js loads with the page, and opening a
            # call updates this graph rather than mounting a new one
            dcc.Graph(
                id="call-timeline", figure=views.timeline_warmup(), style=GRAPH_HIDDEN, config={"displaylogo": False}
            ),
            html.Div(id="call-body"),
        ]
    )


def _options(rows: list[dict], dim: str, chosen: str) -> list[dict]:
    """A dropdown's choices: the values the other filters leave, with their calls; the chosen one always there."""
    values = [(r["value"], r["calls"]) for r in rows if r["dim"] == dim]
    if chosen and chosen not in {v for v, _ in values}:
        values.append((chosen, 0))
    return [{"label": f"{v} ({n})", "value": v} for v, n in sorted(values, key=lambda x: (-x[1], x[0]))]


def _holding(options: list[dict] | None, value: str) -> list[dict] | object:
    """A dropdown's choices until the fleet view counts them anew: they must hold its value (or it drops it)."""
    if not value or any(o.get("value") == value for o in options or ()):
        return no_update
    return [*(options or ()), {"label": value, "value": value}]


def _fleet_view(fleet: Fleet, q: Query) -> dict:
    """The dropdowns' choices, the charts, the count of calls and the status line under the filters `q`."""
    fleet.maybe_refresh()
    rows = fleet.overview(q)
    chosen = {name: getattr(q, name) for name in FILTERS} | {"day": q.day_from if q.day_from == q.day_to else ""}
    charts = views.fleet_charts(rows, chosen)
    options = {name: _options(rows, name, getattr(q, name)) for name in FILTERS}
    # the verdict chart counts the calls under every other filter: those of the chosen verdict are the matches
    by_verdict = {r["value"]: r["calls"] for r in rows if r["dim"] == "verdict" and q.verdict in ("", r["value"])}
    total, failed = sum(by_verdict.values()), by_verdict.get("failed", 0)
    matching = f"{total:,} calls match the filters ({failed:,} failed). Click a call to open it."
    status = f"{fleet.db.name}: read-only; snapshot taken {fleet.taken}. {fleet.note}"
    return {"options": options, "charts": charts, "matching": matching, "status": status}


def _query(trigger: str | None, search: str | None, day_from: str | None, day_to: str | None, *rest) -> Query:
    """The filters after the user's action (`trigger`: the id of the input that changed; `rest`: the values of
    FILTER_INPUTS after the first three): the URL's, the controls', or those with a chart's bar toggled."""
    values, text, click = rest[: len(FILTERS)], rest[len(FILTERS)], rest[len(FILTERS) + 1]
    if trigger in (None, "url"):
        return Query.from_search(search)
    if trigger == "clear-filters":
        return Query()
    q = Query.from_search(
        Query(
            day_from=(day_from or "")[:10],
            day_to=(day_to or "")[:10],
            search=text or "",
            **{name: v or "" for name, v in zip(FILTERS, values, strict=True)},
        ).to_search()
    )
    if trigger == "chart-click" and (click or {}).get("dim") in CHART_DIMS:
        dim, value = click["dim"], str(click.get("value", ""))
        if dim == "day":
            same = q.day_from == q.day_to == value
            return q.with_(day_from="" if same else value, day_to="" if same else value)
        return q.with_(**{dim: "" if getattr(q, dim) == value else value})
    return q


def build_app(db: Path, fleet: Fleet | None = None) -> Dash:
    """The Dash app serving the store at `db` (read-only)."""
    fleet = fleet or Fleet(db)
    fleet.refresh()
    app = Dash(__name__, title="Call failures", update_title=None, suppress_callback_exceptions=True)
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + STYLE + "</style>" + SCRIPTS)
    app.layout = _layout
    calls: OrderedDict = OrderedDict()  # (call id, snapshot time) -> its panel, the few most recent

    controls = [Output("filter-days", "start_date"), Output("filter-days", "end_date")]
    controls += [Output(f"filter-{name}", "value") for name in FILTERS] + [Output("filter-search", "value")]

    @app.callback(
        Output("url", "search"),
        Output("open-call", "data"),
        Output("filters", "data"),
        *controls,
        *(Output(f"filter-{name}", "options") for name in FILTERS),
        *FILTER_INPUTS,
        Input("calls-grid", "cellClicked"),
        *(State(f"filter-{name}", "options") for name in FILTERS),
        prevent_initial_call=False,
    )
    def sync(search, day_from, day_to, *rest):
        """The URL and the filter controls kept together: a change to the URL or a control (or a click on a chart or a
        call) sets the URL and the controls, and names the filters (`filters`, which the fleet view and the list
        follow). No query here, so the list asks for its rows while the fleet view is still being counted."""
        values = rest[: len(FILTERS)]
        text = rest[len(FILTERS)]
        cell = rest[len(FILTERS) + 3]
        choices = rest[len(FILTERS) + 4 :]
        trigger = ctx.triggered_id
        call = call_in(search)
        q = _query(trigger, search, day_from, day_to, *rest)
        if trigger == "calls-grid":
            call = (cell or {}).get("rowId") or call
        url_changed = trigger in (None, "url")
        out_search = no_update if url_changed else q.to_search(call)
        # the fleet as drawn stays when only the open call changed (a click on the list)
        same = not url_changed and q == Query.from_search(search)
        # a control is set only when its value changes: each prop set costs the page a redraw of that control
        shown = [(day_from or "")[:10], (day_to or "")[:10], *(v or "" for v in values), text or ""]
        wanted = [q.day_from, q.day_to, *(getattr(q, name) for name in FILTERS), q.search]
        return (
            out_search,
            call if url_changed else no_update,  # only the URL names another call (`clicked_call` answers a click)
            no_update if same else q.to_search(),
            *(no_update if old == new else new or None for old, new in zip(shown, wanted, strict=True)),
            *(_holding(old, getattr(q, name)) for name, old in zip(FILTERS, choices, strict=True)),
        )

    @app.server.get("/" + FLEET_PATH)
    def fleet_json() -> Response:
        """The fleet under `filters` (the URL's query string): the dropdowns' choices (each always holding its chosen
        value, so a value set before its choices arrive stays), the charts, the count of calls and the status line."""
        return jsonify(_fleet_view(fleet, Query.from_search(request.args.get("filters"))))

    app.clientside_callback(DRAW_CHARTS, Output("fleet-drawn", "data"), Input("fleet-charts", "data"))
    app.clientside_callback(SHOW_FILTERS, Output("filters-shown", "data"), Input("filters", "data"))

    app.clientside_callback(GRID_ROWS, Output("grid-source", "data"), Input("calls-grid", "id"))

    @app.server.get("/" + ROWS_PATH)
    def calls_json() -> Response:
        """One block of the call list (`start`..`end` under `filters`, sorted by `sort`, `desc`), paged, sorted and
        filtered in DuckDB, with how many calls match; a block that is not numbers is refused."""
        ask = request.args
        try:
            start, end = int(ask.get("start", 0)), int(ask.get("end", PAGE_SIZE))
        except ValueError:
            return Response("start and end must be whole numbers\n", 400, mimetype="text/plain")
        start = max(0, start)
        rows, total = fleet.page(
            Query.from_search(ask.get("filters")),
            start,
            min(end, start + ROWS_MOST),
            ask.get("sort", "start_utc"),
            ask.get("desc") == "1",
        )
        return jsonify(rows=rows, total=total)

    def panel(call: str | None, search: str | None) -> tuple:
        """The open call's head, timeline (figure and style), findings and the ticket button's style."""
        if not call:
            return [], no_update, GRAPH_HIDDEN, [], HIDDEN
        key = (call, fleet.generation)
        if key not in calls:
            try:
                calls[key] = views.call_view(fleet.call(call))
            except StoreBusy:
                busy = "An ingest is writing the store: this call shows when it ends."
                return [html.H2(f"Call {call}"), html.P(busy)], no_update, GRAPH_HIDDEN, [], HIDDEN
            while len(calls) > CACHED_CALLS:
                calls.popitem(last=False)
        view = calls[key]
        back = dcc.Link("close the call", href=Query.from_search(search).to_search() or "?")
        shown = view["timeline"] is not None
        if shown:
            fleet.prefetch_ticket(call)  # the ticket's button is shown: have its file ready when it is clicked
        figure, style = (view["timeline"], None) if shown else (no_update, GRAPH_HIDDEN)
        return [back, *view["head"]], figure, style, view["body"], None if shown else HIDDEN

    panel_outputs = ("call-head", "children"), ("call-timeline", "figure"), ("call-timeline", "style")
    panel_outputs += ("call-body", "children"), ("download-button", "style")

    @app.callback(
        *(Output(*o) for o in panel_outputs),
        Input("open-call", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def call_panel(call, search):
        """The call the URL names (`call=`): its head, its timeline and its findings."""
        return panel(call, search)

    @app.callback(
        *(Output(*o, allow_duplicate=True) for o in panel_outputs),
        Input("calls-grid", "cellClicked"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def clicked_call(cell, search):
        """The call clicked in the list, answered at once: its own callback, so that it does not wait for `sync`
        (which sets the URL alongside; a callback reading another's output waits for it). It does not set `open-call`:
        that would open the call a second time through `call_panel`."""
        call = (cell or {}).get("rowId")
        return panel(call, search) if call else (no_update,) * len(panel_outputs)

    @app.callback(
        Output("download", "data"),
        Input("download-button", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def download(n_clicks, search):
        """The ticket markdown `analyzer triage --call <id>` writes for the open call (the one the URL names)."""
        call = call_in(search)
        if not n_clicks or not call:
            return no_update
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in call)[:100] or "call"
        return {"content": fleet.ticket_markdown(call), "filename": f"triage-{name}.md"}

    return app
