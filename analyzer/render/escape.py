"""Escaping of untrusted log text for markdown and HTML output."""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: object) -> str:
    """Text safe inside a markdown table cell or paragraph: HTML escaped, emphasis/link/table characters
    backslashed, newlines as <br>."""
    s = "" if text is None else str(text)
    s = html.escape(s, quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("\r", "").replace("\n", "<br>")


def md_code(text: object) -> str:
    """Text inside an inline code span, with backticks that cannot close it early."""
    s = "" if text is None else str(text).replace("\n", " ⏎ ")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {s} {fence}"


def html_text(text: object) -> str:
    """Text safe in HTML element content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)
