"""Print rows as a rich table, markdown, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from analyzer.render.escape import md, term


def console():
    """A rich console; wide when not writing to a terminal, so piped tables are not cut."""
    import sys

    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=220)


def print_rows(cols: Sequence[str], rows: Sequence[Sequence[object]], fmt: str, title: str | None = None) -> None:
    """Print a result set in the chosen format (table | markdown | json)."""
    if fmt == "json":
        print(json.dumps([dict(zip(cols, r, strict=True)) for r in rows], default=str, indent=2))
    elif fmt == "markdown":
        if title:
            print(f"### {md(title)}\n")
        print("| " + " | ".join(md(c) for c in cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            print("| " + " | ".join(md(v) for v in r) + " |")
    else:
        from rich.table import Table

        table = Table(title=term(title) if title else None, show_lines=False)
        for c in cols:
            table.add_column(term(c))
        for r in rows:
            table.add_row(*[term(v) for v in r])
        console().print(table)
