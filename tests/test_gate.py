"""The gate (gate.py): fitting, out-of-fold scores, monotone calibration and risk control, as
pure functions on made-up data where the right answer is known."""

import random

import pytest

from assistant import gate


def data(n=300, seed=0):
    """Drafts whose rightness depends on the pointer's P(NONE) and on the relation check."""
    rng = random.Random(seed)
    rows, right = [], []
    for _ in range(n):
        none, relation = rng.random(), rng.random()
        p = 1 / (1 + pow(2.718, -(4 * relation - 5 * none)))
        x = {name: None for name in gate.FEATURES} | {"none": none, "relation": relation}
        rows.append(gate.vector(x))
        right.append(rng.random() < p)
    return rows, right


def test_a_fitted_gate_ranks_right_drafts_higher_out_of_fold():
    from assistant.evaluation.score import auroc

    rows, right = data()
    oof = gate.out_of_fold(rows, right, folds=5)
    assert auroc(oof, right) > 0.75
    fitted = gate.fit(rows, right)
    names = list(gate.FEATURES)
    w = dict(zip(names, fitted.weights[1:]))
    assert w["relation"] > 0 > w["none"]  # the signs the data was made with


def test_the_calibration_is_monotone_and_reads_as_a_probability():
    rows, right = data()
    fitted = gate.fit(rows, right)
    assert fitted.iso_y == sorted(fitted.iso_y) and 0 <= fitted.iso_y[0] <= fitted.iso_y[-1] <= 1
    low = {"none": 0.95, "relation": 0.05}
    high = {"none": 0.05, "relation": 0.95}
    assert fitted.score(low) < fitted.score(high)


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.2, 0.5])
def test_risk_control_picks_the_lowest_threshold_within_alpha(alpha):
    rows, right = data(seed=1)
    oof = gate.out_of_fold(rows, right)
    curve = gate.risk_curve(oof, right)
    n = len(gate.FEATURES)
    g = gate.Gate(gate.FEATURES, [0.0] * n, [1.0] * n, [0.0] * (n + 1), [], [], curve)
    t = g.threshold(alpha)
    shown = [r for s, r in zip(oof, right) if s >= t]
    assert not shown or sum(not r for r in shown) / len(shown) <= alpha
    lower = [c for c, risk, _ in curve if c < t]
    assert all(risk > alpha for c, risk, _ in curve if c in lower)  # nothing lower qualifies


def test_nothing_is_shown_when_no_threshold_is_within_alpha():
    g = gate.Gate(gate.FEATURES, [], [], [0.0], [], [], [(0.9, 0.5, 0.1)])
    assert g.threshold(0.05) > 1 and gate.threshold(g, 1.0) == 0.0


def test_the_fallback_gate_reads_the_pointer():
    f = gate.Fallback()
    assert f.score({"none": 0.2}) == 0.8 and f.score({}) == 0.5 and f.threshold(0.05) == 0.5


def test_a_gate_round_trips_through_its_file(tmp_path):
    rows, right = data(n=80)
    fitted = gate.fit(rows, right)
    path = tmp_path / "gate.json"
    fitted.save(path)
    again = gate.load(path)
    assert again is not None and again.score({"none": 0.3}) == fitted.score({"none": 0.3})
    assert gate.load(tmp_path / "none.json") is None
