"""Benchmark: features and predictions for N calls (default 100 000) with the shipped model.

usage: python -m bench.bench_model [--calls 100000]
Uses the bench_rules store (events and audio intervals for N calls). Prints the seconds for the feature
query, for predicting with the numpy runtime (what triage uses), and for scikit-learn's predict_proba on the
same matrix when the .skops model is there (the baseline), with calls/s.
"""

from __future__ import annotations

import argparse
import time

from analyzer.calls.features import call_features
from analyzer.classify.model import DEFAULT_MODEL, load, predict
from bench.fleet_store import filled_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    with filled_store(args.calls, audio=True, sessionised=True) as con:
        t = time.perf_counter()
        feats = call_features(con)
        t_feat = time.perf_counter() - t
        model = load(DEFAULT_MODEL)
        t = time.perf_counter()
        n = predict(con, model)
        t_pred = time.perf_counter() - t
        X = feats.select(model.features).to_numpy()
        t = time.perf_counter()
        model.estimator.predict_proba(X)
        t_runtime = time.perf_counter() - t
    print(f"calls: {n:,}")
    print(f"features (queries/calls/features.sql): {t_feat:.2f}s  {n / t_feat:,.0f} calls/s")
    print(f"predict + store predictions:     {t_pred:.2f}s  {n / t_pred:,.0f} calls/s")
    print(f"numpy runtime predict_proba:     {t_runtime:.2f}s  {n / t_runtime:,.0f} calls/s")
    skops = DEFAULT_MODEL.with_suffix(".skops")
    if skops.exists():
        sk = load(skops)
        t = time.perf_counter()
        sk.estimator.predict_proba(X)
        t_sk = time.perf_counter() - t
        print(
            f"scikit-learn predict_proba:      {t_sk:.2f}s  {n / t_sk:,.0f} calls/s  "
            f"(runtime / sklearn: {t_runtime / t_sk:.2f}x)"
        )


if __name__ == "__main__":
    main()
