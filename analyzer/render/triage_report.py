"""Render a triage report: terminal (rich), markdown (ready to paste into a ticket) or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from analyzer.render.escape import clean, md, md_code, term
from analyzer.triage.ticket import Report


def _offset(minutes: int | None) -> str:
    if minutes is None:
        return "device offset unknown"
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d} on the device"


def _gateway(call: dict) -> str:
    if call["gateway_offset_s"] is None:
        return call["alignment"]
    return f"gateway clock {call['gateway_offset_s']:+.2f} s ({call['alignment']})"


def _device(call: dict) -> str:
    """The device, or what stands for it when the evidence names none (triage takes a ticket as one phone), and
    the model, iOS and app version where the evidence gives them."""
    name = call["device"]
    if name == "ticket":
        name = "not named in the evidence (every file of the ticket taken as one phone)"
    facts = [f"{label} {call[key]}" for key, label in _FACTS if call.get(key)]
    missing = [label for key, label in _FACTS if not call.get(key)]
    if missing:
        facts.append(f"{', '.join(missing)} not in the evidence")
    return f"{name}; {'; '.join(facts)}"


_FACTS = (("device_model", "model"), ("ios", "iOS"), ("app_version", "app"))


def _where(e: dict) -> str:
    """file:line (file:first-last for a multi-line record), or file and where in a dump that has no lines."""
    if e["line"] is None:
        return f"{e['file']} ({e['locator']})" if e.get("locator") else e["file"]
    lines = f"{e['line']}" if e["line"] == e["line_end"] else f"{e['line']}-{e['line_end']}"
    return f"{e['file']}:{lines}"


def _verdict(call: dict) -> str:
    head = call["verdict"] if call["cause"] is None else f"{call['verdict']}: {call['cause']}"
    return f"{head} ({call['confidence']})"


def _model(call: dict) -> str | None:
    m = call.get("model")
    if not m or not m["top_features"]:
        return None
    return f"model {m['model']} says {m['label']} (p={m['probability']:.2f}) from " + "; ".join(m["top_features"])


def to_json(report: Report) -> str:
    """The report as JSON: the ticket's verdict and cause first, then sources, calls, notes and errors."""
    return json.dumps({"verdict": report.verdict, "cause": report.cause, **asdict(report)}, default=str, indent=2)


def _start(call: dict) -> str:
    """When the call started, saying how much of it the log gave (a paste may have no date, or no time)."""
    basis = call.get("time_basis", "exact")
    if basis == "order_only":
        return "no time in the log (events in the order the file lists them)"
    if basis == "no_date":
        return f"{call['start_time_of_day']} (a time of day only: the log has no date; {_offset(call['local_offset'])})"
    where = _offset(call["local_offset"])
    if basis == "no_year":
        where += "; no year in the log, one assumed"
    elif basis == "no_offset" and call["local_offset"] is None:
        where = "no UTC offset in the log: the assumed one applied"
    return f"{call['start_utc']} ({where})"


def _connection(c: dict) -> str:
    """One connection in short: its end, reconnects, time up, RTT, path and the audio each way (local side)."""
    if c["connectionFailed"]:
        state = "failed" if c["everConnected"] else "failed, never connected"
    elif c["lastState"] is None:
        state = "no state reported"
    elif not c["everConnected"]:
        state = f"never connected (last {c['lastState']})"
    elif c["closedByApp"]:
        state = "closed by the app"
    elif c["lastState"] in ("connected", "completed"):
        state = "connected to the end of its stats"
    else:
        state = f"last {c['lastState']}"
    parts = [state]
    if c["iceReconnects"]:
        parts.append(f"{c['iceReconnects']} reconnect(s)")
    if c["everConnected"]:
        parts.append(f"up {c['sessionDurationMs'] / 1000:.1f} s")
    if c["meanRtt"] is not None:
        parts.append(f"RTT {c['meanRtt'] * 1000:.0f} ms")
    if c["usesRelay"] is not None:
        parts.append("via TURN relay" if c["usesRelay"] else f"direct ({c['localCandidateType'] or '?'})")
    for t in c["tracks"]:
        if t["side"] == "local" and t["mediaType"] == "audio":
            way = "in" if t["direction"] == "receiver" else "out"
            lost = f", {t['packetsLostPct']}% lost" if t["packetsLost"] else ""
            parts.append(f"audio {way} {t['ssrc']}: {int(t['packets'] or 0)} packets{lost}")
    return f"{c['pc_id'] or 'connection'}: " + "; ".join(parts)


def to_markdown(report: Report) -> str:
    out: list[str] = ["# Call triage", ""]
    for call in report.calls:
        out += [
            f"## Call {md(call['call_id'])}: {_verdict(call)}",
            "",
            f"- **Device:** {md(_device(call))}",
            f"- **Start:** {md(_start(call))}, {call['duration_s']} s, "
            f"found by {call['found_by']}{'' if call['ended_cleanly'] else ', no end logged'}",
            f"- **Route:** {md(call['routes'] or 'no route change logged')}",
            f"- **Clocks:** {md(_gateway(call))}",
        ]
        if _model(call):
            out.append(f"- **Model:** {md(_model(call))}")
        out.append("")
        if not call["findings"]:
            out += ["No findings.", ""]
        for f in call["findings"]:
            when = f"+{f['t_rel']} s ({f['at_utc']})" if f["t_rel"] is not None else "during the call"
            out += [
                f"### {f['severity'].upper()}: {f['title']}",
                "",
                f"{md(f['detail'])}",
                "",
                f"- **When:** {when}",
                f"- **Rule:** `{f['rule_id']}`",
                "- **Evidence:**",
            ]
            for e in f["evidence"]:
                out.append(f"  - {md(_where(e))} {md_code(e['text'])}")
            if f["more_evidence"]:
                out.append(f"  - and {f['more_evidence']} more")
            out += ["", "**Fix:**", "", *(f"> {ln}" if ln else ">" for ln in f["fix"].splitlines()), ""]
        if call["connections"]:
            out += ["### Connections", ""] + [f"- {md(_connection(c))}" for c in call["connections"]] + [""]
        out += ["### Timeline", "", "| t (s) | event |", "|---:|---|"]
        out += [f"| {t['t_rel']} | {md(t['what'])} |" for t in call["timeline"]]
        out.append("")
    out += ["## What was read", "", "| file | format | records | stored | rejected |", "|---|---|---:|---:|---:|"]
    out += [
        f"| {md(s['file'])} | {s['format']} | {s['records']} | {s['stored']} | {s['rejected']} |"
        for s in report.sources
    ]
    out += [f"\n- note: {md(n)}" for n in report.notes] + [f"\n- error: {md(e)}" for e in report.errors]
    return clean("\n".join(out) + "\n")  # also the rule pack's own text (titles, fixes), which md() did not see


def print_terminal(report: Report, db: str) -> None:
    from rich.table import Table

    from analyzer.render.tables import console

    con = console()
    colours = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
    for call in report.calls:
        style = "green" if call["verdict"] == "healthy" else "yellow" if call["verdict"] == "degraded" else "bold red"
        con.rule(f"[bold]Call {term(call['call_id'])}[/bold]")
        con.print(f"device {term(_device(call))}")
        con.print(
            f"start {term(_start(call))}, {call['duration_s']} s, "
            f"found by {call['found_by']}{'' if call['ended_cleanly'] else ', no end logged'}; "
            f"{term(_gateway(call))}"
        )
        con.print(f"route {term(call['routes'] or 'no route change logged')}")
        con.print(f"verdict [{style}]{term(_verdict(call))}[/{style}]")
        if _model(call):
            con.print(f"[dim]{term(_model(call))}[/dim]")
        con.print()
        for f in call["findings"]:
            c = colours[f["severity"]]
            when = f"+{f['t_rel']} s ({f['at_utc']})" if f["t_rel"] is not None else "during the call"
            con.print(
                f"[{c}]{f['severity'].upper():9}[/{c}] [bold]{term(f['title'])}[/bold]  [dim]{term(f['rule_id'])}[/dim]"
            )
            con.print(f"          {term(f['detail'])}")
            con.print(f"          when: {when}")
            for e in f["evidence"]:
                con.print(f"          [dim]{term(_where(e))}[/dim] {term(e['text'])}")
            if f["more_evidence"]:
                con.print(f"          [dim]and {f['more_evidence']} more[/dim]")
            con.print("          fix:")
            for ln in f["fix"].splitlines():
                con.print(f"            {term(ln)}")
            con.print()
        for c in call["connections"]:
            con.print(f"connection {term(_connection(c))}")
        if call["connections"]:
            con.print()
        table = Table(title="timeline", show_header=True, box=None)
        table.add_column("t (s)", justify="right")
        table.add_column("event")
        for t in call["timeline"]:
            what = term(t["what"])
            table.add_row(str(t["t_rel"]), f"[yellow]{what}[/yellow]" if t["producer"] == "stats" else what)
        con.print(table)
    read = Table(title="what was read", box=None)
    for col in ("file", "format", "records", "stored", "rejected"):
        read.add_column(col)
    for s in report.sources:
        read.add_row(term(s["file"]), s["format"], str(s["records"]), str(s["stored"]), str(s["rejected"]))
    con.print(read)
    err = console(stderr=True)  # diagnostics
    rejected = sum(s["rejected"] for s in report.sources)
    if rejected:
        where = (
            f'analyzer sql "SELECT * FROM rejects" --db {db}'
            if db != ":memory:"
            else "run again with --db FILE and query the rejects table"
        )
        err.print(f"{rejected} record(s) rejected: {term(where)}")
    for n in report.notes:
        err.print(f"note: {term(n)}")
    for e in report.errors:
        err.print(f"[red]error: {term(e)}[/red]")
