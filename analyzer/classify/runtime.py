"""Prediction without scikit-learn: the trained model exported to plain arrays (.npz, loaded with
allow_pickle=False) and evaluated with numpy, so triage does not pay a second for importing scikit-learn.

Supports the two kinds analyzer/classify/model.py trains: a multiclass HistGradientBoostingClassifier (numeric features,
no categorical ones) inside CalibratedClassifierCV(method="sigmoid", ensemble=False), and a multinomial logistic
regression behind a StandardScaler. tests/test_model.py checks that each export gives the same probabilities as
scikit-learn.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_FIELDS = ("feature_idx", "num_threshold", "missing_go_to_left", "left", "right", "is_leaf", "value")


class RuntimeEstimator:
    """predict_proba of the exported boosted trees with per-class sigmoid calibration."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.a = arrays
        self.n_classes = int(arrays["baseline"].shape[0])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        a = self.a
        raw = np.tile(a["baseline"], (X.shape[0], 1)).astype(np.float64)
        rows = np.arange(X.shape[0])
        for t in range(len(a["tree_offsets"]) - 1):
            start = int(a["tree_offsets"][t])
            node = np.zeros(X.shape[0], dtype=np.int64)
            while True:
                g = start + node
                leaf = a["is_leaf"][g].astype(bool)
                if leaf.all():
                    break
                x = X[rows, a["feature_idx"][g]]
                go_left = np.where(np.isnan(x), a["missing_go_to_left"][g].astype(bool), x <= a["num_threshold"][g])
                nxt = np.where(go_left, a["left"][g], a["right"][g]).astype(np.int64)
                node = np.where(leaf, node, nxt)
            raw[:, int(a["tree_class"][t])] += a["value"][start + node]
        return raw

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        raw = self.decision_function(np.asarray(X, dtype=np.float64))
        proba = 1.0 / (1.0 + np.exp(self.a["calib_a"] * raw + self.a["calib_b"]))
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / self.n_classes)
        return np.divide(proba, total, out=uniform, where=total != 0)


class LogisticEstimator:
    """predict_proba of an exported StandardScaler + LogisticRegression: a softmax over linear scores."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.a = arrays

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        a = self.a
        z = (np.nan_to_num(np.asarray(X, dtype=np.float64)) - a["mean"]) / a["scale"]
        scores = z @ a["coef"].T + a["intercept"]
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)


def export(estimator, path: Path, meta: dict) -> None:
    """Write the arrays of a fitted model of either kind (see the module docstring)."""
    arrays = _logistic_arrays(estimator) if hasattr(estimator, "named_steps") else _boosted_arrays(estimator)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def _logistic_arrays(pipeline) -> dict[str, np.ndarray]:
    scaler, lr = pipeline.named_steps["standardscaler"], pipeline.named_steps["logisticregression"]
    coef, intercept = np.asarray(lr.coef_, dtype=np.float64), np.asarray(lr.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row; the softmax needs both
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return {
        "kind": np.frombuffer(b"logistic", dtype=np.uint8),
        "mean": np.asarray(scaler.mean_, dtype=np.float64),
        "scale": np.asarray(scaler.scale_, dtype=np.float64),
        "coef": coef,
        "intercept": intercept,
    }


def _boosted_arrays(calibrated) -> dict[str, np.ndarray]:
    (cc,) = calibrated.calibrated_classifiers_
    hgb = cc.estimator
    per_iteration = hgb._predictors  # [iteration][class] -> TreePredictor
    nodes, offsets, tree_class = [], [0], []
    for iteration in per_iteration:
        for k, predictor in enumerate(iteration):
            if predictor.nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported by the runtime export")
            nodes.append(predictor.nodes)
            offsets.append(offsets[-1] + len(predictor.nodes))
            tree_class.append(k)
    allnodes = np.concatenate(nodes)
    arrays: dict[str, np.ndarray] = {f: np.asarray(allnodes[f]) for f in _FIELDS}
    arrays["tree_offsets"] = np.asarray(offsets, dtype=np.int64)
    arrays["tree_class"] = np.asarray(tree_class, dtype=np.int64)
    arrays["baseline"] = np.asarray(hgb._baseline_prediction, dtype=np.float64).ravel()
    arrays["calib_a"] = np.asarray([c.a_ for c in cc.calibrators], dtype=np.float64)
    arrays["calib_b"] = np.asarray([c.b_ for c in cc.calibrators], dtype=np.float64)
    return arrays


def load_arrays(path: Path) -> tuple[RuntimeEstimator | LogisticEstimator, dict]:
    """The estimator and the metadata of an exported model (no pickle is ever loaded)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    kind = arrays.pop("kind").tobytes().decode("ascii") if "kind" in arrays else "boosted"
    return (LogisticEstimator(arrays) if kind == "logistic" else RuntimeEstimator(arrays)), meta
