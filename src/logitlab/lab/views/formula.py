"""The model with its numbers: the live formula (MathML) and the unrounded weights.

``static/formula.js`` shows the formula through ``dom.js``'s ``setMarkup``, which writes
new numbers into the text nodes in place (the markup changes only when a sign or an
exponent does); ``static/params.js`` shows the weights in the sliders and boxes.
"""

from __future__ import annotations

from logitlab.lab import mathml
from logitlab.lab.feature_math import polynomial_formula, softmax_formula
from logitlab.lab.protocol import Coefficients, ModelSpec
from logitlab.lab.views.base import FrameInputs, LabView


class ModelMathView(LabView[str]):
    field = "model_math"

    def compute(self, inputs: FrameInputs) -> str:
        exp = inputs.experiment
        if exp.n_classes > 2:  # the softmax form (issue 14, part 3)
            names = (*exp.feature_map().names, "b")
            return softmax_formula(names, exp.coef.tolist(), exp.n_classes, exp.standardize)
        if exp.degree == 1:
            return mathml.model_formula(inputs.w0, inputs.w1, inputs.b)
        names = exp.coef_names()
        return polynomial_formula(names, exp.coef.tolist(), exp.standardize)  # issue 14


class TrueWeightsView(LabView[ModelSpec]):
    field = "true_weights"

    def compute(self, inputs: FrameInputs) -> ModelSpec:
        return inputs.experiment.model_spec(construct=True)


class CoefficientsView(LabView[Coefficients]):
    """Every coefficient by name, for the Parameters panel (issue 14)."""

    field = "coefficients"

    def compute(self, inputs: FrameInputs) -> Coefficients:
        exp = inputs.experiment
        return Coefficients.model_construct(
            names=list(exp.coef_names()), values=exp.coef.tolist(), standardized=exp.standardize
        )
