"""The code snippet the page asked for ("Copy as scikit-learn / logitlab code"; ``static/code.js``).

Written by :func:`logitlab.lab.snippets.snippet`; sent after a ``show_code`` command
and again whenever the points or the penalty change while the box shows it.
"""

from __future__ import annotations

from collections.abc import Hashable

from logitlab.lab.protocol import CodePayload
from logitlab.lab.snippets import snippet
from logitlab.lab.views.base import FrameInputs, LabView


class CodeView(LabView[CodePayload | None]):
    two_class_only = True  # issue 14, part 3
    field = "code"
    pages = frozenset({"lab"})
    incremental = True
    dedupe = True

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        t = exp.training
        return (exp.code_flavor, exp.model_key(), t.penalty, t.lam, t.l1_ratio)

    def compute(self, inputs: FrameInputs) -> CodePayload | None:
        flavor = inputs.experiment.code_flavor
        if flavor is None:
            return None
        return CodePayload(flavor=flavor, text=snippet(inputs.experiment, flavor))
