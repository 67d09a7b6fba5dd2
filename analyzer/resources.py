"""Locate the SQL and rule files, whether running from a checkout or from an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Return the folder `queries` or `rules`: bundled in the wheel, else beside the package in a checkout."""
    for candidate in (_PKG / "_bundled" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name!r} folder next to {_PKG}")


def query_text(relpath: str) -> str:
    """Read one SQL file from queries/ (e.g. 'schema.sql', 'parse/oslog_ndjson.sql')."""
    return (resource_dir("queries") / relpath).read_text(encoding="utf-8")


def query_statements(relpath: str) -> list[str]:
    """The statements of a multi-statement SQL file (split at a `;` that ends a line), comments kept."""
    parts = [p.strip() for p in query_text(relpath).split(";\n")]
    return [p for p in parts if any(ln.strip() and not ln.strip().startswith("--") for ln in p.splitlines())]
