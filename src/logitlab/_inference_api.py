"""The estimator's inference methods (``summary``, ``cov_params``, tests, margins).

:class:`InferenceMixin` is inherited by :class:`logitlab.LogisticRegression`.
The fitted model keeps no training data: at the end of ``fit`` the estimator
calls :func:`fit_state` once, which computes everything these methods need
(:class:`~logitlab.core.fitstate.FitState`: a few small matrices) and warns
about separated data.

Where robust covariances get their per-row data
-----------------------------------------------
``HC0`` and ``HC1`` need the per-row scores only: their outer products are
summed into one small matrix during ``fit``, so ``summary(cov_type="HC1")``
works on a pickled model. ``HC2`` and ``HC3`` need per-row leverages, and
the cluster-robust covariance needs the groups, which ``fit`` does not see:
pass the training data again, ``summary(cov_type="HC3", X=X, y=y)`` or
``summary(cov_type="cluster", groups=g, X=X, y=y)``. It is checked against
moments of the training data stored at fit (a clear error if it differs; the
check sees other data, not the same rows reordered, so ``groups`` must follow
the rows of ``X``).
Computing the leverages at every fit would double the cost ``fit`` adds for
inference, for two covariance types that statsmodels' ``Logit`` does not
even distinguish from HC0.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from logitlab.core.fitstate import (
    COV_TYPES,
    DATA_COV_TYPES,
    FitState,
    cluster_covariance,
    compute_fit_state,
    data_moments,
    leverage_covariance,
)
from logitlab.core.hypothesis import TestResult, lr_test, parse_constraints, wald_test
from logitlab.core.margins import (
    marginal_effects,
    multinomial_marginal_effects,
    probability_interval,
)
from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

    from logitlab.summary import Summary

__all__ = ["InferenceMixin", "PerfectSeparationWarning", "fit_state"]


def _convergence_warning() -> type[UserWarning]:
    """The estimator's ConvergenceWarning class (logitlab's own, else scikit-learn's)."""
    for module in ("logitlab._validation", "sklearn.exceptions"):
        try:
            cls = getattr(importlib.import_module(module), "ConvergenceWarning", None)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, UserWarning):
            return cls
    return UserWarning


#: The classes are (quasi-)completely separated: the unpenalized estimate does not
#: exist. The name and message of statsmodels' ``PerfectSeparationWarning``; a
#: subclass of the estimator's ``ConvergenceWarning``, since such a fit has not
#: converged (the coefficients diverge) whatever its gradient says.
PerfectSeparationWarning: type[UserWarning] = type(
    "PerfectSeparationWarning",
    (_convergence_warning(),),
    {
        "__doc__": "Perfect separation: the unpenalized estimate does not exist.",
        "__module__": __name__,
    },
)


def fit_state(
    objective: Objective,
    coef: FloatArray,
    *,
    converged: bool,
    n_iter: int,
    hessian: FloatArray | None = None,
    hessian_offset: FloatArray | None = None,
    sums: Any = None,
) -> FitState:
    """What the fitted model keeps for inference; warns when an unpenalized fit is separated.

    Parameters
    ----------
    objective : Objective
        The objective the estimator minimized.
    coef : ndarray of shape (objective.n_coef,)
        The fitted flat coefficients.
    converged : bool
        The solver's verdict.
    n_iter : int
        Iterations used.
    hessian, hessian_offset : ndarray or None
        The solver's Hessian at the fit, reused for the information (see
        :func:`~logitlab.core.fitstate.compute_fit_state`).
    sums : ScoreSums or None
        The score sums of the solver's last pass (same function).
    """
    state = compute_fit_state(
        objective,
        coef,
        converged=converged,
        n_iter=n_iter,
        hessian=hessian,
        hessian_offset=hessian_offset,
        sums=sums,
    )
    if state.separation is not None and not state.penalized:
        warnings.warn(
            PerfectSeparationWarning(
                "Perfect separation or prediction detected, parameter may not be identified: "
                f"the classes are {state.separation}ly separated ({state.separation_method}), "
                "so the unpenalized maximum-likelihood estimate does not exist and the fit "
                "is not converged. Add a penalty (a finite C) or drop the separating features."
            ),
            stacklevel=3,
        )
    return state


class InferenceMixin:
    """Inference methods of a fitted logistic regression (statsmodels' names and numbers)."""

    _inference_state: FitState
    classes_: np.ndarray
    n_features_in_: int

    # ------------------------------------------------------------ helpers

    def _fitted_state(self) -> FitState:
        state: FitState | None = getattr(self, "_inference_state", None)
        if state is None:
            if hasattr(self, "coef_"):
                raise ValueError(
                    "inference is not available for this fit: its fit did not record the "
                    "statistics inference needs (a fit of another problem, such as "
                    "solver='liblinear' with its penalized intercept or a class of total "
                    "weight 0 fitted as absent, or a fit outside memory); refit in memory "
                    "with the default solver and every class weighted"
                )
            raise _not_fitted(self)
        return state

    def _inference_names(self) -> tuple[list[str], list[str]]:
        names = getattr(self, "feature_names_in_", None)
        features = (
            [f"x{j + 1}" for j in range(self.n_features_in_)]
            if names is None
            else [str(n) for n in names]
        )
        return features, [str(_label(c)) for c in self.classes_]

    def _inference_matrix(self, X: Any) -> FloatArray:
        """X as a float64 matrix with the training number of columns (clear errors otherwise)."""
        if hasattr(X, "toarray"):
            X = X.toarray()
        try:
            Xa = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"X must be numeric, got {type(X).__name__}: {exc}") from None
        if Xa.ndim != 2 or Xa.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have shape (n_samples, {self.n_features_in_}), got {Xa.shape}"
            )
        if not np.all(np.isfinite(Xa)):
            raise ValueError("X must not contain NaN or infinity")
        return Xa

    def _inference_covariance(
        self,
        cov_type: str,
        groups: Any = None,
        X: Any = None,
        y: Any = None,
        sample_weight: Any = None,
    ) -> FloatArray | None:
        state = self._fitted_state()
        if cov_type not in COV_TYPES:
            raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
        if groups is not None and cov_type != "cluster":
            raise ValueError("groups= is only used with cov_type='cluster'")
        if cov_type not in DATA_COV_TYPES:
            return state.covariance(cov_type)
        if X is None or y is None or (cov_type == "cluster" and groups is None):
            need = "groups= (one label per training row) and " if cov_type == "cluster" else ""
            raise ValueError(
                f"cov_type={cov_type!r} needs {need}the training data again, X= and y= "
                "(the model keeps none of it)"
            )
        if state.cov_centered is None:
            return None
        Xa = self._inference_matrix(X)
        labels = self._inference_labels(y, Xa.shape[0])
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        moments = data_moments(state.design, Xa, labels, sw)
        if not np.allclose(moments, state.moments, rtol=1e-9, atol=0.0):
            raise ValueError(
                "X, y (and sample_weight) differ from the data this model was fitted on; "
                f"cov_type={cov_type!r} needs exactly the training data (with class_weight, "
                "pass the combined weights as sample_weight)"
            )
        if cov_type != "cluster":
            return leverage_covariance(state, Xa, labels, sw, cov_type)
        g = np.asarray(groups)
        if g.shape[0] != Xa.shape[0]:
            raise ValueError(f"groups has {g.shape[0]} entries for {Xa.shape[0]} rows")
        return cluster_covariance(state, Xa, labels, sw, g)

    def _inference_labels(self, y: Any, n: int) -> np.ndarray:
        labels = np.asarray(y)
        if labels.shape != (n,):
            raise ValueError(f"y must have shape ({n},), got {labels.shape}")
        index = np.searchsorted(self.classes_, labels)
        index = np.clip(index, 0, len(self.classes_) - 1)
        if not np.all(self.classes_[index] == labels):
            raise ValueError(f"y holds labels not seen in fit (classes_ = {self.classes_!r})")
        return index.astype(np.intp)

    # ------------------------------------------------------------ public

    def summary(
        self,
        *,
        confidence: float = 0.95,
        cov_type: str = "nonrobust",
        groups: Any = None,
        X: Any = None,
        y: Any = None,
        sample_weight: Any = None,
        check_separation: bool | None = None,
    ) -> Summary:
        """The inference table of the fit (see :mod:`logitlab.core.inference`).

        Parameters
        ----------
        confidence : float in (0, 1), default=0.95
            Level of the confidence intervals.
        cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, default="nonrobust"
            Covariance behind the standard errors, as statsmodels' ``fit(cov_type=...)``.
        groups : array-like of shape (n_samples,), default=None
            Cluster labels of the training rows (``cov_type="cluster"`` only).
        X, y, sample_weight : the training data, default=None
            Needed by ``cov_type`` "HC2", "HC3" and "cluster" only (checked
            against the fit's data).
        check_separation : ignored
            Kept for compatibility: separation is always checked, at fit.

        Returns
        -------
        Summary
            ``print(model.summary())`` shows a statsmodels-style table;
            ``.to_frame()``, ``.to_dict()``, ``.to_latex()`` and the notebook's
            HTML give the same numbers in other forms.
        """
        from logitlab.core.inference import infer_state
        from logitlab.summary import Summary

        state = self._fitted_state()
        cov = self._inference_covariance(cov_type, groups, X, y, sample_weight)
        features, classes = self._inference_names()
        inference = infer_state(
            state,
            feature_names=features,
            class_names=classes,
            confidence=confidence,
            cov_type=cov_type,
            cov=cov,
        )
        return Summary.of(inference)

    def cov_params(
        self,
        cov_type: str = "nonrobust",
        *,
        groups: Any = None,
        X: Any = None,
        y: Any = None,
        sample_weight: Any = None,
    ) -> pd.DataFrame:
        """Covariance matrix of the reported coefficients (statsmodels' ``cov_params()``).

        Rows and columns are in table order (per non-reference class: the
        intercept first, then the features); the labels are the term names,
        or ``"class:term"`` for a multinomial model.

        Raises
        ------
        ValueError
            When the covariance is not defined (L1 part, singular information,
            or an unpenalized separated fit).
        """
        import pandas as pd

        state = self._fitted_state()
        cov = self._inference_covariance(cov_type, groups, X, y, sample_weight)
        if cov is None or (state.separation is not None and not state.penalized):
            raise ValueError(f"the covariance is not defined for this fit: {_why(state)}")
        labels = self._inference_terms()
        return pd.DataFrame(cov, index=labels, columns=labels)

    def _inference_terms(self) -> list[str]:
        state = self._fitted_state()
        features, classes = self._inference_names()
        terms = (["intercept"] if state.design.fit_intercept else []) + features
        if state.n_classes == 2:
            return terms
        return [f"{c}:{t}" for c in classes[1:] for t in terms]

    def wald_test(self, R: Any, q: Any = None, *, cov_type: str = "nonrobust") -> TestResult:
        """Wald test of the linear hypothesis ``R θ = q`` on the coefficients.

        Parameters
        ----------
        R : array-like of shape (n_restrictions, n_params), or str
            One row per restriction over the coefficients in table order (see
            :meth:`cov_params`), or the hypothesis as text with the coefficient
            names, as statsmodels takes it: ``"x1 = x2, 2*x3 = 1"`` (a bare
            side means ``= 0``; multinomial names are ``"class:term"``).
        q : array-like of shape (n_restrictions,), default zeros
        cov_type : {"nonrobust", "HC0", "HC1"}, default="nonrobust"
            (For "HC2", "HC3" or "cluster", which need the training data, pass
            :meth:`cov_params` to :func:`logitlab.core.hypothesis.wald_test`.)

        Returns
        -------
        TestResult
            ``statistic`` (chi-squared), ``p_value`` and ``df``, as statsmodels'
            ``wald_test((R, q), scalar=True)``.
        """
        state = self._fitted_state()
        cov = self._inference_covariance(cov_type)
        if cov is None:
            raise ValueError(f"the covariance is not defined for this fit: {_why(state)}")
        if isinstance(R, str):
            if q is not None:
                raise ValueError("q is part of the text hypothesis; pass it there, not as q=")
            R, q = parse_constraints(R, self._inference_terms())
        return wald_test(state.theta, cov, R, q)

    def lr_test(self, restricted: InferenceMixin) -> TestResult:
        """Likelihood-ratio test of a nested (restricted) fit on the same data.

        Parameters
        ----------
        restricted : LogisticRegression
            A fit of the same target with a subset of the features (fewer parameters).

        Returns
        -------
        TestResult
            As statsmodels' ``full.compare_lr_test(restricted)``.
        """
        full, small = self._fitted_state(), restricted._fitted_state()
        if small.n_obs != full.n_obs or small.null_log_likelihood != full.null_log_likelihood:
            raise ValueError(
                "the two fits are not on the same observations (their sizes or class counts "
                "differ); a likelihood-ratio test needs nested fits on the same data"
            )
        if full.penalized or small.penalized:
            raise ValueError("the likelihood-ratio test needs unpenalized fits (C=inf)")
        return lr_test(full.log_likelihood, full.n_params, small.log_likelihood, small.n_params)

    def marginal_effects(
        self,
        X: Any,
        *,
        at: str = "overall",
        method: str = "dydx",
        confidence: float = 0.95,
        cov_type: str = "nonrobust",
    ) -> pd.DataFrame:
        """Marginal effects of the features on the probabilities, as statsmodels' ``get_margeff``.

        Binary: on P(classes_[1]), one row per feature. Multinomial: on every
        class probability, one row per (class, feature), as ``MNLogit.get_margeff``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to average over (``at="overall"``) or whose column means to use
            (``at="mean"``); statsmodels uses the training data.
        at : {"overall", "mean"}, default="overall"
        method : {"dydx", "eyex"}, default="dydx"
            Derivative of the probability, or its elasticity.
        confidence : float, default=0.95
        cov_type : str, default="nonrobust"

        Returns
        -------
        pandas.DataFrame
            One row per feature: ``effect``, ``std_error``, ``z``, ``p_value``,
            ``ci_low``, ``ci_high`` (delta method).
        """
        import pandas as pd

        state = self._fitted_state()
        cov = self._inference_covariance(cov_type)
        if cov is None:
            raise ValueError(f"the covariance is not defined for this fit: {_why(state)}")
        features, classes = self._inference_names()
        Xa = self._inference_matrix(X)
        fi = state.design.fit_intercept
        if state.n_classes == 2:
            result = marginal_effects(
                state.theta, cov, Xa, fit_intercept=fi, at=at, method=method, confidence=confidence
            )
            index = pd.Index(features, name="term")
        else:
            result = multinomial_marginal_effects(
                state.theta,
                cov,
                Xa,
                n_classes=state.n_classes,
                fit_intercept=fi,
                at=at,
                method=method,
                confidence=confidence,
            )
            index = pd.MultiIndex.from_tuples(
                [(c, t) for c in classes for t in features], names=["class", "term"]
            )
        columns = {
            "effect": result.effect,
            "std_error": result.std_error,
            "z": result.z,
            "p_value": result.p_value,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
        }
        # Multinomial arrays are (n_features, n_classes); rows go class by class.
        return pd.DataFrame({k: np.asarray(v).T.ravel() for k, v in columns.items()}, index=index)

    def predict_proba_interval(
        self, X: Any, alpha: float = 0.05, *, cov_type: str = "nonrobust"
    ) -> FloatArray:
        """Confidence intervals of P(classes_[1]) for the rows of X.

        The interval of the linear predictor, ``η ± z·se(η)``, mapped through
        the logistic function (delta method on the linear predictor), as
        statsmodels' ``get_prediction(X).conf_int(alpha)`` for a ``Logit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        alpha : float in (0, 1), default=0.05
            1 − the confidence level.
        cov_type : str, default="nonrobust"

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Lower and upper ends.
        """
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
        state = self._fitted_state()
        if state.n_classes != 2:
            raise NotImplementedError(
                "predict_proba_interval is implemented for binary models only"
            )
        cov = self._inference_covariance(cov_type)
        if cov is None:
            raise ValueError(f"the covariance is not defined for this fit: {_why(state)}")
        _, low, high = probability_interval(
            state.theta,
            cov,
            self._inference_matrix(X),
            fit_intercept=state.design.fit_intercept,
            alpha=alpha,
        )
        return np.column_stack([low, high])

    def odds_ratios(
        self, *, confidence: float = 0.95, per: str = "unit", cov_type: str = "nonrobust"
    ) -> pd.DataFrame:
        """Odds ratios of the features with confidence intervals.

        Parameters
        ----------
        confidence : float, default=0.95
        per : {"unit", "sd"}, default="unit"
            Per unit of each feature, ``exp(β)``, or per (training, weighted)
            standard deviation, ``exp(β·sd)``: a per-dollar odds ratio prints as
            1.0000, a per-SD one does not.
        cov_type : str, default="nonrobust"

        Returns
        -------
        pandas.DataFrame
            One row per feature (a (class, term) index when multinomial):
            ``odds_ratio``, ``ci_low``, ``ci_high`` and, for ``per="sd"``, ``sd``.
        """
        import pandas as pd

        if per not in ("unit", "sd"):
            raise ValueError(f"per must be 'unit' or 'sd', got {per!r}")
        frame = self.summary(confidence=confidence, cov_type=cov_type).to_frame()
        state = self._fitted_state()
        if state.design.fit_intercept:
            level = frame.index.nlevels - 1
            frame = frame.drop(index="intercept", level=level if level else None)
        q = state.design.n_blocks
        sd = np.tile(state.feature_sd, q) if per == "sd" else np.ones(frame.shape[0])
        out = pd.DataFrame(
            {
                "odds_ratio": np.exp(frame["estimate"].to_numpy() * sd),
                "ci_low": np.exp(frame["ci_low"].to_numpy() * sd),
                "ci_high": np.exp(frame["ci_high"].to_numpy() * sd),
            },
            index=frame.index,
        )
        if per == "sd":
            out["sd"] = sd
        return out


def _why(state: FitState) -> str:
    if state.has_l1:
        return "the L1 part of the penalty leaves no covariance (refit with l1_ratio=0)"
    if state.separation is not None and not state.penalized:
        return f"the classes are {state.separation}ly separated (add a penalty, a finite C)"
    return "the information matrix is singular (collinear or constant features)"


def _label(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _not_fitted(est: object) -> Exception:
    message = (
        f"This {type(est).__name__} instance is not fitted yet. Call 'fit' with "
        "appropriate arguments before using this estimator."
    )
    try:
        error: type[Exception] = importlib.import_module("sklearn.exceptions").NotFittedError
    except ImportError:  # pragma: no cover - scikit-learn is a test dependency
        error = AttributeError
    return error(message)
