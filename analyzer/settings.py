"""Numeric settings from the environment (limits and waits), read once at import. A malformed value falls back to
the default and is kept in PROBLEMS, which the CLI reports as a clear error before any work (never a traceback)."""

from __future__ import annotations

import math
import os

PROBLEMS: list[str] = []


def number(name: str, default: float, kind: type = int, minimum: float = 0) -> float:
    """The environment variable `name` as a number of `kind` at least `minimum`, else `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        PROBLEMS.append(f"{name} must be {what} (e.g. {default!r}), not {raw!r}")
        return default
    if not math.isfinite(value) or value < minimum:
        PROBLEMS.append(f"{name} must be a finite number of at least {minimum:g}, not {raw!r}")
        return default
    return value
