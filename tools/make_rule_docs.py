"""Write docs/rules.md from the rule pack (rules/<area>/<id>.yaml): one section a rule, in area then id order.

Usage: python tools/make_rule_docs.py [--check]   (--check: exit 1 when docs/rules.md is not what it would write)
"""

from __future__ import annotations

import sys
from pathlib import Path

from analyzer.detect.rules import AREAS, Rule, load_rules

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def _section(rule: Rule) -> str:
    """One rule as Markdown: what it finds, when it is wrong, the fix, references and its own test cases."""
    parts = [
        f"### `{rule.id}`\n",
        f"**{rule.title}** ({rule.area}, {rule.severity})\n",
        rule.description + "\n",
        "False positives:\n",
        "".join(f"- {s}\n" for s in rule.false_positives) or "- none known\n",
        "Fix:\n",
        rule.remediation + "\n",
    ]
    if rule.references:
        parts += ["References:\n", "".join(f"- <{r}>\n" for r in rule.references)]
    cases = ", ".join(f"`{c.name}` ({c.expect})" for c in rule.tests) or "none"
    parts.append(f"Test cases: {cases}\n")
    return "\n".join(parts)


def render(rules: list[Rule]) -> str:
    """The whole of docs/rules.md for `rules`."""
    out = [
        "# The rule pack\n",
        "Generated from `rules/` by `tools/make_rule_docs.py`; do not edit by hand. Each rule's test cases are in its "
        "YAML file (`tests:`) and run with `analyzer rules test`.\n",
    ]
    for area in AREAS:
        mine = sorted((r for r in rules if r.area == area), key=lambda r: r.id)
        if mine:
            out.append(f"## {area}\n")
            out += [_section(r) for r in mine]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Write the docs, or with --check say whether they are current."""
    text = render([r for r in load_rules() if r.bundled])
    if "--check" in argv:
        current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
        if current != text:
            print(f"{DOCS} is out of date: run python tools/make_rule_docs.py", file=sys.stderr)
            return 1
        return 0
    DOCS.write_text(text, encoding="utf-8")
    print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
