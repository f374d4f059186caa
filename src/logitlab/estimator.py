"""A scikit-learn-compatible ``LogisticRegression`` over :mod:`logitlab.core`.

It follows scikit-learn 1.9's ``LogisticRegression`` API (``C``, ``l1_ratio``,
``fit_intercept``, ``class_weight``, ``max_iter``, ``tol``, ``solver``,
``random_state``) and minimizes the same objective, so its coefficients agree
with scikit-learn's at the optimum:

    Σ sᵢ ℓᵢ / Σ sᵢ  +  1/(C·Σ sᵢ) · (l1_ratio·‖W‖₁ + (1 − l1_ratio)/2·‖W‖²)

with ``sᵢ`` the sample weight times the class weight, ``W`` the weights (never
the intercepts) and ``C = inf`` meaning no penalty. Two classes give the binary
model; three or more the multinomial (softmax) model in scikit-learn's
symmetric parametrization.

scikit-learn itself is not needed: ``get_params``/``set_params``, cloning
support and ``__sklearn_tags__`` are implemented here, so the estimator works
in scikit-learn pipelines, grid searches and its estimator checks.
"""

from __future__ import annotations

import importlib
import inspect
import math
import warnings
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from logitlab._validation import (
    Boolean,
    Constraint,
    ConvergenceWarning,
    DataConversionWarning,
    InstanceOf,
    Interval,
    InvalidParameterError,
    IsNone,
    NotFittedError,
    Options,
    check_array,
    check_sample_weight,
    check_target,
    class_weights,
    feature_names_of,
    interop,
    validate_parameters,
)
from logitlab.core.link import log_sigmoid, log_softmax, sigmoid, softmax
from logitlab.core.objective import Objective
from logitlab.core.optimizers import make_optimizer
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import SolveResult, solve
from logitlab.core.types import FloatArray

if TYPE_CHECKING:
    from logitlab.core.inference import Inference

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "InvalidParameterError",
    "LogisticRegression",
    "NotFittedError",
]

#: 'auto' and 'newton' run the exact solver; the others run a step optimizer of the Lab.
SOLVERS = ("auto", "newton", "gd", "momentum", "adam", "sgd")
STEP_SOLVERS = ("gd", "momentum", "adam", "sgd")


class LogisticRegression:
    """Logistic regression (binary and multinomial) with L2, L1 or elastic-net penalty.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` fits without penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing in [0, 1]: 0 is L2, 1 is L1, in between the elastic net.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept per linear predictor.
    class_weight : dict, 'balanced' or None, default=None
        Weights per class label, multiplied into the sample weights. ``'balanced'``
        uses ``n_samples / (n_classes · count(class))`` (weighted counts).
    max_iter : int, default=100
        Maximum number of (proximal) Newton iterations, >= 0.
    tol : float, default=1e-8
        Stop when the largest entry of the (minimum-norm sub)gradient of the
        objective is at most ``tol``. Newton converges quadratically, so the
        default lands well within 1e-6 of the optimum.
    solver : {'auto', 'newton', 'gd', 'momentum', 'adam', 'sgd'}, default='auto'
        'newton' is damped Newton with a line search (proximal Newton with a
        coordinate-descent inner solver when there is an L1 part); 'auto'
        currently picks it for every problem. The others run the Lab's step
        optimizers (proximal gradient descent, heavy-ball momentum, Adam,
        mini-batch SGD) to the same convergence test, one ``max_iter`` step
        at a time: meant for teaching and comparison, they need far more
        iterations (and usually a looser ``tol``) than Newton.
    random_state : int, numpy Generator/RandomState or None, default=None
        Seeds the batch order of ``solver='sgd'``; the other solvers are
        deterministic. None draws a fresh seed.
    learning_rate : float, default=0.1
        Step size η of the step optimizers (ignored by 'auto' and 'newton').
    batch_size : int, default=32
        Rows per step of ``solver='sgd'``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights; one row (for ``classes_[1]``) in the binary case.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,), dtype int32
        Iterations used (Newton iterations, or steps of a step optimizer).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit`` (only when X was a dataframe with string column names).

    Notes
    -----
    For a K-class fit without penalty the symmetric coefficients are not
    unique (adding a vector to every row changes nothing); the fit returns the
    solution whose rows sum to zero, as scikit-learn does. Intercepts of a
    penalized multinomial fit are centered the same way.

    The fitted estimator keeps a reference to its training arrays (no copy when
    X was already float64) so that :meth:`summary` can compute standard errors.
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "C": [Interval("real", 0.0, None, closed="right")],
        "l1_ratio": [Interval("real", 0.0, 1.0, closed="both")],
        "fit_intercept": [Boolean()],
        "class_weight": [Options(("balanced",)), InstanceOf((dict,), "a dict"), IsNone()],
        "max_iter": [Interval("integer", 0, None, closed="left")],
        "tol": [Interval("real", 0.0, None, closed="left")],
        "solver": [Options(SOLVERS)],
        "random_state": [
            Interval("integer", 0, 2**32 - 1, closed="both"),
            InstanceOf((np.random.Generator, np.random.RandomState), "a numpy random generator"),
            IsNone(),
        ],
        "learning_rate": [Interval("real", 0.0, None, closed="neither")],
        "batch_size": [Interval("integer", 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        C: float = 1.0,
        l1_ratio: float = 0.0,
        fit_intercept: bool = True,
        class_weight: dict[Any, float] | str | None = None,
        max_iter: int = 100,
        tol: float = 1e-8,
        solver: str = "auto",
        random_state: int | np.random.Generator | np.random.RandomState | None = None,
        learning_rate: float = 0.1,
        batch_size: int = 32,
    ) -> None:
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.batch_size = batch_size

    # ------------------------------------------------------------ parameters

    @classmethod
    def _get_param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values() if p.name != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters and their current values.

        Parameters
        ----------
        deep : bool, default=True
            Accepted for scikit-learn compatibility (no parameter is an estimator).
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> LogisticRegression:
        """Set constructor parameters (validated at the next ``fit``)."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {self!r}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if name != "self"
        }
        changed = []
        for name, value in self.get_params().items():
            default = defaults[name]
            same = value is default or (
                type(value) is type(default) and _safe_equal(value, default)
            )
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        """Tags for scikit-learn (imported lazily: only scikit-learn calls this)."""
        utils = importlib.import_module("sklearn.utils")
        Tags, TargetTags = utils.Tags, utils.TargetTags
        ClassifierTags, InputTags = utils.ClassifierTags, utils.InputTags
        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=ClassifierTags(poor_score=False, multi_class=True),
            input_tags=InputTags(sparse=False, allow_nan=False),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "coef_")

    def _validate_params(self) -> None:
        validate_parameters(
            self.get_params(), self._parameter_constraints, owner=type(self).__name__
        )

    # ------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model to the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (a pandas DataFrame's string column names are kept
            in ``feature_names_in_``).
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct classes).
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative weights; None gives every sample weight 1.

        Returns
        -------
        self : LogisticRegression
        """
        if type(X).__module__.split(".")[0] == "dask":  # a Dask array: fit on its cluster
            from logitlab.dask_fit import fit_dask

            return fit_dask(self, X, y, sample_weight)
        self._validate_params()
        names = feature_names_of(X)
        Xa = check_array(X, owner=type(self).__name__)
        n_samples, n_features = Xa.shape
        labels = check_target(y, n_samples, owner=type(self).__name__)
        classes = np.unique(labels)
        if classes.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {_label(classes[0])!r}."
            )
        K = classes.shape[0]
        # Encode the labels without np.unique(return_inverse=True): its sort buffers and
        # int64 inverse cost more than X itself on tall, narrow data.
        if K == 2:
            positive = labels == classes[1]
            y_index: np.ndarray = positive.view(np.uint8)
            target = positive.astype(np.float64)
        else:
            y_index = np.searchsorted(classes, labels)
            target = y_index.astype(np.float64)
        sw = self._sample_weight(sample_weight, classes, y_index)
        sw_sum = float(n_samples) if sw is None else float(np.sum(sw))
        C = float(self.C)
        alpha = 0.0 if math.isinf(C) else 1.0 / (C * sw_sum)
        penalty = Penalty(alpha=alpha, l1_ratio=float(self.l1_ratio) if alpha else 0.0)
        objective = Objective(
            _engine_input(Xa),
            target,
            n_classes=K,
            fit_intercept=bool(self.fit_intercept),
            sample_weight=sw,
            penalty=penalty,
        )
        result = self._minimize(objective)
        if not result.converged:
            warnings.warn(
                interop(ConvergenceWarning)(_convergence_message(self, result.optimality)),
                stacklevel=2,
            )
        coef = _symmetrize(result.coef, K, n_features, bool(self.fit_intercept), penalty)

        m = n_features + int(bool(self.fit_intercept))
        mat = coef.reshape(-1, m)
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(mat[:, :n_features])
        self.intercept_ = (
            mat[:, n_features].copy() if self.fit_intercept else np.zeros(mat.shape[0])
        )
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.n_features_in_ = n_features
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._objective = objective
        self._fit_coef = coef
        self._converged = result.converged
        return self

    def _sample_weight(
        self, sample_weight: Any, classes: np.ndarray, y_index: np.ndarray
    ) -> FloatArray | None:
        """Sample weights times class weights; None when every row weighs 1."""
        sw = check_sample_weight(sample_weight, y_index.shape[0])
        if self.class_weight is not None:
            per_class = class_weights(self.class_weight, classes, y_index, sw)
            sw = (np.ones(y_index.shape[0]) if sw is None else sw) * per_class[y_index]
        if sw is None:
            return None
        mass = np.bincount(y_index, weights=sw, minlength=classes.shape[0])
        if np.count_nonzero(mass > 0) < 2:
            raise ValueError(
                "After weighting (sample_weight and class_weight), only one class has "
                "positive total weight; logistic regression needs at least 2 classes "
                "with positive weight."
            )
        if np.any(mass <= 0):
            empty = [_label(c) for c in classes[mass <= 0]]
            raise ValueError(
                f"The classes {empty} have zero total weight (sample_weight and class_weight), "
                "so their intercepts would diverge; drop those samples from y or give them a "
                "positive weight."
            )
        return sw

    def _minimize(self, objective: Objective) -> SolveResult:
        tol, max_iter = float(self.tol), int(self.max_iter)
        if self.solver not in STEP_SOLVERS:
            return solve(objective, tol=tol, max_iter=max_iter)
        optimizer = make_optimizer(
            self.solver,
            learning_rate=float(self.learning_rate),
            batch_size=int(self.batch_size),
            seed=_seed(self.random_state),
        )
        coef = objective.initial_coef()
        optimality = objective.optimality(coef)
        n_iter = 0
        while optimality > tol and n_iter < max_iter:
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked below
                coef = optimizer.step(objective, coef).coef
                optimality = objective.optimality(coef)
            n_iter += 1
            if not (np.all(np.isfinite(coef)) and math.isfinite(optimality)):
                raise FloatingPointError(
                    f"solver={self.solver!r} diverged at step {n_iter} (the coefficients or "
                    f"the loss overflowed): lower learning_rate (now {self.learning_rate:g}) "
                    "or standardize the features."
                )
        return SolveResult(
            coef=coef,
            value=objective.value(coef),
            n_iter=n_iter,
            converged=optimality <= tol,
            optimality=optimality,
        )

    # ------------------------------------------------------------ predicting

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise interop(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def _check_X(self, X: Any) -> FloatArray:
        self._check_fitted()
        name = type(self).__name__
        fitted_names = getattr(self, "feature_names_in_", None)
        names = feature_names_of(X)
        if names is not None and fitted_names is None:
            warnings.warn(
                f"X has feature names, but {name} was fitted without feature names",
                UserWarning,
                stacklevel=3,
            )
        elif names is None and fitted_names is not None:
            warnings.warn(
                f"X does not have valid feature names, but {name} was fitted with feature names",
                UserWarning,
                stacklevel=3,
            )
        elif names is not None and fitted_names is not None:
            _compare_feature_names(fitted_names, names)
        Xa = check_array(X, owner=name)
        if Xa.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xa.shape[1]} features, but {name} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return Xa

    def decision_function(self, X: Any) -> FloatArray:
        """Linear scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (the log-odds of
        ``classes_[1]``), else (n_samples, n_classes).
        """
        Xa = self._check_X(X)
        scores = Xa @ self.coef_.T + self.intercept_
        if scores.shape[1] == 1:
            return np.asarray(scores[:, 0], dtype=np.float64)
        return np.asarray(scores, dtype=np.float64)

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), columns in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = sigmoid(scores)
            return np.column_stack([sigmoid(-scores), p1])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X: Any) -> FloatArray:
        """Log of :meth:`predict_proba`, computed without underflow to -inf.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_sigmoid(-scores), log_sigmoid(scores)])
        return log_softmax(scores, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class label.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), labels from ``classes_``.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return np.asarray(self.classes_[index])

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """(Weighted) accuracy of :meth:`predict` on ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        predicted = self.predict(X)
        truth = check_target(y, predicted.shape[0], owner=type(self).__name__)
        sw = check_sample_weight(sample_weight, predicted.shape[0])
        return float(np.average(predicted == truth, weights=sw))

    # ------------------------------------------------------------ inference

    def summary(
        self, *, confidence: float = 0.95, check_separation: bool | None = None
    ) -> Inference:
        """The inference table of the fit (see :mod:`logitlab.core.inference`).

        Parameters
        ----------
        confidence : float in (0, 1), default=0.95
            Level of the confidence intervals.
        check_separation : bool or None, default=None
            Run the linear-programming separation check always (True), never
            (False), or on small problems and when the fit suggests separation
            (None); see :func:`logitlab.core.inference.infer`.

        Returns
        -------
        Inference
            ``print(model.summary())`` shows a statsmodels-style table;
            ``model.summary().to_dict()`` gives JSON-ready values.

        Notes
        -----
        For fits with an L1 part (``l1_ratio > 0`` and finite ``C``) the table
        holds the estimates, odds ratios and likelihood statistics, with NaN
        standard errors, z, p-values and intervals.
        """
        from logitlab.core.inference import infer  # SciPy's optimize: imported when needed

        self._check_fitted()
        names = getattr(self, "feature_names_in_", None)
        return infer(
            self._objective,
            self._fit_coef,
            feature_names=None if names is None else [str(n) for n in names],
            class_names=[str(_label(c)) for c in self.classes_],
            confidence=confidence,
            converged=self._converged,
            check_separation=check_separation,
        )


# ----------------------------------------------------------------------------- helpers


def _engine_input(X: Any) -> Any:
    """The validated X as the engine takes it: float64/float32 ndarray or CSR/CSC, no copy.

    Other sparse formats are converted to CSR (the engine reads rows or columns).
    """
    from logitlab.core.design import check_design, is_sparse

    if is_sparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()
    return check_design(X)


def _safe_equal(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _label(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _symmetrize(
    coef: FloatArray, K: int, n_features: int, fit_intercept: bool, penalty: Penalty
) -> FloatArray:
    """Pick scikit-learn's representative of a multinomial fit: rows summing to zero.

    Shifting every class row by one vector leaves the probabilities unchanged.
    Without a penalty the whole rows are centered; with one, only the
    (unpenalized) intercepts, since the weights' penalty fixes them.
    """
    if K == 2:
        return coef
    mat = coef.reshape(K, n_features + int(fit_intercept)).copy()
    if penalty.alpha == 0.0:
        mat -= mat.mean(axis=0)
    elif fit_intercept:
        mat[:, -1] -= mat[:, -1].mean()
    return mat.ravel()


def _seed(random_state: object) -> int:
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**32, dtype=np.int64))
    if random_state is None:
        return int(np.random.default_rng().integers(2**32))
    if isinstance(random_state, int | np.integer):
        return int(random_state)
    raise TypeError(f"random_state must be None, an int or a numpy generator, got {random_state!r}")


def _convergence_message(est: LogisticRegression, optimality: float) -> str:
    hints = [f"raise max_iter (now {est.max_iter})", "standardize the features"]
    if est.solver in STEP_SOLVERS:
        hints.append(f"tune learning_rate (now {est.learning_rate:g}) or use solver='newton'")
    if math.isinf(float(est.C)):
        hints.append(
            "add a penalty (a finite C): without one, separable classes make the "
            "coefficients grow without bound"
        )
    else:
        hints.append("use a smaller C (a stronger penalty)")
    return (
        f"{type(est).__name__} did not converge: after {est.max_iter} iterations of "
        f"solver={est.solver!r} the "
        f"largest gradient entry is {optimality:.3g} > tol={est.tol:g}. To fix it, "
        + "; or ".join(hints)
        + "."
    )


def _compare_feature_names(fitted: np.ndarray, given: np.ndarray) -> None:
    if len(fitted) == len(given) and np.all(fitted == given):
        return
    message = "The feature names should match those that were passed during fit.\n"
    unexpected = sorted(set(given) - set(fitted))
    missing = sorted(set(fitted) - set(given))

    def listing(names: list[str]) -> str:
        shown = [f"- {n}\n" for n in names[:5]]
        return "".join(shown) + ("- ...\n" if len(names) > 5 else "")

    if unexpected:
        message += "Feature names unseen at fit time:\n" + listing(unexpected)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + listing(missing)
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)
