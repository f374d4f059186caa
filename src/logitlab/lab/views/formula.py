"""The model with its numbers: the live formula (MathML) and the unrounded weights.

``static/formula.js`` shows the formula through ``dom.js``'s ``setMarkup``, which writes
new numbers into the text nodes in place (the markup changes only when a sign or an
exponent does); ``static/params.js`` shows the weights in the sliders and boxes.
"""

from __future__ import annotations

from logitlab.lab import mathml
from logitlab.lab.protocol import ModelSpec
from logitlab.lab.views.base import FrameInputs, LabView


class ModelMathView(LabView[str]):
    field = "model_math"

    def compute(self, inputs: FrameInputs) -> str:
        return mathml.model_formula(inputs.w0, inputs.w1, inputs.b)


class TrueWeightsView(LabView[ModelSpec]):
    field = "true_weights"

    def compute(self, inputs: FrameInputs) -> ModelSpec:
        steps = inputs.experiment.steps
        return ModelSpec.model_construct(w0=inputs.w0, w1=inputs.w1, b=inputs.b, steps=steps)
