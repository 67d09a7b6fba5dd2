"""Replace personal data in printed evidence with stable tokens (tickets travel; users include healthcare).

The same value always gets the same token within one report, so evidence stays readable ("<email-1>
called <phone-2>"). Covers e-mail addresses, phone numbers, IPv4/IPv6 addresses, Bluetooth/MAC addresses,
UUIDs and other long hex identifiers, people's names in device names ("Brian’s AirPods"), port names in route
descriptions, and values of name/user/email-like keys in app lines.
"""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("uuid", re.compile(r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b")),
    ("mac", re.compile(r"\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b")),
    ("ip", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
    ("ip", re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b")),
    # international (+CC ...) or North-American (415) 555-0142 / 415-555-0142 forms; not dates, times or codes
    ("phone", re.compile(r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)|\d{1,4})(?:[\s.-]?\d{2,4}){2,3}(?![\w:])")),
    ("phone", re.compile(r"(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])")),
    ("name", re.compile(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?=(?:’|'|\\U2019)s\b)")),
]
# key=value / "key": "value" pairs whose value is personal whatever it looks like
_KEYED = re.compile(
    r"(?P<key>\b(?:user(?:_?name)?|name|email|phone|first_?name|last_?name|patient|device_?name)\b\s*(?:=|:)\s*"
    r"\"?)(?P<value>[^\s\",;}<][^\s\",;}]*)",
    re.IGNORECASE,
)
_PORT_NAME = re.compile(r"(?P<key>name = )(?P<value>[^;>]+)")


class Redactor:
    """Stable-token redaction for one report."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._tokens: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}

    def _token(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._tokens:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._tokens[key] = f"<{kind}-{self._counts[kind]}>"
        return self._tokens[key]

    def __call__(self, text: object) -> str:
        """The text with personal data replaced (unchanged when redaction is off)."""
        s = "" if text is None else str(text)
        if not self.enabled or not s:
            return s
        s = _PORT_NAME.sub(lambda m: m.group("key") + self._token("name", m.group("value").strip()), s)
        s = _KEYED.sub(lambda m: m.group("key") + self._token("value", m.group("value")), s)
        for kind, pattern in _PATTERNS:
            s = pattern.sub(lambda m, k=kind: self._token(k, m.group(0)), s)
        return s
