"""Honest evaluation: on calls the model was not trained on, how well do rules alone, the model alone and both
together name each call's cause? Writes the model card (markdown and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl

from analyzer.model import LABELS, Model, _matrix
from analyzer.triage import combine, verdict


def rule_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the rules alone say of each call: the cause of a failed or degraded verdict, else healthy."""
    findings: dict[str, list[dict]] = {}
    for call_id, area, severity, t_rel in con.execute(
        "SELECT f.call_id, f.area, f.severity, epoch(f.first_ts) - epoch(c.start_ts) FROM findings f "
        "JOIN calls c USING (call_id)"
    ).fetchall():
        findings.setdefault(call_id, []).append({"area": area, "severity": severity, "t_rel": t_rel})
    calls = [r[0] for r in con.execute("SELECT call_id FROM calls").fetchall()]
    out = {}
    for c in calls:
        v, cause = verdict(findings.get(c, []))
        out[c] = cause if v in ("failed", "degraded") else "healthy"
    return out


def combined(rule: str, model_label: str, model_p: float) -> str:
    """Both, decided exactly as triage decides: the rules' cause if any, else the model's when it is sure enough."""
    v, cause = ("healthy", None) if rule == "healthy" else ("failed", rule)
    return combine(v, cause, {"label": model_label, "probability": model_p})[1] or "healthy"


def _scores(y_true: list[str], y_pred: list[str]) -> dict:
    from sklearn.metrics import classification_report

    labels = [lab for lab in LABELS if lab in set(y_true) | set(y_pred)]
    rep = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    return {
        k: {m: round(float(v), 3) for m, v in d.items()} if isinstance(d, dict) else round(float(d), 3)
        for k, d in rep.items()
    }


def _counts(data: pl.DataFrame) -> dict[str, int]:
    return {r["label"]: int(r["count"]) for r in data["label"].value_counts().iter_rows(named=True)}


def evaluate(model: Model, train_data: pl.DataFrame, test_data: pl.DataFrame, rules: dict[str, str]) -> dict:
    """The card: per-class precision/recall/F1 for rules, model, both, and two baselines; confusion matrix."""
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_test = _matrix(test_data, model.features)
    y_test = test_data["label"].to_list()
    proba = model.estimator.predict_proba(X_test)
    model_pred = [model.classes[i] for i in proba.argmax(axis=1)]
    model_p = proba.max(axis=1)
    rule_pred = [rules.get(c, "healthy") for c in test_data["call_id"].to_list()]
    both_pred = [combined(r, m, float(p)) for r, m, p in zip(rule_pred, model_pred, model_p, strict=True)]
    X_train, y_train = _matrix(train_data, model.features), train_data["label"].to_numpy()
    dummy = DummyClassifier(strategy="most_frequent").fit(X_train, y_train).predict(X_test).tolist()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_train, y_train)
    labels = [lab for lab in LABELS if lab in set(y_test) | set(model_pred)]
    unexplained = sum(
        1
        for r, m, t in zip(rule_pred, model_pred, y_test, strict=True)
        if r == "healthy" and m != "healthy" and t != "healthy"
    )
    top = sorted(model.importance.items(), key=lambda kv: -kv[1])[:10]
    return {
        "model_id": model.model_id,
        "trained_on_calls": train_data.height,
        "evaluated_on_calls": test_data.height,
        "train_class_counts": dict(
            zip(*train_data["label"].value_counts().to_dict(as_series=False).values(), strict=True)
        ),
        "test_class_counts": dict(
            zip(*test_data["label"].value_counts().to_dict(as_series=False).values(), strict=True)
        ),
        "scores": {
            "rules": _scores(y_test, rule_pred),
            "model": _scores(y_test, model_pred),
            "rules_and_model": _scores(y_test, both_pred),
            "baseline_most_frequent": _scores(y_test, dummy),
            "baseline_logistic_regression": _scores(y_test, logistic.predict(X_test).tolist()),
        },
        "confusion_labels": labels,
        "confusion_model": confusion_matrix(y_test, model_pred, labels=labels).tolist(),
        "failures_only_the_model_caught": unexplained,
        "top_features": [{"feature": n, "permutation_importance": round(v, 4)} for n, v in top],
    }


def write_card(card: dict, out: Path, notes: str = "") -> None:
    """model_card.json and model_card.md in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "model_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Model card: {card['model_id']}",
        "",
        notes,
        "",
        f"Trained on {card['trained_on_calls']} calls; evaluated on {card['evaluated_on_calls']} other calls "
        "(a different simulator seed, different devices). Scores below are on the evaluation calls only.",
        "",
        "## Macro F1 and accuracy",
        "",
        "| predictor | macro F1 | accuracy |",
        "|---|---:|---:|",
    ]
    for name, s in card["scores"].items():
        lines.append(f"| {name} | {s['macro avg']['f1-score']:.3f} | {s['accuracy']:.3f} |")
    lines += [
        "",
        "## Per class (precision / recall / F1)",
        "",
        "| class | rules | model | rules and model |",
        "|---|---|---|---|",
    ]
    for lab in card["confusion_labels"]:
        cells = []
        for name in ("rules", "model", "rules_and_model"):
            s = card["scores"][name].get(lab)
            cells.append(f"{s['precision']:.2f} / {s['recall']:.2f} / {s['f1-score']:.2f}" if s else "-")
        lines.append(f"| {lab} | {' | '.join(cells)} |")
    lines += [
        "",
        "## Confusion matrix of the model (rows: truth, columns: predicted)",
        "",
        "| | " + " | ".join(card["confusion_labels"]) + " |",
        "|---|" + "---:|" * len(card["confusion_labels"]),
    ]
    for lab, row in zip(card["confusion_labels"], card["confusion_model"], strict=True):
        lines.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    lines += [
        "",
        f"Failed calls no rule explained and the model caught: {card['failures_only_the_model_caught']}",
        "",
        "## Features that matter most (permutation importance)",
        "",
        *(f"- {f['feature']}: {f['permutation_importance']}" for f in card["top_features"]),
        "",
    ]
    (out / "model_card.md").write_text("\n".join(lines), encoding="utf-8")
