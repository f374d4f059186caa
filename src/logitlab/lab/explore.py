"""The loss landscape's, the optimizer race's and the replay slider's state (issue 15, 1-3).

An :class:`Explore` hangs off every :class:`~logitlab.lab.experiment.Experiment`
(``experiment.explore``); the functions here are the commands that change it. The
views that draw it are in :mod:`logitlab.lab.views.landscape`. Decisions the issue
left open, recorded here:

- **Replay** shows the weights recorded at a step (:mod:`logitlab.lab.weights`) as the
  model's weights, so every view (chart, boundary, stats, confusion, landscape) shows
  the model at that step without knowing about replay (``Frame.steps`` is the replayed
  step; the state keeps the live step count); the live weights wait in
  :attr:`Explore.live`. Any command that changes the model, the data or training
  (a ``train`` step included) first goes back to the live weights; looking commands
  (probe, view settings, showing panels, replay itself) keep the replay.
- **"Resume from here"** makes the replayed weights the live ones, sets the step count
  to the replayed step and drops the later weights and loss history. It is undone by
  "Undo resume" (``undo_resume``): point edits keep their own Undo, so the two never
  mix.
- **A race** starts from the current weights with the current objective (penalty
  included) and the Lab's learning rate and batch size. While it runs, ``train``
  steps advance every racer instead of the model (so Auto-train, its speed and its
  pause drive the race); once every racer has arrived (or the step cap), ``train``
  trains the model again and the race stays drawn until it is cleared.
- **Clicks on the landscape** set the two weights (``set_coefs``) as the weight
  sliders do: no entry in the point-edit Undo, the step count kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from logitlab.core.race import OptimizerRace
from logitlab.core.types import FloatArray
from logitlab.lab.curve import LossHistory
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import RaceCommand, SetCoefs, ShowLandscape
from logitlab.lab.weights import WeightHistory

if TYPE_CHECKING:
    from logitlab.lab.experiment import Experiment

RACE_MAX_STEPS = 1000
"""Steps a race takes at most."""
RACE_TOL = 1e-6
"""A racer has arrived when its objective is within this of the optimum's."""


@dataclass
class _Resumed:
    """What "Resume from here" replaced, for "Undo resume"."""

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
    resumed: _Resumed | None = None
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


def axes_for(exp: Experiment) -> tuple[int, int]:
    """The landscape's pair, valid for the current number of coefficients."""
    n = exp.coef.size
    i, j = exp.explore.axes
    if i < n and j < n and i != j:
        return i, j
    return 0, 1


def show_landscape(exp: Experiment, command: ShowLandscape) -> None:
    ex = exp.explore
    if command.axes is not None:
        i, j = command.axes
        n = exp.coef.size
        names = exp.coef_names()
        if not (i < n and j < n) or i == j:
            raise CommandError(
                f"the landscape needs two different coefficients among 0–{n - 1} "
                f"({', '.join(names)}), got {i} and {j}"
            )
        ex.axes = (i, j)
    ex.landscape_wanted = command.visible


def set_coefs(exp: Experiment, command: SetCoefs) -> None:
    if len(command.index) != len(command.value):
        raise CommandError(
            f"set_coefs needs one value per index, got {len(command.index)} indices and "
            f"{len(command.value)} values"
        )
    n = exp.coef.size
    for i in command.index:
        if i >= n:
            raise CommandError(
                f"coefficient {i} does not exist: degree {exp.degree} has {n} coefficients "
                f"(indices 0–{n - 1}, the intercept b last)"
            )
    for i, v in zip(command.index, command.value, strict=True):
        exp.coef[i] = v
    exp.after_weights_set()


def race(exp: Experiment, command: RaceCommand) -> None:
    ex = exp.explore
    ex.race_version += 1
    if command.action == "stop":
        ex.race = None
        return
    if exp.points.n == 0:
        raise CommandError("there are no points to race on: add points or load a preset")
    objective = exp.objective()
    y = objective.y
    if bool(np.all(y == y[0])):
        raise CommandError(
            "every training point is in one class: there is no optimum to race to. Add points "
            "of the other class first"
        )
    t = exp.training
    ex.race = OptimizerRace(
        objective,
        exp.coef.copy(),
        learning_rate=t.learning_rate,
        batch_size=t.batch_size,
        seed=exp.data.seed,
        tol=RACE_TOL,
        max_steps=RACE_MAX_STEPS,
    )


def step_race(exp: Experiment, steps: int) -> int:
    """Advance the race by up to ``steps`` steps (never past its cap); returns steps taken."""
    race = exp.explore.race
    if race is None:
        return 0
    n = min(steps, race.max_steps - race.n_steps)
    taken = 0
    while taken < n and not race.all_reached:
        race.step()
        taken += 1
    exp.explore.race_version += 1
    return taken


def record_start(exp: Experiment) -> None:
    """Training is about to step: keep the weights it starts from."""
    exp.explore.weights.record(exp.steps, exp.coef)


def replay(exp: Experiment, step: int | None) -> None:
    ex = exp.explore
    if step is None:
        leave_replay(exp)
        return
    if not len(ex.weights):
        raise CommandError("there is no training history to replay yet: train a few steps first")
    last = ex.weights.last_step
    if last is not None and step > last:
        raise CommandError(f"step {step} is not in the history: replay steps 0–{last}")
    if ex.live is None:
        ex.live = exp.coef.copy()
    kept, coef = ex.weights.at(step)
    exp.coef = coef
    ex.replay_step = kept


def leave_replay(exp: Experiment) -> None:
    ex = exp.explore
    if ex.live is not None:
        exp.coef = ex.live
    ex.live = None
    ex.replay_step = None


def resume_replay(exp: Experiment) -> None:
    ex = exp.explore
    step = ex.replay_step
    if step is None or ex.live is None:
        raise CommandError(
            "Resume from here continues from a replayed step: move the replay slider first"
        )
    ex.resumed = _Resumed(
        coef=ex.live.copy(),
        steps=exp.steps,
        weights=copy.deepcopy(ex.weights),
        history=copy.deepcopy(exp.history),
        test_history=copy.deepcopy(exp.test_history),
    )
    ex.weights.truncate(step)
    exp.history.truncate(step)
    exp.test_history.truncate(step)
    exp.steps = step
    ex.live = None
    ex.replay_step = None
    exp.after_weights_set()


def undo_resume(exp: Experiment) -> None:
    ex = exp.explore
    saved = ex.resumed
    if saved is None:
        raise CommandError('there is no "Resume from here" to undo')
    leave_replay(exp)
    exp.coef = saved.coef
    exp.steps = saved.steps
    ex.weights = saved.weights
    exp.history = saved.history
    exp.test_history = saved.test_history
    ex.resumed = None
    exp.after_weights_set()
