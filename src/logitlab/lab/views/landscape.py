"""The loss landscape, the optimizer's path on it, the optimizer race and the replay slider.

Drawn by ``static/landscape.js`` (landscape, path, race) and ``static/replay.js``. The
grid is :func:`logitlab.core.landscape.landscape` over two coefficients (the others held
at their current values); the race is :class:`logitlab.core.race.OptimizerRace`; the
history is :class:`logitlab.lab.weights.WeightHistory`. Decisions:

- **Only when shown**: nothing is computed until the page says the panel is on screen
  (``show_landscape``), as for the regularization path.
- **Cost**: the grid is :data:`GRID` × :data:`GRID` points on at most
  :data:`MAX_LANDSCAPE_POINTS` rows (a fixed random subsample above that; the text says
  so), cached on the model key, the penalty, the pair, the held coefficients and the
  window. Moving the two pictured coefficients (a click, a drag, training along them)
  never recomputes it: only the path moves. When the held coefficients change (training
  moves them too) during training it is refreshed at most every :data:`REFRESH_SECONDS`,
  so a training frame is never delayed by more than one refresh in that many seconds;
  the page asks once more when training pauses, so the last picture is exact. A change
  by hand (a slider, a typed coefficient) refreshes it at once.
- **The window** covers the start of the history, the current point and the exact
  optimum with a margin; it is widened only when the current point leaves it.
- **Levels**: :func:`~logitlab.core.landscape.contour_levels` (log-spaced above the
  minimum), each grid point sent as the index of its band.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Hashable

import numpy as np

from logitlab.core.landscape import contour_levels, landscape
from logitlab.core.types import FloatArray
from logitlab.lab.exact import exact_optimum
from logitlab.lab.explore import axes_for
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import (
    LandscapePath,
    LandscapePayload,
    RacePayload,
    RacerRow,
    ReplayPayload,
)
from logitlab.lab.views.base import FrameInputs, LabView

GRID = 56
"""Grid points per side."""
MAX_LANDSCAPE_POINTS = 2500
"""Rows the grid is computed on at most (a fixed random subsample above)."""
REFRESH_SECONDS = 0.25
"""Least time between two refreshes caused by the held coefficients moving."""
N_LEVELS = 12
MAX_PATH_POINTS = 300
"""Points of a path sent at most (older ones decimated, the newest always kept)."""
MAX_CURVE_POINTS = 300
RACER_LABELS = {
    "gd": "Gradient descent",
    "momentum": "Momentum",
    "adam": "Adam",
    "sgd": "Mini-batch SGD",
    "newton": "Newton",
}


def decimate(n: int, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` of ``n`` rows, evenly spread, first and last kept."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.intp))


def _window(points: list[tuple[float, float]]) -> tuple[tuple[float, float], tuple[float, float]]:
    arr = np.array(points, dtype=np.float64)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    pad = np.maximum(0.5 * (hi - lo), 1.0)
    lo, hi = lo - pad, hi + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _inside(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= p[0] <= a[1] and b[0] <= p[1] <= b[1]


class LandscapeView(LabView[LandscapePayload | None]):
    """The grid: sent when the data, penalty, pair, held coefficients or window change."""

    field = "landscape"
    pages = frozenset({"lab"})
    incremental = True

    def __init__(self) -> None:
        super().__init__()
        self._at = -math.inf
        self._steps = -1
        self._structure: Hashable = None
        self._window: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._optimum: tuple[Hashable, FloatArray | None] | None = None

    def resend(self) -> None:
        super().resend()
        self._structure = None
        self._window = None

    def key(self, inputs: FrameInputs) -> tuple[Hashable, ...]:
        exp = inputs.experiment
        if not exp.explore.landscape_wanted:
            return (False,)
        i, j = axes_for(exp)
        held = np.delete(exp.coef, [i, j])
        race = exp.explore.race is not None
        return (True, exp.model_key(), exp.objective().penalty, (i, j), race, held.tobytes())

    def optimum(self, inputs: FrameInputs) -> FloatArray | None:
        """The exact optimum of the current objective (None when there is no finite one)."""
        exp = inputs.experiment
        objective = exp.objective()
        key = (exp.model_key(), objective.penalty)
        if self._optimum is None or self._optimum[0] != key:
            try:
                coef: FloatArray | None = exact_optimum(objective)
            except (CommandError, ValueError, ArithmeticError):  # no finite optimum to mark
                coef = None
            self._optimum = (key, coef)
        return self._optimum[1]

    def payload(self, inputs: FrameInputs) -> LandscapePayload | None:
        exp = inputs.experiment
        last = self._last
        if not exp.explore.landscape_wanted and last is not None and last.computed:
            return None  # scrolled away: the page keeps the last picture, nothing is computed
        key = self.key(inputs)
        if key == self._key:
            return None
        if key[0] and self._window is not None:
            structure = key[:5]
            i, j = axes_for(exp)
            now = (float(exp.coef[i]), float(exp.coef[j]))
            recent = time.perf_counter() - self._at < REFRESH_SECONDS
            training = exp.steps != self._steps  # a training frame: refreshed less often
            if (
                structure == self._structure
                and training
                and recent
                and _inside(now, *self._window)
            ):
                return None  # the held coefficients moved: refreshed at most every 0.25 s
        value = self.compute(inputs)
        self._key = key
        self._last = value
        return value

    def compute(self, inputs: FrameInputs) -> LandscapePayload:
        exp = inputs.experiment
        names = list(exp.coef_names())
        i, j = axes_for(exp)
        empty = LandscapePayload(names=names, axes=(i, j))
        if not exp.explore.landscape_wanted:
            message = "The landscape is computed once this panel is on screen."
            return empty.model_copy(update={"message": message, "computed": False})
        objective = exp.objective()
        if objective.n_samples == 0:
            return empty.model_copy(update={"message": "Add points to see the landscape."})
        self._at = time.perf_counter()
        self._steps = exp.steps
        coef = exp.coef
        now = (float(coef[i]), float(coef[j]))
        optimum = self.optimum(inputs)
        opt = None if optimum is None else (float(optimum[i]), float(optimum[j]))
        race = exp.explore.race
        structure = (True, exp.model_key(), objective.penalty, (i, j), race is not None)
        if self._window is None or structure != self._structure or not _inside(now, *self._window):
            marks = [now] if opt is None else [now, opt]
            if race is not None and race.optimum_found:  # the race's goal is in sight
                marks.append((float(race.optimum[i]), float(race.optimum[j])))
            if len(exp.explore.weights):
                first = exp.explore.weights.at(0)[1]
                if first.size == coef.size:
                    marks.append((float(first[i]), float(first[j])))
            self._window = _window(marks)
        self._structure = structure
        (a0, a1), (b0, b1) = self._window
        a = np.linspace(a0, a1, GRID)
        b = np.linspace(b0, b1, GRID)
        try:
            grid = landscape(
                objective, coef, a, b, axes=(i, j), max_samples=MAX_LANDSCAPE_POINTS
            )
        except ValueError as exc:  # e.g. labels the landscape does not know
            return empty.model_copy(update={"message": f"No landscape here: {exc}."})
        values = grid.values
        try:
            levels = contour_levels(values, N_LEVELS)
        except ValueError:
            message = "The objective is flat over this window: there are no contours to draw."
            return empty.model_copy(update={"message": message})
        bands = np.digitize(values, levels, right=True).astype(np.uint8)
        bands[~np.isfinite(values)] = 255
        cells = base64.b64encode(np.ascontiguousarray(bands[::-1]).tobytes()).decode("ascii")
        return LandscapePayload(
            names=names,
            axes=(i, j),
            a_range=(a0, a1),
            b_range=(b0, b1),
            size=GRID,
            cells=cells,
            levels=[float(v) for v in levels],
            optimum=opt,
            n_used=grid.n_used,
            n_samples=grid.n_samples,
            text=_describe(names, coef, (i, j), grid.n_used, grid.n_samples, opt),
        )


def _describe(
    names: list[str],
    coef: FloatArray,
    axes: tuple[int, int],
    n_used: int,
    n_samples: int,
    optimum: tuple[float, float] | None,
) -> str:
    i, j = axes
    held = [f"{names[k]} = {coef[k]:.3g}" for k in range(coef.size) if k not in axes]
    shown = ", ".join(held[:4]) + (f" and {len(held) - 4} more" if len(held) > 4 else "")
    text = (
        f"The objective (mean cross-entropy + penalty) over {names[i]} (across) and "
        f"{names[j]} (up), with {shown} held at their current values; darker is lower, "
        "contour levels are log-spaced above the minimum."
    )
    if optimum is None:
        text += " There is no finite exact optimum to mark (separated classes, no penalty)."
    else:
        text += (
            f" The exact optimum (a ring) has {names[i]} = {optimum[0]:.4g}, "
            f"{names[j]} = {optimum[1]:.4g}."
        )
    if n_used < n_samples:
        text += (
            f" Computed on {n_used:,} of the {n_samples:,} training points (a fixed random "
            "subsample), so it stays quick."
        )
    return text


class LandscapePathView(LabView[LandscapePath]):
    """The recorded weights on the landscape's pair, and the current point."""

    field = "landscape_path"
    pages = frozenset({"lab"})
    incremental = True
    timing = "field"

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        return (exp.explore.weights.version, axes_for(exp), inputs.coef_key)

    def payload(self, inputs: FrameInputs) -> LandscapePath | None:
        if not inputs.experiment.explore.landscape_wanted:
            return None  # scrolled away: sent again (if changed) once back on screen
        return super().payload(inputs)

    def compute(self, inputs: FrameInputs) -> LandscapePath:
        exp = inputs.experiment
        i, j = axes_for(exp)
        history = exp.explore.weights
        # The path up to the step shown (all of it when live).
        ab = history.project(i, j, MAX_PATH_POINTS, exp.explore.replay_step)
        a, b = ab[:, 0].tolist(), ab[:, 1].tolist()
        c = exp.coef
        return LandscapePath(
            axes=(i, j),
            a=a,
            b=b,
            current=(float(c[i]), float(c[j])),
            value=inputs.scores.objective,
        )


class RaceView(LabView[RacePayload | None]):
    """The race: sent whenever it steps (or the pair changes); no racers once cleared."""

    field = "race"
    pages = frozenset({"lab"})
    incremental = True
    dedupe = True

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        return (exp.explore.race_version, axes_for(exp))

    def compute(self, inputs: FrameInputs) -> RacePayload:
        exp = inputs.experiment
        race = exp.explore.race
        i, j = axes_for(exp)
        if race is None:  # sent once after a race is cleared: the page removes it
            return RacePayload(
                running=False,
                steps=0,
                max_steps=0,
                tol=0.0,
                optimum_found=False,
                axes=(i, j),
                racers=[],
                text="",
            )
        rows = []
        best = race.optimum_value
        for r in race.results():
            keep = decimate(r.coefs.shape[0], MAX_PATH_POINTS)
            ckeep = decimate(r.values.size, MAX_CURVE_POINTS)
            gap = np.maximum(r.values[ckeep] - best, 1e-16)
            rows.append(
                RacerRow(
                    name=r.name,
                    label=RACER_LABELS.get(r.name, r.name),
                    a=r.coefs[keep, i].tolist(),
                    b=r.coefs[keep, j].tolist(),
                    path_steps=keep.tolist(),
                    gap=[v if math.isfinite(v) else 1e300 for v in gap.tolist()],
                    gap_steps=ckeep.tolist(),
                    steps_to_optimum=r.steps_to_optimum,
                    ms_to_optimum=None
                    if r.seconds_to_optimum is None
                    else 1000.0 * r.seconds_to_optimum,
                    ms=1000.0 * r.seconds,
                )
            )
        running = exp.explore.race_running()
        arrived = sum(r.steps_to_optimum is not None for r in rows)
        text = (
            f"Race: {len(rows)} optimizers from the same start and penalty, step "
            f"{race.n_steps} of at most {race.max_steps}; {arrived} of {len(rows)} within "
            f"{race.tol:g} of the optimum's objective."
        )
        if not race.optimum_found:
            text += " The exact solver found no finite optimum, so nobody can arrive."
        if running:
            text += " Train (or Auto-train) steps the race."
        return RacePayload(
            running=running,
            steps=race.n_steps,
            max_steps=race.max_steps,
            tol=race.tol,
            optimum_found=race.optimum_found,
            axes=(i, j),
            racers=rows,
            text=text,
        )


class ReplayView(LabView[ReplayPayload]):
    """The replay slider's range, the step shown and which steps are exact."""

    field = "replay"
    pages = frozenset({"lab"})

    def key(self, inputs: FrameInputs) -> Hashable:
        ex = inputs.experiment.explore
        return (ex.weights.version, ex.replay_step, ex.resumed is not None)

    def compute(self, inputs: FrameInputs) -> ReplayPayload:
        ex = inputs.experiment.explore
        w = ex.weights
        first, last, exact = w.first_step, w.last_step, w.first_exact
        if last is None:
            text = "Train a few steps: the replay slider then scrubs through them."
        else:
            text = f"History: steps {first}–{last}"
            if first == exact or w.stride == 1:
                text += ", every step kept exactly."
            else:
                text += (
                    f"; every step from {exact} on is kept exactly, older ones every "
                    f"{w.stride}th step."
                )
            if ex.replay_step is not None:
                text += f" Showing step {ex.replay_step}."
        return ReplayPayload(
            first_step=first,
            last_step=last,
            exact_from=exact,
            stride=w.stride,
            step=ex.replay_step,
            can_undo_resume=ex.resumed is not None,
            text=text,
        )
