"""The Lab's views: one module per view, one registration line each (:data:`VIEWS`).

Each view computes one field of :class:`~logitlab.lab.protocol.Frame` from the
experiment and what the frame has already computed (:class:`~.base.FrameInputs`),
and one ES module in ``static/`` draws it. To add a view: write a
:class:`~.base.LabView` subclass in a new module here, a ``Frame`` field for its
payload in ``protocol.py``, an ES module with ``update(frame)``, and add the class
below. The session knows no view's internals: it asks each one for its payload.

======================  =================  ===============================================
Frame field             Python (views/)    drawn by (static/)
======================  =================  ===============================================
view, points, field     data.py            data-chart.js (chart-tools.js: Fit view, Undo)
boundary, half_line     boundary.py        data-chart.js
metrics                 stats.py           stats.js (tiles), evaluate.js (τ, confusion)
penalty_note            stats.py           hyper.js
curve                   loss_curve.py      loss-chart.js
divergence              divergence.py      banner.js (in the chart panel, under the chart)
model_math              formula.py         formula.js (numbers rewritten in place)
true_weights            formula.py         params.js (w₀, w₁, b), main.js (PNG caption)
roc                     roc.py             roc-curves.js, roc-hist.js, roc-panel.js
calibration             calibration.py     calibration.js
inspector               inspector.py       inspector.js (panel), chart-trust.js (arrow, ghost)
influence               influence.py       chart-trust.js (marker sizes)
inference               inference.py       inference.js
band                    band.py            chart-trust.js (band on the data chart)
regpath                 regpath.py         regpath.js (issue 15: regularization path)
exact_fit               regpath.py         stats.js (steps stat reads "exact fit")
code                    code.py            code.js ("Copy as … code", snippets.py)
contours                contours.py        data-chart.js (boundary curves at degree > 1)
coefficients            formula.py         coefs.js (every coefficient, degree > 1)
multiclass              multiclass.py      multiclass.js, roc-multi.js (K > 2 classes)
landscape               landscape.py       landscape.js (issue 15: loss landscape grid)
landscape_path          landscape.py       landscape.js (the optimizer's path on it)
race                    landscape.py       landscape.js, race.js (optimizer race)
replay                  landscape.py       replay.js (the replay step slider)
======================  =================  ===============================================
"""

from __future__ import annotations

from typing import Any

from logitlab.lab.views.band import BandView
from logitlab.lab.views.base import FrameInputs, LabView
from logitlab.lab.views.boundary import BoundaryView, HalfLineView
from logitlab.lab.views.calibration import CalibrationView
from logitlab.lab.views.code import CodeView
from logitlab.lab.views.contours import ContourView  # issue 14
from logitlab.lab.views.data import FieldView, PointsView, WindowView
from logitlab.lab.views.divergence import DivergenceView
from logitlab.lab.views.formula import (
    CoefficientsView,  # issue 14
    ModelMathView,
    TrueWeightsView,
)
from logitlab.lab.views.inference import InferenceView
from logitlab.lab.views.influence import InfluenceView
from logitlab.lab.views.inspector import InspectorView
from logitlab.lab.views.landscape import (  # issue 15, branch landscape
    LandscapePathView,
    LandscapeView,
    RaceView,
    ReplayView,
)
from logitlab.lab.views.loss_curve import CurveView
from logitlab.lab.views.multiclass import MulticlassView  # issue 14, part 3
from logitlab.lab.views.regpath import ExactFitView, RegPathView
from logitlab.lab.views.roc import RocView
from logitlab.lab.views.stats import MetricsView, PenaltyNoteView

__all__ = ["VIEWS", "FrameInputs", "LabView", "make_views"]

VIEWS: tuple[type[LabView[Any]], ...] = (
    WindowView,
    PointsView,
    FieldView,
    BoundaryView,
    HalfLineView,
    MetricsView,
    PenaltyNoteView,
    CurveView,
    DivergenceView,
    ModelMathView,
    TrueWeightsView,
    RocView,
    # Trust views (issue 16).
    CalibrationView,
    InspectorView,
    InfluenceView,
    InferenceView,
    BandView,
    RegPathView,  # issue 15, branch regpath
    ExactFitView,  # issue 15, branch regpath
    CodeView,  # issue 15, branch regpath
    ContourView,  # issue 14
    CoefficientsView,  # issue 14
    MulticlassView,  # issue 14, part 3
    LandscapeView,  # issue 15, branch landscape
    LandscapePathView,  # issue 15, branch landscape
    RaceView,  # issue 15, branch landscape
    ReplayView,  # issue 15, branch landscape
)
"""Every view, in the order a frame computes them."""


def make_views() -> list[LabView[Any]]:
    """A fresh set of views for one session (each remembers what its page was sent)."""
    return [cls() for cls in VIEWS]
