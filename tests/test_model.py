"""The classifier: features, training on one simulated fleet and evaluation on another, and safe model files
(the verdict that combines rules and model: tests/test_verdict.py). No test checks a score on the calls the model
was trained on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analyzer.calls.features import call_features
from analyzer.classify.evaluate import evaluate, rule_labels
from analyzer.classify.model import DEFAULT_MODEL, ModelError, load, predict, read_labels, save, train
from analyzer.detect.rules import load_rules, run_rules
from tests.conftest import DATA
from tests.helpers import labelled_fleet, stored


def _fleet(tmp_path_factory, name, calls, seed, partial=0.0, rules=None):
    return labelled_fleet(tmp_path_factory.mktemp(name), calls, seed, partial, rules)


@pytest.fixture(scope="module")
def fleets(tmp_path_factory):
    _, train_data = _fleet(tmp_path_factory, "train", 160, seed=31)
    test_con, test_data = _fleet(tmp_path_factory, "test", 80, seed=32)
    return train_data, test_con, test_data


@pytest.fixture(scope="module")
def trained(fleets):
    """The boosted model trained once on the training fleet (tests that change it take a copy)."""
    return train(fleets[0], seed=3)


def test_features_on_a_known_call():
    con = stored(DATA.parents[1] / "sample_logs" / "phone-call-audio-never-returns")
    row = call_features(con).row(0, named=True)
    assert row["n_int_began"] == 1 and row["n_int_resume_flag"] == 1 and row["n_resumes"] == 0
    assert row["out_flat_tail_s"] == row["out_flat_s"] > 30  # silent from the interruption to the end
    assert row["int_to_audio_s"] == row["duration_s"]  # audio never came back
    assert row["cat_not_par"] == 0 and row["opt_hfp"] == 1


def test_held_out_evaluation_beats_the_baseline(fleets, trained):
    train_data, test_con, test_data = fleets
    assert not set(train_data["call_id"].to_list()) & set(test_data["call_id"].to_list())
    model = trained
    run_rules(test_con, load_rules())
    card = evaluate(model, train_data, test_data, rule_labels(test_con), test_con)
    scores = card["scores"]
    assert set(scores) == {
        "rules",
        "model",
        "rules_and_model",
        "baseline_most_frequent",
        "baseline_logistic_regression",
    }
    # on calls from other devices and another seed, the model must do better than always saying "healthy"
    assert scores["model"]["macro avg"]["f1-score"] > scores["baseline_most_frequent"]["macro avg"]["f1-score"] + 0.3
    assert len(card["confusion_model"]) == len(card["confusion_labels"])


def test_probabilities_are_calibrated_distributions(fleets, trained, tmp_path):
    _, test_con, _ = fleets
    path = tmp_path / "m.skops"
    save(trained, path)
    again = load(path)
    n = predict(test_con, again)
    assert n > 0
    answered = test_con.execute(
        "SELECT probabilities, probability, label FROM predictions WHERE abstained IS NULL"
    ).fetchall()
    assert len(answered) >= 0.9 * n  # calls like its training calls: it answers for (nearly) all of them
    for probs, p, label in answered:
        dist = json.loads(probs)
        assert abs(sum(dist.values()) - 1) < 1e-6 and dist[label] == pytest.approx(p)
    feats = test_con.execute("SELECT top_features FROM predictions WHERE label <> 'healthy' LIMIT 1").fetchall()
    assert feats and all("healthy ~" in f for f in feats[0][0])


@pytest.mark.parametrize("kind", ["boosted", "logistic"])
def test_runtime_export_matches_scikit_learn(fleets, trained, tmp_path, kind):
    """The numpy runtime triage uses gives scikit-learn's probabilities, for both kinds of model."""
    train_data, _, test_data = fleets
    model = trained if kind == "boosted" else train(train_data, seed=3, kind=kind)
    save(model, tmp_path / "m.skops")
    runtime = load(tmp_path / "m.npz")
    X = test_data.select(model.features).to_numpy()
    assert np.allclose(runtime.estimator.predict_proba(X), model.estimator.predict_proba(X), atol=1e-9)
    assert runtime.classes == model.classes and runtime.features == model.features


def test_model_files_are_checked(tmp_path):
    with pytest.raises(ModelError, match="no such model file"):
        load(tmp_path / "missing.skops")
    bad = tmp_path / "bad.skops"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a skops model file"):
        load(bad)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a model export"):
        load(bad)


def test_default_model_ships_and_loads():
    import subprocess
    import sys

    model = load(DEFAULT_MODEL)
    assert DEFAULT_MODEL.stat().st_size < 1_000_000
    # loading and predicting with the shipped export does not import scikit-learn
    code = (
        "import sys; from analyzer.classify.model import load; m = load(); import numpy as np; "
        "m.estimator.predict_proba(np.zeros((1, len(m.features)))); print('sklearn' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    assert set(model.classes) >= {
        "healthy",
        "misconfiguration",
        "unrecovered_interruption",
        "bluetooth_routing",
        "network",
    }


def test_labels_file_is_checked(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_text("call_id,label\nC-1,catastrophe\n")
    with pytest.raises(ModelError, match="unknown label"):
        read_labels(p)


@pytest.fixture(scope="module")
def partial_fleets(tmp_path_factory):
    """Fleets where a third of the devices hold partial tickets (log-only pastes, stats only, no gateway)."""
    _, train_data = _fleet(tmp_path_factory, "ptrain", 160, seed=41, partial=0.5)
    cal_con, cal_data = _fleet(tmp_path_factory, "pcal", 60, seed=42, partial=0.5, rules=load_rules())
    test_con, test_data = _fleet(tmp_path_factory, "ptest", 80, seed=43, partial=0.5, rules=load_rules())
    return train(train_data, seed=3), train_data, (cal_con, cal_data), (test_con, test_data)


def test_no_device_cause_without_a_device_log(partial_fleets):
    """A call with stats and no device log never gets an interruption, misconfiguration or routing cause from the
    model, and the prediction says why; calls with a device log still can."""
    model, _, _, (con, _) = partial_fleets
    predict(con, model)
    rows = con.execute(
        "SELECT e.families, p.label, p.unjudged, p.abstained FROM predictions p JOIN call_evidence e USING (call_id)"
    ).fetchall()
    no_log = [r for r in rows if "device log" not in r[0]]
    assert no_log and any(r[3] is None for r in no_log)  # it answers for stats-only calls...
    device_causes = {"misconfiguration", "unrecovered_interruption", "bluetooth_routing"}
    assert not [r for r in no_log if r[1] in device_causes]  # ...but never with a device cause
    assert all("no device log" in r[2] for r in no_log if r[3] is None)
    assert {r[1] for r in rows if "device log" in r[0]} & device_causes


def test_mask_moves_probability_to_what_can_be_judged():
    from analyzer.classify.model import mask_unjudgeable

    classes = ["bluetooth_routing", "healthy", "network"]
    proba = np.array([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]])
    kept, notes = mask_unjudgeable(classes, ["client stats", "device log+client stats"], proba)
    assert kept[0].tolist() == pytest.approx([0.0, 2 / 3, 1 / 3]) and "bluetooth_routing" in notes[0]
    assert kept[1].tolist() == pytest.approx([0.7, 0.2, 0.1]) and notes[1] is None


def test_out_of_range_features_make_the_model_abstain(fleets, trained):
    import copy

    _, con, _ = fleets
    model = copy.deepcopy(trained)
    predict(con, model)
    answered = con.execute("SELECT count(*) FROM predictions WHERE abstained IS NULL").fetchall()[0][0]
    span = model.meta["feature_range"]["duration_s"]
    model.meta["feature_range"]["duration_s"] = [span[0], span[0] + 1e-6]  # every real call is now far outside
    predict(con, model)
    rows = con.execute("SELECT label, suspects, abstained FROM predictions").fetchall()
    assert answered > 0
    assert all(r[0] is None and not r[1] and "duration_s" in r[2] for r in rows if r[2] is not None)
    assert sum(r[2] is not None for r in rows) >= answered


def test_threshold_keeps_false_alarms_on_held_out_healthy_calls(partial_fleets):
    """The suspicion threshold is chosen on other calls than the training ones, and on the evaluation calls the
    share of healthy calls triage would call "suspected" is reported, not assumed."""
    from analyzer.classify.evaluate import choose_threshold

    model, train_data, (cal_con, cal_data), (test_con, test_data) = partial_fleets
    threshold, rate = choose_threshold(cal_con, model, cal_data, target=0.02)
    assert 0.5 <= threshold <= 1.01 and rate <= 0.02 and model.meta["suspect_p"] == threshold
    card = evaluate(model, train_data, test_data, rule_labels(test_con), test_con)
    assert card["suspect_p"] == threshold
    suspected = test_con.execute("SELECT count(*) FROM call_verdicts WHERE verdict = 'suspected'").fetchall()[0][0]
    healthy = test_data.filter(test_data["label"] == "healthy").height
    assert card["healthy_suspected_rate"] * healthy <= suspected
    below = test_con.execute("SELECT count(*) FROM predictions WHERE suspects AND probability < ?", [threshold])
    assert below.fetchall()[0][0] == 0
