"""Detect stage: load, validate and run the declarative rules (rules/<area>/<rule_id>.yaml).

A rule is one YAML file (id, title, area, severity, description, remediation, references, parameters and a
DuckDB `query`). Its query runs once over the whole store (set-based: every call at once) and returns
call_id, first_ts, last_ts, evidence (event ids), optionally stats_evidence ({source_id, line} list), and a
detail sentence. Parameters are the query's $named parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from analyzer.resources import resource_dir

AREAS = ("misconfiguration", "interruption", "bluetooth", "network")
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # info 0 .. critical 4
REQUIRED = ("id", "title", "area", "severity", "description", "remediation", "query")
OUTPUT = ("call_id", "first_ts", "last_ts", "evidence", "detail")


class RuleError(ValueError):
    """A rule file that cannot be used: the message names the file and the field."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    area: str
    severity: str
    description: str
    remediation: str
    query: str
    path: Path
    references: tuple[str, ...] = ()
    parameters: dict[str, object] = field(default_factory=dict)
    false_positives: str = ""  # when the rule fires on something that is not a failure (known gaps)


def _fail(path: Path, what: str) -> RuleError:
    return RuleError(f"{path}: {what}")


def load_rule(path: Path) -> Rule:
    """Read and check one rule file (structure only; `validate_queries` checks the SQL against a store)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise _fail(path, f"cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(path, "a rule file must be a YAML mapping")
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _fail(path, f"field '{key}' is missing or empty")
    unknown = set(data) - {*REQUIRED, "references", "parameters", "false_positives"}
    if unknown:
        raise _fail(path, f"unknown field(s): {', '.join(sorted(unknown))}")
    if data["id"] != path.stem:
        raise _fail(path, f"field 'id' is {data['id']!r} but the file is named {path.stem!r}")
    if not re.fullmatch(r"[a-z]+\.[a-z0-9_]+", data["id"]):
        raise _fail(path, "field 'id' must look like area.snake_case_name")
    if data["area"] not in AREAS:
        raise _fail(path, f"field 'area' must be one of {', '.join(AREAS)}, not {data['area']!r}")
    if not data["id"].startswith(data["area"] + "."):
        raise _fail(path, f"field 'id' must start with its area '{data['area']}.'")
    if data["severity"] not in SEVERITIES:
        raise _fail(path, f"field 'severity' must be one of {', '.join(SEVERITIES)}, not {data['severity']!r}")
    refs = data.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise _fail(path, "field 'references' must be a list of strings")
    params = data.get("parameters", {}) or {}
    if not isinstance(params, dict) or not all(isinstance(v, (int, float, str, bool)) for v in params.values()):
        raise _fail(path, "field 'parameters' must map names to numbers, strings or booleans")
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", data["query"]))
    if used - set(params):
        raise _fail(path, f"field 'query' uses undeclared parameter(s): {', '.join(sorted(used - set(params)))}")
    if set(params) - used:
        raise _fail(path, f"field 'parameters' declares unused: {', '.join(sorted(set(params) - used))}")
    return Rule(
        data["id"],
        data["title"].strip(),
        data["area"],
        data["severity"],
        data["description"].strip(),
        data["remediation"].strip(),
        data["query"],
        path,
        tuple(refs),
        dict(params),
        str(data.get("false_positives") or "").strip(),
    )


def load_rules(extra_dirs: list[Path] | None = None) -> list[Rule]:
    """The bundled rule pack plus any user folders; ids must be unique."""
    rules: dict[str, Rule] = {}
    for folder in [resource_dir("rules"), *(extra_dirs or [])]:
        if not folder.is_dir():
            raise RuleError(f"{folder}: no such rules folder")
        for path in sorted(folder.rglob("*.yaml")):
            rule = load_rule(path)
            if rule.id in rules:
                raise _fail(path, f"field 'id' {rule.id!r} is already defined in {rules[rule.id].path}")
            rules[rule.id] = rule
    return sorted(rules.values(), key=lambda r: r.id)


def _column_types(con: duckdb.DuckDBPyConnection, rule: Rule) -> dict[str, str]:
    """The rule's output columns and their types (binding the query against the store, running nothing)."""
    rows = con.execute(f"DESCRIBE SELECT * FROM ({rule.query}) LIMIT 0", rule.parameters).fetchall()
    return {r[0]: str(r[1]) for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, rule: Rule) -> list[str]:
    return list(_column_types(con, rule))


# stats evidence: rules may return {source_id, line} items or the full {source_id, line, locator, what}
_STATS_EVIDENCE_FULL = "stats_evidence"
_STATS_EVIDENCE_SHORT = (
    "list_transform(stats_evidence, lambda e: {'source_id': e.source_id, 'line': e.line,"
    " 'locator': NULL::VARCHAR, 'what': NULL::VARCHAR})"
)
_STATS_EVIDENCE_NONE = "CAST(NULL AS STRUCT(source_id INTEGER, line BIGINT, locator VARCHAR, what VARCHAR)[])"


def _stats_evidence_sql(types: dict[str, str]) -> str:
    kind = types.get("stats_evidence")
    if kind is None or kind.upper().startswith("NULL") or kind.upper() == '"NULL"':
        return _STATS_EVIDENCE_NONE
    return _STATS_EVIDENCE_FULL if "what" in kind else _STATS_EVIDENCE_SHORT


def validate_queries(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> None:
    """Bind every query against the store's schema and check its output columns."""
    for rule in rules:
        try:
            cols = _columns(con, rule)
        except duckdb.Error as exc:
            raise _fail(rule.path, f"field 'query' does not run: {exc}") from exc
        missing = [c for c in OUTPUT if c not in cols]
        if missing:
            raise _fail(rule.path, f"field 'query' must return {', '.join(OUTPUT)}; missing {', '.join(missing)}")


def run_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> int:
    """Replace `findings` with what the rules find now; returns the number of findings."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM findings")
        for rule in rules:
            stats = _stats_evidence_sql(_column_types(con, rule))
            sql = (
                "INSERT INTO findings SELECT (SELECT coalesce(max(finding_id), 0) FROM findings)"
                " + row_number() OVER (),"
                f" $rule_id, $rule_area, $rule_severity, call_id, first_ts, last_ts, evidence, {stats}, detail"
                f" FROM ({rule.query}) f"
            )
            params = {"rule_id": rule.id, "rule_area": rule.area, "rule_severity": rule.severity, **rule.parameters}
            try:
                con.execute(sql, params)
            except duckdb.Error as exc:
                raise _fail(rule.path, f"field 'query' failed: {exc}") from exc
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute("SELECT count(*) FROM findings").fetchall()[0][0]
