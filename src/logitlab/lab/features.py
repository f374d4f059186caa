"""The Lab's feature map (issue 14): polynomial columns of x and y, optionally standardized.

:class:`LabFeatureMap` is fitted to the *training* points (their columns' means and
standard deviations) and maps any plane points to the model's columns; the experiment
goes through it for everything (``Experiment.features`` / ``design``).

Decisions recorded here:

- **Columns** are ``logitlab.core.features.PolynomialFeatures`` of (x, y) at the degree,
  in scikit-learn's order (x, y, x², x·y, y², x³, …); degree 1 is the identity.
- **Standardized coefficients.** With "standardize features" on, the coefficients the
  optimizers learn, the Parameters panel shows and the state holds are the weights of the
  standardized columns (column − training mean) / training SD, exactly what scikit-learn's
  ``make_pipeline(PolynomialFeatures, StandardScaler, LogisticRegression)`` puts in
  ``coef_``. Switching standardization on or off converts the coefficients so the model
  (its field and boundary) stays the same.
- **Changing the degree** keeps the coefficient of every monomial both degrees share and
  the intercept; new monomials start at 0 (the model is unchanged when the degree grows).
- **More than two classes (issue 14, part 3, later)**: the feature map does not depend on
  the classes, so K classes need only a K × (p + 1) coefficient block: ``ModelSpec.coef``
  then holds it row by row (class 0 first, each row the columns' weights then b) with a
  ``n_classes`` field beside ``degree``, whose validator checks K · (p + 1) entries;
  ``n_classes = 2`` keeps today's single row. The split, ``rows()`` and ``evaluation_rows()``
  already work for any labels (stratified by class).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import numpy as np

from logitlab.core.contour import contour_segments
from logitlab.core.features import PolynomialFeatures, Standardizer
from logitlab.core.link import sigmoid
from logitlab.core.types import FloatArray
from logitlab.lab.geometry import FIELD_SIZE
from logitlab.lab.protocol import View, n_coefficients

CONTOUR_CELLS = 2 * FIELD_SIZE
"""The boundary curves are traced on CONTOUR_CELLS × CONTOUR_CELLS cells of the window
(a few pixels each at the chart's size: the curve looks smooth). Twice the field's size,
so the field's cell centres are every other vertex of this grid: one z grid per frame
serves both (:meth:`LabFeatureMap.vertex_z`)."""
DEGREE_1_NAMES = ("w₀", "w₁", "b")
"""Display names of the coefficients at degree 1 (today's Lab)."""


@dataclass(frozen=True)
class LabFeatureMap:
    """Polynomial columns of degree ``degree``, then (optionally) standardization.

    Built by :func:`fit_feature_map`; ``mean`` and ``scale`` are zeros and ones when
    ``standardize`` is off.
    """

    degree: int
    standardize: bool
    poly: PolynomialFeatures
    mean: FloatArray
    scale: FloatArray
    names: tuple[str, ...]
    """The columns' names: x, y, x², x·y, y², …"""
    _grid: dict[tuple[float, ...], FloatArray] = field(default_factory=dict, compare=False)
    _last: list[tuple[bytes, tuple[float, ...], FloatArray]] = field(
        default_factory=list, compare=False
    )
    _class_scores: list[tuple[object, FloatArray]] = field(default_factory=list, compare=False)
    """K > 2 classes (issue 14, part 3): the last vertex scores, see ``multiclass.py``."""

    @property
    def identity(self) -> bool:
        """True when the columns are x and y themselves (degree 1, not standardized)."""
        return self.degree == 1 and not self.standardize

    @property
    def n_columns(self) -> int:
        return len(self.names)

    def monomials(self, xy: FloatArray) -> FloatArray:
        """The unstandardized columns at ``xy`` of shape (m, 2)."""
        if self.degree == 1 or xy.shape[0] == 0:
            return np.asarray(xy, dtype=np.float64) if self.degree == 1 else _empty(self)
        return self.poly.transform(xy)

    def columns(self, xy: FloatArray) -> FloatArray:
        """The model's columns at ``xy`` of shape (m, 2): shape (m, n_columns)."""
        if self.identity:
            return xy
        raw = self.monomials(xy)
        if not self.standardize:
            return raw
        out: FloatArray = (raw - self.mean) / self.scale
        return out

    def raw_coef(self, coef: FloatArray) -> FloatArray:
        """``coef`` (weights of :meth:`columns`, then b) as weights of the unstandardized
        monomials, then b: the same model."""
        if not self.standardize:
            return coef
        w = coef[:-1] / self.scale
        out: FloatArray = np.append(w, coef[-1] - float(w @ self.mean))
        return out

    def from_raw(self, raw: FloatArray) -> FloatArray:
        """The inverse of :meth:`raw_coef`."""
        if not self.standardize:
            return raw
        w = raw[:-1] * self.scale
        out: FloatArray = np.append(w, raw[-1] + float(raw[:-1] @ self.mean))
        return out

    def grid_z(self, coef: FloatArray, view: View, size: int, *, centres: bool) -> FloatArray:
        """z over the window: at the centres of ``size`` × ``size`` cells (``centres``), or at
        the (size + 1)² vertices of those cells; row 0 at ymax. Shape (rows, cols)."""
        n = size if centres else size + 1
        key = (view.xmin, view.xmax, view.ymin, view.ymax, float(size), float(centres))
        raw = self._grid.get(key)
        if raw is None:
            if len(self._grid) > 8:
                self._grid.clear()
            dx = (view.xmax - view.xmin) / size
            dy = (view.ymax - view.ymin) / size
            off = 0.5 if centres else 0.0
            xs = view.xmin + (np.arange(n) + off) * dx
            ys = view.ymax - (np.arange(n) + off) * dy
            xy = np.column_stack([np.tile(xs, n), np.repeat(ys, n)])
            raw = self._grid[key] = self.monomials(xy)
        c = self.raw_coef(coef)
        z: FloatArray = (raw @ c[:-1] + c[-1]).reshape(n, n)
        return z


    def vertex_z(self, coef: FloatArray, view: View) -> FloatArray:
        """z at the vertices of the :data:`CONTOUR_CELLS`² grid (row 0 at ymax), computed
        once per model and window (the field and the curves both read it)."""
        key = (view.xmin, view.xmax, view.ymin, view.ymax)
        c = coef.tobytes()
        if self._last and self._last[0][0] == c and self._last[0][1] == key:
            return self._last[0][2]
        z = self.grid_z(coef, view, CONTOUR_CELLS, centres=False)
        self._last[:] = [(c, key, z)]
        return z

    def field_z(self, coef: FloatArray, view: View) -> FloatArray:
        """z at the centres of the field's FIELD_SIZE² cells: every other vertex."""
        return self.vertex_z(coef, view)[1::2, 1::2]


def _empty(fmap: LabFeatureMap) -> FloatArray:
    return np.empty((0, fmap.n_columns))


def fit_feature_map(degree: int, standardize: bool, train_xy: FloatArray) -> LabFeatureMap:
    """The feature map of ``degree``, standardized with the statistics of ``train_xy``.

    Without training points (or with standardization off) the scaling is the identity.
    """
    poly = PolynomialFeatures(degree).fit(np.zeros((1, 2)))
    names = tuple(poly.feature_names(("x", "y")))
    p = len(names)
    mean, scale = np.zeros(p), np.ones(p)
    if standardize and train_xy.shape[0]:
        raw = train_xy if degree == 1 else poly.transform(train_xy)
        scaler = Standardizer().fit(raw)
        mean, scale = scaler.mean_, scaler.scale_
    return LabFeatureMap(degree, bool(standardize), poly, mean, scale, names)


def coef_names(fmap: LabFeatureMap) -> tuple[str, ...]:
    """Display names of the coefficients: w₀, w₁, b at degree 1, else the columns' names
    and b (the weight of x² is shown as "x²")."""
    if fmap.degree == 1:
        return DEGREE_1_NAMES
    return (*fmap.names, "b")


def resize_coef(coef: FloatArray, old: int, new: int) -> FloatArray:
    """Coefficients of degree ``old`` laid out for degree ``new``: shared monomials and b
    kept, new monomials 0, dropped ones forgotten."""
    out = np.zeros(n_coefficients(new))
    k = min(n_coefficients(old), n_coefficients(new)) - 1
    # Degree-major order: the first monomials of a higher degree are the lower degree's.
    out[:k] = coef[:k]
    out[-1] = coef[-1]
    return out


def probability_bytes(z: FloatArray) -> str:
    """base64 of round(255·σ(z)) as uint8, row-major."""
    data = np.rint(sigmoid(z) * 255.0).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def contour_bytes(z: FloatArray, level: float, view: View) -> str:
    """The curve z = level over the vertex grid ``z`` (row 0 at ymax), as base64 float32."""
    segs = contour_segments(z, level, (view.xmin, view.xmax), (view.ymax, view.ymin))
    return base64.b64encode(np.ascontiguousarray(segs, dtype="<f4").tobytes()).decode("ascii")
