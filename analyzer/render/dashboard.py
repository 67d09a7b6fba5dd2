"""The interactive dashboard: one self-contained HTML file (plotly embedded, works offline) with a fleet
overview (filters by date, cause, OS, device, route), a searchable call list, and per-call timelines (session
state, route, interruptions, findings, and the audio series on one time axis, evidence on hover).

Aggregation is done in DuckDB; the page carries one compact row a call and the detail of at most
MAX_DETAILED calls (failed and suspected ones first), so it stays usable with 100 000 calls."""

from __future__ import annotations

import html
import json
from pathlib import Path

import duckdb
import polars as pl

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


def _safe_json(obj: object) -> str:
    """JSON that cannot close the <script> element it sits in."""
    return json.dumps(obj, default=str, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


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


def write_dashboard(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Write the dashboard HTML for every call in the store."""
    from plotly.offline import get_plotlyjs

    calls = [
        list(r)
        for r in con.execute(
            "SELECT call_id, CAST(day AS VARCHAR), verdict, coalesce(cause, ''), coalesce(os_build, 'unknown'), "
            "coalesce(device_model, device_id), route, round(duration_s), findings FROM call_verdicts "
            "ORDER BY start_ts, call_id"
        ).fetchall()
    ]
    detailed = [
        r[0]
        for r in con.execute(
            "SELECT call_id FROM call_verdicts "
            "ORDER BY verdict = 'healthy', verdict = 'degraded', start_ts DESC, call_id "
            f"LIMIT {MAX_DETAILED}"
        ).fetchall()
    ]
    data = {
        "columns": ["call_id", "day", "verdict", "cause", "os", "device", "route", "duration_s", "findings"],
        "calls": [[html.escape(str(v)) if isinstance(v, str) else v for v in row] for row in calls],
        "details": _details(con, detailed),
    }
    page = PAGE.replace("/*PLOTLY*/", get_plotlyjs()).replace("/*DATA*/", _safe_json(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


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
function opts(id, col) {
  const sel = document.getElementById(id);
  const vals = [...new Set(DATA.calls.map(r => String(r[C[col]])))].sort();
  sel.innerHTML = '<option value="">all</option>' + vals.map(v => `<option>${v}</option>`).join('');
  sel.onchange = render;
}
opts('f_cause', 'cause'); opts('f_os', 'os'); opts('f_device', 'device'); opts('f_route', 'route');
for (const id of ['f_from', 'f_to', 'f_search']) document.getElementById(id).oninput = render;
function matching() {
  const v = id => document.getElementById(id).value;
  const q = v('f_search').toLowerCase();
  return DATA.calls.filter(r => (!v('f_from') || r[C.day] >= v('f_from')) && (!v('f_to') || r[C.day] <= v('f_to'))
    && (!v('f_cause') || r[C.cause] === v('f_cause')) && (!v('f_os') || r[C.os] === v('f_os'))
    && (!v('f_device') || r[C.device] === v('f_device')) && (!v('f_route') || r[C.route] === v('f_route'))
    && (!q || r[C.call_id].toLowerCase().includes(q) || r[C.device].toLowerCase().includes(q)));
}
function render() {
  const rows = matching();
  const days = [...new Set(rows.map(r => r[C.day]))].sort();
  const colours = {failed: '#c62828', suspected: '#ef6c00', degraded: '#f9a825', healthy: '#2e7d32'};
  const traces = VERDICTS.map(vd => ({type: 'bar', name: vd, x: days, marker: {color: colours[vd]},
    y: days.map(d => rows.filter(r => r[C.day] === d && r[C.verdict] === vd).length)}));
  Plotly.react('overview', traces, {barmode: 'stack', title: 'Calls per day by verdict', margin: {t: 40}});
  document.getElementById('count').textContent = rows.length + ' calls match (' +
    rows.filter(r => r[C.verdict] === 'failed').length + ' failed); the first 300 are listed';
  const head = '<tr>' + DATA.columns.map(c => `<th>${c}</th>`).join('') + '</tr>';
  document.getElementById('calltable').innerHTML = head + rows.slice(0, 300).map(r =>
    `<tr class="call ${r[C.verdict]}" data-id="${r[C.call_id]}">`
    + r.map(v => `<td>${v}</td>`).join('') + '</tr>').join('');
  for (const tr of document.querySelectorAll('tr.call')) tr.onclick = () => showCall(tr.dataset.id);
}
function showCall(id) {
  const d = DATA.details[id];
  document.getElementById('calltitle').textContent = 'Call ' + id;
  if (!d) { Plotly.purge('timeline'); document.getElementById('timeline').textContent =
    'No timeline embedded for this call: run `analyzer triage --db <store> --call <id>`.'; return; }
  document.getElementById('timeline').textContent = '';
  const lanes = ['findings', 'interruption', 'route', 'session'];
  const traces = [];
  for (const lane of lanes.slice(1)) {
    const ev = d.events.filter(e => e[1] === lane);
    traces.push({type: 'scatter', mode: 'markers', name: lane, x: ev.map(e => e[0]), y: ev.map(() => lane),
      text: ev.map(e => e[2] + '<br>' + e[3]), hoverinfo: 'x+text', marker: {size: 10}, yaxis: 'y'});
  }
  traces.push({type: 'scatter', mode: 'markers', name: 'findings', x: d.findings.map(f => f[0]),
    y: d.findings.map(() => 'findings'), text: d.findings.map(f => f[1] + ' ' + f[2] + '<br>' + f[3]),
    hoverinfo: 'x+text', marker: {size: 12, symbol: 'diamond', color: '#c00'}, yaxis: 'y'});
  const s = d.series;
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
