"""The interactive dashboard: one self-contained HTML file (plotly embedded, works offline) with a fleet
overview (filters by date, cause, OS, device, route), a searchable call list, and per-call timelines (session
state, route, interruptions, findings, and the audio series on one time axis, evidence on hover).

Aggregation is done in DuckDB; the page carries one compact row a call and the detail of at most
MAX_DETAILED calls (failed and suspected ones first), so it stays usable with 100 000 calls."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import duckdb
import polars as pl

from analyzer.render.output import write_file

MAX_DETAILED = 400
LANES = {
    "config_set": "session",
    "activation": "session",
    "category_set": "session",
    "mode_set": "session",
    "options_set": "session",
    "play_state": "session",
    "call_start": "session",
    "call_end": "session",
    "call_connected": "session",
    "error": "session",
    "route_change": "route",
    "interruption_began": "interruption",
    "interruption_ended": "interruption",
    "resume_decision": "interruption",
    "media_services_lost": "interruption",
    "media_services_reset": "interruption",
}


def _finite(obj: object) -> object:
    """The data with NaN and infinities as null: JSON has no token for them, and one would void the page."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _safe_json(obj: object) -> str:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(_finite(obj), default=str, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _details(con: duckdb.DuckDBPyConnection, call_ids: list[str]) -> dict:
    """Per call: events (lane, t, text), findings, and audio series, for the calls that get a timeline."""
    if not call_ids:
        return {}
    con.register("detail_ids", pl.DataFrame({"call_id": call_ids}))
    out: dict[str, dict] = {c: {"events": [], "findings": [], "series": {}} for c in call_ids}
    for cid, t, kind, msg, src, line in con.execute(
        "SELECT e.call_id, round(e.t_rel, 2), e.kind, left(e.message, 300), s.path, e.line_start FROM call_events e "
        "JOIN sources s USING (source_id) WHERE e.call_id IN (SELECT call_id FROM detail_ids) ORDER BY e.ts"
    ).fetchall():
        lane = LANES.get(kind, "session")
        out[cid]["events"].append([t, lane, kind, html.escape(f"{Path(src).name}:{line} {msg}")])
    for cid, t, sev, rule, detail in con.execute(
        "SELECT f.call_id, round(epoch(f.first_ts) - epoch(c.start_ts), 2), f.severity, f.rule_id, f.detail "
        "FROM findings f JOIN calls c USING (call_id) WHERE f.call_id IN (SELECT call_id FROM detail_ids)"
    ).fetchall():
        out[cid]["findings"].append([t, sev, html.escape(rule), html.escape(detail or "")])
    for cid, t, level in con.execute(
        "SELECT m.call_id, round(epoch(m.ts) - epoch(c.start_ts), 1), m.audio_level FROM call_mic m "
        "JOIN calls c USING (call_id) WHERE m.call_id IN (SELECT call_id FROM detail_ids) ORDER BY m.ts"
    ).fetchall():
        mic = out[cid]["series"].setdefault("mic", {"t": [], "level": []})
        mic["t"].append(t)
        mic["level"].append(level)
    for cid, direction, t, pps, loss, jitter, rtt, mos in con.execute(
        "SELECT a.call_id, a.direction, round(epoch(a.ts_end) - epoch(c.start_ts), 1), round(a.packets_per_s, 1), "
        "round(a.loss_rate, 4), round(a.jitter_s * 1000, 1), round(a.rtt_s * 1000, 1), round(a.mos, 2) "
        "FROM call_audio a JOIN calls c USING (call_id) WHERE a.call_id IN (SELECT call_id FROM detail_ids) "
        "AND NOT a.gap ORDER BY a.ts_end"
    ).fetchall():
        s = out[cid]["series"].setdefault(
            direction, {"t": [], "pps": [], "loss": [], "jitter": [], "rtt": [], "mos": []}
        )
        for key, v in (("t", t), ("pps", pps), ("loss", loss), ("jitter", jitter), ("rtt", rtt), ("mos", mos)):
            s[key].append(v)
    con.unregister("detail_ids")
    return out


def dashboard_data(con: duckdb.DuckDBPyConnection) -> dict:
    """What the page carries: one row a call (values as stored: the page's scripts put them in as text, never
    as HTML) and the details of the calls that get a timeline (escaped for plotly's hover labels)."""
    calls = [
        list(r)
        for r in con.execute(
            "SELECT call_id, CAST(day AS VARCHAR), verdict, cause, coalesce(ios, 'unknown'), "
            "coalesce(device_model, device), route, round(duration_s), findings FROM call_verdicts "
            "ORDER BY start_ts, call_id"
        ).fetchall()
    ]
    detailed = [
        r[0]
        for r in con.execute(
            "SELECT call_id FROM call_verdicts "
            "ORDER BY verdict = 'healthy', verdict = 'degraded', start_ts DESC, call_id LIMIT $n",
            {"n": MAX_DETAILED},
        ).fetchall()
    ]
    return {
        "columns": ["call_id", "day", "verdict", "cause", "os", "device", "route", "duration_s", "findings"],
        "calls": calls,
        "details": _details(con, detailed),
    }


def page_html(data: dict) -> str:
    """The dashboard page for `data` (see dashboard_data)."""
    from plotly.offline import get_plotlyjs

    return PAGE.replace("/*PLOTLY*/", get_plotlyjs()).replace("/*DATA*/", _safe_json(data))


def write_dashboard(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Write the dashboard HTML for every call in the store (under a temporary name, renamed into place)."""
    return write_file(path, page_html(dashboard_data(con)))


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Call failures dashboard</title>
<style>
body{font-family:sans-serif;margin:1.5em}#filters label{margin-right:1em}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 6px}tr.call:hover{background:#eef;cursor:pointer}
#calls{max-height:300px;overflow:auto}
.failed{color:#b00}.suspected{color:#a60}.degraded{color:#a80}
</style>
<script>/*PLOTLY*/</script>
</head><body>
<h1>Call failures dashboard</h1>
<div id="filters">
 <label>from <input type="date" id="f_from"></label><label>to <input type="date" id="f_to"></label>
 <label>cause <select id="f_cause"></select></label><label>iOS <select id="f_os"></select></label>
 <label>device <select id="f_device"></select></label><label>route <select id="f_route"></select></label>
 <label>search <input id="f_search" placeholder="call id or device"></label>
</div>
<div id="overview" style="height:320px"></div>
<p id="count"></p>
<div id="calls"><table id="calltable"></table></div>
<h2 id="calltitle">Select a call</h2>
<div id="timeline" style="height:640px"></div>
<script id="data" type="application/json">/*DATA*/</script>
<script>
const DATA = JSON.parse(document.getElementById('data').textContent);
const C = Object.fromEntries(DATA.columns.map((c, i) => [c, i]));
const VERDICTS = ['failed', 'suspected', 'degraded', 'healthy'];
// Every value may be missing (null): shown as nothing, listed in a filter as "(none)", matched only by it.
// Values go into the page as text (textContent, new Option), never as HTML.
const text = v => (v === null || v === undefined) ? '' : String(v);
const FILTERS = {f_cause: 'cause', f_os: 'os', f_device: 'device', f_route: 'route'};
const chosen = {};  // filter id -> {value} of its selected option; absent: all
function opts(id, col) {
  const sel = document.getElementById(id);
  const vals = [...new Set(DATA.calls.map(r => r[C[col]] ?? null))]
    .sort((a, b) => (a === null) - (b === null) || text(a).localeCompare(text(b)));
  sel.replaceChildren(new Option('all', ''),
    ...vals.map((v, i) => new Option(v === null || v === '' ? '(none)' : String(v), String(i))));
  sel.onchange = () => {
    if (sel.value === '') delete chosen[id]; else chosen[id] = {value: vals[Number(sel.value)]};
    render();
  };
}
for (const [id, col] of Object.entries(FILTERS)) opts(id, col);
for (const id of ['f_from', 'f_to', 'f_search']) document.getElementById(id).oninput = render;
function matching() {
  const v = id => document.getElementById(id).value;
  const q = v('f_search').toLowerCase(), from = v('f_from'), to = v('f_to');
  return DATA.calls.filter(r => {
    const day = text(r[C.day]);
    if ((from && !(day && day >= from)) || (to && !(day && day <= to))) return false;
    for (const [id, col] of Object.entries(FILTERS))
      if (chosen[id] && (r[C[col]] ?? null) !== chosen[id].value) return false;
    return !q || text(r[C.call_id]).toLowerCase().includes(q) || text(r[C.device]).toLowerCase().includes(q);
  });
}
function cell(tag, value) {
  const el = document.createElement(tag);
  el.textContent = text(value);
  return el;
}
function render() {
  const rows = matching();
  const days = [...new Set(rows.map(r => text(r[C.day])).filter(d => d))].sort();
  const colours = {failed: '#c62828', suspected: '#ef6c00', degraded: '#f9a825', healthy: '#2e7d32'};
  const traces = VERDICTS.map(vd => ({type: 'bar', name: vd, x: days, marker: {color: colours[vd]},
    y: days.map(d => rows.filter(r => text(r[C.day]) === d && r[C.verdict] === vd).length)}));
  Plotly.react('overview', traces, {barmode: 'stack', title: 'Calls per day by verdict', margin: {t: 40}});
  document.getElementById('count').textContent = rows.length + ' calls match (' +
    rows.filter(r => r[C.verdict] === 'failed').length + ' failed); the first 300 are listed';
  const head = document.createElement('tr');
  for (const c of DATA.columns) head.appendChild(cell('th', c));
  const list = rows.slice(0, 300).map(r => {
    const tr = document.createElement('tr');
    tr.className = 'call ' + text(r[C.verdict]);
    for (const v of r) tr.appendChild(cell('td', v));
    tr.onclick = () => showCall(r[C.call_id]);
    return tr;
  });
  document.getElementById('calltable').replaceChildren(head, ...list);
}
function showCall(id) {
  const d = Object.hasOwn(DATA.details, text(id)) ? DATA.details[text(id)] : null;
  document.getElementById('calltitle').textContent = 'Call ' + text(id);
  if (!d) { Plotly.purge('timeline'); document.getElementById('timeline').textContent =
    'No timeline embedded for this call: run `analyzer triage --db <store> --call <id>`.'; return; }
  document.getElementById('timeline').textContent = '';
  const lanes = ['findings', 'interruption', 'route', 'session'];
  const traces = [];
  const events = d.events || [], findings = d.findings || [], s = d.series || {};
  for (const lane of lanes.slice(1)) {
    const ev = events.filter(e => e[1] === lane);
    traces.push({type: 'scatter', mode: 'markers', name: lane, x: ev.map(e => e[0]), y: ev.map(() => lane),
      text: ev.map(e => e[2] + '<br>' + e[3]), hoverinfo: 'x+text', marker: {size: 10}, yaxis: 'y'});
  }
  traces.push({type: 'scatter', mode: 'markers', name: 'findings', x: findings.map(f => f[0]),
    y: findings.map(() => 'findings'), text: findings.map(f => f[1] + ' ' + f[2] + '<br>' + f[3]),
    hoverinfo: 'x+text', marker: {size: 12, symbol: 'diamond', color: '#c00'}, yaxis: 'y'});
  for (const dir of ['outbound', 'inbound']) if (s[dir]) {
    traces.push({type: 'scatter', name: dir + ' packets/s', x: s[dir].t, y: s[dir].pps, yaxis: 'y2'});
    if (dir === 'inbound') {
      traces.push({type: 'scatter', name: 'loss', x: s[dir].t, y: s[dir].loss, yaxis: 'y3'});
      traces.push({type: 'scatter', name: 'jitter ms', x: s[dir].t, y: s[dir].jitter, yaxis: 'y4'});
      traces.push({type: 'scatter', name: 'RTT ms', x: s[dir].t, y: s[dir].rtt, yaxis: 'y4'});
      traces.push({type: 'scatter', name: 'MOS', x: s[dir].t, y: s[dir].mos, yaxis: 'y5'});
    }
  }
  if (s.mic) traces.push({type: 'scatter', name: 'mic level', x: s.mic.t, y: s.mic.level, yaxis: 'y3'});
  Plotly.newPlot('timeline', traces, {title: 'Timeline (seconds since the call started)', showlegend: true,
    xaxis: {title: 's'}, yaxis: {domain: [0.72, 1], type: 'category', categoryarray: lanes},
    yaxis2: {domain: [0.5, 0.68], title: 'pkt/s'}, yaxis3: {domain: [0.34, 0.48], title: 'loss / mic'},
    yaxis4: {domain: [0.17, 0.32], title: 'ms'}, yaxis5: {domain: [0, 0.15], title: 'MOS', range: [1, 4.5]},
    margin: {t: 40}});
}
render();
</script>
</body></html>
"""
