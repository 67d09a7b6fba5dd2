"""Print rows for people (a rich table, markdown) or, through render/machine.py, for programs."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.render.escape import md, term
from analyzer.render.machine import FORMATS, write_rows


def console(stderr: bool = False):
    """A rich console; wide when not writing to a terminal, so piped tables are not cut."""
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr) if stream.isatty() else Console(stderr=stderr, width=220)


def print_rows(cols: Sequence[str], rows: Sequence[Sequence[object]], fmt: str, title: str | None = None) -> None:
    """Print a result set in the chosen format (table | markdown | json | ndjson | csv)."""
    if fmt in FORMATS:
        write_rows(cols, rows, fmt)
    elif fmt == "markdown":
        if title:
            print(f"### {md(title)}\n")
        print("| " + " | ".join(md(c) for c in cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            print("| " + " | ".join(md(v) for v in r) + " |")
    elif fmt == "table":
        from rich.table import Table

        table = Table(title=term(title) if title else None, show_lines=False)
        for c in cols:
            table.add_column(term(c))
        for r in rows:
            table.add_row(*[term(v) for v in r])
        console().print(table)
    else:
        raise ValueError(f"unknown output format {fmt!r}")
