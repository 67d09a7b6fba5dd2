"""Escaping of untrusted log text for terminal, markdown, CSV and HTML output.

`clean` is the one sanitising of control characters: every terminal, markdown and CSV writer passes text
through it (directly, or through md, md_code, term and csv_cell, which start with it)."""

from __future__ import annotations

import html
import re

# C0 controls but tab and newline, DEL, C1 controls (0x9b alone starts a terminal escape sequence), the
# bidirectional marks, embeddings, overrides and isolates that reorder what a terminal or an editor shows, and the
# invisible ones that make two ids look alike or break a line unseen (soft hyphen, zero-width space, joiners, word
# joiner, line and paragraph separators, byte-order mark).
# Written with \xNN and \uNNNN only, so that Python's re and polars (Rust's regex) read it alike.
CONTROL = (
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u2069\ufeff]"
)
_CONTROL = re.compile(CONTROL)
# a spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# the text cells csv_cell would change: found by polars first, so that only those go through Python
_CSV_NEEDS = rf"^[=+\-@\t\r]|{CONTROL}"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _visible(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(text: object) -> str:
    """Text with every control character (but tab and newline) shown as a visible escape such as `\\x1b`, so
    that no escape sequence, carriage return or bidi override reaches a terminal, an editor or a spreadsheet."""
    s = "" if text is None else str(text)
    return _CONTROL.sub(_visible, s.replace("\r\n", "\n"))


def term(text: object) -> str:
    """Text safe inside rich markup printed to a terminal: cleaned, and square brackets escaped."""
    from rich.markup import escape

    return escape(clean(text))


def md(text: object) -> str:
    """Text safe inside a markdown table cell or paragraph: cleaned, HTML escaped, emphasis/link/table
    characters backslashed, newlines as <br>."""
    s = html.escape(clean(text), quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("\n", "<br>")


def md_code(text: object) -> str:
    """Text inside an inline code span (cleaned), with backticks that cannot close it early."""
    s = clean(text).replace("\n", " ⏎ ")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {s} {fence}"


def csv_cell(text: object) -> str:
    """A text cell safe to open in a spreadsheet: cleaned, and a cell a spreadsheet would read as a formula
    (starting with = + - @ or a tab) prefixed with a single quote; text that is just a number stays as it is."""
    s = clean(text)
    if s.startswith(_FORMULA_START) and not _NUMBER.fullmatch(s):
        return "'" + s
    return s


def csv_frame(frame):
    """A polars DataFrame with csv_cell applied to every text cell; numbers, dates and nulls untouched."""
    import polars as pl

    fixed = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        col = frame[name]
        rows = col.str.contains(_CSV_NEEDS).fill_null(False).arg_true()
        if len(rows):
            safe = pl.Series(name, [csv_cell(v) for v in col.gather(rows).to_list()], dtype=pl.String)
            fixed.append(col.clone().scatter(rows, safe))
    return frame.with_columns(fixed) if fixed else frame


def html_text(text: object) -> str:
    """Text safe in HTML element content and attribute values (also plotly labels, which render some HTML)."""
    return html.escape("" if text is None else str(text), quote=True)
