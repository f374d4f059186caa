from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from logitlab.core import metrics as lm
from logitlab.core.metrics import Confusion, ScoreSweep

TOL = {"rtol": 1e-12, "atol": 1e-12}


def tied_data(
    seed: int, n: int = 200, levels: int = 12, weighted: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Labels loosely related to scores that take only ``levels`` values: many ties."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, levels, n) / (levels - 1)
    y = (rng.random(n) < 0.2 + 0.6 * scores).astype(int)
    w = rng.uniform(0.1, 3.0, n) if weighted else None
    if weighted:
        assert w is not None
        w[rng.random(n) < 0.1] = 0.0  # zero weights drop out of the curves
    return y, scores, w


CASES = [(0, False), (1, True), (2, False), (3, True)]


@pytest.mark.parametrize(("seed", "weighted"), CASES)
@pytest.mark.parametrize("drop", [True, False])
def test_roc_curve_and_auc_match_sklearn(seed: int, weighted: bool, drop: bool) -> None:
    y, s, w = tied_data(seed, weighted=weighted)
    fpr, tpr, thr = lm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
    sk_fpr, sk_tpr, sk_thr = skm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
    np.testing.assert_allclose(fpr, sk_fpr, **TOL)
    np.testing.assert_allclose(tpr, sk_tpr, **TOL)
    np.testing.assert_array_equal(thr, sk_thr)
    assert lm.roc_auc(y, s, sample_weight=w) == pytest.approx(
        skm.roc_auc_score(y, s, sample_weight=w), rel=1e-12, abs=1e-12
    )


@pytest.mark.parametrize(("seed", "weighted"), CASES)
@pytest.mark.parametrize("drop", [True, False])
def test_pr_curve_and_ap_match_sklearn(seed: int, weighted: bool, drop: bool) -> None:
    y, s, w = tied_data(seed, weighted=weighted)
    prec, rec, thr = lm.precision_recall_curve(y, s, sample_weight=w, drop_intermediate=drop)
    sk_p, sk_r, sk_t = skm.precision_recall_curve(y, s, sample_weight=w, drop_intermediate=drop)
    np.testing.assert_allclose(prec, sk_p, **TOL)
    np.testing.assert_allclose(rec, sk_r, **TOL)
    np.testing.assert_array_equal(thr, sk_t)
    assert lm.average_precision(y, s, sample_weight=w) == pytest.approx(
        skm.average_precision_score(y, s, sample_weight=w), rel=1e-12, abs=1e-12
    )


def test_continuous_scores_and_decision_values() -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 500)
    z = rng.normal(size=500) * 3 + y  # real-valued scores, no ties
    assert lm.roc_auc(y, z) == pytest.approx(skm.roc_auc_score(y, z), rel=1e-12)
    assert lm.average_precision(y, z) == pytest.approx(skm.average_precision_score(y, z), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 4)), min_size=2, max_size=25).filter(
        lambda rows: len({r[0] for r in rows}) == 2
    )
)
def test_auc_is_the_probability_a_positive_outscores_a_negative(
    rows: list[tuple[int, int]],
) -> None:
    y = np.array([r[0] for r in rows])
    s = np.array([r[1] for r in rows], dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    expected = (np.sum(diff > 0) + 0.5 * np.sum(diff == 0)) / diff.size
    assert lm.roc_auc(y, s) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("seed", "weighted"), CASES)
def test_threshold_metrics_match_sklearn(seed: int, weighted: bool) -> None:
    y, s, w = tied_data(seed, weighted=weighted)
    for tau in (0.0, 0.3, 0.5, 6 / 11, 0.9, 1.0):
        pred = (s >= tau).astype(int)
        c = lm.confusion_at(y, s, tau, sample_weight=w)
        tn, fp, fn, tp = skm.confusion_matrix(y, pred, sample_weight=w, labels=[0, 1]).ravel()
        np.testing.assert_allclose([c.tn, c.fp, c.fn, c.tp], [tn, fp, fn, tp], **TOL)
        kw = {"sample_weight": w}
        pairs = [
            (lm.accuracy(y, pred, **kw), skm.accuracy_score(y, pred, **kw)),
            (lm.balanced_accuracy(y, pred, **kw), skm.balanced_accuracy_score(y, pred, **kw)),
            (lm.recall(y, pred, **kw), skm.recall_score(y, pred, **kw)),
        ]
        if pred.any():
            pairs.append((lm.precision(y, pred, **kw), skm.precision_score(y, pred, **kw)))
            pairs.append((lm.f1(y, pred, **kw), skm.f1_score(y, pred, **kw)))
        if 0 < pred.sum() < len(pred):
            pairs.append((lm.mcc(y, pred, **kw), skm.matthews_corrcoef(y, pred, **kw)))
        for ours, theirs in pairs:
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
        tnr = tn / (tn + fp)
        assert lm.specificity(y, pred, **kw) == pytest.approx(tnr, rel=1e-12)


def test_confusion_properties_by_hand() -> None:
    c = Confusion(tn=50, fp=10, fn=5, tp=35)
    assert c.n == 100
    assert c.accuracy == 0.85
    assert c.precision == 35 / 45
    assert c.recall == c.tpr == 35 / 40
    assert c.specificity == 50 / 60
    assert c.fpr == 10 / 60
    assert c.f1 == 70 / 85
    assert c.balanced_accuracy == pytest.approx(0.5 * (35 / 40 + 50 / 60), rel=1e-15)
    assert c.mcc == pytest.approx((35 * 50 - 10 * 5) / math.sqrt(45 * 40 * 60 * 55), rel=1e-15)
    d = c.as_dict()
    assert d["tp"] == 35 and d["mcc"] == c.mcc and len(d) == 14


def test_undefined_ratios_are_nan() -> None:
    nothing_predicted = lm.confusion([0, 1, 1], [0, 0, 0])
    assert math.isnan(nothing_predicted.precision)
    assert math.isnan(nothing_predicted.mcc)
    assert nothing_predicted.f1 == 0.0
    only_negatives = lm.confusion([0, 0, 0], [0, 1, 0])
    assert math.isnan(only_negatives.recall)
    assert math.isnan(only_negatives.balanced_accuracy)
    assert only_negatives.f1 == 0.0
    assert math.isnan(lm.f1([0, 0], [0, 0]))
    assert math.isnan(lm.mcc([1, 1, 0], [1, 1, 1]))


@pytest.mark.parametrize(("seed", "weighted"), CASES)
def test_sweep_at_equals_confusion_at(seed: int, weighted: bool) -> None:
    y, s, w = tied_data(seed, weighted=weighted)
    sweep = ScoreSweep(y, s, w)
    taus = [*np.unique(s), -np.inf, np.inf, -1.0, 2.0, 0.05, 0.5, np.nextafter(0.5, 1)]
    for tau in taus:
        a, b = sweep.at(tau), lm.confusion_at(y, s, tau, sample_weight=w)
        if weighted:
            np.testing.assert_allclose(
                [a.tn, a.fp, a.fn, a.tp], [b.tn, b.fp, b.fn, b.tp], rtol=1e-12, atol=1e-12
            )
        else:
            assert a == b
            assert all(isinstance(v, int) for v in (a.tn, a.fp, a.fn, a.tp))
    counts = np.column_stack(sweep.counts_at(taus))
    expected = [[c.tn, c.fp, c.fn, c.tp] for c in map(sweep.at, taus)]
    np.testing.assert_allclose(counts, expected, **TOL)


def test_sweep_is_the_ge_rule_at_exact_scores() -> None:
    sweep = ScoreSweep([0, 1, 1, 0], [0.2, 0.5, 0.5, 0.7])
    assert sweep.at(0.5) == Confusion(tn=1, fp=1, fn=0, tp=2)
    assert sweep.at(np.nextafter(0.5, 1)) == Confusion(tn=1, fp=1, fn=2, tp=0)
    np.testing.assert_array_equal(sweep.thresholds, [0.7, 0.5, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        sweep.at(float("nan"))


def brute_candidates(y: np.ndarray, s: np.ndarray) -> list[Confusion]:
    taus = [np.inf, *np.unique(s)]
    return [lm.confusion_at(y, s, t) for t in taus]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_thresholds_against_brute_force(seed: int) -> None:
    y, s, _ = tied_data(seed, n=120)
    sweep = ScoreSweep(y, s)
    cands = brute_candidates(y, s)

    tau, best = sweep.best_f1()
    assert best == pytest.approx(max(c.f1 for c in cands), rel=1e-12)
    assert sweep.at(tau).f1 == pytest.approx(best, rel=1e-12)
    f1_at = skm.f1_score(y, (s >= tau).astype(int))
    assert f1_at == pytest.approx(best, rel=1e-12)

    tau, j = sweep.youden()
    fpr, tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    assert j == pytest.approx(np.max(tpr - fpr), rel=1e-12)
    c = sweep.at(tau)
    assert c.tpr - c.fpr == pytest.approx(j, rel=1e-12)

    tau, cost = sweep.min_cost(cost_fp=1.0, cost_fn=5.0)
    assert cost == pytest.approx(min(c.fp + 5 * c.fn for c in cands), rel=1e-12)
    c = sweep.at(tau)
    assert c.fp + 5 * c.fn == pytest.approx(cost, rel=1e-12)


def test_best_threshold_is_mid_interval_and_survives_rounding() -> None:
    sweep = ScoreSweep([0, 0, 1, 1], [0.1, 0.3, 0.7, 0.9])
    tau, f1 = sweep.best_f1()
    assert f1 == 1.0 and tau == pytest.approx(0.5)
    tau, j = sweep.youden()
    assert j == 1.0 and tau == pytest.approx(0.5)
    # predicting nothing positive is the cheapest when false positives cost a lot
    tau, cost = sweep.min_cost(cost_fp=100.0, cost_fn=0.0)
    assert cost == 0.0 and tau > 0.9 and sweep.at(tau).tp == 0
    with pytest.raises(ValueError, match="cost_fp must be a finite number >= 0"):
        sweep.min_cost(cost_fp=-1.0)


def test_one_class_functions_raise_and_sweep_gives_nan() -> None:
    y, s = [1, 1, 1], [0.2, 0.4, 0.9]
    with pytest.raises(ValueError, match="at least one negative"):
        lm.roc_auc(y, s)
    with pytest.raises(ValueError, match="at least one negative"):
        lm.roc_curve(y, s)
    with pytest.raises(ValueError, match="at least one positive"):
        lm.average_precision([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="at least one positive"):
        lm.precision_recall_curve([0, 0], [0.1, 0.2])
    sweep = ScoreSweep(y, s)
    assert math.isnan(sweep.roc_auc())
    assert lm.average_precision(y, s) == 1.0
    fpr, tpr, _ = sweep.roc()
    assert np.all(np.isnan(fpr)) and tpr[-1] == 1.0
    assert all(math.isnan(v) for v in sweep.youden())
    only_neg = ScoreSweep([0, 0], [0.1, 0.2])
    assert math.isnan(only_neg.average_precision())
    assert all(math.isnan(v) for v in only_neg.best_f1())
    assert only_neg.at(0.15) == Confusion(tn=1, fp=1, fn=0, tp=0)


def test_log_loss_and_brier_match_sklearn() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    p = np.clip(rng.beta(2, 2, 300), 1e-6, 1 - 1e-6)
    w = rng.uniform(0.5, 2.0, 300)
    for sw in (None, w):
        assert lm.log_loss(y, p, sample_weight=sw) == pytest.approx(
            skm.log_loss(y, p, sample_weight=sw), rel=1e-12
        )
        assert lm.brier_score(y, p, sample_weight=sw) == pytest.approx(
            skm.brier_score_loss(y, p, sample_weight=sw), rel=1e-12
        )


def test_log_loss_multinomial_matches_sklearn() -> None:
    rng = np.random.default_rng(4)
    z = rng.normal(size=(200, 4))
    P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = rng.integers(0, 4, 200)
    w = rng.uniform(0.5, 2.0, 200)
    for sw in (None, w):
        assert lm.log_loss(y, P, sample_weight=sw) == pytest.approx(
            skm.log_loss(y, P, sample_weight=sw, labels=[0, 1, 2, 3]), rel=1e-12
        )
    with pytest.raises(ValueError, match="sum to 1"):
        lm.log_loss(y, P * 0.9)
    with pytest.raises(ValueError, match=r"class indices 0 \.\.\. 3"):
        lm.log_loss(np.full(200, 4), P)


def test_log_loss_is_not_clipped() -> None:
    assert lm.log_loss([1], [1e-300]) == pytest.approx(300 * math.log(10), rel=1e-14)
    assert lm.log_loss([0], [1e-20]) == pytest.approx(1e-20, rel=1e-6)
    assert lm.log_loss([1, 0], [0.0, 0.5]) == math.inf
    assert lm.log_loss([0, 1], [0.0, 1.0]) == 0.0


def test_majority_baseline() -> None:
    y = [0] * 20 + [1] * 100
    assert lm.majority_baseline(y) == 100 / 120
    assert lm.majority_baseline([0, 0, 1]) == 2 / 3
    assert lm.majority_baseline([0, 1], sample_weight=[3.0, 1.0]) == 0.75


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lm.accuracy([0, 2], [0, 1]), "only the labels 0 and 1, found \\[2\\]"),
        (lambda: lm.accuracy([0, 1], [0, 1, 1]), "y_pred has 3 entries but y_true has 2"),
        (lambda: lm.accuracy([], []), "empty"),
        (lambda: lm.accuracy([[0, 1]], [[0, 1]]), "1-D array"),
        (lambda: lm.accuracy(["a", "b"], [0, 1]), "must be numeric"),
        (lambda: lm.roc_auc([0, 1], [0.1, np.nan]), "finite"),
        (lambda: lm.brier_score([0, 1], [0.1, 1.5]), "probabilities in \\[0, 1\\]"),
        (lambda: lm.log_loss([0, 1], [0.1, 0.2], sample_weight=[1, -1]), "finite and >= 0"),
        (lambda: lm.log_loss([0, 1], [0.1, 0.2], sample_weight=[0, 0]), "positive total"),
        (lambda: lm.confusion_at([0, 1], [0.1, 0.2], float("nan")), "NaN"),
    ],
)
def test_bad_input_is_explained(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_score_histograms_split_by_class() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.0, 0.24, 0.25, 0.5, 1.0, 0.99])
    edges, neg, pos = lm.score_histograms(y, p, n_bins=4)
    np.testing.assert_array_equal(edges, [0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(neg, [2, 0, 0, 1])
    np.testing.assert_array_equal(pos, [0, 1, 1, 1])
    rng = np.random.default_rng(8)
    y, q = rng.integers(0, 2, 300), rng.random(300)
    _, neg, pos = lm.score_histograms(y, q, n_bins=7)
    np.testing.assert_array_equal(neg + pos, np.histogram(q, bins=7, range=(0, 1))[0])


def test_prevalence_and_iso_cost_slope() -> None:
    sweep = ScoreSweep([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.4])
    assert sweep.prevalence == 0.25
    assert sweep.iso_cost_slope(1.0, 1.0) == 3.0
    assert sweep.iso_cost_slope(1.0, 3.0) == 1.0
    assert sweep.iso_cost_slope(2.0, 0.0) == math.inf
    assert math.isnan(sweep.iso_cost_slope(0.0, 0.0))
    # The cost is the same at two ROC points joined by a line of that slope.
    y, s, _ = tied_data(5, n=150)
    sweep = ScoreSweep(y, s)
    slope = sweep.iso_cost_slope(2.0, 3.0)
    a, b = sweep.at(0.3), sweep.at(0.7)
    cost_a, cost_b = 2 * a.fp + 3 * a.fn, 2 * b.fp + 3 * b.fn
    # Moving along the iso-cost slope from a to b's FPR changes TPR by slope·ΔFPR.
    tpr_iso = a.tpr + slope * (b.fpr - a.fpr)
    cost_iso = (
        cost_a - 3 * sweep.n_positive * (tpr_iso - a.tpr) + 2 * sweep.n_negative * (b.fpr - a.fpr)
    )
    assert cost_iso == pytest.approx(cost_a, rel=1e-12)
    assert cost_b == pytest.approx(cost_a + 3 * sweep.n_positive * (tpr_iso - b.tpr), rel=1e-12)


def test_log_loss_accepts_float32_probabilities_rounded_to_float32() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 5, size=400)
    P64 = rng.dirichlet(np.ones(5), size=400)
    P32 = P64.astype(np.float32)  # rows sum to 1 only within float32 rounding
    assert np.max(np.abs(P32.astype(np.float64).sum(axis=1) - 1.0)) > 1.5e-8
    assert lm.log_loss(y, P32) == pytest.approx(skm.log_loss(y, P32, labels=range(5)), rel=1e-6)
    with pytest.raises(ValueError, match=r"within 0.00035 for float32"):
        lm.log_loss(y, (P32 * np.float32(0.999)).astype(np.float32))
    with pytest.raises(ValueError, match="must sum to 1"):
        lm.log_loss(y, P64 * (1 + 1e-6))  # float64 keeps its tight tolerance
