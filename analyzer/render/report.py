"""The scheduled batch report: report.html (self-contained, opens offline) and the calls and findings of the
window as Parquet and CSV. Everything is aggregated in DuckDB; plotly draws only the aggregates.
Re-running the same window on the same store writes the same files."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import duckdb

from analyzer.errors import OutputError
from analyzer.render.escape import csv_frame, html_text
from analyzer.render.output import FolderWrite
from analyzer.resources import query_text


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def _window(con: duckdb.DuckDBPyConnection, since: date | None, until: date | None) -> tuple[date, date]:
    lo, hi = _rows(con, "SELECT min(day), max(day) FROM call_verdicts")[0]
    lo = since or lo or date.today()
    hi = until or hi or lo
    return lo, hi


def _change(now_n: int, now_bad: int, before_n: int, before_bad: int) -> str:
    """The failure-rate change with counts, and whether it is within noise (two standard errors)."""
    if not before_n:
        return f"{now_bad} of {now_n} calls failed; no calls in the previous period to compare"
    p1, p0 = now_bad / max(now_n, 1), before_bad / before_n
    pooled = (now_bad + before_bad) / max(now_n + before_n, 1)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-9) * (1 / max(now_n, 1) + 1 / before_n))
    noise = abs(p1 - p0) < 2 * se
    return (
        f"{now_bad} of {now_n} calls failed ({p1:.1%}) against {before_bad} of {before_n} ({p0:.1%}) in the "
        f"previous period: {'+' if p1 >= p0 else ''}{(p1 - p0) * 100:.1f} points"
        + (" (within noise)" if noise else " (beyond noise)")
    )


def _bar(title: str, rows: list[tuple], x: str, y: str):
    import plotly.graph_objects as go

    # plotly renders some HTML in labels (links, bold): values from the logs are escaped once, shown as written
    fig = go.Figure(go.Bar(x=[html_text(r[0]) for r in rows], y=[r[1] for r in rows]))
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, height=320, margin={"t": 40, "b": 80})
    return fig


_EXPORTS = ("calls", "findings")
_DIMENSIONS = {
    "cause": "Failed calls by cause",
    "device_model": "Failed calls by device model",
    "os_build": "Failed calls by iOS version (the build where only the build is known)",
    "app_version": "Failed calls by app version",
    "route": "Failed calls by main output route",
}


def _write_tables(con: duckdb.DuckDBPyConnection, files: FolderWrite) -> None:
    """Each table as Parquet (the values as stored) and CSV (text cells made safe for a spreadsheet)."""
    for name in _EXPORTS:
        sql = query_text(f"report/export_{name}.sql")
        con.execute(
            f"COPY ({sql}\n) TO $path (FORMAT parquet, USE_TMP_FILE false)",
            {"path": str(files.part(name + ".parquet"))},
        )
        con.register("report_csv", csv_frame(con.sql(sql).pl()))
        try:
            con.execute(
                "COPY report_csv TO $path (FORMAT csv, HEADER true, USE_TMP_FILE false)",
                {"path": str(files.part(name + ".csv"))},
            )
        finally:
            con.unregister("report_csv")


def write_report(con: duckdb.DuckDBPyConnection, out: Path, since: date | None, until: date | None) -> Path:
    """Write report.html, calls/findings Parquet and CSV for calls starting in [since, until], each under a
    temporary name, renamed into place together, and manifest.json last."""
    lo, hi = _window(con, since, until)
    con.execute(query_text("report/window.sql"), {"lo": lo, "hi": hi})
    with FolderWrite(out) as files:
        try:
            _write_tables(con, files)
        except duckdb.IOException as exc:
            raise OutputError(f"--out {out}: cannot be written: {exc}") from exc
        files.write_text("report.html", _page(con, lo, hi))
        files.commit({"since": lo.isoformat(), "until": hi.isoformat()})
    return out / "report.html"


def _figures(con: duckdb.DuckDBPyConnection, rules: list[tuple]) -> list:
    """The charts: calls and failure rate per day, failed calls by each dimension, calls each rule fired on."""
    import plotly.graph_objects as go

    daily = _rows(con, query_text("report/daily.sql"))
    days = [str(d) for d, _, _ in daily]
    fig = go.Figure()
    fig.add_bar(x=days, y=[n for _, n, _ in daily], name="calls")
    fig.add_scatter(
        x=days, y=[(b / n if n else 0) for _, n, b in daily], name="failure rate", yaxis="y2", mode="lines+markers"
    )
    fig.update_layout(
        title="Calls and failure rate per day",
        height=340,
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%"},
        margin={"t": 40},
    )
    by_dim: dict[str, list[tuple]] = {dim: [] for dim in _DIMENSIONS}
    for dim, value, n in _rows(con, query_text("report/failed_by.sql")):
        by_dim[dim].append((value, n))
    return [
        fig,
        *(_bar(title, by_dim[dim], dim, "failed calls") for dim, title in _DIMENSIONS.items()),
        _bar("Calls each rule fired on", [(r[0], r[1]) for r in rules], "rule", "calls"),
    ]


def _table(title: str, headers: tuple[str, ...], rows: list[tuple]) -> str:
    """An HTML table, every cell escaped."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<h2>{title}</h2><table><tr>{head}</tr>{body}</table>"


PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Call failures report</title>"
    "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>"
    "<script>/*PLOTLY*/</script></head><body>/*BODY*/</body></html>\n"
)


def _page(con: duckdb.DuckDBPyConnection, lo: date, hi: date) -> str:
    """report.html: the charts and tables of the calls in report_calls."""
    from plotly.offline import get_plotlyjs

    span = (hi - lo).days + 1
    # the period before, as long as this one (as far back as the calendar goes)
    before = (lo - timedelta(days=min(span, (lo - date.min).days)), lo - timedelta(days=min(1, (lo - date.min).days)))
    counts = query_text("report/counts.sql")
    now = _rows(con, counts, {"lo": lo, "hi": hi})[0]
    prev = _rows(con, counts, {"lo": before[0], "hi": before[1]})[0]
    rules = _rows(con, query_text("report/rules.sql"))
    figures = _figures(con, rules)
    body = [
        "<h1>Call failures report</h1>",
        f"<p>Calls that started from {lo} to {hi} (UTC). "
        f"Previous period for comparison: {before[0]} to {before[1]}.</p>",
        f"<p><b>{html_text(_change(now[0], now[1], prev[0], prev[1]))}</b></p>",
        *(f.to_html(include_plotlyjs=False, full_html=False, div_id=f"chart{i}") for i, f in enumerate(figures)),
        _table("Rules that fire most, with an example call", ("rule", "calls", "example call"), rules),
        _table(
            "Calls the model flags that no rule explains",
            ("call", "device", "model label", "p"),
            _rows(con, query_text("report/model_only.sql")),
        ),
        "<p>Data: calls.parquet, findings.parquet (and .csv) beside this file.</p>",
    ]
    return PAGE.replace("/*PLOTLY*/", get_plotlyjs()).replace("/*BODY*/", "\n".join(body))
