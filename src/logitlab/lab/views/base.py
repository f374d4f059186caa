"""What every view is given, and the one shape every view has.

A *view* turns the experiment's state, plus what this frame has already
computed (:class:`FrameInputs`: the scores z and p̂, the objective, the
confusion at τ), into one typed payload: one field of
:class:`~logitlab.lab.protocol.Frame`, drawn by one ES module in ``static/``.

A view that is costly, or whose payload is bulky, names the part of the state
it depends on (:meth:`LabView.key`): while that key is unchanged the view is
not computed again. An *incremental* view then sends None ("unchanged, keep
what you have"); any other view repeats its last payload. Views are created
per session (:func:`logitlab.lab.views.make_views`), so each remembers what
its own page was sent.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar, Generic, Literal, TypeVar

import numpy as np

from logitlab.core.link import softplus_and_sigmoid
from logitlab.core.metrics import Confusion, confusion_at
from logitlab.core.types import FloatArray
from logitlab.lab.experiment import Experiment
from logitlab.lab.protocol import PageName, RowsName, View

P = TypeVar("P")

ALL_PAGES: frozenset[PageName] = frozenset({"lab", "roc"})


def finite(v: float) -> float | None:
    """``v`` as a float, or None when it is not finite (JSON has no NaN)."""
    return float(v) if math.isfinite(v) else None


@dataclass(frozen=True)
class Scores:
    """The model on the current points: one pass over the data per frame, shared by views."""

    z: FloatArray
    """wᵀx + b per point, shape (n_points,)."""
    p: FloatArray
    """p̂ = σ(z) per point, shape (n_points,)."""
    log_loss: float
    """Mean cross-entropy on the training points (NaN without points)."""
    objective: float | None
    """Log loss + penalty (None without points or when not finite)."""
    separated: bool
    """True when the boundary z = 0 puts every training point on its own class's side."""
    test_log_loss: float | None = None
    """Mean cross-entropy on the test points (None without a split; issue 14)."""


class FrameInputs:
    """One frame's inputs: the experiment and the page, plus values computed once on demand.

    Parameters
    ----------
    experiment : Experiment
        The session's state (read only).
    page : {"lab", "roc"}
        The page being drawn.
    curve_width : int
        Pixel columns of the loss chart.
    """

    def __init__(self, experiment: Experiment, page: PageName, curve_width: int) -> None:
        self.experiment = experiment
        self.page = page
        self.curve_width = curve_width
        c = experiment.coef
        # w₀, w₁: the weights of x and y; b: the intercept (the last entry at any degree).
        self.w0, self.w1, self.b = float(c[0]), float(c[1]), float(c[-1])
        self.coef_key = tuple(c.tolist())
        """Every coefficient, hashable (a view's key when it depends on the model)."""
        self._confusions: dict[RowsName, Confusion | None] = {}
        self.weight_norm = (
            math.hypot(self.w0, self.w1) if c.size == 3 else float(np.linalg.norm(c[:-1]))
        )
        """‖w‖ over every weight (not b)."""

    @functools.cached_property
    def window(self) -> View:
        """The part of the plane the data chart shows."""
        return self.experiment.window()

    @functools.cached_property
    def scores(self) -> Scores:
        exp = self.experiment
        pts = exp.points
        if not pts.n:
            empty = np.empty(0)
            return Scores(z=empty, p=empty, log_loss=math.nan, objective=None, separated=False)
        z = exp.design() @ exp.coef[:-1] + exp.coef[-1]
        sp, p = softplus_and_sigmoid(z)
        losses = sp - pts.y * z
        y, zt, test_log_loss = pts.y, z, None
        if exp.has_split():  # training numbers on the training points (issue 14)
            train = exp.rows("train")
            y, zt = y[train], z[train]
            test_log_loss = finite(float(np.mean(losses[~train])))
            losses = losses[train]
        log_loss = float(np.mean(losses))
        value = log_loss + exp.objective().penalty.value(exp.coef[:-1])
        separated = bool(np.all((zt > 0) == (y > 0.5)) and np.all(zt != 0))
        return Scores(
            z=z,
            p=p,
            log_loss=log_loss,
            objective=finite(value),
            separated=separated,
            test_log_loss=test_log_loss,
        )

    @functools.cached_property
    def confusion(self) -> Confusion | None:
        """Counts and rates of the rule p̂ ≥ τ on the training points (None without points)."""
        return self.confusion_of("train")

    def confusion_of(self, which: RowsName) -> Confusion | None:
        """Counts and rates of the rule p̂ ≥ τ on the training or test points (issue 14);
        None without such points."""
        if which not in self._confusions:
            exp = self.experiment
            y, p = exp.points.y, self.scores.p
            if exp.has_split():
                rows = exp.rows(which)
                y, p = y[rows], p[rows]
            elif which == "test":
                y = y[:0]
            self._confusions[which] = confusion_at(y, p, exp.view_spec.tau) if y.size else None
        return self._confusions[which]


_UNSET = object()


class LabView(Generic[P]):
    """One view: the payload of one :class:`~logitlab.lab.protocol.Frame` field.

    Subclasses set :attr:`field` and implement :meth:`compute`; a costly one also
    implements :meth:`key`.
    """

    field: ClassVar[str]
    """The Frame field this view fills (its ES module reads the same name)."""
    pages: ClassVar[frozenset[PageName]] = ALL_PAGES
    """Pages that receive this view; on others the field keeps its default."""
    incremental: ClassVar[bool] = False
    """True: the field is None when unchanged since this page's previous frame."""
    dedupe: ClassVar[bool] = False
    """True (incremental views): a recomputed payload equal to the last one is not sent."""
    timing: ClassVar[Literal["field", "metrics"]] = "metrics"
    """Which part of :class:`~logitlab.lab.session.FrameTiming` its time counts in."""

    def __init__(self) -> None:
        self._key: object = _UNSET
        self._last: P | None = None

    def key(self, inputs: FrameInputs) -> Hashable | None:
        """What the payload depends on; None: compute it every frame."""
        return None

    def compute(self, inputs: FrameInputs) -> P:
        raise NotImplementedError

    def payload(self, inputs: FrameInputs) -> P | None:
        """This frame's payload (None for "unchanged" when :attr:`incremental`)."""
        key = self.key(inputs)
        if key is not None and key == self._key:
            return None if self.incremental else self._last
        value = self.compute(inputs)
        self._key = _UNSET if key is None else key
        if self.incremental and self.dedupe and value is not None and value == self._last:
            return None
        self._last = value
        return value

    def resend(self) -> None:
        """Forget what was sent: the next payload is computed and sent in full."""
        self._key = _UNSET
        self._last = None
