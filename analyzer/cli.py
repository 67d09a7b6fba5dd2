"""The `analyzer` command line (typer). Heavy modules are imported inside the commands that need them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.errors import InputError
from analyzer.render.escape import clean

app = typer.Typer(
    help="Find out why a voice call failed on an iOS voice-agent app, from unified logs and WebRTC stats.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[str, typer.Option("--db", help="DuckDB file (':memory:' for a one-shot run).")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table | json | markdown")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(clean(f"error: {message}"), err=True)
    return typer.Exit(code)


def _parse_options(assume_offset: str, year: int | None, date: str | None = None):
    from datetime import date as calendar_date

    from analyzer.formats.logparse import ParseOptions

    if not (len(assume_offset) == 5 and assume_offset[0] in "+-" and assume_offset[1:].isdigit()):
        raise _fail(f"--assume-offset must look like +0000 or -0800, not {assume_offset!r}")
    if date is not None:
        try:
            _plausible_day(calendar_date.fromisoformat(date), "--date")
        except ValueError:
            raise _fail(f"--date must be a day like 2026-11-20, not {date!r}") from None
    return ParseOptions(assumed_offset=assume_offset, year=year, date=date)


def _plausible_day(day, option: str, future_ok: bool = False):
    """`day` when it lies in the window every record's time is checked against (a report's period may reach into
    the future: it then holds no calls), else a usage error."""
    from datetime import date

    from analyzer.formats.logparse import earliest_plausible, latest_plausible

    lo, hi = earliest_plausible().date(), date.max if future_ok else latest_plausible().date()
    if not lo <= day <= hi:
        raise _fail(f"{option} {day} is outside the plausible window {lo} .. {hi} (ANALYZER_EARLIEST/LATEST)")
    return day


DateOption = Annotated[
    str | None,
    typer.Option(help="Day (YYYY-MM-DD) for lines that give a time of day only (Xcode and SDK pastes)."),
]


rules_app = typer.Typer(help="The rule pack: list, show and test rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
RulesOption = Annotated[list[Path] | None, typer.Option("--rules", help="A folder of your own rules (repeatable).")]
AllowFilesOption = Annotated[
    bool,
    typer.Option(
        "--allow-files", help="Let your own SQL (--rules, `sql`) read and write files and load DuckDB extensions."
    ),
]


def _load_rules(extra: list[Path] | None, allow_files: bool = False):
    from analyzer.detect.rules import RuleError, load_rules

    try:
        return load_rules(extra, allow_files)
    except RuleError as exc:
        raise _fail(str(exc)) from exc


def _predict(con, path: Path | None) -> str | None:
    """Label the store's calls with the classifier; a note when it cannot be used (triage goes on, rules only)."""
    from analyzer.classify.model import DEFAULT_MODEL, ModelError, load, predict

    try:
        predict(con, load(path or DEFAULT_MODEL))
    except ModelError as exc:
        return f"model not used: {exc}"
    return None


@app.command()
def triage(
    paths: Annotated[
        list[str], typer.Argument(help="The ticket: folders, files, .zip/.tar.gz attachments, or - for stdin.")
    ],
    db: DbOption = ":memory:",
    call: Annotated[str | None, typer.Option("--call", help="Only this call.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table | json | markdown (ready for the ticket)")
    ] = "table",
    min_severity: Annotated[
        str, typer.Option(help="Hide findings below: critical | high | medium | low | info.")
    ] = "info",
    redact: Annotated[
        bool, typer.Option("--redact", help="Replace phone numbers, e-mails, names, ids and IPs.")
    ] = False,
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
    assume_offset: Annotated[str, typer.Option(help="UTC offset for formats that carry none.")] = "+0000",
    year: Annotated[int | None, typer.Option(help="Year for formats that carry none (idevicesyslog).")] = None,
    date: DateOption = None,
    model: Annotated[Path | None, typer.Option("--model", help="A model file (default: the one shipped).")] = None,
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only; do not load the classifier.")] = False,
) -> None:
    """One ticket in, a clear answer out: per call the verdict, the findings with their evidence lines and the fix,
    and a timeline. Exit code 0: nothing high or critical; 1: high or critical findings; 2: bad input.

    Example: analyzer triage sample_logs/phone-call-audio-never-returns --format markdown
    """
    from analyzer.detect.rules import SEVERITIES
    from analyzer.pipeline import analyse
    from analyzer.render.triage_report import print_terminal, to_json, to_markdown
    from analyzer.store.db import connect
    from analyzer.triage.ticket import TriageOptions, build_report

    if fmt not in ("table", "json", "markdown"):
        raise _fail(f"--format must be table, json or markdown, not {fmt!r}")
    if min_severity not in SEVERITIES:
        raise _fail(f"--min-severity must be one of {', '.join(SEVERITIES)}")
    opts = _parse_options(assume_offset, year, date)
    rule_pack = _load_rules(rules, allow_files)
    try:
        con = connect(db)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    done = analyse(con, paths, rule_pack, opts, model=model, use_model=not no_model, one_device="ticket")
    report = build_report(con, rule_pack, TriageOptions(call, min_severity, redact))
    report.notes += done.summary.notes + done.notes
    report.errors = done.summary.errors + report.errors
    con.close()
    if fmt == "json":
        typer.echo(to_json(report))
    elif fmt == "markdown":
        typer.echo(to_markdown(report), nl=False)
    else:
        print_terminal(report, db)
    if report.errors:
        raise typer.Exit(2)
    if report.worst in ("critical", "high"):
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, .zip/.tar/.tar.gz/.gz, or - for stdin.")],
    db: DbOption = "analyzer.duckdb",
    assume_offset: Annotated[
        str, typer.Option(help="UTC offset for formats that carry none (compact, idevicesyslog).")
    ] = "+0000",
    year: Annotated[
        int | None,
        typer.Option(help="Year for formats that carry none (idevicesyslog); default: the file's mtime year."),
    ] = None,
    date: DateOption = None,
    fmt: FormatOption = "table",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Add logs to a database, idempotently (a file already ingested is recognised by its content hash).

    Example: analyzer ingest sysdiagnose_2026.11.20_10-22-33-0800_iPhone-OS_iPhone_22B83.tar.gz --db fleet.duckdb
    """
    from analyzer.render.escape import term
    from analyzer.render.ingest_summary import print_summary
    from analyzer.store.db import connect
    from analyzer.store.ingest import ingest_paths

    opts = _parse_options(assume_offset, year, date)
    try:
        con = connect(db)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    from rich.console import Console

    err = Console(stderr=True)
    progress = None if quiet or fmt != "table" else (lambda label: err.print(f"[dim]reading {term(label)}[/dim]"))
    summary = ingest_paths(con, paths, opts, progress=progress)
    from analyzer.calls.sessionise import sessionise

    summary.calls = sessionise(con)
    con.close()
    print_summary(summary, fmt, db)
    if summary.errors:
        raise typer.Exit(2)


@app.command()
def calls(
    db: DbOption = "analyzer.duckdb",
    fmt: FormatOption = "table",
) -> None:
    """List the calls in the store: id, device, start, duration, sources, and how each call was found.

    Example: analyzer calls --db fleet.duckdb --format json
    """
    from analyzer.render.tables import print_rows
    from analyzer.resources import query_text
    from analyzer.store.db import connect

    if db != ":memory:" and not Path(db).exists():
        raise _fail(f"{db}: no such database (run `analyzer ingest ... --db {db}` first)")
    con = connect(db, read_only=db != ":memory:")
    rel = con.execute(query_text("calls/list.sql"))
    cols = [d[0] for d in rel.description]
    print_rows(cols, rel.fetchall(), fmt, title="calls")


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the fleet (or the tickets) into.")],
    calls: Annotated[int, typer.Option(help="Number of calls.")] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    fault_mix: Annotated[str | None, typer.Option(help="Class weights, e.g. healthy=0.5,network=0.5.")] = None,
    calls_per_device: Annotated[int, typer.Option(help="Calls on each simulated device.")] = 8,
    noise: Annotated[float, typer.Option(help="Unrelated log lines a minute (system-wide export noise).")] = 600.0,
    partial: Annotated[
        float,
        typer.Option(help="Share of devices whose files lack a family (log-only pastes, stats only, no gateway)."),
    ] = 0.0,
    tickets: Annotated[
        bool, typer.Option("--tickets", help="Write the six sample tickets instead of a fleet.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Write a labelled synthetic fleet in the real formats: device log exports, app stats, gateway stats,
    and labels.csv (call_id, label, injected faults).

    Example: analyzer simulate --calls 1000 --seed 3 --out /tmp/fleet --fault-mix healthy=0.5,network=0.5
    """
    from analyzer.simulator.faults import parse_mix
    from analyzer.simulator.fleet import FleetOptions, write_tickets
    from analyzer.simulator.fleet import simulate as run

    if tickets:
        for name in write_tickets(out, seed):
            typer.echo(f"{out / name}")
        return
    try:
        mix = parse_mix(fault_mix)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if calls < 1 or calls_per_device < 1:
        raise _fail("--calls and --calls-per-device must be at least 1")
    if not 0.0 <= partial <= 1.0:
        raise _fail("--partial must be between 0 and 1")
    opts = FleetOptions(
        calls=calls,
        seed=seed,
        mix=mix,
        calls_per_device=calls_per_device,
        noise_per_minute=noise,
        partial_evidence=partial,
    )
    if quiet:
        n = run(out, opts)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("simulating calls", total=calls)
            n = run(out, opts, progress=lambda k: bar.advance(task, k))
    typer.echo(f"wrote {n} calls to {out} (labels: {out / 'labels.csv'})")


@rules_app.command("list")
def rules_list(rules: RulesOption = None, fmt: FormatOption = "table", allow_files: AllowFilesOption = False) -> None:
    """List the rules: id, area, severity, title. A rule that cannot be used is named with the reason (exit 2).

    Example: analyzer rules list --rules ./my-rules
    """
    from analyzer.detect.rules import scan_rules
    from analyzer.render.tables import print_rows

    usable, errors = scan_rules(rules, allow_files)
    rows = [[r.id, r.area, r.severity, r.title] for r in usable]
    print_rows(["id", "area", "severity", "title"], rows, fmt, title="rules")
    for exc in errors:
        typer.echo(f"error: invalid rule: {exc}", err=True)
    if errors:
        raise typer.Exit(2)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="The rule's id.")],
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """Show one rule whole: what it detects, the fix, its parameters and its query.

    Example: analyzer rules show interruption.ended_not_resumed
    """
    found = [r for r in _load_rules(rules, allow_files) if r.id == rule_id]
    if not found:
        raise _fail(f"no rule {rule_id!r} (see `analyzer rules list`)")
    r = found[0]
    params = ", ".join(f"{k}={v}" for k, v in r.parameters.items()) or "none"
    typer.echo(
        clean(
            f"{r.id}  [{r.area}, {r.severity}]\n{r.title}\n\n{r.description}\n\nFix:\n{r.remediation}\n\n"
            f"Parameters: {params}\nReferences: {', '.join(r.references) or 'none'}\nFile: {r.path}\n\n{r.query}"
        )
    )


@rules_app.command("test")
def rules_test(
    fixtures: Annotated[
        Path, typer.Argument(help="Folder of <rule_id>/positive and <rule_id>/negative fixtures.")
    ] = Path("tests/rules"),
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """Run every rule's own cases (its `tests:`), then its fixtures: positive must fire, negative must stay quiet.
    Exit 1 on a failure.

    Example: analyzer rules test tests/rules --rules ./my-rules
    """
    from analyzer.detect.testing import check_rules
    from analyzer.render.tables import print_rows

    if not fixtures.is_dir():
        raise _fail(f"{fixtures}: no such fixtures folder")
    results = check_rules(_load_rules(rules, allow_files), fixtures)
    print_rows(
        ["rule", "fixture", "result", "detail"],
        [[r.rule_id, r.side, "ok" if r.ok else "FAIL", r.message] for r in results],
        "table",
    )
    failed = [r for r in results if not r.ok]
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


model_app = typer.Typer(
    help="The classifier: train it on labelled calls and evaluate it honestly.", no_args_is_help=True
)
app.add_typer(model_app, name="model")


def _labelled(db: str, labels: Path):
    from analyzer.classify.model import ModelError, labelled_features, read_labels
    from analyzer.store.db import connect

    if not Path(db).exists():
        raise _fail(f"{db}: no such database")
    try:
        con = connect(db)
        return con, labelled_features(con, read_labels(labels))
    except (ModelError, InputError) as exc:
        raise _fail(str(exc)) from exc


@model_app.command("train")
def model_train(
    db: DbOption = "analyzer.duckdb",
    labels: Annotated[Path, typer.Option(help="labels.csv: call_id, label (and device, start_utc).")] = Path(
        "labels.csv"
    ),
    out: Annotated[Path, typer.Option(help="Where to write the model (skops).")] = Path("model.skops"),
    seed: int = 1,
    kind: Annotated[str, typer.Option(help="logistic (regression) or boosted (trees).")] = "logistic",
    calibrate_db: Annotated[
        str, typer.Option(help="A store of other labelled calls to choose the suspicion threshold on.")
    ] = "",
    calibrate_labels: Annotated[Path | None, typer.Option(help="Its labels.csv.")] = None,
) -> None:
    """Train the classifier on the labelled calls of a store (and choose on other calls the probability at which
    it alone may say "failure suspected", keeping false alarms on healthy calls at or below 2%).

    Example: analyzer model train --db train.duckdb --labels fleet/labels.csv --out model.skops \\
             --calibrate-db cal.duckdb --calibrate-labels cal/labels.csv
    """
    from analyzer.classify.evaluate import choose_threshold
    from analyzer.classify.model import ModelError, save, train

    _, data = _labelled(db, labels)
    if data.height < 10 or data["label"].n_unique() < 2:
        raise _fail(f"{labels}: needs at least 10 labelled calls of 2 classes in {db} (found {data.height})")
    try:
        model = train(data, seed, kind)
    except ModelError as exc:
        raise _fail(str(exc)) from exc
    if calibrate_db and calibrate_labels is not None:
        cal_con, cal_data = _labelled(calibrate_db, calibrate_labels)
        threshold, rate = choose_threshold(cal_con, model, cal_data)
        typer.echo(f"suspicion threshold {threshold:.2f}: {rate:.1%} of healthy calls suspected in {calibrate_db}")
    else:
        typer.echo("suspicion threshold 0.50 (no --calibrate-db to choose it on)", err=True)
    save(model, out)
    typer.echo(f"trained {model.model_id} on {data.height} calls; wrote {out}")


@model_app.command("evaluate")
def model_evaluate(
    db: DbOption = "analyzer.duckdb",
    labels: Annotated[Path, typer.Option(help="labels.csv of the evaluation calls.")] = Path("labels.csv"),
    model: Annotated[Path, typer.Option(help="The model to evaluate.")] = Path("model.skops"),
    train_db: Annotated[str, typer.Option(help="The store the model was trained on (for the baselines).")] = "",
    train_labels: Annotated[Path | None, typer.Option(help="Its labels.csv.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for model_card.md and model_card.json.")] = Path("."),
) -> None:
    """Evaluate on calls the model was not trained on: rules alone, model alone, both, and baselines.

    Example: analyzer model evaluate --db test.duckdb --labels test/labels.csv --model model.skops \\
             --train-db train.duckdb --train-labels train/labels.csv --out card/
    """
    from analyzer.classify.evaluate import evaluate, rule_labels, write_card
    from analyzer.classify.model import ModelError, load
    from analyzer.detect.rules import load_rules, run_rules

    if not train_db or train_labels is None:
        raise _fail("--train-db and --train-labels are needed for the baselines")
    try:
        trained = load(model)
    except ModelError as exc:
        raise _fail(str(exc)) from exc
    con, test = _labelled(db, labels)
    _, train_data = _labelled(train_db, train_labels)
    overlap = set(test["call_id"].to_list()) & set(train_data["call_id"].to_list())
    if overlap:
        raise _fail(f"{len(overlap)} evaluation call(s) are also training calls: evaluate on other calls")
    run_rules(con, load_rules())
    card = evaluate(trained, train_data, test, rule_labels(con), con)
    write_card(card, out)
    for name, s in card["scores"].items():
        typer.echo(f"{name:30} macro F1 {s['macro avg']['f1-score']:.3f}  accuracy {s['accuracy']:.3f}")
    typer.echo(f"wrote {out / 'model_card.md'}")


def _analysed_store(db: str, rules: list[Path] | None, allow_files: bool = False):
    """Open a store, and refresh what the rules and the model say of its calls."""
    from analyzer.detect.rules import run_rules
    from analyzer.detect.sandbox import is_locked
    from analyzer.store.db import connect

    if not Path(db).exists():
        raise _fail(f"{db}: no such database (run `analyzer ingest ... --db {db}` first)")
    rule_pack = _load_rules(rules, allow_files)
    try:
        con = connect(db)
        run_rules(con, rule_pack)
        note = _predict(con, None)
        if is_locked(con):  # user rules took file access away for good; the report's files need it back
            con.close()
            con = connect(db)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    if note:
        typer.echo(clean(note), err=True)
    return con


def _check_out(check, out: Path) -> None:
    """Refuse an --out that cannot be written before any work is done."""
    from analyzer.errors import OutputError

    try:
        check(out)
    except OutputError as exc:
        raise _fail(str(exc)) from exc


def _written(write, *args):
    """Run a writer; an output it cannot write is a clear error, not a traceback."""
    from analyzer.errors import OutputError

    try:
        return write(*args)
    except OutputError as exc:
        raise _fail(str(exc)) from exc


@app.command()
def report(
    db: DbOption = "analyzer.duckdb",
    out: Annotated[
        Path, typer.Option("--out", help="Folder for report.html, calls/findings .parquet and .csv.")
    ] = Path("report"),
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD, UTC); default: the first call.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD, UTC); default: the last call.")] = None,
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """The scheduled batch report: failure rates over time and by cause, rule, iOS build, device and route, the
    rules that fire most, the calls only the model flags, and the change against the previous period.

    Example: analyzer report --db fleet.duckdb --since 2026-11-01 --until 2026-11-07 --out reports/week45
    """
    from datetime import date

    from analyzer.render.output import MANIFEST, check_folder
    from analyzer.render.report import write_report

    try:
        lo = _plausible_day(date.fromisoformat(since), "--since", future_ok=True) if since else None
        hi = _plausible_day(date.fromisoformat(until), "--until", future_ok=True) if until else None
    except ValueError as exc:
        raise _fail(f"--since/--until must be YYYY-MM-DD: {exc}") from exc
    if lo and hi and lo > hi:
        raise _fail(f"--since {lo} is after --until {hi}")
    _check_out(check_folder, out)
    con = _analysed_store(db, rules, allow_files)
    path = _written(write_report, con, out, lo, hi)
    typer.echo(clean(f"wrote {path}, calls.parquet, findings.parquet (and .csv), then {MANIFEST} in {out}"))


@app.command()
def dashboard(
    db: DbOption = "analyzer.duckdb",
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path("dashboard.html"),
    rules: RulesOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """One self-contained interactive HTML file: fleet overview with filters, a searchable call list, and
    per-call timelines with evidence on hover.

    Example: analyzer dashboard --db fleet.duckdb --out dashboard.html
    """
    from analyzer.render.dashboard import write_dashboard
    from analyzer.render.output import check_file

    _check_out(check_file, out)
    con = _analysed_store(db, rules, allow_files)
    typer.echo(clean(f"wrote {_written(write_dashboard, con, out)}"))


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A DuckDB SQL query over the store.")],
    db: DbOption = "analyzer.duckdb",
    fmt: FormatOption = "table",
    allow_files: AllowFilesOption = False,
) -> None:
    """Run a query on the store and print the result. The store is read only; without --allow-files the query
    cannot read or write other files, attach databases, load extensions or change settings.

    Example: analyzer sql "SELECT kind, count(*) FROM session_events GROUP BY ALL" --db fleet.duckdb
    """
    import duckdb

    from analyzer.detect.sandbox import lock_down
    from analyzer.store.db import connect

    if db != ":memory:" and not Path(db).exists():
        raise _fail(f"{db}: no such database (run `analyzer ingest ... --db {db}` first)")
    try:
        con = connect(db, read_only=db != ":memory:")
    except InputError as exc:
        raise _fail(str(exc)) from exc
    if not allow_files:
        lock_down(con)
    try:
        rel = con.sql(query)
        if rel is None:
            return
        cols = rel.columns
        rows = rel.fetchall()
    except duckdb.PermissionException as exc:
        raise _fail(f"query failed: {exc} (files, other databases and extensions need --allow-files)") from exc
    except duckdb.Error as exc:
        raise _fail(f"query failed: {exc}") from exc
    if fmt == "json":
        typer.echo(json.dumps([dict(zip(cols, r, strict=True)) for r in rows], default=str, indent=2))
        return
    from analyzer.render.tables import print_rows

    print_rows(cols, rows, fmt)


def main() -> None:
    """Console-script entry point."""
    import importlib

    from analyzer.settings import PROBLEMS

    try:
        for module in ("analyzer.read.lines", "analyzer.read.sources", "analyzer.store.db"):
            importlib.import_module(module)  # each reads its settings from the environment on import
        if PROBLEMS:
            raise InputError("; ".join(PROBLEMS))
        app()
    except InputError as exc:
        typer.echo(clean(f"error: {exc}"), err=True)
        sys.exit(2)
