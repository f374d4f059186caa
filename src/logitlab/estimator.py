"""scikit-learn's ``LogisticRegression``, fitted by :mod:`logitlab.core`.

The class is a scikit-learn estimator (``BaseEstimator``,
``LinearClassifierMixin``, ``SparseCoefMixin``): it takes every constructor
argument of scikit-learn ≥ 1.8's ``LogisticRegression`` with its meaning,
validates parameters and data with scikit-learn's own tools, and minimizes the
same objective, so its coefficients agree with scikit-learn's at the optimum:

    Σ sᵢ ℓᵢ / Σ sᵢ  +  1/(C·Σ sᵢ) · (l1_ratio·‖W‖₁ + (1 − l1_ratio)/2·‖W‖²)

with ``sᵢ`` the sample weight times the class weight, ``W`` the weights (never
the intercepts, except with ``solver='liblinear'``, as in liblinear) and
``C = inf`` meaning no penalty. Two classes give the binary model; three or
more the multinomial (softmax) model in scikit-learn's symmetric
parametrization.

The minimization itself is logitlab's: ``solve(objective, method=...)`` of
:mod:`logitlab.core.solvers` for the exact solvers, or one of the Lab's step
optimizers.
"""

from __future__ import annotations

import importlib
import math
import warnings
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning, NotFittedError
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils._param_validation import Hidden, Interval, InvalidParameterError, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from logitlab._inference_api import InferenceMixin, fit_state
from logitlab._problems import fit_problem
from logitlab.core.link import log_sigmoid, log_softmax, sigmoid, softmax
from logitlab.core.objective import Objective
from logitlab.core.optimizers import make_optimizer
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import SolveResult, solve
from logitlab.core.types import FloatArray

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "InvalidParameterError",
    "LogisticRegression",
    "NotFittedError",
]

#: scikit-learn's solver names, each with the ``solve(method=...)`` that reaches its optimum.
SKLEARN_SOLVERS = {
    "lbfgs": "auto",
    "newton-cholesky": "newton",
    "newton-cg": "newton-cg",
    "sag": "auto",
    "saga": "auto",
    "liblinear": "auto",
}
#: Every solver name that runs :func:`~logitlab.core.solvers.solve`, and its method.
EXACT_SOLVERS = {"auto": "auto", "newton": "newton", **SKLEARN_SOLVERS}
#: The Lab's step optimizers, run one ``max_iter`` step at a time.
STEP_SOLVERS = ("gd", "momentum", "adam", "sgd")
WIDGET_MODULE = "logitlab.widget"
"""Where :meth:`LogisticRegression.explore` finds the Lab widget (the ``[jupyter]`` extra)."""
SOLVERS = (*EXACT_SOLVERS, *STEP_SOLVERS)

_PENALTY_DEPRECATED = (
    "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
    "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or 'C' "
    "instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
    "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
    "penalty='elasticnet', and C=np.inf instead of penalty=None."
)


def _engine_input(X: Any) -> Any:
    """The validated ``X`` as :class:`~logitlab.core.objective.Objective` takes it.

    A float64 or float32 ndarray, or a CSR/CSC matrix, passes through uncopied
    (the engine reads sparse rows or columns and float32 blocks with float64
    sums); other sparse formats become CSR.
    """
    from logitlab.core.design import check_design, is_sparse

    if is_sparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()
    return check_design(X)


class LogisticRegression(InferenceMixin, LinearClassifierMixin, SparseCoefMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression (binary and multinomial) with L2, L1 or elastic-net penalty.

    A drop-in for scikit-learn's ``LogisticRegression``: the same constructor
    arguments, fitted attributes, methods, errors and warnings, with
    logitlab's solvers underneath and :meth:`summary` on top.

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated in scikit-learn 1.8, as here: setting it warns
        (``FutureWarning``). 'l2' means ``l1_ratio=0``, 'l1' ``l1_ratio=1``,
        'elasticnet' the given ``l1_ratio``, None ``C=np.inf``. Leave it unset
        and use ``C`` and ``l1_ratio``.
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` fits without penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing in [0, 1]: 0 is L2, 1 is L1, in between the elastic
        net. None (deprecated in scikit-learn 1.8) means 0 and warns.
    dual : bool, default=False
        scikit-learn solves the dual problem with liblinear and an L2 penalty.
        Here the primal is always solved; its solution is the dual's, so
        ``dual=True`` changes nothing.
    tol : float, default=1e-8
        Stop when the largest entry of the (minimum-norm sub)gradient of the
        objective is at most ``tol``. This is logitlab's stopping rule for
        every solver name (scikit-learn's default of 1e-4 means something
        different for each of its solvers); Newton converges quadratically,
        so the default lands well within 1e-6 of the optimum.
    fit_intercept : bool, default=True
        Whether to fit an intercept per linear predictor.
    intercept_scaling : float, default=1
        Used with ``solver='liblinear'`` only, as in scikit-learn: X gets a
        constant column of this value whose weight is penalized like the
        others, and the intercept is that weight times ``intercept_scaling``.
        The other solvers never penalize the intercept and ignore it.
    class_weight : dict, 'balanced' or None, default=None
        Weights per class label, multiplied into the sample weights.
        ``'balanced'`` uses ``n_samples / (n_classes · count(class))`` with
        sample-weighted counts.
    random_state : int, RandomState, numpy Generator or None, default=None
        Seeds the batch order of ``solver='sgd'``. scikit-learn uses it to
        shuffle for 'sag', 'saga' and 'liblinear'; here those solvers are
        deterministic and ignore it.
    solver : str, default='auto'
        The algorithm. Every name reaches the same optimum (the objective
        above), to ``tol``; the names only choose how:

        =================  ===================  ====================================
        solver             ``solve(method=)``   note
        =================  ===================  ====================================
        'auto'             'auto'               chosen by the shape of the problem
        'newton'           'newton'             Newton-Cholesky; proximal Newton
                                                with coordinate descent under L1
        'lbfgs'            'auto'               scikit-learn's default solver
        'newton-cholesky'  'newton'
        'newton-cg'        'newton-cg'          truncated Newton on Hessian-vector
                                                products
        'sag', 'saga'      'auto'
        'liblinear'        'auto'               the intercept is penalized, as in
                                                liblinear (``intercept_scaling``);
                                                two classes only, as in scikit-learn
        'gd', 'momentum',  (none)               the Lab's step optimizers: proximal
        'adam', 'sgd'                           gradient descent, heavy-ball, Adam,
                                                mini-batch SGD; a step an iteration
        =================  ===================  ====================================

        Unlike scikit-learn, every solver takes every penalty (L1 and the
        elastic net too) and the multinomial model (except 'liblinear').
        The step optimizers are meant for teaching and comparison: they need
        far more iterations (and usually a looser ``tol``) than Newton.
    max_iter : int, default=100
        Maximum number of iterations (Newton iterations, or optimizer steps), >= 0.
    verbose : int, default=0
        When > 0, ``fit`` prints one line: the solver, its iterations, the
        final gradient size and whether it converged.
    warm_start : bool, default=False
        Start ``fit`` from the previous fit's ``coef_`` and ``intercept_``
        (same features and classes, else ValueError) instead of zeros.
    n_jobs : int or None, default=None
        Has no effect, as in scikit-learn ≥ 1.8 (which deprecated it): a value
        other than None warns (``FutureWarning``).
    learning_rate : float, default=0.1
        logitlab only: step size η of the step optimizers.
    batch_size : int, default=32
        logitlab only: rows per step of ``solver='sgd'``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    coef_ : ndarray or CSR matrix of shape (1, n_features) or (n_classes, n_features)
        Weights; one row (for ``classes_[1]``) in the binary case. float32 when
        X was float32, else float64. :meth:`sparsify` turns it into a CSR matrix,
        :meth:`densify` back.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``); same dtype as ``coef_``.
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

    A class whose samples all have weight 0 (by ``sample_weight`` or
    ``class_weight``) stays in ``classes_``, and the other classes are fitted
    as if it were absent, as scikit-learn does. Its optimum lies at infinity:
    with an intercept, its intercept is ``-inf`` and its weights 0, so it gets
    probability exactly 0 (scikit-learn's solvers stop on the way there, at a
    large negative, tol-dependent intercept). At least two classes must have
    positive weight. With ``class_weight='balanced'`` such a class keeps
    weight 0 (scikit-learn gives it an infinite weight and returns zeros).

    :meth:`summary` describes the model's own problem, so it is not available
    after a fit with a class of weight 0 or with ``solver='liblinear'`` and an
    intercept (whose penalized intercept is a different problem).
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "penalty": [
            StrOptions({"l1", "l2", "elasticnet"}),
            None,
            Hidden(StrOptions({"deprecated"})),
        ],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "dual": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state", np.random.Generator],
        "solver": [StrOptions(set(SOLVERS))],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Integral],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        penalty: str | None = "deprecated",
        *,
        C: float = 1.0,
        l1_ratio: float | None = 0.0,
        dual: bool = False,
        tol: float = 1e-8,
        fit_intercept: bool = True,
        intercept_scaling: float = 1,
        class_weight: dict[Any, float] | str | None = None,
        random_state: int | np.random.Generator | np.random.RandomState | None = None,
        solver: str = "auto",
        max_iter: int = 100,
        verbose: int = 0,
        warm_start: bool = False,
        n_jobs: int | None = None,
        learning_rate: float = 0.1,
        batch_size: int = 32,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.learning_rate = learning_rate
        self.batch_size = batch_size

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        if self.solver == "liblinear":
            tags.classifier_tags.multi_class = False
        return tags

    # ------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model to the training data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training features: dense, CSR or CSC; float32 stays float32 in
            ``coef_``. A pandas DataFrame's string column names are kept in
            ``feature_names_in_``.
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

            fit_dask(self, X, y, sample_weight)
            return self
        self._validate_params()
        C, l1_ratio = self._penalty_settings()
        if self.n_jobs is not None:
            warnings.warn(
                "'n_jobs' has no effect since 1.8 and will be removed in 1.10. "
                f"You provided 'n_jobs={self.n_jobs}', please leave it unspecified.",
                FutureWarning,
                stacklevel=2,
            )
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], order="C"
        )
        try:
            classes = np.unique(y)
        except TypeError:  # labels that do not sort (mixed types): scikit-learn's error
            check_classification_targets(y)
            raise
        # scikit-learn's target checks on the distinct labels of this 1-D y give its
        # verdict on y (binary, multiclass, continuous, unknown) without another pass
        # over every label (1e6 rows: 6.6 ms of a 0.13 s fit).
        check_classification_targets(classes)
        K = classes.shape[0]
        if K < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {_label(classes[0])!r}."
            )
        if self.solver == "liblinear" and K > 2:
            raise ValueError(
                "Only binary classification is supported by solver='liblinear' (as in "
                "scikit-learn). The type of the target is multiclass (n_classes >= 3). Use "
                "another solver or wrap the estimator in a OneVsRestClassifier."
            )
        # Encode the labels without np.unique(return_inverse=True): its sort buffers and
        # int64 inverse cost more than X itself on tall, narrow data.
        y_index = (y == classes[1]).view(np.uint8) if K == 2 else np.searchsorted(classes, y)
        sw = self._sample_weight(sample_weight, X, y, classes, y_index)
        if sw is None and K == 2:  # a count, not a bincount (1e6 rows: 1.9 -> 0.1 ms)
            positives = float(np.count_nonzero(y_index))
            mass = np.array([y_index.shape[0] - positives, positives])
        else:
            mass = (
                np.bincount(y_index, minlength=K).astype(np.float64)
                if sw is None
                else np.bincount(y_index, weights=sw, minlength=K)
            )
        active = np.flatnonzero(mass > 0)
        if active.shape[0] < 2:
            raise ValueError(
                "After weighting (sample_weight and class_weight), only one class has "
                "positive total weight; logistic regression needs at least 2 classes "
                "with positive weight."
            )
        alpha = 0.0 if math.isinf(C) else 1.0 / (C * float(np.sum(mass)))
        penalty = Penalty(alpha=alpha, l1_ratio=l1_ratio if alpha else 0.0)
        n_features = X.shape[1]
        warm = self._warm_start_matrix(n_features, K)
        method = EXACT_SOLVERS.get(self.solver, "auto")
        fit = fit_problem(
            lambda objective, coef0: self._minimize(objective, coef0, method),
            _engine_input(X),
            y_index,
            K,
            active,
            sw,
            penalty,
            warm,
            fit_intercept=bool(self.fit_intercept),
            liblinear_scaling=(
                float(self.intercept_scaling) if self.solver == "liblinear" else None
            ),
        )
        if not fit.result.converged:
            warnings.warn(
                ConvergenceWarning(self._convergence_message(fit.result.optimality)),
                stacklevel=2,
            )
        if self.verbose:
            print(
                f"[{type(self).__name__}] solver={self.solver!r}: {fit.result.n_iter} "
                f"iterations, largest gradient entry {fit.result.optimality:.3g} "
                f"(tol={self.tol:g}), {'converged' if fit.result.converged else 'NOT converged'}"
            )

        dtype = X.dtype
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(fit.matrix[:, :n_features], dtype=dtype)
        self.intercept_ = (
            fit.matrix[:, n_features].astype(dtype)
            if self.fit_intercept
            else np.zeros(fit.matrix.shape[0], dtype=dtype)
        )
        self.n_iter_ = np.array([fit.result.n_iter], dtype=np.int32)
        if fit.standard:
            self._inference_state = fit_state(
                fit.objective,
                fit.coef,
                converged=fit.result.converged,
                n_iter=fit.result.n_iter,
                hessian=fit.result.hessian,
                hessian_offset=fit.result.hessian_offset,
                sums=fit.result.sums,
            )
        else:
            # liblinear's penalized intercept, or a class of weight 0: the fitted problem
            # is not the one the inference code knows; summary() is not available.
            self.__dict__.pop("_inference_state", None)
        return self

    def _convergence_message(self, optimality: float) -> str:
        """The ConvergenceWarning's text: what did not converge and what to try."""
        est = self
        hints = [f"raise max_iter (now {est.max_iter})", "standardize the features"]
        if est.solver in STEP_SOLVERS:
            hints.append(f"tune learning_rate (now {est.learning_rate:g}) or use solver='newton'")
        if est.penalty is None or math.isinf(float(est.C)):
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

    def _penalty_settings(self) -> tuple[float, float]:
        """(C, l1_ratio) in effect, after scikit-learn's deprecated ``penalty``."""
        l1_ratio = self.l1_ratio
        if self.penalty == "deprecated":
            if l1_ratio is None:
                warnings.warn(
                    "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error "
                    "in 1.10. Use 0<=l1_ratio<=1 instead.",
                    FutureWarning,
                    stacklevel=3,
                )
                l1_ratio = 0.0
            return float(self.C), float(l1_ratio)
        warnings.warn(_PENALTY_DEPRECATED, FutureWarning, stacklevel=3)
        if self.penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
            warnings.warn(
                "l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
                f"(penalty={self.penalty})",
                UserWarning,
                stacklevel=3,
            )
        if (self.penalty == "l2" and l1_ratio != 0) or (self.penalty == "l1" and l1_ratio != 1):
            warnings.warn(
                f"Inconsistent values: penalty={self.penalty} with l1_ratio={l1_ratio}. "
                "penalty is deprecated. Please use l1_ratio only.",
                UserWarning,
                stacklevel=3,
            )
        if self.penalty == "elasticnet":
            if l1_ratio is None:
                raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
            return float(self.C), float(l1_ratio)
        if self.penalty is None:
            if self.C != 1.0:
                warnings.warn(
                    "Setting penalty=None will ignore the C and l1_ratio parameters",
                    UserWarning,
                    stacklevel=3,
                )
            return math.inf, 0.0
        return float(self.C), 1.0 if self.penalty == "l1" else 0.0

    def _sample_weight(
        self, sample_weight: Any, X: Any, y: np.ndarray, classes: np.ndarray, y_index: np.ndarray
    ) -> FloatArray | None:
        """Sample weights times class weights; None when every row weighs 1."""
        sw: FloatArray | None = None
        if sample_weight is not None:
            sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if isinstance(self.class_weight, dict):
            known = set(classes.tolist())
            unknown = [key for key in self.class_weight if key not in known]
            if unknown:  # scikit-learn's message would list the classes *not* named
                raise ValueError(
                    f"class_weight names labels {unknown} that are not in y; the classes "
                    f"are {classes.tolist()}."
                )
        if self.class_weight is not None:
            with np.errstate(divide="ignore"):  # 'balanced' and a class of weight 0
                per_class = compute_class_weight(
                    self.class_weight, classes=classes, y=y, sample_weight=sw
                )
            # A class whose samples all weigh 0 gets an infinite 'balanced' weight, and
            # 0·inf would poison the fit (scikit-learn then returns all-zero coefficients);
            # its samples keep weight 0 instead, and the other classes are fitted.
            per_class = np.where(np.isfinite(per_class), per_class, 0.0)
            sw = (np.ones(y.shape[0]) if sw is None else sw) * per_class[y_index]
        return sw

    def _warm_start_matrix(self, n_features: int, n_classes: int) -> FloatArray | None:
        """The previous fit as a (rows, n_features [+ 1]) matrix, when warm-starting."""
        if not self.warm_start or not hasattr(self, "coef_"):
            return None
        previous: Any = self.coef_  # a CSR matrix after sparsify()
        coef = previous.toarray() if sp.issparse(previous) else np.asarray(previous)
        rows = 1 if n_classes == 2 else n_classes
        if coef.shape != (rows, n_features):
            raise ValueError(
                f"warm_start=True starts from the previous coef_, of shape {coef.shape}, but "
                f"this fit needs shape ({rows}, {n_features}) ({n_features} features, "
                f"{n_classes} classes). Fit with warm_start=False to start afresh."
            )
        columns = [coef]
        if self.fit_intercept:
            columns.append(np.asarray(self.intercept_).reshape(-1, 1))
        return np.hstack(columns).astype(np.float64)

    def _minimize(self, objective: Objective, coef0: FloatArray | None, method: str) -> SolveResult:
        tol, max_iter = float(self.tol), int(self.max_iter)
        if self.solver not in STEP_SOLVERS:
            # score_sums: the fit state is made from Newton's last pass (issue 13)
            return solve(
                objective, coef0, tol=tol, max_iter=max_iter, method=method, score_sums=True
            )
        optimizer = make_optimizer(
            self.solver,
            learning_rate=float(self.learning_rate),
            batch_size=int(self.batch_size),
            seed=_seed(self.random_state),
        )
        coef = objective.initial_coef() if coef0 is None else coef0
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

    # ------------------------------------------------------------ the Lab (issue 17)

    def explore(self, X: Any, y: Any) -> Any:
        """Open the Lab widget on the first two features of ``X``, at this model's weights.

        Needs the ``[jupyter]`` extra (anywidget). The Lab starts at this model's weights for
        the first two features and its intercept (for a model of more features, a slice of
        it), and trains from there on those two features alone.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data to show; its first two columns are drawn.
        y : array-like of shape (n_samples,)
            Labels of the model's two classes.

        Returns
        -------
        logitlab.widget.Lab
            The widget (the last line of a cell shows it).
        """
        check_is_fitted(self)
        # The widget is an optional front end over this estimator (its ``lab.model`` builds
        # one), so it imports this module and not the reverse: it is found by name, as
        # pandas finds its plotting backends, and only when asked for.
        try:
            lab_class = importlib.import_module(WIDGET_MODULE).Lab
        except ImportError as exc:
            raise ImportError(
                "LogisticRegression.explore opens the Lab as a Jupyter widget, which needs "
                "anywidget: pip install 'logitlab[jupyter]'"
            ) from exc
        return lab_class.from_estimator(self, X, y)

    # ------------------------------------------------------------ predicting

    def _check_fitted(self) -> None:
        check_is_fitted(self)

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; float32 for a float32 fit.
        """
        check_is_fitted(self)
        scores = np.asarray(self.decision_function(X))
        if scores.ndim == 1:
            proba = np.column_stack([sigmoid(-scores), sigmoid(scores)])
        else:
            proba = softmax(scores, axis=1)
        return np.asarray(proba, dtype=scores.dtype)

    def predict_log_proba(self, X: Any) -> FloatArray:
        """Log of :meth:`predict_proba`, computed without underflow to -inf.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        scores = np.asarray(self.decision_function(X))
        if scores.ndim == 1:
            log_proba = np.column_stack([log_sigmoid(-scores), log_sigmoid(scores)])
        else:
            log_proba = log_softmax(scores, axis=1)
        return np.asarray(log_proba, dtype=scores.dtype)


# ----------------------------------------------------------------------------- helpers


def _label(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


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
