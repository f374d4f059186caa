"""The Lab's softmax model for K > 2 classes (issue 14, part 3): layout and drawing helpers.

Decisions recorded here:

- **Layout.** ``Experiment.coef`` stays one flat vector of length
  ``objective().n_coef``: with two classes today's single row (the binary model), with
  K > 2 classes K rows of (the columns' weights, then b), class 0 first — the core's
  multinomial layout (:mod:`logitlab.core.loss`).
- **Pinning the shift.** Adding one vector to every class's row changes no probability,
  so the weights are defined only up to that shift. The Lab keeps every column of the
  K × (p + 1) block summing to zero over the classes: before each optimizer step it
  applies :func:`logitlab.core.optimizers.center_replicated` (the probabilities do not
  change; with an L2 penalty the objective can only fall). With an L1 penalty the
  penalty itself pins the weights, and only the intercepts are centred. A coefficient
  typed by hand is kept as typed until the next step.
- **Start.** K > 2 classes start (and "Reset weights" goes back) to all zeros: every class
  is equally likely everywhere, 1 / K.
- **Changing the number of classes** (a preset with another K) sets that start.
- **Drawing.** The field is the most probable class per cell shaded by its probability;
  the boundaries are the pieces of z_i = z_j where i and j are the two most probable
  classes (marching squares on each pair's difference, kept where the winner at the
  segment's middle is i or j).
"""

from __future__ import annotations

import base64

import numpy as np

from logitlab.core.contour import contour_segments
from logitlab.core.link import softmax
from logitlab.core.types import FloatArray, IntArray
from logitlab.lab.features import LabFeatureMap, resize_coef
from logitlab.lab.protocol import View, n_coefficients


def n_rows(n_classes: int) -> int:
    """Coefficient rows: 1 for two classes (binary model), K otherwise."""
    return 1 if n_classes == 2 else n_classes


def coef_size(degree: int, n_classes: int) -> int:
    """Length of the flat coefficient vector at ``degree`` with ``n_classes``."""
    return n_rows(n_classes) * n_coefficients(degree)


def coef_rows(coef: FloatArray, n_classes: int) -> FloatArray:
    """``coef`` as its (rows, p + 1) block (a view)."""
    out: FloatArray = coef.reshape(n_rows(n_classes), -1)
    return out


def resize_rows(coef: FloatArray, old: int, new: int, n_classes: int) -> FloatArray:
    """:func:`~logitlab.lab.features.resize_coef` applied to every class's row."""
    rows = coef_rows(coef, n_classes)
    out: FloatArray = np.concatenate([resize_coef(r, old, new) for r in rows])
    return out


def map_rows(coef: FloatArray, n_classes: int, func: object) -> FloatArray:
    """``func`` (a row's coefficients -> the same model's in other columns) on each row."""
    assert callable(func)
    out: FloatArray = np.concatenate([func(r) for r in coef_rows(coef, n_classes)])
    return out


def scores(X: FloatArray, coef: FloatArray, n_classes: int) -> FloatArray:
    """z of each class at the feature rows ``X`` (m, p): shape (m, K)."""
    rows = coef_rows(coef, n_classes)
    # One matrix-vector product per class: single-threaded BLAS, steady on a busy machine
    # (a matrix product with a strided block left BLAS, 10× slower; a threaded one stalls
    # when the other cores are taken).
    out: FloatArray = np.empty((X.shape[0], rows.shape[0]))
    for k, r in enumerate(rows):
        out[:, k] = X @ r[:-1] + r[-1]
    return out


def probabilities(X: FloatArray, coef: FloatArray, n_classes: int) -> FloatArray:
    """Softmax probabilities at the feature rows ``X``: shape (m, K)."""
    return softmax(scores(X, coef, n_classes), axis=1)


def vertex_scores(fmap: LabFeatureMap, coef: FloatArray, n_classes: int, view: View) -> FloatArray:
    """Every class's z at the vertices of the contour grid: shape (K, n, n), row 0 at ymax.

    The field and the boundaries of one frame share it (one entry is kept)."""
    key = (coef.tobytes(), view.xmin, view.xmax, view.ymin, view.ymax)
    cache = fmap._class_scores  # one entry, on the session's own feature map
    if cache and cache[0][0] == key:
        return cache[0][1]
    z = np.stack([fmap.vertex_z(r, view) for r in coef_rows(coef, n_classes)])
    cache[:] = [(key, z)]
    return z


def field_bytes(z: FloatArray) -> tuple[str, str]:
    """(probability of the most probable class, that class) per cell as base64 uint8,
    from the classes' scores ``z`` of shape (K, rows, cols)."""
    P = softmax(z, axis=0)
    cls = np.argmax(P, axis=0).astype(np.uint8)
    top = np.rint(np.max(P, axis=0) * 255.0).astype(np.uint8)
    enc = base64.b64encode
    return enc(top.tobytes()).decode("ascii"), enc(cls.tobytes()).decode("ascii")


def boundary_segments(
    fmap: LabFeatureMap, coef: FloatArray, n_classes: int, z: FloatArray, view: View
) -> FloatArray:
    """The boundaries between classes as segments (n, 4), from the vertex scores ``z``."""
    pieces = []
    xr, yr = (view.xmin, view.xmax), (view.ymax, view.ymin)
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            segs = contour_segments(z[i] - z[j], 0.0, xr, yr)
            if segs.shape[0]:
                pieces.append((i, j, segs))
    if not pieces:
        return np.empty((0, 4))
    mids = np.concatenate([(s[:, :2] + s[:, 2:]) / 2 for _, _, s in pieces])
    winner: IntArray = np.argmax(scores(fmap.columns(mids), coef, n_classes), axis=1)
    keep, start = [], 0
    for i, j, segs in pieces:
        w = winner[start : start + segs.shape[0]]
        keep.append(segs[(w == i) | (w == j)])
        start += segs.shape[0]
    out: FloatArray = np.concatenate(keep)
    return out


def segment_bytes(segs: FloatArray) -> str:
    """Segments as base64 little-endian float32 quadruples (the ``Contours`` encoding)."""
    return base64.b64encode(np.ascontiguousarray(segs, dtype="<f4").tobytes()).decode("ascii")
