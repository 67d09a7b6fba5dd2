"""Triage: one ticket in, per call a verdict, the findings with their evidence lines and the fix, and a timeline.

The report is plain data (dicts and lists), rendered by analyzer/render/triage_report.py as a terminal table,
markdown (for the ticket) or JSON. Queries are in queries/triage/.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from analyzer.detect.rules import Rule
from analyzer.reference import severity_rank, verdict_rank
from analyzer.resources import query_text
from analyzer.triage.redact import Redactor

MAX_EVIDENCE = 8


@dataclass
class TriageOptions:
    call_id: str | None = None
    min_severity: str = "info"
    redact: bool = False


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
        return max((c["verdict"] for c in self.calls), key=verdict_rank().__getitem__)

    @property
    def cause(self) -> str | None:
        """The cause of the worst call (the first such call when several tie)."""
        worst = [c for c in self.calls if c["verdict"] == self.verdict]
        return worst[0]["cause"] if worst else None

    @property
    def worst(self) -> str | None:
        """The most severe finding in the report, if any."""
        sev = [f["severity"] for c in self.calls for f in c["findings"]]
        return max(sev, key=severity_rank().__getitem__) if sev else None


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    result = con.execute(sql, params or {})
    cols = [d[0] for d in result.description]
    return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]


def call_prediction(con: duckdb.DuckDBPyConnection, call_id: str) -> dict | None:
    """The model's view of one call as the report shows it (None when the store holds no prediction for it)."""
    rows = _rows(con, query_text("triage/prediction.sql"), {"call_id": call_id})
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


def call_finding(con: duckdb.DuckDBPyConnection, f: dict, rule: Rule | None, red: Redactor) -> dict:
    """One finding as the report shows it: what, when, the evidence lines (the first few) and the fix."""
    evidence = _rows(
        con, query_text("triage/evidence.sql"), {"events": f["evidence"] or [], "stats": f["stats_evidence"] or []}
    )
    return {
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


def call_timeline(con: duckdb.DuckDBPyConnection, cid: str, gaps: list[dict], red: Redactor) -> list[dict]:
    """The call's events and its silent stretches of audio, in order."""
    events = [
        {"t_rel": round(t["t_rel"], 1), "what": red(t["what"]), "producer": t["producer"]}
        for t in _rows(con, query_text("triage/timeline.sql"), {"call_id": cid})
    ]
    silences = [
        {
            "t_rel": g["from_s"],
            "what": f"{g['direction']} audio silent for {g['seconds']} s (to {g['to_s']} s)"
            + (f" on {g['pc_id']}" if g["pc_id"] else ""),
            "producer": "stats",
        }
        for g in gaps
    ]
    return sorted(events + silences, key=lambda t: t["t_rel"])


_CALL_FIELDS = (
    "device_model", "ios", "app_version",
    "start_utc", "start_time_of_day", "time_basis", "local_offset", "duration_s", "found_by", "ended_cleanly",
    "alignment", "gateway_offset_s", "routes", "verdict", "cause", "confidence",
)  # fmt: skip


def _call(
    con: duckdb.DuckDBPyConnection, call: dict, by_id: dict[str, Rule], opts: TriageOptions, red: Redactor
) -> dict:
    """One call: its verdict (queries/triage/verdicts.sql), findings at or above the floor, connections,
    timeline and silent stretches."""
    rank = severity_rank()
    cid = call["call_id"]
    findings = [
        call_finding(con, f, by_id.get(f["rule_id"]), red)
        for f in _rows(con, query_text("triage/findings.sql"), {"call_id": cid})
        if rank[f["severity"]] >= rank[opts.min_severity]
    ]
    gaps = _rows(con, query_text("triage/gaps.sql"), {"call_id": cid})
    connections = [
        {**c, "file": red(c["file"]), "pc_id": red(c["pc_id"])}
        for c in _rows(con, query_text("triage/connections.sql"), {"call_id": cid})
    ]
    return {
        "call_id": red(cid),
        "device": red(call["device"]),
        **{k: call[k] for k in _CALL_FIELDS},
        "model": call_prediction(con, cid),
        "findings": sorted(findings, key=lambda f: (-rank[f["severity"]], f["t_rel"] or 0)),
        "connections": connections,
        "timeline": call_timeline(con, cid, gaps, red),
        "audio_gaps": gaps,
    }


def build_report(con: duckdb.DuckDBPyConnection, rules: list[Rule], opts: TriageOptions) -> Report:
    """Assemble the report from a store that has been ingested, sessionised and checked by the rules."""
    red = Redactor(opts.redact)
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
    by_id = {r.id: r for r in rules}
    report.calls = [_call(con, call, by_id, opts, red) for call in calls]
    return report
