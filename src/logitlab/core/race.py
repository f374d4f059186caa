"""An optimizer race: several step optimizers from one start on one objective.

Every racer is a :class:`~logitlab.core.optimizers.StepOptimizer` built by
:func:`~logitlab.core.optimizers.make_optimizer`, the same objects the Lab trains
with, stepped in turn. A racer has *reached the optimum* at the first step ``t``
whose objective is within ``tol`` of the exact optimum's,
``f(c_t) − f* ≤ tol``, with ``f*`` from :func:`~logitlab.core.solvers.solve`.
On separated data without a penalty the infimum, 0, lies at infinity; the
solver stops where the gradient is negligible and the racers are judged
against the value there (if it does not converge, nobody reaches anything).
Times count the optimizer's own ``step`` calls only, not the bookkeeping (the
objective at each new point, the recorded paths).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from logitlab.core.objective import Objective
from logitlab.core.optimizers import OPTIMIZER_NAMES, StepOptimizer, make_optimizer
from logitlab.core.solvers import solve
from logitlab.core.types import FloatArray

#: Steps a race may record at most (bounded memory).
MAX_RACE_STEPS = 100_000


@dataclass(frozen=True)
class RacerResult:
    """One racer's path.

    Attributes
    ----------
    name : str
    coefs : ndarray of shape (n_steps + 1, n_coef)
        The start and the coefficients after every step.
    values : ndarray of shape (n_steps + 1,)
        Objective at each row of ``coefs``.
    steps_to_optimum : int or None
        First step whose objective is within ``tol`` of the optimum (0: the start).
    seconds_to_optimum : float or None
        Time the optimizer's steps took up to then.
    seconds : float
        Time of all its steps so far.
    """

    name: str
    coefs: FloatArray
    values: FloatArray
    steps_to_optimum: int | None
    seconds_to_optimum: float | None
    seconds: float


@dataclass
class _Racer:
    name: str
    optimizer: StepOptimizer
    coefs: list[FloatArray]
    values: list[float]
    seconds: float = 0.0
    reached: int | None = None
    seconds_to_optimum: float | None = None
    cumulative: list[float] = field(default_factory=list)


class OptimizerRace:
    """Step several optimizers side by side from the same start.

    Parameters
    ----------
    objective : Objective
        The same data, model and penalty for every racer.
    coef0 : ndarray of shape (n_coef,)
        The common start.
    names : sequence of str, default=OPTIMIZER_NAMES
        Optimizers by name ("gd", "momentum", "adam", "sgd", "newton"), each once.
    learning_rate, batch_size, seed :
        Settings of the first-order racers, as in
        :func:`~logitlab.core.optimizers.make_optimizer`.
    tol : float, default=1e-6
        How close to the optimum's objective counts as arrived.
    max_steps : int, default=1000
        Steps recorded at most; :meth:`step` refuses to go further.

    Attributes
    ----------
    optimum : ndarray of shape (n_coef,)
        The exact optimum (the last iterate when it is not finite).
    optimum_value : float
    optimum_found : bool
        Whether the exact solver converged (a finite optimum exists).
    n_steps : int
        Steps taken so far by every racer.
    """

    def __init__(
        self,
        objective: Objective,
        coef0: FloatArray,
        names: Sequence[str] = OPTIMIZER_NAMES,
        *,
        learning_rate: float = 0.1,
        batch_size: int = 32,
        seed: int = 0,
        tol: float = 1e-6,
        max_steps: int = 1000,
    ) -> None:
        start = np.array(coef0, dtype=np.float64)
        if start.shape != (objective.n_coef,):
            raise ValueError(f"coef0 must have shape ({objective.n_coef},), got {start.shape}")
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"names must list each optimizer once, got {list(names)!r}")
        if not (np.isfinite(tol) and tol > 0.0):
            raise ValueError(f"tol must be a finite number > 0, got {tol!r}")
        if (
            isinstance(max_steps, bool)
            or not isinstance(max_steps, int | np.integer)
            or not 1 <= max_steps <= MAX_RACE_STEPS
        ):
            raise ValueError(f"max_steps must be an integer in 1 .. {MAX_RACE_STEPS}")
        self.objective = objective
        self.tol = float(tol)
        self.max_steps = int(max_steps)
        exact = solve(objective, start, tol=1e-12, max_iter=200)
        self.optimum = exact.coef
        self.optimum_value = float(exact.value)
        self.optimum_found = bool(exact.converged)
        start_value = objective.value(start)
        self._racers = [
            _Racer(
                name=name,
                optimizer=make_optimizer(
                    name, learning_rate=learning_rate, batch_size=batch_size, seed=seed
                ),
                coefs=[start.copy()],
                values=[start_value],
                cumulative=[0.0],
            )
            for name in names
        ]
        for racer in self._racers:
            self._check_reached(racer)
        self.n_steps = 0

    @property
    def names(self) -> list[str]:
        return [r.name for r in self._racers]

    @property
    def all_reached(self) -> bool:
        """Whether every racer has reached the optimum."""
        return all(r.reached is not None for r in self._racers)

    def step(self, n_steps: int = 1) -> None:
        """Advance every racer by ``n_steps`` steps (never beyond ``max_steps`` in all)."""
        if self.n_steps + n_steps > self.max_steps:
            raise ValueError(
                f"the race records at most {self.max_steps} steps; {self.n_steps} are taken"
            )
        for _ in range(n_steps):
            for racer in self._racers:
                coef = racer.coefs[-1]
                t0 = time.perf_counter()
                new = racer.optimizer.step(self.objective, coef).coef
                racer.seconds += time.perf_counter() - t0
                racer.coefs.append(np.array(new, dtype=np.float64))
                racer.values.append(self.objective.value(new))
                racer.cumulative.append(racer.seconds)
                self._check_reached(racer)
            self.n_steps += 1

    def run(self, max_steps: int | None = None) -> None:
        """Step until every racer has reached the optimum or ``max_steps`` (default: the cap)."""
        limit = self.max_steps if max_steps is None else min(int(max_steps), self.max_steps)
        while self.n_steps < limit and not self.all_reached:
            self.step()

    def results(self) -> list[RacerResult]:
        """Every racer's path so far, in the order of ``names``."""
        return [
            RacerResult(
                name=r.name,
                coefs=np.array(r.coefs),
                values=np.array(r.values),
                steps_to_optimum=r.reached,
                seconds_to_optimum=r.seconds_to_optimum,
                seconds=r.seconds,
            )
            for r in self._racers
        ]

    def _check_reached(self, racer: _Racer) -> None:
        if racer.reached is not None or not self.optimum_found:
            return
        if racer.values[-1] - self.optimum_value <= self.tol:
            racer.reached = len(racer.values) - 1
            racer.seconds_to_optimum = racer.cumulative[-1]
