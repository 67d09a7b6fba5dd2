"""`analyzer model train | evaluate`: the classifier, trained on labelled calls and evaluated on others."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.options import DEFAULT_DB, DbOption, RulesOption, existing_store
from analyzer.errors import UsageError


def _labelled(db: str, labels: Path):
    """The store and the features of its calls that `labels` names, with their labels."""
    from analyzer.classify.model import labelled_features, read_labels
    from analyzer.store.db import connect

    con = connect(existing_store(db))
    return con, labelled_features(con, read_labels(labels))


def model_train(
    db: DbOption = DEFAULT_DB,
    labels: Annotated[Path, typer.Option(help="labels.csv: call_id, label (and device, start_utc).")] = Path(
        "labels.csv"
    ),
    out: Annotated[Path, typer.Option(help="Where to write the model (skops).")] = Path("model.skops"),
    seed: int = 1,
    kind: Annotated[str, typer.Option(help="logistic (regression) or boosted (trees).")] = "logistic",
    calibrate_db: Annotated[
        str, typer.Option(help="A store of other labelled calls to choose the suspicion threshold on.")
    ] = "",
    calibrate_labels: Annotated[Path | None, typer.Option(help="Its labels.csv.")] = None,
) -> None:
    """Train the classifier on the labelled calls of a store (and choose on other calls the probability at which
    it alone may say "failure suspected", keeping false alarms on healthy calls at or below 2%).

    Example: analyzer model train --db train.duckdb --labels fleet/labels.csv --out model.skops \\
             --calibrate-db cal.duckdb --calibrate-labels cal/labels.csv
    """
    from analyzer.classify.evaluate import choose_threshold
    from analyzer.classify.model import save, train

    _, data = _labelled(db, labels)
    if data.height < 10 or data["label"].n_unique() < 2:
        raise UsageError(f"{labels}: needs at least 10 labelled calls of 2 classes in {db} (found {data.height})")
    model = train(data, seed, kind)
    if calibrate_db and calibrate_labels is not None:
        cal_con, cal_data = _labelled(calibrate_db, calibrate_labels)
        threshold, rate = choose_threshold(cal_con, model, cal_data)
        typer.echo(f"suspicion threshold {threshold:.2f}: {rate:.1%} of healthy calls suspected in {calibrate_db}")
    else:
        typer.echo("suspicion threshold 0.50 (no --calibrate-db to choose it on)", err=True)
    save(model, out)
    typer.echo(f"trained {model.model_id} on {data.height} calls; wrote {out}")


def model_evaluate(
    db: DbOption = DEFAULT_DB,
    labels: Annotated[Path, typer.Option(help="labels.csv of the evaluation calls.")] = Path("labels.csv"),
    model: Annotated[Path, typer.Option(help="The model to evaluate.")] = Path("model.skops"),
    train_db: Annotated[str, typer.Option(help="The store the model was trained on (for the baselines).")] = "",
    train_labels: Annotated[Path | None, typer.Option(help="Its labels.csv.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for model_card.md and model_card.json.")] = Path("."),
    rules: RulesOption = None,
) -> None:
    """Evaluate on calls the model was not trained on: rules alone, model alone, both, and baselines.

    Example: analyzer model evaluate --db test.duckdb --labels test/labels.csv --model model.skops \\
             --train-db train.duckdb --train-labels train/labels.csv --out card/
    """
    from analyzer.classify.evaluate import evaluate, rule_labels, write_card
    from analyzer.classify.model import load
    from analyzer.detect.rules import load_rules, run_rules

    if not train_db or train_labels is None:
        raise UsageError("--train-db and --train-labels are needed for the baselines")
    trained = load(model)
    rule_pack = load_rules(rules)
    con, test = _labelled(db, labels)
    _, train_data = _labelled(train_db, train_labels)
    overlap = set(test["call_id"].to_list()) & set(train_data["call_id"].to_list())
    if overlap:
        raise UsageError(f"{len(overlap)} evaluation call(s) are also training calls: evaluate on other calls")
    run_rules(con, rule_pack)
    card = evaluate(trained, train_data, test, rule_labels(con), con)
    write_card(card, out)
    for name, s in card["scores"].items():
        typer.echo(f"{name:30} macro F1 {s['macro avg']['f1-score']:.3f}  accuracy {s['accuracy']:.3f}")
    typer.echo(f"wrote {out / 'model_card.md'}")
