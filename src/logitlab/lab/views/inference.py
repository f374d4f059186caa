"""The Inference view: ``summary()``'s table for the current weights, when they are the optimum.

The numbers are :func:`logitlab.core.inference.infer_state` on the current points
and weights, formatted by the same cells the library's text table uses
(``coefficient_cells``), so they match ``LogisticRegression.summary()`` on the same
points digit for digit. They are shown only at the optimum
(:func:`logitlab.lab.trust.optimum`, decided by the gradient). With separated points
and no penalty (the current line separates them, or, off the optimum,
:func:`logitlab.lab.trust.separation` finds them completely or quasi-completely
separated) the view gives ``summary()``'s own note instead. Drawn by
``static/inference.js``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from logitlab.core.inference import _notes as summary_notes  # summary()'s own words
from logitlab.core.inference import coefficient_cells, coefficient_header
from logitlab.core.separation import Separation
from logitlab.lab.protocol import CoefChange, InferencePayload, InferenceRow
from logitlab.lab.training import lab_penalty
from logitlab.lab.trust import inference, one_class, optimum, separation, unbounded
from logitlab.lab.views.base import FrameInputs, LabView

COLUMNS = 6
"""estimate, std err, z, P>|z|, and the interval's two ends (the odds ratio is left out)."""


def se_kind(exp_training: object, penalty_alpha: float, l1: float) -> str:
    """Which standard error the table shows and what it means under the current penalty.

    "nonrobust" is the name ``summary()`` gives them (its Covariance line).
    """
    if penalty_alpha == 0.0:
        return (
            "Standard errors: nonrobust, as summary() names them: the inverse Fisher "
            "information at the maximum-likelihood estimate, as statsmodels' Logit reports them."
        )
    if l1 > 0.0:
        return (
            "No standard errors under an L1 part: the penalty has a kink at 0, where "
            "the information is not defined (summary() reports none either)."
        )
    return (
        "Standard errors under L2: nonrobust, as summary() names them, from the inverse of "
        "the penalized information (the data's curvature plus the penalty's). Under a "
        "penalty they describe the spread of the shrunk estimate, like the width of a "
        "Bayesian posterior under a Gaussian prior, not the sampling spread of the "
        "unpenalized estimate: the intervals are centred on estimates shrunk toward 0 and "
        "cover less than 95 % of true values when the shrinkage is strong."
    )


def _empty(state: str, message: str, kind: str) -> InferencePayload:
    return InferencePayload(
        state=state,
        message=message,
        header=[],
        rows=[],
        stats=[],
        notes=[],
        se_kind=kind,
    )


class InferenceView(LabView[InferencePayload]):
    two_class_only = True  # issue 14, part 3
    field = "inference"
    pages = frozenset({"lab"})

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        return (exp.model_key(), exp.coef.tobytes(), exp.training)

    def compute(self, inputs: FrameInputs) -> InferencePayload:
        exp = inputs.experiment
        penalty = lab_penalty(exp.training)
        kind = se_kind(exp.training, penalty.alpha, penalty.l1)
        if exp.points.n < 2 or one_class(exp):
            return _empty("empty", "Inference needs points of both classes.", kind)
        # No finite optimum: the current line separates the points, or (off the optimum,
        # without a penalty) core.separation finds them separated, as summary() would.
        found: Separation | None = "complete" if unbounded(exp, inputs.scores.separated) else None
        opt = None
        if found is None:
            opt = optimum(exp, inputs.scores.p)
            if not opt.at_optimum and penalty.alpha == 0.0:
                found = separation(exp)
        if found is not None:
            # summary()'s own words for a separated, unpenalized fit.
            notes = list(
                summary_notes(found, penalized=False, C=math.inf, l1_ratio=0.0, singular=False)
            )
            return InferencePayload(
                state="separated",
                message=notes[0] if notes else "The classes are separated.",
                header=[],
                rows=[],
                stats=[],
                notes=[],  # the message is the note
                se_kind="",
            )
        assert opt is not None
        if not opt.at_optimum:
            return _empty(
                "not-optimal",
                "These numbers describe the optimum, and the current weights are not there "
                f"yet (the log-likelihood is about {opt.gap:.2g} below its best, by the "
                "gradient). Train until the loss is flat: Newton gets there in a few steps.",
                kind,
            )
        result = inference(exp)
        block = result.blocks[0]
        # The table lists the intercept first; the Lab lists w₀, w₁, …, b.
        order = [*range(1, len(block.names)), 0]
        names = exp.coef_names()
        rows = [
            InferenceRow(name=names[k], cells=coefficient_cells(block, j)[:COLUMNS])
            for k, j in enumerate(order)
        ]
        stats = [
            CoefChange(name="log-likelihood", value=f"{result.log_likelihood:.4f}"),
            CoefChange(name="AIC", value=f"{result.aic:.4f}"),
            CoefChange(name="BIC", value=f"{result.bic:.4f}"),
        ]
        return InferencePayload(
            state="ok",
            message="",
            header=coefficient_header(result.confidence)[:COLUMNS],
            rows=rows,
            stats=stats,
            notes=list(result.notes),
            se_kind=kind,
        )
