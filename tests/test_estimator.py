"""LogisticRegression: agreement with scikit-learn, input validation, fitted attributes."""

from __future__ import annotations

import math
import pickle
import re
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logitlab import LogisticRegression
from logitlab.estimator import (
    ConvergenceWarning,
    DataConversionWarning,
    InvalidParameterError,
    NotFittedError,
)

Data = tuple[np.ndarray, np.ndarray, np.ndarray | None]


# ----------------------------------------------------------------------------- data


def _labels(rng: np.random.Generator, score: np.ndarray) -> np.ndarray:
    return (score + rng.logistic(size=score.shape[0]) > 0).astype(int)


def raw_scale() -> Data:
    """Features on very different scales and offsets (no standardization)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3)) * [1.0, 20.0, 0.05] + [0.0, 100.0, -3.0]
    return X, _labels(rng, (X - [0.0, 100.0, -3.0]) @ [1.0, 0.05, 10.0] + 0.5), None


def standardized() -> Data:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 3))
    return X, _labels(rng, X @ [1.5, -1.0, 0.5]), None


def separable() -> Data:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int), None


def imbalanced() -> Data:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(180, 2))
    return X, _labels(rng, X @ [1.0, 1.0] - 2.5), None


def collinear() -> Data:
    """x3 = x1 + x2 + tiny noise: a badly conditioned but identifiable problem."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 2))
    X = np.column_stack([X, X[:, 0] + X[:, 1] + 1e-3 * rng.normal(size=150)])
    return X, _labels(rng, X[:, :2] @ [1.0, -0.5]), None


def weighted() -> Data:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 3))
    return X, _labels(rng, X @ [1.0, 0.5, -1.0]), rng.uniform(0.1, 3.0, size=120)


def three_classes() -> Data:
    rng = np.random.default_rng(6)
    y = rng.integers(0, 3, size=150)
    X = rng.normal(size=(150, 3)) + 0.8 * np.eye(3)[y]
    return X, y, None


def four_classes_weighted() -> Data:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 4, size=160)
    X = rng.normal(size=(160, 2)) + 0.7 * np.array([[0, 0], [1, 0], [0, 1], [1, 1]])[y]
    return X, y, rng.uniform(0.5, 2.0, size=160)


DATASETS: dict[str, Callable[[], Data]] = {
    "raw_scale": raw_scale,
    "standardized": standardized,
    "imbalanced": imbalanced,
    "collinear": collinear,
    "weighted": weighted,
    "three_classes": three_classes,
    "four_classes_weighted": four_classes_weighted,
}


# ----------------------------------------------------------------------------- references


def _newton_reference(
    X: np.ndarray, y: np.ndarray, sw: np.ndarray | None, **params: object
) -> SkLogisticRegression:
    ref = SkLogisticRegression(solver="newton-cholesky", tol=1e-14, max_iter=1000, **params)
    return ref.fit(X, y, sample_weight=sw)


def _centered(intercepts: np.ndarray) -> np.ndarray:
    """Multinomial intercepts are unique only up to a common shift: compare them centered."""
    return intercepts - intercepts.mean() if intercepts.size > 2 else intercepts


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("C", [np.inf, 1.0, 0.05])
def test_smooth_penalties_match_sklearn(name: str, C: float) -> None:
    X, y, sw = DATASETS[name]()
    ours = LogisticRegression(C=C, tol=1e-10).fit(X, y, sample_weight=sw)
    ref = _newton_reference(X, y, sw, C=C)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-12)
    assert_allclose(ours.intercept_, _centered(ref.intercept_), rtol=1e-6, atol=1e-12)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ["raw_scale", "collinear", "three_classes"])
def test_default_tolerance_lands_within_1e_6_of_the_optimum(name: str) -> None:
    X, y, sw = DATASETS[name]()
    ours = LogisticRegression(C=np.inf).fit(X, y, sample_weight=sw)
    ref = _newton_reference(X, y, sw, C=np.inf)
    err = np.max(np.abs(ours.coef_ - ref.coef_)) / np.max(np.abs(ref.coef_))
    assert err < 1e-6


@pytest.mark.parametrize("C", [1.0, 0.1])
def test_separable_data_with_l2_matches_sklearn(C: float) -> None:
    X, y, _ = separable()
    ours = LogisticRegression(C=C, tol=1e-10).fit(X, y)
    ref = _newton_reference(X, y, None, C=C)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ["imbalanced", "three_classes"])
def test_balanced_class_weight_matches_sklearn(name: str) -> None:
    X, y, _ = DATASETS[name]()
    ours = LogisticRegression(C=0.5, class_weight="balanced", tol=1e-10).fit(X, y)
    ref = _newton_reference(X, y, None, C=0.5, class_weight="balanced")
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    assert_allclose(ours.intercept_, _centered(ref.intercept_), rtol=1e-6, atol=1e-12)


def test_dict_class_weight_equals_sample_weight() -> None:
    X, y, _ = imbalanced()
    by_class = LogisticRegression(class_weight={0: 3.0}, tol=1e-10).fit(X, y)
    by_sample = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-9)
    ref = _newton_reference(X, y, None, class_weight={0: 3.0})
    assert_allclose(by_class.coef_, ref.coef_, rtol=1e-6)


def test_no_intercept_matches_sklearn() -> None:
    X, y, _ = standardized()
    ours = LogisticRegression(fit_intercept=False, tol=1e-10).fit(X, y)
    ref = _newton_reference(X, y, None, fit_intercept=False)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    assert_array_equal(ours.intercept_, [0.0])


# L1 and elastic net: scikit-learn's saga run to a tiny tolerance on small standardized data.
SAGA_CASES: dict[str, tuple[Callable[[], Data], str | None]] = {
    "binary": (standardized, None),
    "binary_weighted": (weighted, None),
    "separable": (separable, None),
    "imbalanced_balanced": (imbalanced, "balanced"),
    "three_classes": (three_classes, None),
}


@pytest.mark.parametrize("name", sorted(SAGA_CASES))
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_and_elastic_net_match_sklearn_saga(name: str, l1_ratio: float) -> None:
    make, class_weight = SAGA_CASES[name]
    X, y, sw = make()
    noise = np.random.default_rng(8).normal(size=(X.shape[0], 1))  # a feature L1 may zero
    X = np.column_stack([X, noise])
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    C = 0.1
    params = {"C": C, "l1_ratio": l1_ratio, "class_weight": class_weight}
    ours = LogisticRegression(**params).fit(X, y, sample_weight=sw)  # type: ignore[arg-type]
    ref = SkLogisticRegression(solver="saga", tol=1e-15, max_iter=100_000, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga may report it stopped at max_iter
        ref.fit(X, y, sample_weight=sw)
    scale = np.max(np.abs(ref.coef_))
    # Relative to the size of the coefficients: exact zeros must match, the rest to 1e-6.
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * scale)
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)
    assert_allclose(ours.intercept_, _centered(ref.intercept_), rtol=1e-6, atol=1e-6 * scale)


def test_unpenalized_multinomial_rows_sum_to_zero() -> None:
    X, y, _ = three_classes()
    model = LogisticRegression(C=np.inf).fit(X, y)
    assert_allclose(model.coef_.sum(axis=0), 0.0, atol=1e-12)
    assert_allclose(model.intercept_.sum(), 0.0, atol=1e-12)


# ----------------------------------------------------------------------------- attributes


def test_fitted_attributes_binary_with_string_labels() -> None:
    X, y, _ = standardized()
    labels = np.array(["no", "yes"])[y]
    model = LogisticRegression().fit(X, labels)
    assert_array_equal(model.classes_, ["no", "yes"])
    assert model.coef_.shape == (1, 3)
    assert model.intercept_.shape == (1,)
    assert model.n_iter_.shape == (1,) and model.n_iter_.dtype == np.int32
    assert model.n_iter_[0] >= 1
    assert model.n_features_in_ == 3
    assert not hasattr(model, "feature_names_in_")
    proba = model.predict_proba(X)
    assert proba.shape == (120, 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-12)
    scores = model.decision_function(X)
    assert scores.shape == (120,)
    assert_array_equal(model.predict(X), np.where(scores > 0, "yes", "no"))
    accuracy = np.mean(model.predict(X) == labels)
    assert model.score(X, labels) == pytest.approx(accuracy)


def test_predict_log_proba_stays_finite_far_from_the_boundary() -> None:
    X, y, _ = separable()
    model = LogisticRegression(C=10.0).fit(X, y)
    far = np.array([[1e4, 1e4], [-1e4, -1e4]])
    log_proba = model.predict_log_proba(far)
    assert np.all(np.isfinite(log_proba))
    assert log_proba[0, 0] < -1e3


def test_multinomial_shapes_and_softmax() -> None:
    X, y, _ = three_classes()
    model = LogisticRegression().fit(X, y)
    assert model.coef_.shape == (3, 3)
    assert model.intercept_.shape == (3,)
    scores = model.decision_function(X)
    assert scores.shape == (150, 3)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert_allclose(model.predict_proba(X), expected, rtol=1e-12)
    assert_array_equal(model.predict(X), model.classes_[np.argmax(scores, axis=1)])


def test_dataframe_feature_names() -> None:
    X, y, _ = standardized()
    frame = pd.DataFrame(X, columns=["age", "dose", "weight"])
    model = LogisticRegression().fit(frame, y)
    assert_array_equal(model.feature_names_in_, ["age", "dose", "weight"])
    assert [r["name"] for r in model.summary().to_dict()["coefficients"]] == [  # type: ignore[union-attr]
        "intercept",
        "age",
        "dose",
        "weight",
    ]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        model.predict(frame[["dose", "age", "weight"]])
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- height"):
        model.predict(frame.rename(columns={"age": "height"}))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.predict(X)
    refit = LogisticRegression().fit(X, y)
    assert not hasattr(refit, "feature_names_in_")


def test_get_set_params_and_repr() -> None:
    model = LogisticRegression(C=0.3, class_weight="balanced")
    params = model.get_params()
    assert params["C"] == 0.3 and params["class_weight"] == "balanced" and params["tol"] == 1e-8
    assert repr(model) == "LogisticRegression(C=0.3, class_weight='balanced')"
    assert model.set_params(l1_ratio=1.0) is model and model.l1_ratio == 1.0
    with pytest.raises(ValueError, match="Invalid parameter 'alpha'"):
        model.set_params(alpha=1.0)


def test_pickle_round_trip_predicts_the_same() -> None:
    X, y, _ = three_classes()
    model = LogisticRegression().fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    assert_array_equal(clone.predict_proba(X), model.predict_proba(X))


def test_sklearn_is_imported_by_the_estimator_only() -> None:
    """scikit-learn is a dependency of the estimator; the core and the Lab start without it."""
    import subprocess
    import sys

    code = (
        "import sys, logitlab, logitlab.core.solvers, logitlab.core.inference,"
        " logitlab.lab.session; print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------------- bad input

GOOD_X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.5]])
GOOD_Y = np.array([0, 1, 0, 1])


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (
            np.array([[np.nan, 1.0], [1, 0], [2, 1], [3, 1]]),
            GOOD_Y,
            ValueError,
            "Input X contains NaN",
        ),
        (
            np.array([[np.inf, 1.0], [1, 0], [2, 1], [3, 1]]),
            GOOD_Y,
            ValueError,
            "contains infinity",
        ),
        (np.array([0.0, 1.0, 2.0, 3.0]), GOOD_Y, ValueError, "(?s)Expected 2D array.*reshape"),
        (np.zeros((0, 2)), np.array([]), ValueError, "0 sample"),
        (np.zeros((4, 0)), GOOD_Y, ValueError, "0 feature"),
        (GOOD_X, np.zeros(4), ValueError, "only one class"),
        (GOOD_X, np.array([0, 1, 0]), ValueError, "inconsistent numbers of samples"),
        (GOOD_X, np.array([0.1, 0.5, 0.2, 0.7]), ValueError, "Unknown label type: continuous"),
        (GOOD_X, np.array([0, 1, np.nan, 1]), ValueError, "Input y contains NaN"),
        (
            np.array([["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]),
            GOOD_Y,
            ValueError,
            "could not convert string to float",
        ),
        (GOOD_X + 1j, GOOD_Y, ValueError, "Complex data not supported"),
        (
            np.array([[1.0, "a"]] * 4, dtype=object),
            GOOD_Y,
            ValueError,
            "could not convert string to float",
        ),
        (np.array([[1.0, {}]] * 4, dtype=object), GOOD_Y, TypeError, "float.. argument"),
        (GOOD_X, None, ValueError, "requires y to be passed"),
        (GOOD_X, np.zeros((4, 2)), ValueError, "1d array"),
    ],
)
def test_bad_input_gets_a_clear_error(
    X: np.ndarray, y: np.ndarray, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        LogisticRegression().fit(X, y)
    with pytest.raises(error):  # scikit-learn refuses the same input the same way
        SkLogisticRegression().fit(X, y)


def test_column_vector_y_warns_and_fits() -> None:
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        model = LogisticRegression().fit(GOOD_X, GOOD_Y[:, None])
    assert_array_equal(model.classes_, [0, 1])


@pytest.mark.parametrize(
    ("sample_weight", "message"),
    [
        (np.zeros(4), "at least one non-zero"),
        (np.array([1.0, -1.0, 1.0, 1.0]), "Negative values"),
        (np.ones(3), r"expected \(4,\)"),
        (np.array([1.0, np.nan, 1.0, 1.0]), "contains NaN"),
        (np.array([1.0, 0.0, 1.0, 0.0]), "only one class has positive total weight"),
    ],
)
def test_bad_sample_weight(sample_weight: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(GOOD_X, GOOD_Y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0.0}, "'C' parameter of LogisticRegression must be a float in the range (0.0, inf]"),
        ({"C": "big"}, "'C' parameter"),
        (
            {"l1_ratio": 1.5},
            "'l1_ratio' parameter of LogisticRegression must be a float in the "
            "range [0.0, 1.0] or None. Got 1.5 instead.",
        ),
        (
            {"fit_intercept": "yes"},
            "'fit_intercept' parameter of LogisticRegression must be an instance of 'bool'",
        ),
        (
            {"class_weight": "even"},
            "'class_weight' parameter .* must be an instance of 'dict', a str among "
            "{'balanced'} or None",
        ),
        ({"max_iter": 2.5}, "'max_iter' parameter .* must be an int in the range \\[0, inf\\)"),
        ({"tol": -1.0}, "'tol' parameter"),
        ({"solver": "bfgs"}, "'solver' parameter .* must be a str among .*'newton-cholesky'"),
        ({"penalty": "l3"}, "'penalty' parameter .* must be a str among"),
        ({"intercept_scaling": 0.0}, "'intercept_scaling' parameter"),
        ({"verbose": -1}, "'verbose' parameter"),
        ({"n_jobs": 1.5}, "'n_jobs' parameter"),
        ({"random_state": "seed"}, "'random_state' parameter"),
    ],
)
def test_bad_parameters_are_reported_at_fit(params: dict[str, object], message: str) -> None:
    model = LogisticRegression(**params)  # type: ignore[arg-type]
    pattern = message if ".*" in message else re.escape(message)
    with pytest.raises(InvalidParameterError, match=pattern):
        model.fit(GOOD_X, GOOD_Y)


def test_unknown_class_weight_label() -> None:
    with pytest.raises(ValueError, match=r"class_weight names labels \[7\]"):
        LogisticRegression(class_weight={7: 2.0}).fit(GOOD_X, GOOD_Y)


def test_predict_checks() -> None:
    model = LogisticRegression()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.predict(GOOD_X)
    model.fit(GOOD_X, GOOD_Y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression is expecting 2"):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict_proba(np.array([[np.nan, 0.0]]))


def test_non_convergence_warns_with_advice() -> None:
    X, y, _ = separable()
    with pytest.warns(ConvergenceWarning) as record:
        model = LogisticRegression(C=np.inf, max_iter=3).fit(X, y)
    text = str(record[0].message)
    assert "did not converge" in text and "max_iter" in text
    assert "standardize" in text and "finite C" in text
    assert model.n_iter_[0] == 3


def test_max_iter_zero_returns_the_starting_point_with_a_warning() -> None:
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression(max_iter=0).fit(GOOD_X, GOOD_Y)
    assert_array_equal(model.coef_, 0.0)
    assert model.n_iter_[0] == 0


def test_summary_of_an_l1_fit_has_estimates_but_no_standard_errors() -> None:
    X, y, sw = weighted()
    model = LogisticRegression(C=0.05, l1_ratio=1.0, class_weight={0: 2.0}).fit(X, y, sw)
    result = model.summary()
    (block,) = result.blocks
    assert_allclose(block.estimate, np.r_[model.intercept_, model.coef_[0]], rtol=1e-12)
    assert np.all(np.isnan(block.std_error))
    assert math.isclose(result.C, 0.05, rel_tol=1e-12) and result.l1_ratio == 1.0
    assert result.n_obs == pytest.approx(np.sum(sw * np.where(y == 0, 2.0, 1.0)))


# ----------------------------------------------------------------------------- step solvers


@pytest.mark.parametrize(
    ("solver", "learning_rate"), [("gd", 1.0), ("momentum", 0.3), ("adam", 0.05)]
)
def test_step_solvers_reach_the_newton_solution(solver: str, learning_rate: float) -> None:
    X, y, _ = standardized()
    exact = LogisticRegression(tol=1e-12).fit(X, y)
    stepped = LogisticRegression(
        solver=solver, learning_rate=learning_rate, tol=1e-7, max_iter=5000
    ).fit(X, y)
    assert 1 < stepped.n_iter_[0] < 5000
    assert_allclose(stepped.coef_, exact.coef_, atol=1e-5)


def test_sgd_is_reproducible_with_random_state_and_warns_with_solver_advice() -> None:
    X, y, _ = standardized()

    def fit(seed: int) -> LogisticRegression:
        with pytest.warns(ConvergenceWarning, match="tune learning_rate.*solver='newton'"):
            return LogisticRegression(
                solver="sgd", learning_rate=0.05, batch_size=8, max_iter=600, random_state=seed
            ).fit(X, y)

    first, again, other = fit(3), fit(3), fit(4)
    assert_array_equal(first.coef_, again.coef_)
    assert not np.array_equal(first.coef_, other.coef_)
    exact = LogisticRegression().fit(X, y)
    assert_allclose(first.coef_, exact.coef_, atol=0.2)


def test_diverging_step_solver_raises_with_advice() -> None:
    X, y, _ = raw_scale()
    with pytest.raises(FloatingPointError, match=r"diverged.*lower learning_rate"):
        LogisticRegression(solver="gd", learning_rate=1e306, max_iter=50).fit(X, y)


# ----------------------------------------------------------------------------- summary


def test_summary_uses_the_labels_and_matches_statsmodels_mnlogit() -> None:
    import statsmodels.api as sm

    X, y, _ = three_classes()
    labels = np.array(["ant", "bee", "cat"])[y]
    model = LogisticRegression(C=np.inf, tol=1e-10).fit(X, labels)
    result = model.summary()
    assert result.reference == "ant"
    assert [b.label for b in result.blocks] == ["bee", "cat"]
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    for k, block in enumerate(result.blocks):
        assert_allclose(block.estimate, np.asarray(ref.params)[:, k], rtol=1e-6)
        assert_allclose(block.std_error, np.asarray(ref.bse)[:, k], rtol=1e-6)
    # The symmetric coefficients map to the reference ones by differences.
    assert_allclose(result.blocks[0].estimate[1:], model.coef_[1] - model.coef_[0], rtol=1e-12)


def test_summary_of_a_balanced_l2_fit_is_marked_penalized() -> None:
    X, y, _ = imbalanced()
    model = LogisticRegression(C=0.5, class_weight="balanced").fit(X, y)
    result = model.summary()
    assert result.penalized
    assert math.isclose(result.C, 0.5, rel_tol=1e-12)  # class weights do not change C
    (block,) = result.blocks
    assert_allclose(block.estimate, np.r_[model.intercept_, model.coef_[0]], rtol=1e-12)
    assert np.all(np.isfinite(block.std_error))
    assert "Penalty:" in str(result) and "L2" in str(result)


def test_errors_and_warnings_are_sklearn_ones() -> None:
    import sklearn.exceptions as sk_exceptions
    from sklearn.utils._param_validation import InvalidParameterError as SkInvalidParameterError

    assert NotFittedError is sk_exceptions.NotFittedError
    assert ConvergenceWarning is sk_exceptions.ConvergenceWarning
    assert DataConversionWarning is sk_exceptions.DataConversionWarning
    assert InvalidParameterError is SkInvalidParameterError
    with pytest.raises(sk_exceptions.NotFittedError):
        LogisticRegression().predict(GOOD_X)
    with pytest.warns(sk_exceptions.ConvergenceWarning):
        LogisticRegression(max_iter=0).fit(GOOD_X, GOOD_Y)


@pytest.mark.parametrize(
    "y",
    [
        np.array([1, "a", 2, "b", 1, "a"], dtype=object),  # mixed types: do not sort
        np.array([0, 1, 0, 1, 1, 0], dtype=object),
        np.linspace(0.0, 1.0, 6),
        np.array([1e300, -1e300] * 3),
        np.array(list("ababab")),
        np.array([True, False] * 3),
        np.array([0.0, 1, 2, 0, 1, 2]),
    ],
)
def test_targets_are_checked_as_scikit_learn_checks_them(y: np.ndarray) -> None:
    # The target checks run on the distinct labels (issue 13): the same verdict and
    # message as scikit-learn's on all of y.
    X = np.random.default_rng(0).normal(size=(6, 2))
    outcomes = []
    for cls in (LogisticRegression, SkLogisticRegression):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outcomes.append(("fitted", cls().fit(X, y).classes_.tolist()))
        except ValueError as exc:
            outcomes.append(("ValueError", str(exc)))
    assert outcomes[0] == outcomes[1]
