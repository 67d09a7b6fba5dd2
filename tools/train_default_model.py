"""Train the model that ships with the package, reproducibly, from the simulator:
  train: `analyzer simulate` seed 101 (600 calls), evaluate: seed 202 (300 calls, other devices),
and write analyzer/models/default.skops (and its runtime export default.npz) plus docs/model_card.md and .json.

usage: python tools/train_default_model.py [--train-calls 600] [--test-calls 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.calls import sessionise  # noqa: E402
from analyzer.ingest import ingest_paths  # noqa: E402
from analyzer.model import DEFAULT_MODEL, labelled_features, read_labels, save, train  # noqa: E402
from analyzer.model_eval import evaluate, rule_labels, write_card  # noqa: E402
from analyzer.rules import load_rules, run_rules  # noqa: E402
from analyzer.simulator.fleet import FleetOptions, simulate  # noqa: E402
from analyzer.store import connect  # noqa: E402


def fleet_store(folder: Path, calls: int, seed: int):
    simulate(folder, FleetOptions(calls=calls, seed=seed, noise_per_minute=20))
    con = connect(":memory:")
    ingest_paths(con, [str(folder)])
    sessionise(con)
    return con, labelled_features(con, read_labels(folder / "labels.csv"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train-calls", type=int, default=600)
    ap.add_argument("--test-calls", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _, train_data = fleet_store(Path(tmp) / "train", args.train_calls, seed=101)
        con, test_data = fleet_store(Path(tmp) / "test", args.test_calls, seed=202)
        model = train(train_data, seed=7)
        run_rules(con, load_rules())
        card = evaluate(model, train_data, test_data, rule_labels(con))
    model.model_id = "default-sim101"
    card["model_id"] = model.model_id
    save(model, DEFAULT_MODEL.with_suffix(".skops"))
    write_card(
        card,
        ROOT / "docs",
        notes=(
            "Gradient-boosted trees (scikit-learn HistGradientBoostingClassifier) with sigmoid calibration, "
            "trained by "
            "`python tools/train_default_model.py` on a simulated fleet (seed 101) and evaluated on another "
            "(seed 202). "
            "The simulator's faults are the truth here: on real fleets, retrain with `analyzer model train` on "
            "labelled calls of your own."
        ),
    )
    print(f"wrote {DEFAULT_MODEL} ({DEFAULT_MODEL.stat().st_size:,} bytes), its .skops and docs/model_card.md")
    for name, s in card["scores"].items():
        print(f"  {name:30} macro F1 {s['macro avg']['f1-score']:.3f}  accuracy {s['accuracy']:.3f}")


if __name__ == "__main__":
    main()
