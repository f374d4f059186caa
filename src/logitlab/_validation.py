"""Input checks for the estimator: parameter constraints, arrays, labels, weights.

Everything the estimator accepts is validated here, at the boundary, with
messages that say what was wrong and what is allowed. The messages follow the
wording scikit-learn users know (``Input X contains NaN``, ``X has 3 features,
but LogisticRegression is expecting 4 features as input``, ...).

scikit-learn is *not* a dependency. When it is already imported (a user
mixing both libraries, or scikit-learn's own estimator checks), the errors and
warnings raised here are additionally instances of their scikit-learn
counterparts (``NotFittedError``, ``ConvergenceWarning``,
``DataConversionWarning``), so ``except sklearn.exceptions.NotFittedError`` and
scikit-learn's warning filters keep working.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from logitlab.core.types import FloatArray

# ----------------------------------------------------------------------------- errors


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted estimator was called before ``fit``."""


class InvalidParameterError(ValueError, TypeError):
    """A constructor parameter has a value outside its declared constraints."""


class ConvergenceWarning(UserWarning):
    """The solver stopped at ``max_iter`` before reaching ``tol``."""


class DataConversionWarning(UserWarning):
    """The input had to be reshaped or converted (for example a column-vector y)."""


_SKLEARN_TWINS: dict[type, type] = {}


def _with_sklearn_base(cls: type, sklearn_name: str) -> type:
    """``cls``, also subclassing scikit-learn's class of the same role if sklearn is loaded."""
    if cls in _SKLEARN_TWINS:
        return _SKLEARN_TWINS[cls]
    module = sys.modules.get("sklearn.exceptions")
    base = getattr(module, sklearn_name, None) if module is not None else None
    if base is None:
        return cls
    twin = type(cls.__name__, (cls, base), {"__module__": cls.__module__})
    _SKLEARN_TWINS[cls] = twin
    return twin


def interop(cls: type[Any]) -> type[Any]:
    """The class to raise/warn with: ``cls`` or its scikit-learn-compatible subclass."""
    if "sklearn.exceptions" not in sys.modules:
        return cls
    return _with_sklearn_base(cls, cls.__name__)


# ----------------------------------------------------------------------------- constraints


class Constraint(Protocol):
    def is_satisfied_by(self, value: object) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Interval:
    """A real or integer interval; ``None`` bounds are infinite.

    With ``high=None`` a right-closed interval admits ``+inf`` (``C=np.inf``
    means "no penalty"); an open one does not.
    """

    kind: Literal["real", "integer"]
    low: float | None
    high: float | None
    closed: Literal["left", "right", "both", "neither"]

    def is_satisfied_by(self, value: object) -> bool:
        if isinstance(value, bool | np.bool_):
            return False
        if self.kind == "integer" and not isinstance(value, numbers.Integral):
            return False
        if not isinstance(value, numbers.Real):
            return False
        v = float(value)
        if math.isnan(v):
            return False
        low_ok = self.low is None or (
            v >= self.low if self.closed in ("left", "both") else v > self.low
        )
        high_ok = self.high is None or (
            v <= self.high if self.closed in ("right", "both") else v < self.high
        )
        if self.high is None and self.closed in ("left", "neither") and math.isinf(v):
            return False
        return bool(low_ok and high_ok)

    def describe(self) -> str:
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        lo = "-inf" if self.low is None else _number(self.low)
        hi = "inf" if self.high is None else _number(self.high)
        noun = "an int" if self.kind == "integer" else "a float"
        return f"{noun} in the range {left}{lo}, {hi}{right}"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, str) and value in self.values

    def describe(self) -> str:
        return "a str among " + ", ".join(repr(v) for v in self.values)


@dataclass(frozen=True)
class InstanceOf:
    """An instance of one of the given types."""

    types: tuple[type, ...]
    name: str

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, self.types) and not isinstance(value, bool | np.bool_)

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class IsNone:
    def is_satisfied_by(self, value: object) -> bool:
        return value is None

    def describe(self) -> str:
        return "None"


@dataclass(frozen=True)
class Boolean:
    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, bool | np.bool_)

    def describe(self) -> str:
        return "a bool"


def validate_parameters(
    params: Mapping[str, object], constraints: Mapping[str, list[Constraint]], owner: str
) -> None:
    """Raise :class:`InvalidParameterError` for the first parameter outside its constraints."""
    for name, allowed in constraints.items():
        value = params[name]
        if any(c.is_satisfied_by(value) for c in allowed):
            continue
        options = [c.describe() for c in allowed]
        listing = (
            options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + (options[-1])
        )
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {listing}. Got {value!r} instead."
        )


# ----------------------------------------------------------------------------- arrays


def feature_names_of(X: object) -> np.ndarray | None:
    """Column names of a dataframe-like ``X`` when they are all strings, else None."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "dtypes"):
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0:
        return None
    types = sorted({type(v).__qualname__ for v in names})
    if len(types) > 1 and "str" in types:
        raise TypeError(
            "Feature names are only supported if all input features have string names, but "
            f"your input has {types} as feature name / column name types. Convert them all "
            "to strings (X.columns = X.columns.astype(str)) or remove the names."
        )
    if types == ["str"]:
        return names
    return None


def _is_sparse(X: object) -> bool:
    module = sys.modules.get("scipy.sparse")
    return bool(module is not None and module.issparse(X))


def check_array(X: object, *, name: str = "X", owner: str = "LogisticRegression") -> FloatArray:
    """Validate a 2-D numeric matrix and return it as float64 (no copy when it already is).

    Raises
    ------
    TypeError
        Sparse input, or an object array that cannot be read as numbers.
    ValueError
        Complex values, strings, a shape other than 2-D, no rows or no columns, NaN or inf.
    """
    if X is None:
        raise ValueError(f"{owner} expected a 2D array for {name}, got None.")
    if _is_sparse(X):
        raise TypeError(
            f"Sparse input is not supported by {owner}: pass a dense array "
            f"({name}.toarray()) instead."
        )
    raw = np.asarray(X)
    if np.iscomplexobj(raw):
        raise ValueError("Complex data not supported; pass real-valued features.")
    if raw.dtype.kind in "US":
        raise ValueError(
            f"{name} holds strings (dtype {raw.dtype}); {owner} needs numbers. Encode "
            "categorical features as numbers first (for example one column per category)."
        )
    if raw.dtype.kind == "O":
        try:
            arr = raw.astype(np.float64)
        except (TypeError, ValueError) as exc:
            # TypeError: objects that are not numbers at all; ValueError: non-numeric strings.
            raise type(exc)(
                f"{name} must contain only numbers, but reading it as floats failed: {exc}"
            ) from exc
    elif raw.dtype.kind in "biuf":
        arr = raw.astype(np.float64, copy=False)
    else:
        raise ValueError(f"{name} has dtype {raw.dtype}; expected numbers (int, float or bool).")
    if arr.ndim != 2:
        hint = (
            " Reshape your data either using array.reshape(-1, 1) if your data has a single "
            "feature or array.reshape(1, -1) if it contains a single sample."
            if arr.ndim < 2
            else ""
        )
        shown = "scalar" if arr.ndim == 0 else f"{arr.ndim}D array"
        raise ValueError(f"Expected 2D array for {name}, got {shown} instead.{hint}")
    n_samples, n_features = arr.shape
    if n_samples < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is "
            f"required by {owner}."
        )
    if n_features < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is "
            f"required by {owner}."
        )
    _check_finite(arr, name)
    return np.ascontiguousarray(arr)


def _check_finite(arr: FloatArray, name: str) -> None:
    total = float(np.sum(arr))  # fast path: finite sum means finite entries
    if math.isfinite(total):
        return
    if np.isnan(arr).any():
        raise ValueError(f"Input {name} contains NaN; remove or impute the missing values.")
    if np.isinf(arr).any():
        raise ValueError(
            f"Input {name} contains infinity or a value too large for dtype('float64')."
        )


def check_target(y: object, n_samples: int, *, owner: str = "LogisticRegression") -> np.ndarray:
    """Validate class labels: 1-D (a column vector is raveled with a warning), no NaN.

    Returns
    -------
    ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        y missing, of the wrong shape or length, with NaN, or continuous (not class labels).
    """
    if y is None:
        raise ValueError(f"{owner} requires y to be passed, but the target y is None.")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        import warnings

        warnings.warn(
            interop(DataConversionWarning)(
                "A column-vector y was passed when a 1d array was expected. Please change the "
                "shape of y to (n_samples,), for example using ravel()."
            ),
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"y should be a 1d array of class labels, got an array of shape {arr.shape} instead. "
            f"{owner} fits one target (multi-output / multilabel targets are not supported)."
        )
    if arr.shape[0] != n_samples:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{n_samples}, {arr.shape[0]}] (X has {n_samples} rows, y has {arr.shape[0]})."
        )
    if arr.dtype.kind == "c":
        raise ValueError("Complex data not supported in y.")
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError("Input y contains NaN; every sample needs a class label.")
        if np.isinf(arr).any():
            raise ValueError("Input y contains infinity; class labels must be finite.")
        if np.any(arr != np.round(arr)):
            raise ValueError(
                "Unknown label type: continuous. y holds non-integer floats, which look like "
                "a regression target; a classifier needs class labels (ints, strings, bools)."
            )
    elif arr.dtype.kind == "O":
        kinds = {type(v) for v in arr}
        if len(kinds) > 1 and any(issubclass(k, str) for k in kinds):
            raise ValueError(
                f"Unknown label type: mixed types in y ({sorted(k.__name__ for k in kinds)}); "
                "use labels of one type."
            )
        if not all(isinstance(v, str | numbers.Integral | numbers.Real) for v in arr):
            raise ValueError(
                "Unknown label type: y must hold class labels (ints, strings or bools), "
                f"found {sorted({k.__name__ for k in kinds})}."
            )
        if any(isinstance(v, float) and not float(v).is_integer() for v in arr):
            raise ValueError("Unknown label type: continuous.")
    elif arr.dtype.kind not in "biuUS":
        raise ValueError(f"Unknown label type: y has dtype {arr.dtype}.")
    return arr


def check_sample_weight(sample_weight: object, n_samples: int) -> FloatArray | None:
    """Validate sample weights: finite, non-negative, not all zero, shape (n_samples,)."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sw = np.full(n_samples, float(sample_weight))  # type: ignore[arg-type]
    else:
        sw = np.asarray(sample_weight)
        if sw.dtype.kind not in "biuf":
            raise ValueError(f"sample_weight must hold numbers, got dtype {sw.dtype}.")
        sw = sw.astype(np.float64)
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected ({n_samples},): one weight per sample."
        )
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity; weights must be finite.")
    if np.any(sw < 0):
        raise ValueError("sample_weight contains negative values; weights must be >= 0.")
    if not np.any(sw > 0):
        raise ValueError("sample_weight is all zero; at least one weight must be positive.")
    return np.asarray(sw, dtype=np.float64)


def class_weights(
    class_weight: str | Mapping[Any, float] | None,
    classes: np.ndarray,
    y_index: np.ndarray,
    sample_weight: FloatArray | None,
) -> FloatArray:
    """Weight of each class (shape (n_classes,)), as scikit-learn's ``compute_class_weight``.

    ``'balanced'`` gives ``Σ s / (n_classes · Σ_{class k} s)``; a dict maps labels to
    weights (classes it does not name get 1).
    """
    K = classes.shape[0]
    if class_weight is None:
        return np.ones(K)
    if isinstance(class_weight, str):
        counts = np.bincount(y_index, weights=sample_weight, minlength=K)
        with np.errstate(divide="ignore"):
            return np.asarray(np.sum(counts) / (K * counts), dtype=np.float64)
    out = np.ones(K)
    known = {_plain(c): i for i, c in enumerate(classes)}
    unknown = [key for key in class_weight if _plain(key) not in known]
    if unknown:
        raise ValueError(
            f"class_weight names labels {unknown} that are not in y; the classes are "
            f"{[_plain(c) for c in classes]}."
        )
    for key, weight in class_weight.items():
        w = float(weight)
        if not (math.isfinite(w) and w >= 0):
            raise ValueError(
                f"class_weight[{key!r}] = {weight!r}; weights must be finite and >= 0."
            )
        out[known[_plain(key)]] = w
    return out


def _plain(value: object) -> object:
    """A hashable Python scalar for comparing labels of NumPy and Python types."""
    if isinstance(value, np.generic):
        return value.item()
    return value
