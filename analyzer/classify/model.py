"""Classify stage: a scikit-learn model that labels each call from its features, with calibrated
probabilities, saved with skops (not pickle). scikit-learn and skops are imported only here, and this module
only when a model is used, so triage does not pay for it unless it predicts.
"""

from __future__ import annotations

import csv
import json
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from analyzer.calls.features import call_features, feature_names
from analyzer.errors import AnalyzerError

LABELS = ["healthy", "misconfiguration", "unrecovered_interruption", "bluetooth_routing", "network", "other_failure"]
DEFAULT_MODEL = Path(__file__).with_name("models") / "default.npz"  # the runtime export; .skops beside it
# what a model trained before the evidence families were recorded was trained on (the simulator's fleets)
ASSUMED_FAMILIES = ("device log+client stats+gateway stats",)
RANGE_SLACK = 0.25  # a feature this share of its training span beyond the span is out of range
DEFAULT_SUSPECT_P = 0.5  # until a threshold is chosen on held-out calls (model_eval.choose_threshold)
# which family of evidence each cause needs: a cause whose evidence the call lacks is never proposed
NEEDS = {
    "misconfiguration": ("device log",),
    "unrecovered_interruption": ("device log",),
    "bluetooth_routing": ("device log",),
    "network": ("client stats", "gateway stats"),
}
_SAFE_PREFIXES = ("sklearn.", "numpy.", "builtins.", "scipy.")


class ModelError(AnalyzerError, ValueError):
    """A model file or a label file that cannot be used (names the file)."""


@dataclass
class Model:
    estimator: object
    features: list[str]
    classes: list[str]
    healthy_mean: dict[str, float]
    healthy_std: dict[str, float]
    importance: dict[str, float]
    model_id: str
    meta: dict = field(default_factory=dict)


def read_labels(path: Path) -> pl.DataFrame:
    """labels.csv (call_id, device, start_utc, label, ...) as written by `analyzer simulate`."""
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except OSError as exc:
        raise ModelError(f"{path}: cannot read: {exc}") from exc
    if not rows or not {"call_id", "label"} <= rows[0].keys():
        raise ModelError(f"{path}: needs a header with call_id and label")
    bad = sorted({r["label"] for r in rows} - set(LABELS))
    if bad:
        raise ModelError(f"{path}: unknown label(s) {', '.join(bad)} (known: {', '.join(LABELS)})")
    return pl.DataFrame(rows).select("call_id", "label", *(c for c in ("device", "start_utc") if c in rows[0]))


def labelled_features(con: duckdb.DuckDBPyConnection, labels: pl.DataFrame) -> pl.DataFrame:
    """Features of the store's calls joined to their labels: by call id, else (calls found without the app's
    ids) by device folder and a start within 5 s."""
    feats = call_features(con)
    con.register("label_rows", labels)
    lab = con.sql(
        "SELECT c.call_id, coalesce(l1.label, l2.label) AS label FROM calls c "
        "LEFT JOIN label_rows l1 ON l1.call_id = c.call_id "
        "LEFT JOIN label_rows l2 ON l1.call_id IS NULL AND l2.device IS NOT NULL "
        "  AND contains(c.device_id, '/' || l2.device || '/') "
        "  AND abs(epoch(c.start_ts) - epoch(CAST(l2.start_utc AS TIMESTAMPTZ))) < 5 "
        "QUALIFY row_number() OVER (PARTITION BY c.call_id ORDER BY l1.label NULLS LAST) = 1"
        if "device" in labels.columns
        else "SELECT c.call_id, l1.label FROM calls c LEFT JOIN label_rows l1 ON l1.call_id = c.call_id"
    ).pl()
    con.unregister("label_rows")
    # a whole paste taken as one call (no boundaries in it) may hold several labelled calls: it has no one label
    return feats.join(lab, on="call_id").filter(pl.col("label").is_not_null() & (pl.col("found_by") != "ticket"))


def _matrix(frame: pl.DataFrame, names: list[str]):
    return frame.select(names).to_numpy()


def _estimator(kind: str, seed: int, folds: int):
    """An unfitted estimator of one kind: calibrated boosted trees, or scaled multinomial logistic regression."""
    if kind == "logistic":
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler

        return make_pipeline(FunctionTransformer(np.nan_to_num), StandardScaler(), LogisticRegression(max_iter=3000))
    if kind != "boosted":
        raise ModelError(f"unknown model kind {kind!r} (known: boosted, logistic)")
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    base = HistGradientBoostingClassifier(max_iter=60, learning_rate=0.15, max_leaf_nodes=8, random_state=seed)
    # ensemble=False: one booster fitted on everything, calibrated on cross-validated predictions (a small file)
    return CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False)


SMALL_MATRIX = 20_000  # rows: below this, scikit-learn's OpenMP threads cost more than they save


def _threads(rows: int) -> AbstractContextManager:
    """One thread for a small matrix: starting and spin-waiting OpenMP threads costs more than the work (training on
    160 calls took 62 s with the default threads and 6 s on one, on the 2-core machine while it was busy); the
    library's own choice for a large one."""
    if rows >= SMALL_MATRIX:
        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def train(data: pl.DataFrame, seed: int = 1, kind: str = "boosted") -> Model:
    """Fit a model of `kind` (boosted or logistic); importance by permutation on a held-back fifth."""
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    names = feature_names(data.drop("label"))
    X, y = _matrix(data, names), data["label"].to_numpy()
    counts = data["label"].value_counts()
    folds = int(max(2, min(3, counts["count"].min())))
    X_fit, X_val, y_fit, y_val = train_test_split(
        X, y, test_size=0.2, random_state=seed, stratify=y if counts["count"].min() >= 2 else None
    )
    with _threads(len(y)):
        probe = _estimator(kind, seed, folds).fit(X_fit, y_fit)
        imp = permutation_importance(probe, X_val, y_val, n_repeats=5, random_state=seed)
        model = _estimator(kind, seed, folds).fit(X, y)
    importance = {n: float(max(v, 0.0)) for n, v in zip(names, imp.importances_mean, strict=True)}
    healthy = data.filter(pl.col("label") == "healthy")
    ref = healthy if healthy.height else data
    return Model(
        estimator=model,
        features=names,
        classes=[str(c) for c in model.classes_],
        healthy_mean={n: float(ref[n].median()) for n in names},
        healthy_std={n: float(ref[n].std() or 0.0) for n in names},
        importance=importance,
        model_id=f"{kind}-{datetime.now(timezone.utc):%Y%m%d%H%M%S}",
        meta={
            "kind": kind,
            "trained_on": data.height,
            "class_counts": {r["label"]: int(r["count"]) for r in counts.iter_rows(named=True)},
            "trained_families": sorted(set(data["families"].to_list())) if "families" in data.columns else [],
            "trained_found_by": sorted(set(data["found_by"].to_list())) if "found_by" in data.columns else [],
            "feature_range": {n: [float(data[n].min()), float(data[n].max())] for n in names},
            "suspect_p": DEFAULT_SUSPECT_P,
        },
    )


def _top_features(model: Model, X, k: int = 3):
    """For every row, the k features that most set it apart from healthy calls (z-score x importance)."""
    import numpy as np

    mean = np.array([model.healthy_mean[n] for n in model.features])
    std = np.array([model.healthy_std[n] or 1.0 for n in model.features])
    weight = np.array([model.importance.get(n, 0.0) + 1e-3 for n in model.features])
    scores = np.abs(X - mean) / std * weight
    order = np.argsort(-scores, axis=1)[:, :k]
    top_scores = np.take_along_axis(scores, order, axis=1)
    return order, top_scores, mean


def predict(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    """Label every call in the store, set-based (numpy for the model, DuckDB for the rows); replaces the
    predictions table. Returns the number of calls."""
    feats = call_features(con)
    con.execute("DELETE FROM predictions")
    if feats.height == 0:
        return 0
    insert_predictions(con, feats, model)
    return feats.height


def insert_predictions(con: duckdb.DuckDBPyConnection, feats: pl.DataFrame, model: Model) -> None:
    """Add the model's prediction for each row of `feats` (call_features' frame) to the predictions table (the
    Spark engine runs this per batch of calls, on a store of its own)."""
    import numpy as np

    X = _matrix(feats, model.features)
    families = feats["families"].to_list()
    abstain = abstentions(model, families, X, feats["found_by"].to_list())
    with _threads(len(X)):
        raw = model.estimator.predict_proba(X)
    proba, unjudged = mask_unjudgeable(model.classes, families, raw)
    best = proba.argmax(axis=1)
    labels = np.array(model.classes, dtype=object)[best]
    threshold = float(model.meta.get("suspect_p", DEFAULT_SUSPECT_P))
    order, top_scores, mean = _top_features(model, X)
    n, k = order.shape
    rows = np.repeat(np.arange(n), k)
    keep = (top_scores > 0.01).ravel()
    idx = order.ravel()
    long = pl.DataFrame(
        {
            "row": rows[keep],
            "rank": np.tile(np.arange(k), n)[keep],
            "feature": np.array(model.features, dtype=object)[idx][keep].tolist(),
            "value": X[rows, idx][keep],
            "healthy": mean[idx][keep],
        }
    )
    wide = pl.DataFrame(
        {
            "row": np.arange(n),
            "call_id": feats["call_id"],
            "label": labels.tolist(),
            "probability": proba[np.arange(n), best],
            "abstained": abstain,
            "unjudged": unjudged,
            "suspects": (labels != "healthy") & (proba[np.arange(n), best] >= threshold),
        }
    )
    # one column a class, named by its position: the class names (from the model file) are bound, never pasted
    wide = wide.with_columns(pl.Series(f"p{i}", proba[:, i]) for i in range(len(model.classes)))
    con.register("pred_wide", wide)
    con.register("pred_long", long)
    probs = ", ".join(f"w.p{i}" for i in range(len(model.classes)))
    con.execute(
        "INSERT INTO predictions SELECT w.call_id, CASE WHEN w.abstained IS NULL THEN w.label END,"
        f" CASE WHEN w.abstained IS NULL THEN w.probability END, to_json(map($classes, [{probs}])), "
        "coalesce(t.features, []), $model, w.abstained, w.unjudged, w.abstained IS NULL AND w.suspects, $suspect_p "
        "FROM pred_wide w LEFT JOIN ("
        "  SELECT row, list(feature || '=' || CAST(round(value, 4) AS VARCHAR) || ' (healthy ~'"
        "    || CAST(round(healthy, 3) AS VARCHAR) || ')' ORDER BY rank) AS features FROM pred_long GROUP BY row"
        ") t USING (row)",
        {"classes": [str(c) for c in model.classes], "model": model.model_id, "suspect_p": threshold},
    )
    con.unregister("pred_wide")
    con.unregister("pred_long")


def mask_unjudgeable(classes: list[str], families: list[str], proba):
    """Probabilities with every cause whose evidence family the call lacks set to zero (renormalised), and for
    each call the sentence saying which causes could not be judged and why (None when all could)."""
    import numpy as np

    have = [set(f.split("+")) - {""} for f in families]
    needs = [NEEDS.get(c) for c in classes]
    blocked = np.array([[need is not None and not (set(need) & h) for need in needs] for h in have], dtype=bool)
    if not blocked.any():
        return proba, [None] * len(families)
    kept = np.where(blocked, 0.0, proba)
    total = kept.sum(axis=1, keepdims=True)
    kept = np.divide(kept, total, out=np.zeros_like(kept), where=total > 0)
    notes: list[str | None] = []
    for row in blocked:
        if not row.any():
            notes.append(None)
            continue
        missing = sorted({fam for need, b in zip(needs, row, strict=True) if b for fam in need})
        causes = ", ".join(c for c, b in zip(classes, row, strict=True) if b)
        notes.append(f"no {' or '.join(missing)} in this ticket: {causes} cannot be judged")
    return kept, notes


def abstentions(model: Model, families: list[str], X, found_by: list[str] | None = None) -> list[str | None]:
    """Why the model must not answer for each call (None: it may): a call whose evidence families the model was
    never trained on (a log-only paste, a browser dump without a device log), a call found in a way no training
    call was (a whole paste taken as one call, for want of boundaries), or a feature outside the range seen in
    training (the model would extrapolate)."""
    import numpy as np

    found_by = found_by or [""] * len(families)
    known_ways = set(model.meta.get("trained_found_by") or [])
    trained = set(model.meta.get("trained_families") or ASSUMED_FAMILIES)
    ranges = model.meta.get("feature_range") or {}
    lo = np.array([ranges.get(f, [-np.inf, np.inf])[0] for f in model.features], dtype=float)
    hi = np.array([ranges.get(f, [-np.inf, np.inf])[1] for f in model.features], dtype=float)
    slack = np.where(np.isfinite(hi - lo), np.maximum(hi - lo, 1.0) * RANGE_SLACK, 0.0)
    out_of_range = (lo - slack > X) | (hi + slack < X)
    reasons: list[str | None] = []
    for i, fam in enumerate(families):
        if known_ways and found_by[i] not in known_ways:
            reasons.append(
                f"no training call was found as this one was ({found_by[i] or 'unknown'}: "
                f"it saw {', '.join(sorted(known_ways))})"
            )
        elif fam not in trained:
            have = fam.replace("+", ", ") or "no log and no stats"
            reasons.append(
                f"it was trained on calls with {' or '.join(t.replace('+', ', ') for t in sorted(trained))}; "
                f"this one has {have}"
            )
        elif out_of_range[i].any():
            j = int(np.argmax(out_of_range[i]))
            reasons.append(
                f"{model.features[j]} = {X[i, j]:.4g} is outside what it saw in training ({lo[j]:.4g} .. {hi[j]:.4g})"
            )
        else:
            reasons.append(None)
    return reasons


def _meta(model: Model) -> dict:
    return {
        "features": model.features,
        "classes": model.classes,
        "healthy_mean": model.healthy_mean,
        "healthy_std": model.healthy_std,
        "importance": model.importance,
        "model_id": model.model_id,
        "meta": model.meta,
    }


def save(model: Model, path: Path) -> None:
    """The model as skops (`path`, the full scikit-learn object, for evaluation and retraining) and as a
    runtime export beside it (`path` with .npz: what triage loads, without scikit-learn). No pickle."""
    import skops.io as sio

    from analyzer.classify.runtime import export

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"estimator": model.estimator, **{k: json.dumps(v) for k, v in _meta(model).items()}}, path)
    export(model.estimator, path.with_suffix(".npz"), _meta(model))


def load(path: Path = DEFAULT_MODEL) -> Model:
    """A .npz runtime export (numpy only) or a .skops model (refusing any type outside scikit-learn, numpy,
    scipy and builtins)."""
    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    if path.suffix == ".npz":
        from analyzer.classify.runtime import load_arrays

        try:
            estimator, meta = load_arrays(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: not a model export: {exc}") from exc
        return _model(estimator, meta)
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises several kinds on a damaged file
        raise ModelError(f"{path}: not a skops model file: {exc}") from exc
    unsafe = [t for t in untrusted if not t.startswith(_SAFE_PREFIXES)]
    if unsafe:
        raise ModelError(f"{path}: refused: the file holds types outside scikit-learn: {', '.join(unsafe)}")
    obj = sio.load(path, trusted=untrusted)
    return _model(obj.pop("estimator"), {k: json.loads(v) for k, v in obj.items()})


def _model(estimator, meta: dict) -> Model:
    return Model(
        estimator,
        list(meta["features"]),
        list(meta["classes"]),
        dict(meta["healthy_mean"]),
        dict(meta["healthy_std"]),
        dict(meta["importance"]),
        meta["model_id"],
        dict(meta["meta"]),
    )
