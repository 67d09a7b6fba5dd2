"""The audio-session pattern catalogue (audio_session.toml), loaded and checked once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tomllib

from analyzer.errors import AnalyzerError
from analyzer.store.db import vocabulary

FIELDS = (
    "category",
    "mode",
    "options",
    "active",
    "success",
    "should_resume",
    "reason",
    "route_reason",
    "osstatus",
    "sample_rate",
    "io_buffer_s",
    "state",
    "detail",
    "prev_in",
    "prev_out",
)
_CATALOGUE = Path(__file__).with_name("audio_session.toml")


@dataclass(frozen=True)
class Pattern:
    """One recognised line shape."""

    id: str
    producer: str  # one of ref_producers (queries/schema.sql)
    kind: str  # one of ref_event_kinds (queries/schema.sql)
    regex: str  # RE2, matched against the record's message
    example: str
    fields: tuple[str, ...] = ()
    set: dict[str, object] = field(default_factory=dict)
    examples: tuple[tuple[str, str], ...] = ()  # more real lines, each with where it was seen
    source: str = ""  # where `example` was seen (or why it is a constructed line)

    @property
    def all_examples(self) -> list[str]:
        """The example and the further examples, for the tests."""
        return [self.example, *(e[0] for e in self.examples)]


@dataclass(frozen=True)
class Catalogue:
    relevance: tuple[str, ...]
    patterns: tuple[Pattern, ...]


class CatalogueError(AnalyzerError, ValueError):
    """The catalogue file is malformed (names the pattern and the field)."""


@cache
def catalogue() -> Catalogue:
    """Load and validate the pattern catalogue."""
    data = tomllib.loads(_CATALOGUE.read_text(encoding="utf-8"))
    producers, kinds = vocabulary("ref_producers"), vocabulary("ref_event_kinds")
    patterns = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("pattern", [])):
        pid = raw.get("id", f"#{i}")
        for key in ("id", "producer", "kind", "regex", "example"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise CatalogueError(f"{_CATALOGUE.name}: pattern {pid}: missing or empty {key!r}")
        if pid in seen:
            raise CatalogueError(f"{_CATALOGUE.name}: pattern {pid}: duplicate id")
        seen.add(pid)
        if raw["producer"] not in producers:
            raise CatalogueError(
                f"{_CATALOGUE.name}: pattern {pid}: unknown producer {raw['producer']!r} "
                "(not in ref_producers of queries/schema.sql)"
            )
        if raw["kind"] not in kinds:
            raise CatalogueError(
                f"{_CATALOGUE.name}: pattern {pid}: unknown kind {raw['kind']!r} "
                "(not in ref_event_kinds of queries/schema.sql)"
            )
        fields = tuple(raw.get("fields", ()))
        consts = dict(raw.get("set", {}))
        for name in (*fields, *consts):
            if name not in FIELDS:
                raise CatalogueError(f"{_CATALOGUE.name}: pattern {pid}: unknown field {name!r}")
        groups = re.compile(raw["regex"]).groups
        if len(fields) > groups:
            raise CatalogueError(f"{_CATALOGUE.name}: pattern {pid}: {len(fields)} fields but {groups} groups")
        examples = raw.get("examples", [])
        if not all(isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e) for e in examples):
            raise CatalogueError(f"{_CATALOGUE.name}: pattern {pid}: 'examples' must be [line, source] pairs")
        patterns.append(
            Pattern(
                pid,
                raw["producer"],
                raw["kind"],
                raw["regex"],
                raw["example"],
                fields,
                consts,
                tuple((e[0], e[1]) for e in examples),
                str(raw.get("source", "")),
            )
        )
    return Catalogue(tuple(data["relevance"]), tuple(patterns))


@cache
def relevance_regex() -> str:
    """One RE2 alternation of the relevance keywords."""
    return "|".join(catalogue().relevance)
