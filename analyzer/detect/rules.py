"""Detect stage: load, validate and run the declarative rules (rules/<area>/<rule_id>.yaml).

A rule is one YAML file (id, title, area, severity, description, remediation, references, parameters, a
DuckDB `query`, the honest `false_positives` and its own small `tests`). Its query runs once over the whole store
(set-based: every call at once) and returns call_id, first_ts, last_ts, evidence (event ids), optionally
stats_evidence ({source_id, line} list), and a detail sentence. Parameters are the query's $named parameters.

Rules from the user's own folders are untrusted SQL: each must be one SELECT (DuckDB's parser says so), is
checked at load by binding it against an empty store, and runs with file access taken away (unless the user
allows it), under a memory limit and a time limit (analyzer/detect/sandbox.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from analyzer.detect import sandbox
from analyzer.errors import InputError
from analyzer.reference import areas, severities
from analyzer.resources import resource_dir
from analyzer.store.db import MEMORY_LIMIT, connect, transaction

AREAS = areas()
SEVERITIES = severities()
REQUIRED = ("id", "title", "area", "severity", "description", "remediation", "query")
OUTPUT = ("call_id", "first_ts", "last_ts", "evidence", "detail")
MAX_RULE_BYTES = 256 * 1024  # the largest bundled rule (with its tests) is under 16 KB
EXPECTATIONS = ("fire", "quiet")
MAX_CASE_LOG_LINES = 20


class RuleError(InputError, ValueError):
    """A rule file that cannot be used: the message names the file and the field."""


@dataclass(frozen=True)
class RuleCase:
    """One of a rule's own tests: a small log and/or getStats snippet, and whether the rule must fire on it."""

    name: str
    expect: str  # fire | quiet
    findings: int  # how many findings a `fire` case expects (0 for quiet)
    log: str = ""  # text log lines, as a device log export holds them
    stats: str = ""  # getStats snapshots, one JSON report a line (the app's upload)


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
    false_positives: tuple[str, ...] = ()  # when the rule can fire on a healthy call, one sentence each
    tests: tuple[RuleCase, ...] = ()
    bundled: bool = False  # shipped with the analyzer (trusted); False: a user's rule, run sandboxed
    allow_files: bool = False  # the user let this rule read files (--allow-files)


def _fail(path: Path, what: str) -> RuleError:
    return RuleError(f"{path}: {what}")


def _read(path: Path) -> str:
    """The file's text: UTF-8 and at most MAX_RULE_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_RULE_BYTES:
            raise _fail(path, f"is {size} bytes; a rule file may have at most {MAX_RULE_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot be read: {exc}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line})") from None


def _one_select(path: Path, query: str) -> None:
    """Refuse anything but exactly one SELECT statement, as DuckDB's own parser reads the query."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise _fail(path, f"field 'query' is not valid SQL: {_first_line(exc)}") from None
    kinds = [s.type.name for s in statements]
    if kinds != ["SELECT"]:
        found = ", ".join(kinds) or "no statement"
        raise _fail(path, f"field 'query' must be exactly one SELECT statement, not {found}")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def load_rule(path: Path, bundled: bool = False, allow_files: bool = False) -> Rule:
    """Read and check one rule file (structure and statement type; `validate_queries` binds the SQL to a store)."""
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as exc:
        raise _fail(path, f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(path, "a rule file must be a YAML mapping")
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _fail(path, f"field '{key}' is missing or empty")
    unknown = set(data) - {*REQUIRED, "references", "parameters", "false_positives", "tests"}
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
    _one_select(path, data["query"])
    false_positives = _false_positives(path, data.get("false_positives"))
    cases = _cases(path, data.get("tests"))
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
        false_positives,
        cases,
        bundled,
        allow_files,
    )


def _false_positives(path: Path, value: object) -> tuple[str, ...]:
    """The `false_positives` field: a list of sentences (one sentence alone is taken as a list of one)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise _fail(path, "field 'false_positives' must be a list of sentences")
    return tuple(" ".join(i.split()) for i in items)


def _cases(path: Path, value: object) -> tuple[RuleCase, ...]:
    """The `tests` field: a list of cases, each with a unique name, what to expect and its input."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(path, "field 'tests' must be a list of cases")
    cases: list[RuleCase] = []
    for n, item in enumerate(value, 1):
        where = f"field 'tests' case {n}"
        if not isinstance(item, dict):
            raise _fail(path, f"{where} must be a mapping")
        unknown = set(item) - {"name", "expect", "findings", "log", "stats"}
        if unknown:
            raise _fail(path, f"{where} has unknown field(s): {', '.join(sorted(map(str, unknown)))}")
        name = item.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]+", name):
            raise _fail(path, f"{where} needs a 'name' in snake_case")
        where = f"field 'tests' case {name!r}"
        if name in {c.name for c in cases}:
            raise _fail(path, f"{where} is named twice")
        expect = item.get("expect")
        if expect not in EXPECTATIONS:
            raise _fail(path, f"{where}: 'expect' must be fire or quiet, not {expect!r}")
        findings = item.get("findings", 1 if expect == "fire" else 0)
        if expect == "quiet" and "findings" in item:
            raise _fail(path, f"{where}: 'findings' is for fire cases only")
        if isinstance(findings, bool) or not isinstance(findings, int) or (expect == "fire" and findings < 1):
            raise _fail(path, f"{where}: 'findings' must be a whole number of at least 1")
        texts = {k: item.get(k) for k in ("log", "stats") if item.get(k) is not None}
        if not texts or not all(isinstance(t, str) and t.strip() for t in texts.values()):
            raise _fail(path, f"{where} needs its input: a 'log' and/or 'stats' text")
        if len(texts.get("log", "").strip().splitlines()) > MAX_CASE_LOG_LINES:
            raise _fail(path, f"{where}: 'log' may have at most {MAX_CASE_LOG_LINES} lines")
        cases.append(RuleCase(name, expect, findings, texts.get("log", ""), texts.get("stats", "")))
    return tuple(cases)


def scan_rules(extra_dirs: list[Path] | None = None, allow_files: bool = False) -> tuple[list[Rule], list[RuleError]]:
    """The bundled rule pack plus any user folders, and every problem found: the usable rules and the errors.
    User rules are bound against an empty store too (sandboxed unless `allow_files`)."""
    bundled_dir = resource_dir("rules")
    rules: dict[str, Rule] = {}
    errors: list[RuleError] = []
    for folder in [bundled_dir, *(extra_dirs or [])]:
        if not folder.is_dir():
            errors.append(RuleError(f"{folder}: no such rules folder"))
            continue
        for path in sorted(folder.rglob("*.yaml")):
            try:
                rule = load_rule(path, bundled=folder == bundled_dir, allow_files=allow_files)
            except RuleError as exc:
                errors.append(exc)
                continue
            if rule.id in rules:
                errors.append(_fail(path, f"field 'id' {rule.id!r} is already defined in {rules[rule.id].path}"))
                continue
            rules[rule.id] = rule
    user = [r for r in rules.values() if not r.bundled]
    if user:
        for rule, exc in _dry_run(user, allow_files):
            errors.append(exc)
            del rules[rule.id]
    return sorted(rules.values(), key=lambda r: r.id), errors


def load_rules(extra_dirs: list[Path] | None = None, allow_files: bool = False) -> list[Rule]:
    """The bundled rule pack plus any user folders; ids must be unique. The first problem is raised."""
    rules, errors = scan_rules(extra_dirs, allow_files)
    if errors:
        raise errors[0]
    return rules


def _dry_run(rules: list[Rule], allow_files: bool) -> list[tuple[Rule, RuleError]]:
    """Bind each rule against an empty store (the schema and views) the way it will run; the ones that fail."""
    limits = sandbox.Limits.from_env()
    con = connect(":memory:")
    try:
        sandbox.set_memory_limit(con, limits.memory_limit)
        if not allow_files:
            sandbox.lock_down(con)
        failed = []
        for rule in rules:
            with sandbox.time_limit(con, limits.timeout_s) as stopped:
                try:
                    validate_queries(con, [rule])
                except RuleError as exc:
                    failed.append((rule, _fail(rule.path, f"field 'query' {_timeout(limits)}") if stopped() else exc))
        return failed
    finally:
        con.close()


def _body(query: str) -> str:
    """The statement without trailing semicolons and comments, ready to be a subquery."""
    end = len(query)
    for pos, kind in reversed(duckdb.tokenize(query)):
        if kind == duckdb.token_type.comment or query[pos] == ";":
            end = pos
            continue
        break
    return query[:end].rstrip()


def _embed(rule: Rule, template: str) -> str:
    """`template` with the rule's query as the subquery `{query}`; still exactly one statement, or refused."""
    sql = template.replace("{query}", f"(\n{_body(rule.query)}\n)")
    if len(duckdb.extract_statements(sql)) != 1:
        raise _fail(rule.path, "field 'query' must be exactly one SELECT statement")
    return sql


def _column_types(con: duckdb.DuckDBPyConnection, rule: Rule) -> dict[str, str]:
    """The rule's output columns and their types (binding the query against the store, running nothing)."""
    rows = con.execute(_embed(rule, "DESCRIBE SELECT * FROM {query} LIMIT 0"), rule.parameters).fetchall()
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
            raise _fail(rule.path, f"field 'query' does not run: {_why(exc)}") from exc
        missing = [c for c in OUTPUT if c not in cols]
        if missing:
            raise _fail(rule.path, f"field 'query' must return {', '.join(OUTPUT)}; missing {', '.join(missing)}")


def _why(exc: duckdb.Error) -> str:
    """DuckDB's reason, with what to do when it is the sandbox that refused."""
    if isinstance(exc, duckdb.PermissionException):
        return f"{_first_line(exc)} (a rule from your own folder may not read files unless --allow-files is given)"
    return str(exc)


def _timeout(limits: sandbox.Limits) -> str:
    return f"ran longer than {limits.timeout_s:g} s and was stopped (ANALYZER_RULE_TIMEOUT_S sets the limit)"


def _run_one(con: duckdb.DuckDBPyConnection, rule: Rule, limits: sandbox.Limits, memory: str) -> None:
    """Insert one rule's findings; a user rule under the time limit, every failure named by the rule's file."""
    with sandbox.time_limit(con, 0 if rule.bundled else limits.timeout_s) as stopped:
        try:
            stats = _stats_evidence_sql(_column_types(con, rule))
            sql = _embed(
                rule,
                "INSERT INTO findings SELECT (SELECT coalesce(max(finding_id), 0) FROM findings)"
                " + row_number() OVER (),"
                f" $rule_id, $rule_area, $rule_severity, call_id, first_ts, last_ts, evidence, {stats}, detail"
                " FROM {query} f",
            )
            params = {"rule_id": rule.id, "rule_area": rule.area, "rule_severity": rule.severity, **rule.parameters}
            con.execute(sql, params)
        except duckdb.InterruptException as exc:
            if stopped():
                raise _fail(rule.path, f"field 'query' {_timeout(limits)}") from None
            raise _fail(rule.path, f"field 'query' was interrupted: {exc}") from exc
        except duckdb.OutOfMemoryException:
            why = f"field 'query' was stopped: it needed more memory than the limit of {memory}"
            raise _fail(rule.path, why) from None
        except duckdb.Error as exc:
            raise _fail(rule.path, f"field 'query' failed: {_why(exc)}") from exc


def run_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule], limits: sandbox.Limits | None = None) -> int:
    """Replace `findings` with what the rules find now; returns the number of findings.

    With a user's rule in the pack, the rules run under `limits` (default: from the environment) and, unless
    every user rule was allowed files, on a connection locked for good (`sandbox.lock_down`)."""
    limits = limits or sandbox.Limits.from_env()
    user = [r for r in rules if not r.bundled]
    memory = f"{MEMORY_LIMIT} (ANALYZER_MEMORY_LIMIT sets it)"
    if user:
        memory = f"{limits.memory_limit} (ANALYZER_RULE_MEMORY_LIMIT sets it)"
        if not sandbox.is_locked(con):
            sandbox.set_memory_limit(con, limits.memory_limit)
            if not all(r.allow_files for r in user):
                sandbox.lock_down(con)
    with transaction(con):
        con.execute("DELETE FROM findings")
        for rule in rules:
            _run_one(con, rule, limits, memory)
    return con.execute("SELECT count(*) FROM findings").fetchall()[0][0]
