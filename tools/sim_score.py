"""Score triage on a simulated fleet against its labels: the share of calls whose verdict names the label's cause
(a degraded call counts with its cause). The issues' check that a change keeps the simulated fleet's score:

    python tools/sim_score.py --calls 200 --seed 7
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from analyzer.classify.model import labelled_features, read_labels
from analyzer.detect.rules import load_rules
from analyzer.pipeline import analyse
from analyzer.simulator.fleet import FleetOptions, simulate
from analyzer.store.db import connect
from analyzer.triage.ticket import TriageOptions, build_report


def score(calls: int, seed: int, verbose: bool = False) -> tuple[float, Counter]:
    """(accuracy, confusion counts (label, got)) of triage on a fresh simulated fleet."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fleet"
        simulate(folder, FleetOptions(calls=calls, seed=seed))
        con = connect(":memory:")
        rules = load_rules()
        done = analyse(con, [str(folder)], rules)
        for note in done.notes:
            print(f"note: {note}")
        labels = dict(labelled_features(con, read_labels(folder / "labels.csv")).select("call_id", "label").iter_rows())
        report = build_report(con, rules, TriageOptions())
    confusion: Counter = Counter()
    for call in report.calls:
        if call["call_id"] not in labels:
            continue
        got = call["cause"] if call["verdict"] in ("failed", "suspected", "degraded") else "healthy"
        confusion[(labels[call["call_id"]], got)] += 1
        if verbose and labels[call["call_id"]] != got:
            rules = ", ".join(f"{f['rule_id']} ({f['severity']})" for f in call["findings"])
            print(f"  {call['call_id']}: {labels[call['call_id']]} -> {got}: {rules or call['confidence']}")
    total = sum(confusion.values())
    right = sum(n for (want, got), n in confusion.items() if want == got)
    return right / max(total, 1), confusion


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-v", "--verbose", action="store_true", help="each call triage gets wrong, with its findings")
    args = ap.parse_args()
    acc, confusion = score(args.calls, args.seed, args.verbose)
    for (want, got), n in sorted(confusion.items()):
        if want != got:
            print(f"  {want:26} -> {got:26} {n}")
    print(f"simulated fleet (calls {args.calls}, seed {args.seed}): triage names the label's cause for {acc:.1%}")


if __name__ == "__main__":
    main()
