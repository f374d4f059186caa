"""LogisticRegression as a drop-in for scikit-learn's: each behaviour side by side with it."""

from __future__ import annotations

import inspect
import pickle
import warnings
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from logitlab import LogisticRegression


def _data(n_samples: int = 150, n_classes: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n_samples)
    centers = rng.normal(size=(n_classes, 3))
    X = rng.normal(size=(n_samples, 3)) + centers[y]
    return X, y


def _reference(**params: Any) -> SkLogisticRegression:
    """scikit-learn's exact Newton solver run far past its default tolerance."""
    return SkLogisticRegression(solver="newton-cholesky", tol=1e-14, max_iter=1000, **params)


def _quiet_fit(model: Any, X: Any, y: Any, **fit_params: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga/liblinear may stop at max_iter
        return model.fit(X, y, **fit_params)


# ----------------------------------------------------------------------------- base classes


def test_it_is_a_scikit_learn_classifier() -> None:
    model = LogisticRegression(C=0.5)
    assert isinstance(model, BaseEstimator) and isinstance(model, ClassifierMixin)
    assert is_classifier(model)
    assert clone(model).get_params() == model.get_params()
    html = model._repr_html_()
    assert "LogisticRegression" in html and "C" in html
    X, y = _data()
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    ref = GridSearchCV(_reference(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_ == ref.best_params_
    assert_allclose(search.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"])


def test_metadata_routing_passes_sample_weight_like_sklearn() -> None:
    X, y = _data(seed=1)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, size=y.shape[0])
    scores = []
    with config_context(enable_metadata_routing=True):
        for model in (LogisticRegression(), _reference()):
            pipe = make_pipeline(
                StandardScaler().set_fit_request(sample_weight=False),
                model.set_fit_request(sample_weight=True).set_score_request(sample_weight=True),
            )
            result = cross_validate(pipe, X, y, cv=3, params={"sample_weight": sw})
            scores.append(result["test_score"])
    assert_allclose(scores[0], scores[1])


def test_the_constructor_takes_every_argument_of_sklearn_with_its_default() -> None:
    ours = inspect.signature(LogisticRegression).parameters
    theirs = inspect.signature(SkLogisticRegression).parameters
    assert set(theirs) <= set(ours)
    # solver and tol keep logitlab's defaults, documented in the class docstring.
    for name in set(theirs) - {"solver", "tol"}:
        assert ours[name].default == theirs[name].default, name
        assert ours[name].kind == theirs[name].kind, name
    assert set(ours) - set(theirs) == {"learning_rate", "batch_size"}


# ----------------------------------------------------------------------------- penalty, solvers


PENALTIES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"penalty": "l2"}, {"l1_ratio": 0.0}),
    ({"penalty": "l1", "solver": "saga"}, {"l1_ratio": 1.0}),
    ({"penalty": "elasticnet", "l1_ratio": 0.4, "solver": "saga"}, {"l1_ratio": 0.4}),
    ({"penalty": None}, {"C": np.inf}),
]


@pytest.mark.parametrize(("deprecated", "modern"), PENALTIES)
def test_deprecated_penalty_warns_and_means_what_it_means_in_sklearn(
    deprecated: dict[str, Any], modern: dict[str, Any]
) -> None:
    X, y = _data(seed=3)
    X = StandardScaler().fit_transform(X)
    params = {"C": 0.2, **deprecated}
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        model = LogisticRegression(**params).fit(X, y)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        ref = SkLogisticRegression(tol=1e-12, max_iter=100_000, **params).fit(X, y)
    assert any("'penalty' was deprecated in version 1.8" in str(w.message) for w in ours)
    assert sorted(str(w.message) for w in ours) == sorted(
        str(w.message) for w in theirs if w.category is not ConvergenceWarning
    )
    same = LogisticRegression(**{"C": 0.2, **modern}).fit(X, y)
    assert_allclose(model.coef_, same.coef_, rtol=1e-12)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


def test_penalty_warnings_match_sklearn() -> None:
    X, y = _data()
    for params in (
        {"penalty": None, "C": 2.0},
        {"penalty": "l2", "l1_ratio": 0.5},
        {"l1_ratio": None},
    ):
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            LogisticRegression(**params).fit(X, y)  # type: ignore[arg-type]
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            SkLogisticRegression(**params).fit(X, y)
        assert sorted((w.category.__name__, str(w.message)) for w in ours) == sorted(
            (w.category.__name__, str(w.message)) for w in theirs
        ), params
    with (
        pytest.warns(FutureWarning, match="'penalty' was deprecated"),
        pytest.raises(ValueError, match="l1_ratio must be specified when penalty is elasticnet"),
    ):
        LogisticRegression(penalty="elasticnet", l1_ratio=None).fit(X, y)


def test_n_jobs_warns_and_does_nothing_as_in_sklearn() -> None:
    X, y = _data()
    with pytest.warns(FutureWarning, match="'n_jobs' has no effect"):
        with_jobs = LogisticRegression(n_jobs=2).fit(X, y)
    with pytest.warns(FutureWarning, match="'n_jobs' has no effect"):
        SkLogisticRegression(n_jobs=2).fit(X, y)
    assert_array_equal(with_jobs.coef_, LogisticRegression().fit(X, y).coef_)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky", "newton-cg", "sag", "saga"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_each_sklearn_solver_name_reaches_sklearns_optimum(solver: str, n_classes: int) -> None:
    X, y = _data(n_classes=n_classes, seed=4)
    model = LogisticRegression(solver=solver, C=0.7, tol=1e-10).fit(X, y)
    ref = _reference(C=0.7).fit(X, y)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), rtol=1e-7, atol=1e-12)


def test_solve_takes_a_method_and_refuses_unknown_ones() -> None:
    from logitlab.core.objective import Objective
    from logitlab.core.solvers import METHODS, solve

    X, y = _data(seed=4)
    objective = Objective(X, y.astype(np.float64))
    results = [solve(objective, method=method).coef for method in METHODS]
    for coef in results[1:]:  # the same optimum to the promised 1e-6 relative
        assert_allclose(coef, results[0], rtol=1e-6)
    expected = r"method must be one of 'auto', 'newton', 'newton-cg'; got 'lbfgs'"
    with pytest.raises(ValueError, match=expected):
        solve(objective, method="lbfgs")


@pytest.mark.parametrize("intercept_scaling", [1.0, 5.0])
@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_liblinear_penalizes_the_intercept_like_liblinear(
    intercept_scaling: float, l1_ratio: float
) -> None:
    X, y = _data(seed=5)
    X[:, 0] += 3.0  # an offset, so the intercept's penalty matters
    params = {"C": 0.05, "l1_ratio": l1_ratio, "intercept_scaling": intercept_scaling}
    model = LogisticRegression(solver="liblinear", tol=1e-10, **params).fit(X, y)
    ref = _quiet_fit(
        SkLogisticRegression(solver="liblinear", tol=1e-12, max_iter=100_000, **params), X, y
    )
    assert_allclose(model.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert_allclose(model.intercept_, ref.intercept_, rtol=1e-5, atol=1e-7)
    # The intercept's penalty shrinks it compared with the unpenalized-intercept fit.
    plain = LogisticRegression(tol=1e-10, **params).fit(X, y)  # type: ignore[arg-type]
    assert not np.allclose(plain.intercept_, model.intercept_, rtol=1e-3)


def test_liblinear_refuses_multiclass_as_sklearn_does() -> None:
    X, y = _data(n_classes=3)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        LogisticRegression(solver="liblinear").fit(X, y)
    with pytest.raises(ValueError, match="does not support multiclass"):
        SkLogisticRegression(solver="liblinear").fit(X, y)


def test_dual_and_random_state_leave_the_optimum_alone(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = _data()
    base = LogisticRegression().fit(X, y)
    for params in ({"dual": True, "solver": "liblinear", "intercept_scaling": 1e6}, {}):
        ours = LogisticRegression(random_state=3, **params).fit(X, y)  # type: ignore[arg-type]
        if params:  # a huge intercept_scaling makes liblinear's intercept nearly free
            assert_allclose(ours.coef_, base.coef_, rtol=1e-4)
        else:
            assert_array_equal(ours.coef_, base.coef_)
    LogisticRegression(verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "solver='auto'" in out and "converged" in out
    LogisticRegression().fit(X, y)
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------------------- warm start


def test_warm_start_starts_from_the_previous_solution() -> None:
    X, y = _data(n_classes=3, seed=6)
    model = LogisticRegression(warm_start=True, C=1.0, tol=1e-10).fit(X, y)
    cold_iters = int(model.n_iter_[0])
    model.fit(X, y)  # already optimal
    assert model.n_iter_[0] == 0
    model.set_params(C=0.8).fit(X, y)
    cold = LogisticRegression(C=0.8, tol=1e-10).fit(X, y)
    assert_allclose(model.coef_, cold.coef_, rtol=1e-8, atol=1e-12)
    assert 0 < model.n_iter_[0] <= cold_iters
    gd = LogisticRegression(solver="gd", learning_rate=1.0, tol=1e-6, max_iter=5000)
    gd.fit(X, y)
    gd.set_params(warm_start=True).fit(X, y)
    assert gd.n_iter_[0] == 0
    with pytest.raises(ValueError, match="warm_start=True starts from the previous coef_"):
        model.fit(X[:, :2], y)
    ref = SkLogisticRegression(warm_start=True).fit(X, y)
    with pytest.raises(ValueError):  # scikit-learn refuses it too
        ref.fit(X[:, :2], y)


def test_without_warm_start_a_refit_starts_from_zero() -> None:
    X, y = _data(seed=7)
    model = LogisticRegression().fit(X, y)
    first = int(model.n_iter_[0])
    model.fit(X, y)
    assert model.n_iter_[0] == first > 0


# ----------------------------------------------------------------------------- input


@pytest.mark.parametrize("to_sparse", [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_sparse_X_fits_and_predicts_as_dense(to_sparse: Any, n_classes: int) -> None:
    X, y = _data(n_classes=n_classes, seed=8)
    X[np.abs(X) < 0.7] = 0.0
    dense = LogisticRegression().fit(X, y)
    sparse = LogisticRegression().fit(to_sparse(X), y)
    # Sparse X is fitted by truncated Newton, dense by Newton-Cholesky: the same optimum
    # to the stopping rule's accuracy (1e-6 relative promised; ~1e-10 seen).
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6)
    assert_allclose(sparse.predict_proba(to_sparse(X)), dense.predict_proba(X), rtol=1e-6)
    assert_array_equal(sparse.predict(to_sparse(X)), dense.predict(X))
    ref = _reference().fit(to_sparse(X), y)
    assert_allclose(sparse.coef_, ref.coef_, rtol=1e-6)


def test_engine_input_passes_dense_float64_through_uncopied() -> None:
    from logitlab.estimator import _engine_input

    X, _ = _data()
    assert _engine_input(X) is X
    assert _engine_input(sp.csr_matrix(X)).shape == X.shape


@pytest.mark.parametrize("n_classes", [2, 3])
def test_float32_X_gives_float32_coefficients_as_in_sklearn(n_classes: int) -> None:
    X, y = _data(n_classes=n_classes, seed=9)
    X32 = X.astype(np.float32)
    model = LogisticRegression().fit(X32, y)
    ref = _quiet_fit(SkLogisticRegression(tol=1e-8, max_iter=10_000), X32, y)
    for name in ("coef_", "intercept_"):
        assert getattr(model, name).dtype == getattr(ref, name).dtype == np.float32
    assert model.predict_proba(X32).dtype == ref.predict_proba(X32).dtype
    assert model.decision_function(X32).dtype == ref.decision_function(X32).dtype
    # scikit-learn's float32 lbfgs stops within ~1e-3; ours is the float64 optimum, rounded.
    assert_allclose(model.coef_, ref.coef_, rtol=1e-2, atol=1e-3)
    exact = _reference().fit(X32.astype(np.float64), y).coef_
    assert_allclose(model.coef_, exact, rtol=1e-6, atol=1e-7)
    assert LogisticRegression().fit(sp.csr_matrix(X32), y).coef_.dtype == np.float32
    assert LogisticRegression().fit(X.astype(int), y).coef_.dtype == np.float64


def test_sparsify_and_densify_as_in_sklearn() -> None:
    X, y = _data(seed=10)
    model = LogisticRegression(C=0.05, l1_ratio=1.0).fit(X, y)
    ref = _quiet_fit(SkLogisticRegression(C=0.05, l1_ratio=1.0, solver="saga"), X, y)
    dense_proba = model.predict_proba(X)
    assert model.sparsify() is model
    ref.sparsify()
    assert type(model.coef_) is type(ref.coef_) and sp.issparse(model.coef_)
    assert_allclose(model.predict_proba(X), dense_proba, rtol=1e-12)
    model.set_params(warm_start=True).fit(X, y)  # a sparse coef_ warm-starts too
    assert model.n_iter_[0] == 0
    model.sparsify()
    again = pickle.loads(pickle.dumps(model))
    assert sp.issparse(again.coef_)
    assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert model.densify() is model
    assert isinstance(model.coef_, np.ndarray)
    with pytest.raises(NotFittedError):
        LogisticRegression().sparsify()


# ----------------------------------------------------------------------------- classes


LABELS: dict[str, np.ndarray] = {
    "strings": np.array(["spam", "ham"]),
    "bools": np.array([True, False]),
    "gapped ints": np.array([7, -3]),
    "three strings": np.array(["b", "c", "a"]),
    "four ints": np.array([10, 2, 5, 0]),
    "objects": np.array(["x", "y", "z"], dtype=object),
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_class_handling_matches_sklearn(name: str) -> None:
    labels = LABELS[name]
    X, index = _data(n_classes=labels.shape[0], seed=11)
    y = labels[index]
    model = LogisticRegression(tol=1e-10).fit(X, y)
    ref = _reference().fit(X, y)
    assert_array_equal(model.classes_, ref.classes_)
    assert model.classes_.dtype == ref.classes_.dtype
    assert model.coef_.shape == ref.coef_.shape and model.intercept_.shape == ref.intercept_.shape
    assert_array_equal(model.predict(X), ref.predict(X))
    assert model.predict(X).dtype == ref.predict(X).dtype
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-12)
    assert_allclose(model.predict_log_proba(X), ref.predict_log_proba(X), rtol=1e-6)
    assert_allclose(model.decision_function(X), ref.decision_function(X), rtol=1e-6, atol=1e-9)
    assert model.score(X, y) == ref.score(X, y)
    assert model.n_iter_.shape == ref.n_iter_.shape == (1,)
    assert model.n_iter_.dtype == ref.n_iter_.dtype == np.int32


@pytest.mark.parametrize("n_classes", [2, 3])
def test_class_and_sample_weights_match_sklearn(n_classes: int) -> None:
    X, y = _data(n_samples=200, n_classes=n_classes, seed=12)
    sw = np.random.default_rng(13).uniform(0.0, 2.0, size=y.shape[0])
    by_dict = {0: 3.0, 1: 0.5}
    for class_weight in ("balanced", by_dict):
        model = LogisticRegression(class_weight=class_weight, tol=1e-10).fit(X, y, sw)
        ref = _reference(class_weight=class_weight).fit(X, y, sample_weight=sw)
        assert_allclose(model.coef_, ref.coef_, rtol=1e-6)
        assert_allclose(model.predict_proba(X), ref.predict_proba(X), rtol=1e-6)
    # A scalar sample_weight is every sample's weight, as in scikit-learn.
    scalar = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=2.5)
    assert_allclose(scalar.coef_, _reference().fit(X, y, sample_weight=2.5).coef_, rtol=1e-6)


# ----------------------------------------------------------------------------- empty classes


def _with_empty_class(n_classes: int, empty: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = _data(n_samples=160, n_classes=n_classes, seed=14)
    return X, y, np.where(y == empty, 0.0, 1.0)


@pytest.mark.parametrize(("n_classes", "empty"), [(3, 2), (3, 0), (4, 1)])
@pytest.mark.parametrize("C", [1.0, 0.1])
def test_a_class_of_weight_zero_is_fitted_around_as_in_sklearn(
    n_classes: int, empty: int, C: float
) -> None:
    X, y, sw = _with_empty_class(n_classes, empty)
    model = LogisticRegression(C=C, tol=1e-10).fit(X, y, sample_weight=sw)
    ref = _reference(C=C).fit(X, y, sample_weight=sw)
    assert_array_equal(model.classes_, ref.classes_)
    # scikit-learn's intercept of the empty class heads for -inf; ours is there.
    assert model.intercept_[empty] == -np.inf and ref.intercept_[empty] < -15
    assert_array_equal(model.coef_[empty], 0.0)
    assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    assert_array_equal(model.predict_proba(X)[:, empty], 0.0)
    assert_array_equal(model.predict(X), ref.predict(X))
    assert np.all(model.predict_log_proba(X)[:, empty] == -np.inf)
    by_class = LogisticRegression(C=C, tol=1e-10, class_weight={empty: 0.0}).fit(X, y)
    assert_allclose(by_class.coef_, model.coef_, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_a_class_of_weight_zero_under_l1_matches_sklearn_saga(l1_ratio: float) -> None:
    X, y, sw = _with_empty_class(3, 1)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(C=0.2, l1_ratio=l1_ratio).fit(X, y, sample_weight=sw)
    ref = _quiet_fit(
        SkLogisticRegression(C=0.2, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=50_000),
        X,
        y,
        sample_weight=sw,
    )
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-5)


def test_a_class_of_weight_zero_without_penalty_or_intercept() -> None:
    X, y, sw = _with_empty_class(3, 2)
    y[::4] = (y[::4] + 1) % 3  # classes 0 and 1 would be separable without this noise
    model = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y, sample_weight=sw)
    ref = _reference(C=np.inf).fit(X, y, sample_weight=sw)
    # Unpenalized softmax rows are unique only up to a common shift: compare differences.
    assert_allclose(model.coef_[1] - model.coef_[0], ref.coef_[1] - ref.coef_[0], rtol=1e-6)
    assert_allclose(model.coef_.sum(axis=0), 0.0, atol=1e-12)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    # Without an intercept the empty class's optimum is finite: the full problem is fitted.
    model = LogisticRegression(C=0.01, fit_intercept=False, tol=1e-10).fit(X, y, sample_weight=sw)
    ref = _reference(C=0.01, fit_intercept=False).fit(X, y, sample_weight=sw)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-6, atol=1e-9)


def test_balanced_weights_with_a_class_of_weight_zero() -> None:
    X, y, sw = _with_empty_class(3, 2)
    model = LogisticRegression(class_weight="balanced", tol=1e-10).fit(X, y, sample_weight=sw)
    # scikit-learn's balanced weights of the other classes (it gives the empty class an
    # infinite weight, 0·inf = NaN, and returns all-zero coefficients).
    counts = np.bincount(y, weights=sw)
    weights = {k: sw.sum() / (3 * counts[k]) for k in (0, 1)}
    ref = _reference(class_weight=weights).fit(X, y, sample_weight=sw)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    assert model.intercept_[2] == -np.inf


def test_a_class_of_weight_zero_warm_starts() -> None:
    X, y, sw = _with_empty_class(4, 3)
    model = LogisticRegression(warm_start=True, tol=1e-10).fit(X, y, sample_weight=sw)
    model.fit(X, y, sample_weight=sw)
    assert model.n_iter_[0] == 0
    model.fit(X, y)  # the class has weight again: a cold start (its intercept was -inf)
    assert_allclose(model.coef_, _reference().fit(X, y).coef_, rtol=1e-6)


def test_one_class_of_positive_weight_is_an_error() -> None:
    X, y = _data(seed=15)
    with pytest.raises(ValueError, match="only one class has positive total weight"):
        LogisticRegression().fit(X, y, sample_weight=np.where(y == 0, 0.0, 1.0))


# ----------------------------------------------------------------------------- errors


def test_errors_and_warnings_match_sklearn() -> None:
    X, y = _data()
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        with pytest.raises(NotFittedError, match="is not fitted yet"):
            getattr(LogisticRegression(), method)(X)
    model = LogisticRegression().fit(X, y)
    ref = SkLogisticRegression().fit(X, y)
    for fitted in (model, ref):
        with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is "):
            fitted.predict(X[:, :2])
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        LogisticRegression(max_iter=1, C=np.inf).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.linspace(0, 1, y.shape[0]))
    with pytest.raises(ValueError, match="Unknown label type"):
        SkLogisticRegression().fit(X, np.linspace(0, 1, y.shape[0]))


# ----------------------------------------------------------------------- as sklearn's own tests


def test_iris_multinomial_as_in_sklearns_test_logistic() -> None:
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    for C in (1.0, 1e-2):
        model = LogisticRegression(C=C, tol=1e-10).fit(X, names)
        ref = _reference(C=C).fit(X, names)
        assert_allclose(model.coef_, ref.coef_, rtol=1e-6, atol=1e-10)
        assert_allclose(model.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-12)
        assert_array_equal(model.predict(X), ref.predict(X))
        proba = model.predict_proba(X)
        assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])
    assert model.score(X, names) > 0.7


def test_written_coefficients_are_used_as_in_sklearns_test_write_parameters() -> None:
    X, y = _data(n_classes=3)
    model = LogisticRegression().fit(X, y)
    model.coef_[:] = 0
    model.intercept_[:] = 0
    assert_allclose(model.decision_function(X), 0.0)
    assert_allclose(model.predict_proba(X), 1 / 3)


def test_binary_predictions_equal_thresholded_decision_function() -> None:
    X, y = _data(seed=16)
    labels = np.array(["no", "yes"])[y]
    model = LogisticRegression().fit(sp.csr_matrix(X), labels)
    scores = model.decision_function(X)
    assert scores.shape == (X.shape[0],)
    assert_array_equal(model.predict(X), np.where(scores > 0, "yes", "no"))
    assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-scores)), rtol=1e-12)
