"""What the served dashboard shows, built from plain rows: the fleet charts and one call's panel (timeline, findings
with their evidence lines and fix, the model's view). Text from the logs goes into components as text (Dash
escapes it) and into plotly's hover labels through html.escape (plotly reads a few tags there)."""

from __future__ import annotations

import html as html_text

from dash import html

from analyzer.render.dashboard import LANES  # the timeline's lane of each event kind, as the static page has them

VERDICT_COLOURS = {"failed": "#c62828", "suspected": "#ef6c00", "degraded": "#f9a825", "healthy": "#2e7d32"}
# the fleet charts: (dimension, title); each bar is a value of the dimension, a click filters by it
CHARTS = (
    ("cause", "Top causes (calls)"),
    ("rule", "Top rules (calls with a finding)"),
    ("os_version", "Failure rate by iOS version"),
    ("device_model", "Failure rate by device model"),
    ("app_version", "Failure rate by app version"),
    ("route", "Failure rate by route"),
)
TOP = 15  # bars a chart shows
SEVERITY_COLOURS = {"critical": "#b71c1c", "high": "#c62828", "medium": "#f9a825", "low": "#0277bd", "info": "#757575"}


def _hover(*parts: object) -> str:
    """A hover label: each part escaped (a log line may hold `<`), joined by line breaks."""
    return "<br>".join(html_text.escape(str(p)) for p in parts if p not in (None, ""))


def _figure(data: list[dict], title: str, height: int, **layout: object) -> dict:
    """A plotly figure as plain data (no graph_objects: building those costs more than the query)."""
    return {
        "data": data,
        "layout": {
            "title": {"text": title},
            "height": height,
            "margin": {"t": 40, "l": 10, "r": 10, "b": 30},
            "showlegend": False,
            **layout,
        },
    }


def _bars(dim: str, rows: list[dict], chosen: str) -> dict:
    """One dimension's chart as data for DRAW_CHARTS: calls by cause or rule, else the share of calls that failed, top
    values first; each bar its value, length (0..1), number shown, hover text and whether it is the chosen filter."""
    top = sorted(rows, key=lambda r: (-r["calls"], r["value"]))[:TOP]
    if dim in ("cause", "rule"):
        most = max((r["calls"] for r in top), default=0) or 1
        shown = [(r, r["calls"] / most, f"{r['calls']:,}", f"{r['calls']} calls") for r in top]
    else:
        shown = [
            (r, r["failed"] / r["calls"], f"{r['failed'] / r['calls']:.0%} ({r['failed']:,}/{r['calls']:,})",
             f"{r['failed']} of {r['calls']} calls failed")
            for r in top if r["calls"]
        ]  # fmt: skip
    bars = [
        {"value": r["value"], "share": round(share, 4), "number": number, "hover": f"{r['value']}: {hover}"}
        | ({"chosen": True} if r["value"] == chosen else {})
        for r, share, number, hover in shown
    ]
    return {"title": dict(CHARTS)[dim], "bars": bars}


def _days(rows: list[dict], chosen: str) -> dict:
    """Calls per day by verdict as data for DRAW_CHARTS: one stacked column a day (its segments' heights 0..1 of the
    busiest day), a click on it filters by that day."""
    days = sorted({r["value"] for r in rows})
    counts = {(r["value"], r["verdict"]): r["calls"] for r in rows}
    totals = {d: sum(counts.get((d, v), 0) for v in VERDICT_COLOURS) for d in days}
    most = max(totals.values(), default=0) or 1
    columns = []
    for d in days:
        parts = [(v, counts.get((d, v), 0)) for v in VERDICT_COLOURS]
        hover = f"{d}: {totals[d]:,} calls (" + ", ".join(f"{n:,} {v}" for v, n in parts if n) + ")"
        segments = [[v, round(n / most, 4)] for v, n in parts if n]
        columns.append({"value": d, "hover": hover, "segments": segments} | ({"chosen": True} if d == chosen else {}))
    return {"title": "Calls per day by verdict (click a day)", "legend": list(VERDICT_COLOURS), "days": columns}


def fleet_charts(rows: list[dict], chosen: dict[str, str]) -> dict[str, dict]:
    """The fleet charts from queries/serve/overview.sql's rows, as data the page draws (app.DRAW_CHARTS): calls per
    day by verdict, and each dimension's bars; `chosen`: the value each dimension is filtered by (its bar is marked).
    Plain HTML bars, drawn in a few milliseconds where a plotly chart takes a few hundred without a GPU."""
    by_dim: dict[str, list[dict]] = {}
    for r in rows:
        by_dim.setdefault(r["dim"], []).append(r)
    charts = {"day": _days(by_dim.get("day", []), chosen.get("day", ""))}
    for dim, _ in CHARTS:
        charts[dim] = _bars(dim, by_dim.get(dim, []), chosen.get(dim, ""))
    return charts


# the timeline's panels, top to bottom: (y axis, title, share of the height); a stats panel with nothing to draw for
# the call is left out and the others share its height
PANELS = (
    ("y", "events", 0.34),
    ("y2", "packets / s", 0.17),
    ("y3", "audio level, loss", 0.15),
    ("y4", "jitter, RTT (ms)", 0.15),
    ("y5", "MOS", 0.15),
)
LANE_COLOURS = {"session": "#1565c0", "route": "#6a1b9a", "interruption": "#ef6c00", "connection": "#455a64"}
STATS_LINES = (
    ("packets", "packets/s", "y2"),
    ("loss", "loss", "y3"),
    ("jitter_ms", "jitter ms", "y4"),
    ("rtt_ms", "RTT ms", "y4"),
    ("mos", "MOS", "y5"),
)


def _markers(name: str, points: list[tuple], **marker: object) -> dict:
    """One trace of markers on the events panel: `points` are (seconds, lane, hover text)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [t for t, _, _ in points],
        "y": [lane for _, lane, _ in points],
        "hovertext": [h for _, _, h in points],
        "hoverinfo": "x+text",
        "marker": {"size": 10, **marker},
        "yaxis": "y",
        "showlegend": False,
    }


def _timeline(detail: dict) -> dict:
    """One call on one time axis (seconds from its start): device events by lane, connection states and findings,
    then the stats: packets a second each way, the mic's audio level, loss, jitter and RTT, MOS. Light to draw
    (plotly without a GPU spends its time per trace, panel and legend entry): the device's events are one trace, and
    traces and panels with nothing to show are left out."""
    events, states, findings = detail["events"], detail["states"], detail["call"]["findings"]
    lanes = [LANES.get(e["kind"], "session") for e in events]
    data = [
        _markers(
            "device events",
            [
                (e["t_rel"], lane, _hover(e["kind"], e["at"], e["message"]))
                for e, lane in zip(events, lanes, strict=True)
            ],
            color=[LANE_COLOURS.get(lane, LANE_COLOURS["session"]) for lane in lanes],
        ),
        _markers(
            "connection",
            [(s["t"], "connection", _hover(f"{s['which']} {s['state']}", s["pc_id"])) for s in states],
            symbol="square",
            color=LANE_COLOURS["connection"],
        ),
        _markers(
            "findings",
            [(f["t_rel"], "findings", _hover(f"{f['severity']} {f['rule_id']}", f["detail"])) for f in findings],
            size=13,
            symbol="diamond",
            color=[SEVERITY_COLOURS[f["severity"]] for f in findings],
        ),
    ]
    series: dict[str, list[dict]] = {}
    for s in detail["series"]:
        series.setdefault(s["series"], []).append(s)
    for direction in ("outbound", "inbound"):
        rows = series.get(direction, [])
        for key, label, axis in STATS_LINES:
            data.append(_line(f"{direction} {label}", rows, key, axis))
    data.append(_line("mic level", series.get("mic", []), "level", "y3"))
    data = [d for d in data if any(v is not None for v in d["y"])]
    used = {d["yaxis"] for d in data} | {"y"}
    panels = [(axis, title, share) for axis, title, share in PANELS if axis in used]
    scale = sum(share for *_, share in PANELS) / sum(share for *_, share in panels)
    bottom = panels[-1][0]
    layout: dict = {
        "xaxis": {"title": {"text": "seconds since the call started"}, "anchor": bottom},
        "margin": {"t": 40, "l": 150, "r": 10, "b": 40},  # fixed: automargin would lay the figure out twice
        "legend": {"orientation": "h", "y": -0.08},
    }
    top = 1.0
    for axis, title, share in panels:
        layout["yaxis" + axis[1:]] = {
            "domain": [max(0.0, top - share * scale + 0.03), top],
            "title": {"text": title},
            "anchor": "x",
        }
        top -= share * scale
    layout["yaxis"] |= {
        "type": "category",
        "categoryarray": ["connection", "session", "route", "interruption", "findings"],
        "categoryorder": "array",
    }
    if "yaxis5" in layout:
        layout["yaxis5"]["range"] = [1, 4.5]
    height = 260 + 500 * (len(panels) - 1) // (len(PANELS) - 1)
    title = "Timeline of call " + html_text.escape(detail["call"]["call_id"], quote=False)  # plotly reads tags
    return _figure(data, title, height, showlegend=len(data) > 3, **layout)


def timeline_warmup() -> dict:
    """A timeline with a point in every panel and lane, not a call's: the page draws it, unseen, when it loads, so
    that opening the first call updates a plot rather than making one."""
    stats = {"packets": 50, "loss": 0.0, "jitter_ms": 10.0, "rtt_ms": 50.0, "mos": 4.0, "level": 0.1}
    detail = {
        "events": [{"t_rel": 0.0, "kind": kind, "at": "", "message": ""} for kind in LANES],
        "states": [{"t": 0.0, "which": "ice", "state": "connected", "pc_id": ""}],
        "series": [{"series": name, "t": 0.0, **stats} for name in ("outbound", "inbound", "mic")],
        "call": {"call_id": "", "findings": [{"t_rel": 0.0, "severity": "info", "rule_id": "", "detail": ""}]},
    }
    return _timeline(detail)


def _line(name: str, rows: list[dict], key: str, axis: str) -> dict:
    """One stats series as a line on its panel."""
    return {"type": "scatter", "mode": "lines", "name": name, "x": [r["t"] for r in rows], "y": [r[key] for r in rows],
            "yaxis": axis}  # fmt: skip


def _where(e: dict) -> str:
    if e["line"] is None:
        return f"{e['file']} ({e['locator']})" if e.get("locator") else e["file"]
    lines = str(e["line"]) if e["line"] == e["line_end"] else f"{e['line']}-{e['line_end']}"
    return f"{e['file']}:{lines}"


def _finding(f: dict) -> html.Div:
    when = f"+{f['t_rel']} s ({f['at_utc']})" if f["t_rel"] is not None else "during the call"
    evidence = [html.Li([html.Code(_where(e)), " ", html.Span(e["text"])]) for e in f["evidence"]]
    if f["more_evidence"]:
        evidence.append(html.Li(f"and {f['more_evidence']} more"))
    return html.Div(
        className="finding",
        children=[
            html.H4(
                [html.Span(f["severity"].upper(), className=f"sev {f['severity']}"), " ", f["title"]],
            ),
            html.P(f["detail"]),
            html.P([f"when: {when}; rule ", html.Code(f["rule_id"])]),
            html.Div("evidence:"),
            html.Ul(evidence, className="evidence"),
            html.Details([html.Summary("fix"), html.Pre(f["fix"])], open=True),
        ],
    )


def _model(call: dict) -> str:
    m = call.get("model")
    if not m:
        return "no model prediction for this call"
    if m["abstained"]:
        return f"the model abstains: {m['abstained']}"
    said = f"model {m['model']} says {m['label']} (p={m['probability']:.2f})"
    if m["top_features"]:
        said += " from " + "; ".join(m["top_features"])
    if m["unjudged"]:
        said += f"; {m['unjudged']}"
    return said


def call_view(detail: dict) -> dict:
    """The panel of one call (Fleet.call's detail): `head` (title, verdict, facts; the ticket's button follows it),
    `timeline`
    (the figure; None when there is no such call) and `body` (findings, the model's view, the timeline as text)."""
    if "missing" in detail:
        head = [html.H2(f"Call {detail['missing']}"), html.P("No such call in the store.", id="call-missing")]
        return {"head": head, "timeline": None, "body": []}
    call, s = detail["call"], detail["summary"] or {}
    head = call["verdict"] if call["cause"] is None else f"{call['verdict']}: {call['cause']}"
    facts = [
        ("device", s.get("device", "unknown")),
        ("model", s.get("device_model", "unknown")),
        ("iOS", s.get("os_version", "unknown")),
        ("app", s.get("app_version", "unknown")),
        ("route", call["routes"] or "no route change logged"),
        ("start", f"{call['start_utc']}, {call['duration_s']} s, found by {call['found_by']}"),
    ]
    findings = [_finding(f) for f in call["findings"]] or [html.P("No findings.")]
    return {
        "head": [
            html.H2(f"Call {call['call_id']}", id="call-title"),
            html.P(
                [html.B(head, className=f"verdict {call['verdict']}"), f" ({call['confidence']})"], id="call-verdict"
            ),
            html.Ul([html.Li([html.B(k + ": "), str(v)]) for k, v in facts], className="facts"),
        ],
        "timeline": _timeline(detail),
        "body": [
            html.H3("Findings"),
            html.Div(findings, id="call-findings"),
            html.H3("The model's view"),
            html.P(_model(call), id="call-model"),
            html.Details(
                [
                    html.Summary("timeline as text"),
                    html.Ul([html.Li(f"{t['t_rel']} s  {t['what']}") for t in call["timeline"]]),
                ]
            ),
        ],
    }
