"""Feature maps: standardization and polynomial features with readable names.

- :class:`Standardizer` centres every column and divides it by its (population) standard
  deviation; a constant column keeps scale 1, so it maps to zeros instead of NaN.
- :class:`PolynomialFeatures` lists every monomial of degree 1 ... k of the inputs, in
  scikit-learn's column order (``PolynomialFeatures(include_bias=False)``), and names them
  ``x``, ``y``, ``x²``, ``x·y``, ``y²``, ``x³``, ...
- :class:`FeatureMap` chains the two, the way the Lab and the CLI use them, and maps
  coefficients fitted on standardized features back to the unstandardized ones.
"""

from __future__ import annotations

from itertools import combinations_with_replacement
from typing import Any

import numpy as np
import numpy.typing as npt

from logitlab.core.types import FloatArray, IntArray

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _matrix(X: npt.ArrayLike, name: str = "X") -> FloatArray:
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features), got shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one row and column")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    out = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite; found NaN or inf")
    return out


def _fitted_input(X: npt.ArrayLike, n_features: int, who: str, name: str = "X") -> FloatArray:
    """:func:`_matrix`, and the number of columns ``who`` was fitted with."""
    data = _matrix(X, name)
    if data.shape[1] != n_features:
        raise ValueError(
            f"X has {data.shape[1]} features, but {who} was fitted with {n_features} features"
        )
    return data


class Standardizer:
    """Centre each column and scale it to unit (population) standard deviation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Column means (weighted when fitted with ``sample_weight``).
    scale_ : ndarray of shape (n_features,)
        Column standard deviations (ddof = 0); 1.0 for a constant column.
    n_features_in_ : int
    """

    mean_: FloatArray
    scale_: FloatArray
    n_features_in_: int

    def fit(self, X: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None) -> Standardizer:
        """Learn the column means and scales.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        sample_weight : array-like of shape (n_samples,), optional
            Finite weights >= 0 with a positive total.

        Returns
        -------
        self
        """
        data = _matrix(X)
        w = None
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=np.float64)
            if w.shape != (data.shape[0],):
                raise ValueError(f"sample_weight must have shape ({data.shape[0]},), got {w.shape}")
            if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
                raise ValueError("sample_weight must be finite, >= 0, with a positive total")
        mean = np.average(data, axis=0, weights=w)
        var = np.average((data - mean) ** 2, axis=0, weights=w)
        scale = np.sqrt(var)
        # Constant columns (exactly, or up to the rounding of the mean) keep scale 1.
        exact = np.ptp(data, axis=0) == 0
        mean[exact] = data[0, exact]
        eps = np.finfo(np.float64).eps
        constant = exact | (scale <= data.shape[0] * eps * np.abs(mean))
        scale[constant] = 1.0
        self.mean_, self.scale_, self.n_features_in_ = mean, scale, data.shape[1]
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "mean_"):
            raise ValueError("this Standardizer is not fitted yet; call fit(X) first")

    def transform(self, X: npt.ArrayLike) -> FloatArray:
        """(X − mean_) / scale_, column by column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        self._fitted()
        data = _fitted_input(X, self.n_features_in_, "Standardizer")
        out: FloatArray = (data - self.mean_) / self.scale_
        return out

    def fit_transform(
        self, X: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
    ) -> FloatArray:
        """``fit(X, sample_weight).transform(X)``."""
        return self.fit(X, sample_weight).transform(X)

    def inverse_transform(self, Z: npt.ArrayLike) -> FloatArray:
        """Z · scale_ + mean_: back to the original units.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        self._fitted()
        data = _fitted_input(Z, self.n_features_in_, "Standardizer", "Z")
        out: FloatArray = data * self.scale_ + self.mean_
        return out

    def raw_coef(self, coef: npt.ArrayLike) -> FloatArray:
        """Coefficients on standardized features → the same model on the original ones.

        With z = (x − μ)/σ, the linear predictor wᵀz + b equals (w/σ)ᵀx + (b − Σ wⱼμⱼ/σⱼ).

        Parameters
        ----------
        coef : array-like of shape (n_features + 1,) or (n_classes, n_features + 1)
            Weights then intercept (logitlab's flat layout), one row per class if 2-D.

        Returns
        -------
        ndarray of the same shape
        """
        self._fitted()
        c = np.asarray(coef, dtype=np.float64)
        p = self.n_features_in_
        if c.ndim not in (1, 2) or c.shape[-1] != p + 1:
            raise ValueError(
                f"coef must have shape ({p + 1},) or (n_classes, {p + 1}) "
                f"(weights then intercept), got {c.shape}"
            )
        w = c[..., :p] / self.scale_
        b = c[..., p] - w @ self.mean_
        out: FloatArray = np.concatenate([w, np.asarray(b)[..., None]], axis=-1)
        return out


def _check_degree(degree: Any) -> int:
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer) or degree < 1:
        raise ValueError(f"degree must be an integer >= 1, got {degree!r}")
    return int(degree)


def monomial_powers(n_features: int, degree: int) -> IntArray:
    """Exponents of every monomial of degree 1 ... ``degree`` in scikit-learn's order.

    Parameters
    ----------
    n_features : int
    degree : int

    Returns
    -------
    ndarray of shape (n_output_features, n_features)
        Row r holds the power of each input in output column r.
    """
    rows = []
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(n_features), d):
            rows.append(np.bincount(combo, minlength=n_features))
    return np.asarray(rows, dtype=np.intp)


def monomial_name(powers: npt.ArrayLike, input_names: tuple[str, ...] | list[str]) -> str:
    """Readable name of one monomial: ``x``, ``x²``, ``x·y``, ``x²·y``, ``y¹⁰`` ..."""
    parts = []
    for name, k in zip(input_names, np.asarray(powers).tolist(), strict=True):
        if k == 1:
            parts.append(name)
        elif k > 1:
            parts.append(name + str(k).translate(_SUPERSCRIPTS))
    return "·".join(parts) if parts else "1"


class PolynomialFeatures:
    """All monomials of degree 1 ... ``degree`` of the inputs (no constant column).

    Columns come in scikit-learn's order for ``PolynomialFeatures(degree,
    include_bias=False)``: degree 1 first, then within each degree the combinations of
    input indices with repetition in lexicographic order (x, y, x², x·y, y², x³, x²·y, ...).

    Parameters
    ----------
    degree : int, default=2
        Highest total degree, >= 1 (1 leaves the inputs unchanged).

    Attributes
    ----------
    powers_ : ndarray of shape (n_output_features, n_features)
    n_features_in_ : int
    n_output_features_ : int
    """

    powers_: IntArray
    n_features_in_: int
    n_output_features_: int

    def __init__(self, degree: int = 2) -> None:
        self.degree = _check_degree(degree)

    def fit(self, X: npt.ArrayLike) -> PolynomialFeatures:
        """Learn the number of inputs from ``X`` of shape (n_samples, n_features)."""
        data = _matrix(X)
        self.n_features_in_ = data.shape[1]
        self.powers_ = monomial_powers(self.n_features_in_, self.degree)
        self.n_output_features_ = self.powers_.shape[0]
        return self

    def transform(self, X: npt.ArrayLike) -> FloatArray:
        """Evaluate every monomial.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_output_features_)
        """
        if not hasattr(self, "powers_"):
            raise ValueError("this PolynomialFeatures is not fitted yet; call fit(X) first")
        data = _fitted_input(X, self.n_features_in_, "PolynomialFeatures")
        n, p = data.shape
        out = np.empty((n, self.n_output_features_), dtype=np.float64)
        out[:, :p] = data
        # Each higher monomial is a lower one (its combination minus the last index)
        # times one input column.
        column: dict[tuple[int, ...], int] = {(j,): j for j in range(p)}
        col = p
        for d in range(2, self.degree + 1):
            for combo in combinations_with_replacement(range(p), d):
                np.multiply(out[:, column[combo[:-1]]], data[:, combo[-1]], out=out[:, col])
                column[combo] = col
                col += 1
        return out

    def fit_transform(self, X: npt.ArrayLike) -> FloatArray:
        """``fit(X).transform(X)``."""
        return self.fit(X).transform(X)

    def feature_names(self, input_names: tuple[str, ...] | list[str] = ("x", "y")) -> list[str]:
        """Readable names of the output columns, in order.

        Parameters
        ----------
        input_names : sequence of str, default=("x", "y")
            One name per input feature. Before ``fit`` the number of inputs is taken from
            this sequence.

        Returns
        -------
        list of str
            For two inputs and degree 3: ``x, y, x², x·y, y², x³, x²·y, x·y², y³``.
        """
        names = list(input_names)
        if hasattr(self, "n_features_in_") and len(names) != self.n_features_in_:
            raise ValueError(
                f"input_names has {len(names)} names but {self.n_features_in_} features were "
                "fitted; give one name per input feature"
            )
        powers = getattr(self, "powers_", None)
        if powers is None:
            powers = monomial_powers(len(names), self.degree)
        return [monomial_name(row, names) for row in powers]


class FeatureMap:
    """Polynomial features of a given degree, then (optionally) standardization.

    Parameters
    ----------
    degree : int, default=1
        Polynomial degree, >= 1.
    standardize : bool, default=True
        Standardize the expanded features.
    """

    def __init__(self, degree: int = 1, standardize: bool = True) -> None:
        self.poly = PolynomialFeatures(degree)
        self.standardize = bool(standardize)
        self.scaler = Standardizer()

    @property
    def degree(self) -> int:
        return self.poly.degree

    def fit(self, X: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None) -> FeatureMap:
        """Learn the expansion and the scaling from X of shape (n_samples, n_features)."""
        expanded = self.poly.fit_transform(X)
        if self.standardize:
            self.scaler.fit(expanded, sample_weight)
        return self

    def transform(self, X: npt.ArrayLike) -> FloatArray:
        """Map X of shape (n_samples, n_features) to (n_samples, n_output_features)."""
        expanded = self.poly.transform(X)
        return self.scaler.transform(expanded) if self.standardize else expanded

    def fit_transform(
        self, X: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
    ) -> FloatArray:
        """``fit(X, sample_weight).transform(X)``."""
        return self.fit(X, sample_weight).transform(X)

    def feature_names(self, input_names: tuple[str, ...] | list[str] = ("x", "y")) -> list[str]:
        """Names of the output columns (see :meth:`PolynomialFeatures.feature_names`)."""
        return self.poly.feature_names(input_names)

    def raw_coef(self, coef: npt.ArrayLike) -> FloatArray:
        """Coefficients on the mapped features → coefficients on the unstandardized monomials.

        Parameters
        ----------
        coef : array-like of shape (n_output_features + 1,) or (n_classes, n_output_features + 1)

        Returns
        -------
        ndarray of the same shape
        """
        if not self.standardize:
            return np.asarray(coef, dtype=np.float64)
        return self.scaler.raw_coef(coef)
