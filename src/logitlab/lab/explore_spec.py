"""The state behind the loss landscape, the optimizer race and replay (issue 15, 1-3).

Kept apart from :mod:`logitlab.lab.explore` (the commands, which take an
:class:`~logitlab.lab.experiment.Experiment`) so that the experiment can hold an
:class:`Explore` without importing the commands: no import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logitlab.core.race import OptimizerRace
from logitlab.core.types import FloatArray
from logitlab.lab.curve import LossHistory
from logitlab.lab.weights import WeightHistory


@dataclass
class Resumed:
    """What "Resume from here" replaced, for "Restore later steps"."""

    coef: FloatArray
    steps: int
    weights: WeightHistory
    history: LossHistory
    test_history: LossHistory


@dataclass
class Explore:
    """Landscape, race and replay state of one experiment (not part of ``LabState``)."""

    landscape_wanted: bool = False
    """True while the page shows the landscape panel."""
    axes: tuple[int, int] = (0, 1)
    """The landscape's two coefficients (indices into ``coef``)."""
    weights: WeightHistory = field(default_factory=WeightHistory)
    replay_step: int | None = None
    """The step shown by the replay slider (None: the live model)."""
    live: FloatArray | None = None
    """The live weights while replaying."""
    resumed: Resumed | None = None
    race: OptimizerRace | None = None
    race_version: int = 0

    def start_over(self) -> None:
        """New data or reset weights: no history, no replay, no race."""
        self.weights = WeightHistory()
        self.replay_step = None
        self.live = None
        self.resumed = None
        self.race = None
        self.race_version += 1

    def race_running(self) -> bool:
        race = self.race
        return race is not None and not race.all_reached and race.n_steps < race.max_steps
