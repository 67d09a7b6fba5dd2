"""Triage: one ticket in, per call a verdict, the findings with their evidence lines and the fix, and a timeline.

The report is plain data (dicts and lists), rendered by analyzer/render/triage_report.py as a terminal table,
markdown (for the ticket) or JSON. Queries are in queries/triage_*.sql.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from analyzer.detect.rules import SEVERITY_RANK, Rule
from analyzer.resources import query_text
from analyzer.triage.redact import Redactor

# between findings of equal severity, the more specific area names the cause (a Bluetooth symptom over the
# misconfiguration behind it, which the findings list still shows)
AREA_PRIORITY = {"interruption": 3, "bluetooth": 2, "network": 1, "misconfiguration": 0}
CAUSE = {
    "misconfiguration": "misconfiguration",
    "interruption": "unrecovered_interruption",
    "bluetooth": "bluetooth_routing",
    "network": "network",
}
MAX_EVIDENCE = 8


@dataclass
class TriageOptions:
    call_id: str | None = None
    min_severity: str = "info"
    redact: bool = False


VERDICT_RANK = {"healthy": 0, "degraded": 1, "suspected": 2, "failed": 3}


@dataclass
class Report:
    sources: list[dict] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """The ticket's verdict: the worst of its calls' (no_call when nothing in it forms a call)."""
        if not self.calls:
            return "no_call"
        return max((c["verdict"] for c in self.calls), key=lambda v: VERDICT_RANK[v])

    @property
    def cause(self) -> str | None:
        """The cause of the worst call (the first such call when several tie)."""
        worst = [c for c in self.calls if c["verdict"] == self.verdict]
        return worst[0]["cause"] if worst else None

    @property
    def worst(self) -> str | None:
        """The most severe finding in the report, if any."""
        sev = [f["severity"] for c in self.calls for f in c["findings"]]
        return max(sev, key=lambda s: SEVERITY_RANK[s]) if sev else None


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[dict]:
    result = con.execute(sql, params or [])
    cols = [d[0] for d in result.description]
    return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]


def verdict(findings: list[dict]) -> tuple[str, str | None]:
    """(verdict, cause): failed when something critical or high was found, degraded for medium, else healthy."""
    if not findings:
        return "healthy", None
    top = max(findings, key=lambda f: (SEVERITY_RANK[f["severity"]], AREA_PRIORITY[f["area"]], -(f["t_rel"] or 0)))
    rank = SEVERITY_RANK[top["severity"]]
    if rank >= SEVERITY_RANK["high"]:
        return "failed", CAUSE[top["area"]]
    if rank == SEVERITY_RANK["medium"]:
        return "degraded", CAUSE[top["area"]]
    return "healthy", None


def _prediction(con: duckdb.DuckDBPyConnection, call_id: str) -> dict | None:
    rows = _rows(
        con,
        "SELECT label, probability, top_features, model, abstained, unjudged, suspects FROM predictions "
        "WHERE call_id = ?",
        [call_id],
    )
    if not rows:
        return None
    r = rows[0]
    return {
        "label": r["label"],
        "probability": round(r["probability"], 3) if r["probability"] is not None else None,
        "top_features": r["top_features"] if r["abstained"] is None else [],
        "model": r["model"],
        "abstained": r["abstained"],
        "unjudged": r["unjudged"],
        "suspects": r["suspects"],
    }


def combine(v: str, cause: str | None, prediction: dict | None) -> tuple[str, str | None, str]:
    """The verdict from rules and model together, and a sentence on how sure it is (the model suspects a failure
    when it names one with at least its suspicion threshold, decided at prediction)."""
    if prediction is None:
        return v, cause, "rules only (no model)"
    if prediction.get("abstained"):
        return v, cause, f"rules only; the model abstains: {prediction['abstained']}"
    label, p = prediction["label"], prediction["probability"]
    limits = f"; {prediction['unjudged']}" if prediction.get("unjudged") else ""
    if v in ("failed", "degraded"):
        if label == cause:
            return v, cause, f"rules, and the model agrees (p={p:.2f}){limits}"
        return v, cause, f"rules; the model says {label} (p={p:.2f}){limits}"
    if prediction.get("suspects"):
        return "suspected", label, f"failure suspected, no rule matched: model only (p={p:.2f}){limits}"
    return v, cause, f"no rule matched; model: {label} (p={p:.2f}){limits}"


def build_report(con: duckdb.DuckDBPyConnection, rules: list[Rule], opts: TriageOptions) -> Report:
    """Assemble the report from a store that has been ingested, sessionised and checked by the rules."""
    red = Redactor(opts.redact)
    by_id = {r.id: r for r in rules}
    report = Report()
    report.sources = [
        {k: (red(v) if k == "file" else v) for k, v in row.items()}
        for row in _rows(con, query_text("triage/sources.sql"))
    ]
    calls = _rows(con, query_text("triage/calls.sql"))
    if opts.call_id:
        # an app's call id logged by two phones is one call per phone: `<id>@<device>`
        calls = [c for c in calls if c["call_id"] == opts.call_id or c["call_id"].startswith(opts.call_id + "@")]
        if not calls:
            report.errors.append(f"no call {opts.call_id!r} in what was read")
    floor = SEVERITY_RANK[opts.min_severity]
    for call in calls:
        cid = call["call_id"]
        findings = []
        for f in _rows(con, query_text("triage/findings.sql"), [cid]):
            rule = by_id.get(f["rule_id"])
            evidence = _rows(
                con,
                query_text("triage/evidence.sql"),
                {"events": f["evidence"] or [], "stats": f["stats_evidence"] or []},
            )
            findings.append(
                {
                    "severity": f["severity"],
                    "area": f["area"],
                    "rule_id": f["rule_id"],
                    "title": rule.title if rule else f["rule_id"],
                    "detail": red(f["detail"]),
                    "t_rel": round(f["t_rel"], 1) if f["t_rel"] is not None else None,
                    "at_utc": f["at_utc"],
                    "evidence": [
                        {
                            "file": red(e["file"]),
                            "line": e["line"],
                            "line_end": e["line_end"],
                            "locator": red(e["locator"]) if e["locator"] else None,
                            "text": red(e["text"]),
                        }
                        for e in evidence[:MAX_EVIDENCE]
                    ],
                    "more_evidence": max(0, len(evidence) - MAX_EVIDENCE),
                    "fix": rule.remediation if rule else "",
                }
            )
        shown = [f for f in findings if SEVERITY_RANK[f["severity"]] >= floor]
        v, cause = verdict(findings)
        prediction = _prediction(con, cid)
        v, cause, confidence = combine(v, cause, prediction)
        gaps = _rows(con, query_text("triage/gaps.sql"), {"call_id": cid})
        connections = [
            {**c, "file": red(c["file"]), "pc_id": red(c["pc_id"])}
            for c in _rows(con, query_text("triage/connections.sql"), {"call_id": cid})
        ]
        timeline = sorted(
            [
                {"t_rel": round(t["t_rel"], 1), "what": red(t["what"]), "producer": t["producer"]}
                for t in _rows(con, query_text("triage/timeline.sql"), {"call_id": cid})
            ]
            + [
                {
                    "t_rel": g["from_s"],
                    "what": f"{g['direction']} audio silent for {g['seconds']} s (to {g['to_s']} s)"
                    + (f" on {g['pc_id']}" if g["pc_id"] else ""),
                    "producer": "stats",
                }
                for g in gaps
            ],
            key=lambda t: t["t_rel"],
        )
        report.calls.append(
            {
                "call_id": red(cid),
                "device": red(call["device"]),
                "start_utc": call["start_utc"],
                "start_time_of_day": call["start_time_of_day"],
                "time_basis": call["time_basis"],
                "local_offset": call["local_offset"],
                "duration_s": call["duration_s"],
                "found_by": call["found_by"],
                "ended_cleanly": call["ended_cleanly"],
                "alignment": call["alignment"],
                "gateway_offset_s": call["gateway_offset_s"],
                "routes": call["routes"],
                "verdict": v,
                "cause": cause,
                "confidence": confidence,
                "model": prediction,
                "findings": sorted(shown, key=lambda f: (-SEVERITY_RANK[f["severity"]], f["t_rel"] or 0)),
                "connections": connections,
                "timeline": timeline,
                "audio_gaps": gaps,
            }
        )
    return report
