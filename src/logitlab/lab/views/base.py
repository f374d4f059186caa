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

from logitlab.core.link import logsumexp, softplus_and_sigmoid
from logitlab.core.metrics import Confusion, confusion_at
from logitlab.core.multiclass_metrics import ClassScores, confusion_matrix, per_class_scores
from logitlab.core.types import FloatArray, IntArray
from logitlab.lab import multiclass as mc
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
    proba: FloatArray | None = None
    """K > 2 classes (issue 14, part 3): softmax probabilities, shape (n_points, K); ``p``
    is then the most probable class's probability and ``z`` its score."""


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
        self._class_scores: dict[RowsName, tuple[IntArray, ClassScores] | None] = {}
        self.n_classes = experiment.n_classes
        """K (issue 14, part 3); two-class-only views send None when it is above 2."""
        self.weight_norm = (
            math.hypot(self.w0, self.w1)
            if c.size == 3
            else float(np.linalg.norm(mc.coef_rows(c, experiment.n_classes)[:, :-1]))
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
        if exp.n_classes > 2:  # issue 14, part 3
            return self._multiclass_scores()
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

    def _multiclass_scores(self) -> Scores:
        """:attr:`scores` with K > 2 classes (issue 14, part 3)."""
        exp = self.experiment
        Z = mc.scores(exp.design(), exp.coef, exp.n_classes)
        lse = logsumexp(Z, axis=1)
        P = np.exp(Z - lse[:, None])
        y = exp.points.y.astype(np.intp)
        losses = lse - Z[np.arange(y.size), y]
        pred = np.argmax(Z, axis=1)
        top = Z[np.arange(y.size), pred]
        right, test_log_loss = pred == y, None
        if exp.has_split():
            train = exp.rows("train")
            test_log_loss = finite(float(np.mean(losses[~train])))
            losses, right = losses[train], right[train]
        log_loss = float(np.mean(losses))
        objective = exp.objective()
        value = log_loss + objective.penalty.value(exp.coef[objective.penalized])
        return Scores(
            z=top,
            p=P[np.arange(y.size), pred],
            log_loss=log_loss,
            objective=finite(value),
            separated=bool(np.all(right)),
            test_log_loss=test_log_loss,
            proba=P,
        )

    def class_scores(self, which: RowsName) -> tuple[IntArray, ClassScores] | None:
        """K > 2 classes (issue 14, part 3): the confusion matrix and per-class scores of
        the rule "the most probable class" on the training or test points (None without
        such points)."""
        if which not in self._class_scores:
            exp = self.experiment
            y, P = exp.points.y, self.scores.proba
            if P is None:  # no points
                self._class_scores[which] = None
                return None
            if exp.has_split():
                rows = exp.rows(which)
                y, P = y[rows], P[rows]
            elif which == "test":
                y = y[:0]
            out = None
            if y.size:
                m = confusion_matrix(y, np.argmax(P, axis=1), exp.n_classes)
                out = (m, per_class_scores(m))
            self._class_scores[which] = out
        return self._class_scores[which]

    @functools.cached_property
    def confusion(self) -> Confusion | None:
        """Counts and rates of the rule p̂ ≥ τ on the training points (None without points)."""
        return self.confusion_of("train")

    def confusion_of(self, which: RowsName) -> Confusion | None:
        """Counts and rates of the rule p̂ ≥ τ on the training or test points (issue 14);
        None without such points."""
        if which not in self._confusions:
            exp = self.experiment
            if exp.n_classes > 2:  # no threshold rule with K > 2 classes (issue 14)
                self._confusions[which] = None
                return None
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
    two_class_only: ClassVar[bool] = False
    """True: the view has no meaning with K > 2 classes and sends None then (the page
    says the view is for two classes; issue 14, part 3)."""

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
        if self.two_class_only and inputs.n_classes > 2:  # issue 14, part 3
            self.resend()
            return None
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
