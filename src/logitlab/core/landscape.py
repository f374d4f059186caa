"""The objective over a plane through two coefficients: the data of a loss landscape.

With every coefficient but two fixed, the linear predictor is affine in the two
that move: ``z = z₀ + a·uᵢ + b·vᵢ`` where ``u`` and ``v`` are the columns of the
design (a feature or the intercept's ones) those coefficients multiply. So the
whole grid needs ``X`` only once (for ``z₀``); each grid row is a pass over
``N`` numbers per grid column, never a refit or a product with ``X``.

Binary model, 0/1 labels: the loss term of a row is ``softplus(mᵢ)`` with the
margin ``m = (1 − 2y)·z``. Because ``exp(m) = exp(m₀)·exp(a·u')·exp(b·v')``
factorizes, the exponentials are taken once per grid column and once per grid
row, and a grid point costs one addition per data row and one logarithm per
chunk of rows: ``Σ log(1 + eᵢ) = log Π (1 + eᵢ)`` over chunks short enough not
to overflow. The rounding of that route adds up to about ``ε·Σᵢ(3 + 2·max|mᵢ|)``
to the sum. Grid points where that is not below 3e-13 of the value (small
losses: separated classes, large weights; redone as the box of their grid rows
× columns) and weighted data (equal weights count as unweighted) take
``log1p(e^{m₀ + b·v}·e^{a·u})`` term by term instead, accurate relative to each
term. Data rows that are classified right by a margin of 12 or
more on the whole grid (most rows of separated classes) skip both: their terms
are the series ``e^m − e^{2m}/2 + e^{3m}/3``, each power a matrix product.
Rows with a margin of 37 or more everywhere add ``m`` (a plane), rows below
−746 everywhere add 0, and rows whose margins are too large for the
exponentials yet cross zero go through the loss formula of
:meth:`~logitlab.core.objective.Objective.value` itself.
Multinomial models are evaluated term by term (log-sum-exp over the classes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logitlab.core.link import logsumexp
from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray, IntArray

#: Relative accuracy the product route must reach, else a grid point is redone term by term.
_FACTORED_RTOL = 3e-13
#: Points handled at once along a grid row by the term-by-term pass.
_BLOCK_POINTS = 2048
#: The factorized pass takes blocks of rows × the whole grid of about this many entries
#: (a few MB: stays in cache), between _MIN_BLOCK and _MAX_BLOCK rows, a power of 2.
_GRID_ENTRIES_PER_BLOCK = 300_000
_MIN_BLOCK = 8
_MAX_BLOCK = 512
#: Largest margin |m| the factorized exponentials may reach (exp(709) is the last finite).
_MAX_FACTORED_MARGIN = 600.0
#: m·n·k of a matrix product that OpenBLAS runs on one thread (its threshold is 4·65536).
_SINGLE_THREAD_GEMM = 200_000
#: Margins beyond which a term is exactly 0 (e^m underflows) or exactly m (to 1e-17).
_VANISHING_MARGIN = -746.0
_LINEAR_MARGIN = 37.0
#: Rows whose margin stays below this on the whole grid take the series route.
_TINY_MARGIN = -12.0
#: ... provided their cubed exponentials cannot overflow (3·230 < 709).
_TINY_MAX_REACH = 230.0
_LOG_MAX = 700.0


@dataclass(frozen=True)
class Landscape:
    """The objective on a grid of two coefficients, the others held fixed.

    Attributes
    ----------
    axes : tuple of (int, int)
        Indices ``(i, j)`` into the flat coefficient vector of the two that vary.
    a : ndarray of shape (n_a,)
        Values of coefficient ``i`` (grid columns).
    b : ndarray of shape (n_b,)
        Values of coefficient ``j`` (grid rows).
    values : ndarray of shape (n_b, n_a)
        ``values[r, c]`` is the full objective (cross-entropy + penalty) at the
        coefficients with ``coef[i] = a[c]`` and ``coef[j] = b[r]``.
    n_samples : int
        Rows of the objective's data.
    n_used : int
        Rows the values were computed on (``n_samples`` unless subsampled).
    subsampled : bool
        True when the values are those of a deterministic subsample of the rows
        (the objective of the subsample, not of the full data).
    """

    axes: tuple[int, int]
    a: FloatArray
    b: FloatArray
    values: FloatArray
    n_samples: int
    n_used: int
    subsampled: bool


def subsample_rows(n_samples: int, max_samples: int, seed: int = 0) -> IntArray:
    """A deterministic, sorted subset of ``max_samples`` of ``n_samples`` row indices.

    The same arguments always give the same rows (drawn without replacement
    from a generator seeded with ``seed``), so a landscape does not flicker
    between refreshes. All rows are returned when ``n_samples <= max_samples``.

    Returns
    -------
    ndarray of int of shape (min(n_samples, max_samples),)
    """
    if isinstance(max_samples, bool) or not isinstance(max_samples, int | np.integer):
        raise ValueError(f"max_samples must be an integer >= 1, got {max_samples!r}")
    if max_samples < 1:
        raise ValueError(f"max_samples must be an integer >= 1, got {max_samples!r}")
    if n_samples <= max_samples:
        return np.arange(n_samples, dtype=np.intp)
    rng = np.random.default_rng(seed)
    rows = rng.choice(n_samples, size=int(max_samples), replace=False)
    out: IntArray = np.sort(rows).astype(np.intp)
    return out


def landscape(
    objective: Objective,
    coef: FloatArray,
    a: FloatArray,
    b: FloatArray,
    *,
    axes: tuple[int, int] = (0, 1),
    max_samples: int | None = None,
    seed: int = 0,
) -> Landscape:
    """Evaluate ``objective.value`` on the grid ``a × b`` of coefficients ``axes``.

    Parameters
    ----------
    objective : Objective
        Binary or multinomial; its penalty is included exactly.
    coef : ndarray of shape (objective.n_coef,)
        The coefficients held fixed (entries ``axes`` are replaced by the grid).
    a : ndarray of shape (n_a,)
        Values of coefficient ``axes[0]``.
    b : ndarray of shape (n_b,)
        Values of coefficient ``axes[1]``.
    axes : tuple of (int, int), default=(0, 1)
        Two different indices into the flat coefficients (see
        :mod:`logitlab.core.loss` for the layout; the binary intercept is last).
    max_samples : int or None, default=None
        When given and the data have more rows, compute on a deterministic
        subsample of that many rows (:func:`subsample_rows`); the result says so.
    seed : int, default=0
        Seed of the subsample.

    Returns
    -------
    Landscape
        ``values`` of shape (n_b, n_a).

    Raises
    ------
    ValueError
        For a coefficient vector of the wrong shape, axes that are out of range
        or equal, empty or non-finite grids, or binary labels other than 0 and 1.
    """
    coef = np.asarray(coef, dtype=np.float64)
    if coef.shape != (objective.n_coef,):
        raise ValueError(f"coef must have shape ({objective.n_coef},), got {coef.shape}")
    i, j = _check_axes(axes, objective.n_coef)
    a = _check_grid(a, "a")
    b = _check_grid(b, "b")
    X, y, sw = objective.X, objective.y, objective.sample_weight
    n_samples = objective.n_samples
    n_used = n_samples
    if max_samples is not None:
        rows = subsample_rows(n_samples, max_samples, seed)
        if rows.size < n_samples:
            X, y = X[rows], y[rows]
            sw = None if sw is None else sw[rows]
            n_used = int(rows.size)
    sw_sum = float(n_used) if sw is None else float(np.sum(sw))
    if not sw_sum > 0.0:
        raise ValueError("the sample weights of the rows used must have a positive sum")

    base = coef.copy()
    base[i] = base[j] = 0.0
    model = objective.model
    if model.is_binary:
        cross = _binary_grid(objective, base, X, y, sw, i, j, a, b)
    else:
        cross = _multinomial_grid(objective, base, X, y, sw, i, j, a, b)
    values = cross / sw_sum + _penalty_grid(objective, base, i, j, a, b)
    return Landscape(
        axes=(i, j),
        a=a,
        b=b,
        values=values,
        n_samples=n_samples,
        n_used=n_used,
        subsampled=n_used < n_samples,
    )


def contour_levels(values: FloatArray, n_levels: int = 12) -> FloatArray:
    """Log-spaced contour levels from just above the minimum to the maximum of ``values``.

    Objective landscapes are steep walls around a flat valley: equal spacing
    would spend every level on the walls. The levels are ``min + δ`` with the
    offsets ``δ`` geometric between ``(max − min)·1e-3`` and ``max − min``, so
    the valley around the minimum gets as many contours as the walls.

    Parameters
    ----------
    values : ndarray of any shape
        Finite entries are used; non-finite ones are ignored.
    n_levels : int, default=12
        Number of levels, >= 2.

    Returns
    -------
    ndarray of shape (n_levels,)
        Strictly increasing; the last equals the maximum.

    Raises
    ------
    ValueError
        For fewer than 2 levels, no finite value, or a constant grid.
    """
    if isinstance(n_levels, bool) or not isinstance(n_levels, int | np.integer) or n_levels < 2:
        raise ValueError(f"n_levels must be an integer >= 2, got {n_levels!r}")
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise ValueError("values has no finite entry to place contour levels on")
    low, high = float(np.min(finite)), float(np.max(finite))
    span = high - low
    if not span > 0.0:
        raise ValueError("values is constant: there are no contours to draw")
    offsets = np.geomspace(span * 1e-3, span, int(n_levels))
    levels: FloatArray = low + offsets
    levels[-1] = high
    return levels


# --------------------------------------------------------------------------- internals


def _check_axes(axes: tuple[int, int], n_coef: int) -> tuple[int, int]:
    if len(axes) != 2:
        raise ValueError(f"axes must be two coefficient indices, got {axes!r}")
    out = []
    for k in axes:
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k < n_coef:
            raise ValueError(f"axes must be indices in 0 .. {n_coef - 1}, got {axes!r}")
        out.append(int(k))
    if out[0] == out[1]:
        raise ValueError(f"axes must name two different coefficients, got {axes!r}")
    return out[0], out[1]


def _check_grid(values: FloatArray, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of coefficient values")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers only")
    return arr


def _design_column(objective: Objective, X: FloatArray, k: int) -> tuple[int, FloatArray]:
    """(output index, column of the design) that coefficient ``k`` multiplies."""
    p = objective.n_features
    width = p + int(objective.model.fit_intercept)
    out, col = divmod(k, width)
    column = X[:, col] if col < p else np.ones(X.shape[0])
    return out, np.asarray(column, dtype=np.float64)


def _penalty_grid(
    objective: Objective,
    base: FloatArray,
    i: int,
    j: int,
    a: FloatArray,
    b: FloatArray,
) -> FloatArray:
    """Penalty at every grid point, shape (n_b, n_a): fixed part + the two axes' parts."""
    pen = objective.penalty
    mask = objective.penalized
    fixed = pen.value(base[mask])
    along_a = (0.5 * pen.l2 * a * a + pen.l1 * np.abs(a)) if mask[i] else np.zeros_like(a)
    along_b = (0.5 * pen.l2 * b * b + pen.l1 * np.abs(b)) if mask[j] else np.zeros_like(b)
    out: FloatArray = fixed + along_b[:, None] + along_a[None, :]
    return out


def _binary_grid(
    objective: Objective,
    base: FloatArray,
    X: FloatArray,
    y: FloatArray,
    sw: FloatArray | None,
    i: int,
    j: int,
    a: FloatArray,
    b: FloatArray,
) -> FloatArray:
    """Σ sᵢℓᵢ (not yet divided by Σ sᵢ) at every grid point, shape (n_b, n_a)."""
    yv = np.asarray(y, dtype=np.float64)
    if not np.all((yv == 0.0) | (yv == 1.0)):
        raise ValueError("the binary landscape needs labels 0 and 1 only")
    sign = 1.0 - 2.0 * yv  # ℓ = softplus(sign·z)
    m0 = sign * objective.model.raw_prediction(base, X)
    u = sign * _design_column(objective, X, i)[1]
    v = sign * _design_column(objective, X, j)[1]
    # Each data row's margin is affine on the grid: its extremes sit at the corners.
    a_lo, a_hi = float(np.min(a)), float(np.max(a))
    b_lo, b_hi = float(np.min(b)), float(np.max(b))
    m_max = m0 + np.maximum(a_lo * u, a_hi * u) + np.maximum(b_lo * v, b_hi * v)
    m_min = m0 + np.minimum(a_lo * u, a_hi * u) + np.minimum(b_lo * v, b_hi * v)
    bound = np.abs(m0) + max(-a_lo, a_hi) * np.abs(u) + max(-b_lo, b_hi) * np.abs(v)
    s = np.ones(m0.size) if sw is None else sw
    # vanishing: e^m underflows to 0 on the whole grid, the term is 0 (as Objective.value
    # evaluates it); linear: m >= 37 everywhere, softplus(m) = m to 1e-17.
    vanishing = m_max <= _VANISHING_MARGIN
    linear = m_min >= _LINEAR_MARGIN
    tiny = ~vanishing & (m_max <= _TINY_MARGIN) & (bound <= _TINY_MAX_REACH)
    moderate = ~(vanishing | linear | tiny) & (bound <= _MAX_FACTORED_MARGIN)
    wild = ~(vanishing | linear | tiny | moderate)

    out = np.zeros((b.size, a.size))
    if linear.any():
        sl = s[linear]
        out += float(sl @ m0[linear])
        out += np.multiply.outer(b * float(sl @ v[linear]), np.ones(a.size))
        out += a * float(sl @ u[linear])
    if tiny.any():
        out += _binary_grid_tiny(m0[tiny], u[tiny], v[tiny], a, b, s[tiny])
    if wild.any():  # large margins crossing zero on the grid: term by term
        for r in range(b.size):
            out[r] += _binary_row_exact(m0[wild], u[wild], v[wild], a, float(b[r]), s[wild])
    if not moderate.any():
        return out
    m0, u, v, s = m0[moderate], u[moderate], v[moderate], s[moderate]
    n = m0.size
    # Equal weights (all ones, say) scale the unweighted sum: the product route applies.
    scale = float(s[0])
    if bool(np.all(s == scale)):
        part = _binary_grid_factored(m0, u, v, a, b) * scale
        # The split cancels e^{m₀ + b·v} against its inverse: each data row adds an
        # absolute rounding error of about ε·(3 + 2·Lᵢ) (measured: within 2x of
        # this bound, not a random walk). Grid rows whose smallest sum is not
        # 1/_FACTORED_RTOL times the bound (small losses) are recomputed.
        error = np.finfo(np.float64).eps * (3.0 * n + 2.0 * float(np.sum(bound[moderate])))
        failed = ~((out + part) * _FACTORED_RTOL >= error * scale)
        rows = np.flatnonzero(np.any(failed, axis=1))
        cols = np.flatnonzero(np.any(failed, axis=0))
    else:
        part = np.empty((b.size, a.size))
        rows, cols = np.arange(b.size), np.arange(a.size)
    if rows.size:  # the box of grid rows × columns holding every failed point
        part[np.ix_(rows, cols)] = _binary_rows_log1p(m0, u, v, a[cols], b[rows], s)
    out += part
    return out


def _binary_grid_tiny(
    m0: FloatArray,
    u: FloatArray,
    v: FloatArray,
    a: FloatArray,
    b: FloatArray,
    sw: FloatArray | None,
) -> FloatArray:
    """Σ sᵢ log1p(e^{mᵢ}) on the whole grid for rows whose margin is always below -12.

    There ``log1p(t) = t − t²/2 + t³/3`` to within t⁴/4 < 1e-16·t, and each power
    factorizes, ``e^{k·m} = e^{k·m₀}·e^{k·a·u}·e^{k·b·v}``, so each sum over the
    rows is one matrix product (n_b, n) @ (n, n_a). All terms are positive: the
    sums are accurate relative to themselves.
    """
    s = np.ones(m0.size) if sw is None else sw
    out = np.zeros((b.size, a.size))
    # Products this small run single-threaded in OpenBLAS (m·n·k below its threading
    # threshold): threads contending for a busy machine cost more than the flops.
    chunk = max(8, _SINGLE_THREAD_GEMM // (a.size * b.size))
    for k, sign in ((1, 1.0), (2, -0.5), (3, 1.0 / 3.0)):
        ea = np.exp(k * np.multiply.outer(u, a))  # (n, n_a)
        ea *= (s * np.exp(k * m0))[:, None]
        ebt = np.exp(k * np.multiply.outer(b, v))  # (n_b, n)
        power = np.zeros((b.size, a.size))
        for start in range(0, m0.size, chunk):
            stop = start + chunk
            power += ebt[:, start:stop] @ ea[start:stop]
        out += sign * power
    return out


def _binary_rows_log1p(
    m0: FloatArray,
    u: FloatArray,
    v: FloatArray,
    a: FloatArray,
    b: FloatArray,
    sw: FloatArray,
) -> FloatArray:
    """Σ sᵢ log1p(e^{mᵢ}) on the grid rows ``b`` with ``e^m = e^{m₀ + b·v}·e^{a·u}``.

    Every term is positive and carries a relative error of about ε·(3 + |m₀| +
    |a·u| + |b·v|) (the rounding of the exponentials' arguments), so the sums are
    accurate relative to themselves however small the losses are. Needs
    ``|m| <= _MAX_FACTORED_MARGIN`` so that no factor overflows.
    """
    n = m0.size
    uniform = n == 0 or bool(np.all(sw == sw[0]))
    out = np.zeros((b.size, a.size))
    block = max(_MIN_BLOCK, min(_MAX_BLOCK, _GRID_ENTRIES_PER_BLOCK // (a.size * b.size)))
    buf = np.empty((block, b.size, a.size))
    for start in range(0, n, block):
        stop = min(n, start + block)
        nb = stop - start
        ea = np.exp(np.multiply.outer(u[start:stop], a))  # (nb, n_a)
        eb = np.exp(m0[start:stop, None] + np.multiply.outer(v[start:stop], b))  # (nb, n_b)
        terms = buf[:nb]
        np.multiply(eb[:, :, None], ea[:, None, :], out=terms)
        np.log1p(terms, out=terms)
        if not uniform:  # weights in place (a BLAS product here would be threaded)
            terms *= sw[start:stop, None, None]
        out += terms.sum(axis=0)
    if uniform:
        out *= float(sw[0])
    return out


def _binary_row_exact(
    m0: FloatArray, u: FloatArray, v: FloatArray, a: FloatArray, b: float, sw: FloatArray | None
) -> FloatArray:
    """One grid row term by term, as the loss pass computes it; shape (n_a,)."""
    total = np.zeros(a.size)
    n = m0.size
    for start in range(0, n, _BLOCK_POINTS):
        sl = slice(start, min(n, start + _BLOCK_POINTS))
        m = np.multiply.outer(a, u[sl])
        m += m0[sl] + b * v[sl]
        e = np.abs(m)
        np.negative(e, out=e)
        np.exp(e, out=e)
        np.log1p(e, out=e)
        np.maximum(m, 0.0, out=m)
        m += e
        total += m.sum(axis=1) if sw is None else m @ sw[sl]
    return total


def _binary_grid_factored(
    m0: FloatArray, u: FloatArray, v: FloatArray, a: FloatArray, b: FloatArray
) -> FloatArray:
    """Σ log(1 + e^{m}) for every grid point through chunked products (unweighted).

    With ``m = m₀ + a·u + b·v``, ``1 + e^m = e^{m₀ + b·v}·(e^{a·u} + e^{−(m₀ + b·v)})``:
    the first factor's logarithm sums in closed form over the rows, the second is
    one addition per grid point and row, multiplied up in chunks of ``k`` rows
    and logged once per chunk. A row's factors lie in [e^{−Lᵢ}, 2·e^{Lᵢ}] with
    ``Lᵢ = |m₀ᵢ| + max|a|·|uᵢ| + max|b|·|vᵢ|``; the rows are taken in order of
    ``Lᵢ`` so that each block can use the longest chunk that stays finite and
    normal (most rows lie near the centre of the data: chunks of 64).
    """
    n = m0.size
    reach = np.abs(m0) + float(np.max(np.abs(a))) * np.abs(u) + float(np.max(np.abs(b))) * np.abs(v)
    order = np.argsort(reach)
    m0, u, v, reach = m0[order], u[order], v[order], reach[order]
    out = np.outer(b, np.full(a.size, float(np.sum(v))))
    out += float(np.sum(m0))
    block = _GRID_ENTRIES_PER_BLOCK // (a.size * b.size)
    block = max(_MIN_BLOCK, min(_MAX_BLOCK, 1 << max(block, 1).bit_length() - 1))
    buf = np.empty((block, b.size, a.size))
    for start in range(0, n, block):
        stop = min(n, start + block)
        nb = stop - start
        per_factor = float(reach[stop - 1]) + 1.0
        levels = 0
        while (1 << (levels + 1)) <= block and (1 << (levels + 1)) * per_factor <= _LOG_MAX:
            levels += 1
        k = 1 << levels
        width = -(-nb // k) * k
        ea = np.exp(np.multiply.outer(u[start:stop], a))
        ieb = np.exp(-(m0[start:stop, None] + np.multiply.outer(v[start:stop], b)))
        chunk = buf[:width]
        np.add(ieb[:, :, None], ea[:, None, :], out=chunk[:nb])
        chunk[nb:] = 1.0  # padding rows: factors of 1
        h = width
        for _ in range(levels):
            h //= 2
            np.multiply(chunk[:h], chunk[h : 2 * h], out=chunk[:h])
        out += np.log(chunk[:h]).sum(axis=0)
    return out


def _multinomial_grid(
    objective: Objective,
    base: FloatArray,
    X: FloatArray,
    y: FloatArray,
    sw: FloatArray | None,
    i: int,
    j: int,
    a: FloatArray,
    b: FloatArray,
) -> FloatArray:
    """Σ sᵢℓᵢ at every grid point for the softmax model, term by term; shape (n_b, n_a)."""
    Z0 = objective.model.raw_prediction(base, X)  # (n, K)
    ci, u = _design_column(objective, X, i)
    cj, v = _design_column(objective, X, j)
    labels = np.asarray(y).astype(np.intp)
    n = X.shape[0]
    out = np.zeros((b.size, a.size))
    for start in range(0, n, _BLOCK_POINTS):
        sl = slice(start, min(n, start + _BLOCK_POINTS))
        rows = np.arange(sl.stop - sl.start)
        lab = labels[sl]
        for r in range(b.size):
            Zr = Z0[sl].copy()
            Zr[:, cj] += b[r] * v[sl]
            Z = np.broadcast_to(Zr, (a.size, *Zr.shape)).copy()
            Z[:, :, ci] += np.multiply.outer(a, u[sl])
            losses = logsumexp(Z, axis=2) - Z[:, rows, lab]
            out[r] += losses.sum(axis=1) if sw is None else losses @ sw[sl]
    return out
