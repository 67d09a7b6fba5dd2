"""Honest evaluation: on calls the model was not trained on, how well do rules alone, the model alone and both
together name each call's cause? Writes the model card (markdown and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from analyzer.classify.model import LABELS, Model, _matrix, predict


def rule_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the rules alone say of each call: the cause of a failed or degraded verdict, else healthy."""
    rows = con.execute(
        "SELECT call_id, CASE WHEN verdict IN ('failed', 'degraded') THEN cause ELSE 'healthy' END "
        "FROM call_rule_verdicts"
    ).fetchall()
    return dict(rows)


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


def store_predictions(con: duckdb.DuckDBPyConnection, model: Model, calls: list[str]) -> dict[str, list]:
    """Predict into the store as triage does (masking, abstention, the model's threshold) and read back, for each
    of `calls`: the model's label ('healthy' when it abstains), whether it answered, and the verdict's cause."""
    predict(con, model)
    con.register("eval_calls", pl.DataFrame({"call_id": calls, "k": range(len(calls))}))
    rows = con.execute(
        "SELECT coalesce(p.label, 'healthy'), p.abstained IS NULL, "
        "  CASE WHEN v.verdict IN ('failed', 'degraded', 'suspected') THEN v.cause ELSE 'healthy' END, "
        "  coalesce(v.verdict, 'healthy') "
        "FROM eval_calls e LEFT JOIN predictions p USING (call_id) LEFT JOIN call_verdicts v USING (call_id) "
        "ORDER BY e.k"
    ).fetchall()
    con.unregister("eval_calls")
    return {
        "model": [r[0] for r in rows],
        "answered": [bool(r[1]) for r in rows],
        "both": [r[2] or "healthy" for r in rows],
        "verdict": [r[3] for r in rows],
    }


def choose_threshold(
    con: duckdb.DuckDBPyConnection, model: Model, data: pl.DataFrame, target: float = 0.02
) -> tuple[float, float]:
    """The lowest suspicion threshold (0.50 .. 0.99) at which at most `target` of the healthy calls in `data`
    (held-out calls, not the training ones) would be 'suspected'; returns it and the rate reached there."""
    import numpy as np

    model.meta["suspect_p"] = 0.0
    predict(con, model)
    healthy = data.filter(pl.col("label") == "healthy")["call_id"].to_list()
    con.register("eval_calls", pl.DataFrame({"call_id": healthy}))
    p = np.array(
        [
            r[0]
            for r in con.execute(
                # with no threshold, the view's 'suspected' is every call the model could make suspected
                "SELECT CASE WHEN v.verdict = 'suspected' THEN p.probability ELSE 0 END "
                "FROM eval_calls e JOIN predictions p USING (call_id) LEFT JOIN call_verdicts v USING (call_id)"
            ).fetchall()
        ]
    )
    con.unregister("eval_calls")
    for t in np.round(np.arange(0.5, 1.0, 0.01), 2):
        rate = float((p >= t).mean()) if len(p) else 0.0
        if rate <= target:
            model.meta["suspect_p"] = float(t)
            return float(t), rate
    model.meta["suspect_p"] = 1.01  # nothing is suspected: no threshold keeps false alarms low enough
    return 1.01, 0.0


def paired_bootstrap(y: list[str], a: list[str], b: list[str], n: int = 400, seed: int = 0) -> tuple[float, float]:
    """95% interval of macro F1(a) - macro F1(b) over resampled calls: whether two predictors differ beyond noise."""
    import numpy as np
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(seed)
    y_, a_, b_ = np.array(y), np.array(a), np.array(b)
    diffs = []
    for _ in range(n):
        i = rng.integers(0, len(y_), len(y_))
        diffs.append(
            f1_score(y_[i], a_[i], average="macro", zero_division=0)
            - f1_score(y_[i], b_[i], average="macro", zero_division=0)
        )
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def evaluate(
    model: Model,
    train_data: pl.DataFrame,
    test_data: pl.DataFrame,
    rules: dict[str, str],
    con: duckdb.DuckDBPyConnection,
) -> dict:
    """The card: per-class precision/recall/F1 for rules, model, both (as triage decides them, in the test store
    `con`), and two baselines; the confusion matrix; how often healthy calls are suspected."""
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_test = _matrix(test_data, model.features)
    y_test = test_data["label"].to_list()
    calls = test_data["call_id"].to_list()
    got = store_predictions(con, model, calls)
    model_pred, both_pred = got["model"], got["both"]
    rule_pred = [rules.get(c, "healthy") for c in calls]
    X_train, y_train = _matrix(train_data, model.features), train_data["label"].to_numpy()
    dummy = DummyClassifier(strategy="most_frequent").fit(X_train, y_train).predict(X_test).tolist()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)).fit(np.nan_to_num(X_train), y_train)
    labels = [lab for lab in LABELS if lab in set(y_test) | set(model_pred)]
    unexplained = sum(
        1
        for r, v, t in zip(rule_pred, got["verdict"], y_test, strict=True)
        if r == "healthy" and v == "suspected" and t != "healthy"
    )
    healthy = [v for v, t in zip(got["verdict"], y_test, strict=True) if t == "healthy"]
    top = sorted(model.importance.items(), key=lambda kv: -kv[1])[:10]
    return {
        "model_id": model.model_id,
        "kind": model.meta.get("kind", "boosted"),
        "suspect_p": model.meta.get("suspect_p"),
        "trained_on_calls": train_data.height,
        "evaluated_on_calls": test_data.height,
        "train_class_counts": _counts(train_data),
        "test_class_counts": _counts(test_data),
        "model_answered_share": round(sum(got["answered"]) / max(len(calls), 1), 3),
        "healthy_suspected_rate": round(sum(v == "suspected" for v in healthy) / max(len(healthy), 1), 4),
        "scores": {
            "rules": _scores(y_test, rule_pred),
            "model": _scores(y_test, model_pred),
            "rules_and_model": _scores(y_test, both_pred),
            "baseline_most_frequent": _scores(y_test, dummy),
            "baseline_logistic_regression": _scores(y_test, logistic.predict(np.nan_to_num(X_test)).tolist()),
        },
        "predictions": {"truth": y_test, "rules": rule_pred, "model": model_pred, "rules_and_model": both_pred},
        "confusion_labels": labels,
        "confusion_model": confusion_matrix(y_test, model_pred, labels=labels).tolist(),
        "failures_only_the_model_caught": unexplained,
        "top_features": [{"feature": n, "permutation_importance": round(v, 4)} for n, v in top],
    }


def write_card(card: dict, out: Path, notes: str = "") -> None:
    """model_card.json and model_card.md in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    public = {k: v for k, v in card.items() if k != "predictions"}
    (out / "model_card.json").write_text(json.dumps(public, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Model card: {card['model_id']}",
        "",
        notes,
        "",
        f"Trained on {card['trained_on_calls']} calls; evaluated on {card['evaluated_on_calls']} other calls "
        "(a different simulator seed, different devices). Scores below are on the evaluation calls only, and they "
        "are an upper bound: the simulator wrote both fleets. How it does on real files is further down.",
        "",
        *_threshold_lines(card),
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
        *_choice_lines(card),
        *_real_lines(card),
    ]
    (out / "model_card.md").write_text("\n".join(lines), encoding="utf-8")


def _threshold_lines(card: dict) -> list[str]:
    if card.get("suspect_p") is None:
        return []
    lines = [
        '## When the model alone says "failure suspected"',
        "",
        f"Only when it names a failure with probability at least **{card['suspect_p']:.2f}**, the lowest threshold "
        f"that kept false alarms on healthy held-out calls at or below {card.get('target_false_alarms', 0.02):.0%} "
        f"(chosen on a third simulated fleet: {card.get('threshold_rate', 0):.1%} there). On the evaluation calls, "
        f"{card['healthy_suspected_rate']:.1%} of healthy calls were suspected; the model answered for "
        f"{card['model_answered_share']:.0%} of calls (it abstains on evidence families or feature values it did "
        "not see in training, and never proposes a cause whose evidence family a call lacks).",
    ]
    real = card.get("real_files")
    if real:
        healthy = [r for r in real if r["expected"] == "no_failure"]
        suspected = [r["file"] for r in healthy if r["both_verdict"] == "suspected"]
        lines.append(
            f"On the {len(healthy)} real files an expert judged free of failure, {len(suspected)} got "
            '"failure suspected"' + (f" ({', '.join(suspected)})." if suspected else ".")
        )
    return [*lines, ""]


def _choice_lines(card: dict) -> list[str]:
    if not card.get("choice"):
        return []
    return ["## Which model ships, and why", "", card["choice"], ""]


def _real_lines(card: dict) -> list[str]:
    real = card.get("real_files")
    if not real:
        return []
    n = len(real)
    ok = {k: sum(r[k + "_ok"] for r in real) for k in ("rules", "model", "both")}
    lines = [
        "## On real files",
        "",
        f"The {n} real files of `shared/realdata/expected.yaml` (iOS log pastes and WebRTC stats dumps from public "
        "issue threads and repositories), judged on verdict and cause as `score.py` judges them: rules alone "
        f"{ok['rules']}/{n}, model alone {ok['model']}/{n}, both (what triage says) {ok['both']}/{n}. The model "
        "alone is right on a file when it names one of the expected causes of a failed file, or suspects nothing "
        "on a file without failure; where it abstains it says nothing, which is right only on the latter.",
        "",
        "| file | expected | rules | model | both |",
        "|---|---|---|---|---|",
    ]
    for r in real:
        mark = {True: "ok", False: "**wrong**"}
        lines.append(
            f"| {r['file']} | {r['expected']}{' (' + '/'.join(r['causes']) + ')' if r['causes'] else ''} "
            f"| {r['rules_verdict']} {r['rules_cause'] or ''} {mark[r['rules_ok']]} "
            f"| {r['model_says']} {mark[r['model_ok']]} "
            f"| {r['both_verdict']} {r['both_cause'] or ''} {mark[r['both_ok']]} |"
        )
    return [*lines, ""]
