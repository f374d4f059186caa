"""The Point inspector: the selected point's p̂, loss term, share, pull and leave-one-out refit.

Every number comes from :mod:`logitlab.core.influence` (``inspect_point``,
``boundary_pull``, ``leave_one_out``). The leave-one-out refit starts from the
exact fit of the current objective (:func:`logitlab.lab.trust.exact_fit`), so
"the change in every coefficient" compares two exact fits whatever the current
weights are. Its boundary is contoured on a grid of the window through
``Experiment.features`` (a ghost line on the chart). Drawn by
``static/inspector.js`` (panel) and ``static/chart-trust.js`` (arrow, ghost).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import numpy as np

from logitlab.core.influence import boundary_pull, inspect_point, leave_one_out
from logitlab.core.objective import Objective
from logitlab.lab.experiment import Experiment
from logitlab.lab.geometry import flat_segments, grid_points, window_contour
from logitlab.lab.protocol import CoefChange, InspectorPayload, Polyline, Segment, View
from logitlab.lab.trust import exact_fit
from logitlab.lab.views.base import FrameInputs, LabView
from logitlab.lab.views.boundary import logit

ARROW_CAP = 0.25
"""The pull arrow is at most this share of the window's width long."""


def signed(v: float) -> str:
    """A coefficient change: 4 significant digits with its sign (e-notation when tiny)."""
    if not math.isfinite(v):
        return "—"
    if v == 0.0:
        return "0"
    text = f"{v:+.3e}" if abs(v) < 1e-3 or abs(v) >= 1e5 else f"{v:+.4g}"
    return text.replace("-", "−")


def ghost_boundary(exp: Experiment, coef: np.ndarray, tau: float, view: View) -> Polyline | None:
    """The line p̂ = τ of ``coef``, as contour segments of z on a grid of ``view``."""
    level = logit(tau)
    if not math.isfinite(level):
        return None
    xs, ys, pts = grid_points(view)
    z = (exp.features(pts) @ coef[:-1] + coef[-1]).reshape(ys.size, xs.size)
    seg = window_contour(z, view, level)
    return Polyline(xy=flat_segments(seg)) if seg.size else None


class InspectorView(LabView[InspectorPayload | None]):
    two_class_only = True  # issue 14, part 3
    field = "inspector"
    pages = frozenset({"lab"})

    def __init__(self) -> None:
        super().__init__()
        self._loo: tuple[Hashable, Any] | None = None

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        w = inputs.window
        return (
            exp.model_key(),
            exp.coef.tobytes(),
            exp.trust.selected,
            exp.objective().penalty,
            exp.view_spec.tau,
            (w.xmin, w.xmax, w.ymin, w.ymax),
        )

    def compute(self, inputs: FrameInputs) -> InspectorPayload | None:
        exp = inputs.experiment
        i = exp.trust.selected
        if i is None or i >= exp.points.n:
            return None
        obj = exp.objective()
        coef = exp.coef
        names = exp.coef_names()
        x, y = (float(v) for v in exp.points.X[i])
        cls = int(exp.points.y[i])
        tau = exp.view_spec.tau
        row = exp.train_index(i)
        if row is None:  # a test point (issue 14's split): the fit does not use it
            alone = Objective(exp.design()[i : i + 1], exp.points.y[i : i + 1])
            report = inspect_point(alone, coef, 0)
            share = None
            gradient = [CoefChange(name=n, value="—") for n in names]
            arrow = None
            loo: list[CoefChange] = []
            note = (
                "A test point: the fit does not use it, so it pulls on nothing and "
                "leaving it out changes nothing."
            )
            ghost = None
        else:
            report = inspect_point(obj, coef, row)
            share = report.share if math.isfinite(report.share) else None
            gradient = [
                CoefChange(name=n, value=signed(float(g)))
                for n, g in zip(names, report.gradient, strict=True)
            ]
            arrow = self._arrow(inputs, report.gradient, tau)
            loo, note, ghost = self._leave_one_out(inputs, row, i)
        return InspectorPayload(
            index=i,
            x=x,
            y=y,
            cls=cls,
            p=float(report.probability[0]),
            loss=report.loss,
            share=share,
            gradient=gradient,
            arrow=arrow,
            loo=loo,
            loo_note=note,
            ghost=ghost,
        )

    def _arrow(self, inputs: FrameInputs, gradient: np.ndarray, tau: float) -> Segment | None:
        """foot → foot + (boundary velocity under −∇ℓᵢ): a unit step on this point alone.

        The step size is 1 whatever the optimizer (the Lab's η would make most arrows
        too short to see); the arrow is capped at :data:`ARROW_CAP` of the window.
        """
        exp = inputs.experiment
        i = exp.trust.selected
        assert i is not None
        xy = exp.points.X[i : i + 1]
        feats = exp.features(xy)[0]
        if feats.shape != (2,) or not (0.0 < tau < 1.0):
            return None  # a feature map: the boundary near the point is not this line
        per_point = gradient * exp.objective().n_samples  # ∇ℓᵢ (the view shows ∇ℓᵢ/N)
        try:
            pull = boundary_pull(exp.coef, -per_point, feats, tau=tau)
        except ValueError:
            return None
        move = pull.velocity
        w = inputs.window
        cap = ARROW_CAP * (w.xmax - w.xmin)
        length = float(np.hypot(*move))
        if not math.isfinite(length):
            return None
        if length > cap:
            move = move * (cap / length)
        fx, fy = (float(v) for v in pull.foot)
        return Segment(x1=fx, y1=fy, x2=fx + float(move[0]), y2=fy + float(move[1]))

    def _leave_one_out(
        self, inputs: FrameInputs, i: int, point: int
    ) -> tuple[list[CoefChange], str, Polyline | None]:
        """Refit without training row ``i``; the note names the point as the page does
        (``point``: its index among all points; with a split the two differ)."""
        exp = inputs.experiment
        w = inputs.window
        obj = exp.objective()
        key = (
            exp.model_key(),
            obj.penalty,
            i,
            point,
            exp.view_spec.tau,
            (w.xmin, w.xmax, w.ymin, w.ymax),
        )
        if self._loo is not None and self._loo[0] == key:
            return self._loo[1]  # type: ignore[no-any-return]
        fit = exact_fit(exp)
        out: tuple[list[CoefChange], str, Polyline | None]
        if fit.coef is None:
            out = ([], f"No leave-one-out refit: {fit.reason}.", None)
        elif obj.n_samples < 2:
            out = ([], "No leave-one-out refit: it needs at least two points.", None)
        else:
            try:
                result = leave_one_out(obj, fit.coef, i)
            except ValueError as exc:
                out = ([], f"No leave-one-out refit: {exc}.", None)
            else:
                changes = [
                    CoefChange(name=n, value=signed(float(d)))
                    for n, d in zip(exp.coef_names(), result.delta, strict=True)
                ]
                done = "converged" if result.converged else "did not converge"
                note = (
                    f"Exact refit without point {point + 1} minus the exact fit with it "
                    f"(Newton from the full fit, {result.n_iter} iterations, {done})."
                )
                out = (changes, note, ghost_boundary(exp, result.coef, exp.view_spec.tau, w))
        self._loo = (key, out)
        return out

    def resend(self) -> None:
        super().resend()
        self._loo = None
