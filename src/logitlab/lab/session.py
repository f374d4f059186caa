"""One user's Lab: the state, the commands that change it and the frames that show it.

Pure Python and NumPy; no sockets. The server gives every WebSocket
connection its own :class:`LabSession` and passes it validated commands;
:meth:`LabSession.handle` answers each command with exactly one reply:

- a :class:`~logitlab.lab.protocol.Frame` (every command but ``probe``),
- a :class:`~logitlab.lab.protocol.ProbeResult` (``probe``), or
- an :class:`~logitlab.lab.protocol.ErrorFrame` when the command cannot be
  applied; the session is then exactly as it was before the command.

A frame carries the bulky payloads (points, probability field, loss curve)
only when they differ from what the previous frame of this session carried;
``None`` means "unchanged, keep what you have". ``hello`` and ``import_state``
always answer with a complete frame.

Decisions the issue left open, recorded here:

- **Objective.** Mean cross-entropy + λ·(ρ‖w‖₁ + (1 − ρ)‖w‖²) with ρ = 0 for
  L2 (the seed's λ‖w‖²), ρ = 1 for L1 (λ‖w‖₁) and ρ = ``l1_ratio`` for the
  elastic net. In core terms that is ``Penalty(alpha=(2 − ρ)λ,
  l1_ratio=ρ/(2 − ρ))`` — see :func:`lab_penalty`.
- **Steps** are optimizer steps. Loading a preset, "New sample", "Clear
  points" and a scenario start a new experiment: the step counter, the loss
  history and the optimizer's memory are cleared (weights are kept, except
  where a scenario sets them). Single point edits keep them. The state holds
  the step count (``ModelSpec.steps``): a reloaded page, a shared link or an
  imported state goes on counting from it, with an empty loss history (the
  page says the curve starts at the reload).
- **ΔLoss** is the change of the objective over the last optimizer step; a
  change below ``DELTA_NOISE`` times the objective (float rounding once a run
  has converged) is reported as exactly 0.
- **Accuracy** and the confusion matrix use the rule p̂ ≥ τ.
- **Weights are never clamped.** A step whose result is not finite or leaves
  ±``WEIGHT_LIMIT`` (the range a state can hold) is not taken: training stops
  at the last representable weights and the frame reports it.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pydantic
from pydantic import TypeAdapter

from logitlab.core.link import sigmoid, softplus_and_sigmoid
from logitlab.core.metrics import confusion_at, majority_baseline
from logitlab.core.objective import Objective
from logitlab.core.optimizers import StepOptimizer, make_optimizer
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve
from logitlab.core.types import FloatArray
from logitlab.lab import compaction, mathml
from logitlab.lab.csv_data import STORE, data_view
from logitlab.lab.curve import LossHistory
from logitlab.lab.geometry import FIELD_SIZE, clip_line, fit_view, probability_field
from logitlab.lab.points import CommandError, build_points
from logitlab.lab.protocol import (
    COMMAND_ADAPTER,
    WEIGHT_LIMIT,
    ClearPoints,
    Command,
    Confusion,
    CurvePayload,
    CustomData,
    DataSpec,
    Divergence,
    Edit,
    EditPoints,
    ErrorFrame,
    FieldPayload,
    Frame,
    Hello,
    ImportState,
    LabState,
    LoadCsv,
    LoadPreset,
    Metrics,
    ModelSpec,
    MovePoint,
    NewSample,
    PageName,
    Probe,
    ProbeResult,
    ResetWeights,
    RocPayload,
    RunScenario,
    ScenarioName,
    SetModel,
    SetTraining,
    SetView,
    Train,
    TrainingSpec,
    Undo,
    View,
)
from logitlab.lab.roc import RocTracker
from logitlab.lab.scenarios import FIT_LAMBDA, SCENARIOS

Reply: TypeAlias = Frame | ProbeResult | ErrorFrame

_log = logging.getLogger(__name__)

DIVERGENCE_WINDOW = 20
"""Optimizer steps looked back over to call training diverging or separable."""
DELTA_NOISE = 1e-12
"""A loss change smaller than this times the loss is float rounding: ΔLoss shows 0."""
STEP_LIMIT = 2**53 - 1
"""The step counter stops here: JSON numbers are exact up to 2⁵³ (the state's bound)."""
INITIAL_COEF = (1.0, -1.0, 0.0)
"""w₀, w₁, b after "Reset weights"."""


# ----------------------------------------------------------------- penalty


@functools.lru_cache(maxsize=64)
def lab_penalty(training: TrainingSpec) -> Penalty:
    """The core penalty for the Lab's λ·(ρ‖w‖₁ + (1 − ρ)‖w‖²).

    ρ is 0 for L2, 1 for L1 and ``training.l1_ratio`` for the elastic net;
    with core's α·(ρ'‖w‖₁ + (1 − ρ')/2·‖w‖²) this is α = (2 − ρ)λ, ρ' = ρ/(2 − ρ).
    """
    if training.penalty == "none" or training.lam == 0.0:
        return Penalty()
    rho = {"l2": 0.0, "l1": 1.0, "elasticnet": training.l1_ratio}[training.penalty]
    return Penalty(alpha=(2.0 - rho) * training.lam, l1_ratio=rho / (2.0 - rho))


@functools.lru_cache(maxsize=64)
def penalty_note(training: TrainingSpec, n_points: int) -> str:
    """Plain text relating the Lab's λ to scikit-learn's ``C`` for ``n_points`` points.

    scikit-learn minimizes C·Σℓᵢ + r(w); dividing by C·N gives the mean
    cross-entropy + r(w)/(C·N), so core's α = 1/(C·N).
    """
    penalty = lab_penalty(training)
    if penalty.alpha == 0.0:
        return "No penalty: scikit-learn's LogisticRegression with C = inf (no regularization)."
    if n_points == 0:
        return "Add points to relate λ to scikit-learn's C (C depends on the number of points N)."
    c = 1.0 / (penalty.alpha * n_points)
    lam = f"λ = {training.lam:g}"
    n = f"N = {n_points:,}"
    if training.penalty == "l2":
        return f"L2, {lam}, {n} ↔ scikit-learn C = 1/(2λN) = {c:.4g} (l1_ratio = 0)."
    if training.penalty == "l1":
        return f"L1, {lam}, {n} ↔ scikit-learn C = 1/(λN) = {c:.4g} (l1_ratio = 1)."
    rho = training.l1_ratio
    return (
        f"Elastic net, {lam}, ρ = {rho:g}, {n} ↔ scikit-learn C = 1/((2 − ρ)λN) = {c:.4g}, "
        f"l1_ratio = ρ/(2 − ρ) = {penalty.l1_ratio:.4g}."
    )


def _logit(tau: float) -> float:
    if tau <= 0.0:
        return -math.inf
    if tau >= 1.0:
        return math.inf
    return math.log(tau) - math.log1p(-tau)


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


# ----------------------------------------------------------------- timing


@dataclass
class FrameTiming:
    """Seconds spent by the last :meth:`LabSession.handle_json` (or ``handle``) call."""

    steps: float = 0.0
    """Optimizer steps."""
    field: float = 0.0
    """View, points payload and probability field."""
    metrics: float = 0.0
    """Metrics, boundary, curve, divergence, formula."""
    serialize: float = 0.0
    """Frame → JSON (``handle_json`` only)."""
    total: float = 0.0
    """Everything, validation of the incoming message included."""
    n_steps: int = 0
    """Optimizer steps taken by the call."""


# ----------------------------------------------------------------- session


@dataclass
class _Sent:
    """What the previous frame carried, to send only what changed."""

    points: int = -1
    field: tuple[float, ...] | None = None
    field_data: str | None = None
    """The last field sent: a field that quantizes to the same bytes is not sent again."""
    curve: tuple[int, float, int, int] | None = None


@dataclass
class _Recent:
    """The last few steps, for the divergence / separability verdict."""

    values: deque[float] = field(default_factory=lambda: deque(maxlen=DIVERGENCE_WINDOW))
    """Objective at the start of each recent step."""
    norms: deque[float] = field(default_factory=lambda: deque(maxlen=DIVERGENCE_WINDOW))
    """‖w‖ at the start of each recent step."""
    last_move: float = 0.0
    """Size of the last step, ‖Δcoef‖ / (1 + ‖coef‖)."""


class LabSession:
    """One user's Lab.

    Parameters
    ----------
    state : LabState or None
        The state to rebuild (points replayed from the preset and edits);
        None gives the defaults (Blobs, w₀ = 1, w₁ = −1, b = 0).
    curve_width : int, default=600
        Pixel columns of the loss chart; the curve is decimated to this.

    Raises
    ------
    CommandError
        If an edit in ``state`` cannot be replayed (e.g. deletes a point that does not exist).
    """

    def __init__(self, state: LabState | None = None, *, curve_width: int = 600) -> None:
        self.curve_width = curve_width
        self.timing = FrameTiming()
        self.page: PageName = "lab"
        """The page this session serves (set by ``hello``); ``"roc"`` adds ``Frame.roc``."""
        self._roc = RocTracker()
        self._load(state if state is not None else LabState())

    # ----------------------------------------------------------- state

    def _load(self, state: LabState) -> None:
        points = build_points(state.data)
        custom = _custom_stub(state.data.custom)
        self._data = state.data.model_copy(update={"edits": [], "custom": custom})
        self._edits: list[Edit] = list(state.data.edits)
        self._edit_json: list[str] = [_dump_edit(e) for e in self._edits]
        """JSON of each edit, kept alongside so frames do not re-serialize long edit lists."""
        self._points = points
        self._custom_view = data_view(points.X) if custom is not None and points.n else None
        """The view of the custom data as loaded; edits only widen it (no jumps while dragging)."""
        self._coef: FloatArray = np.array([state.model.w0, state.model.w1, state.model.b])
        self._training = state.training
        self._view_spec = state.view
        self._history = LossHistory()
        self._recent = _Recent()
        self._steps = state.model.steps
        self._halted: str | None = None
        self._objective_cache: tuple[tuple[int, Penalty], Objective] | None = None
        self._optimizer_cache: tuple[tuple[str, float, int, int], StepOptimizer] | None = None
        self._view_cache: tuple[int, View] | None = None
        self._baseline_cache: tuple[int, float | None] | None = None
        self._data_spec_cache: DataSpec | None = None
        self._sent = _Sent()
        if len(self._edits) > compaction.MAX_EDITS:
            self._compact_edits()

    @property
    def state(self) -> LabState:
        """The current state: rebuilding a session from it gives the same points and settings."""
        return LabState(
            data=self._data_spec(),
            model=self._model_spec(),
            training=self._training,
            view=self._view_spec,
        )

    @property
    def steps(self) -> int:
        """Optimizer steps since the last reset."""
        return self._steps

    @property
    def coef(self) -> FloatArray:
        """Current [w₀, w₁, b], shape (3,) (a copy)."""
        return self._coef.copy()

    @property
    def X(self) -> FloatArray:
        """Current points, shape (n_points, 2) (a copy)."""
        return self._points.X.copy()

    @property
    def y(self) -> FloatArray:
        """Current labels 0.0 / 1.0, shape (n_points,) (a copy)."""
        return self._points.y.copy()

    def _data_spec(self) -> DataSpec:
        if self._data_spec_cache is None:
            # The edits were validated on the way in; skip re-validating the whole list.
            self._data_spec_cache = DataSpec.model_construct(
                **{
                    **self._data.model_dump(exclude={"edits", "custom"}),
                    "custom": self._data.custom,
                    "edits": list(self._edits),
                }
            )
        return self._data_spec_cache

    def _model_spec(self) -> ModelSpec:
        w0, w1, b = (float(v) for v in self._coef)
        return ModelSpec(w0=w0, w1=w1, b=b, steps=self._steps)

    def _start_experiment(self) -> None:
        """New data: forget the step count, the loss history and the optimizer's memory."""
        self._steps = 0
        self._history = LossHistory()
        self._recent = _Recent()
        self._halted = None
        self._optimizer_cache = None

    # ----------------------------------------------------------- cached objects

    def _objective(self) -> Objective:
        key = (self._points.version, lab_penalty(self._training))
        if self._objective_cache is None or self._objective_cache[0] != key:
            obj = Objective(self._points.X, self._points.y, penalty=key[1])
            self._objective_cache = (key, obj)
        return self._objective_cache[1]

    def _optimizer(self) -> StepOptimizer:
        t = self._training
        key = (t.optimizer, t.learning_rate, t.batch_size, self._data.seed)
        if self._optimizer_cache is None or self._optimizer_cache[0] != key:
            opt = make_optimizer(
                t.optimizer, learning_rate=t.learning_rate, batch_size=t.batch_size, seed=key[3]
            )
            self._optimizer_cache = (key, opt)
        return self._optimizer_cache[1]

    def _view(self) -> View:
        v = self._points.version
        if self._view_cache is None or self._view_cache[0] != v:
            own = self._data.custom is not None and self._points.n > 0
            view = data_view(self._points.X, self._custom_view) if own else None
            self._view_cache = (v, view or fit_view(self._points.X))
        return self._view_cache[1]

    def _baseline(self) -> float | None:
        v = self._points.version
        if self._baseline_cache is None or self._baseline_cache[0] != v:
            base = _finite(majority_baseline(self._points.y)) if self._points.n else None
            self._baseline_cache = (v, base)
        return self._baseline_cache[1]

    # ----------------------------------------------------------- commands

    def handle_json(self, text: str | bytes) -> str:
        """Validate one JSON message, handle it and return the JSON reply.

        Invalid messages get an error frame; :attr:`timing` holds the cost of the call.
        """
        start = time.perf_counter()
        try:
            # strict: a wrong JSON type (true or "10" for a count) is an error, not coerced.
            command = COMMAND_ADAPTER.validate_json(text, strict=True)
        except pydantic.ValidationError as exc:
            reply: Reply = ErrorFrame(seq=_guess_seq(text), message=describe_validation_error(exc))
            out = reply.model_dump_json()
            self.timing = FrameTiming(total=time.perf_counter() - start)
            return out
        reply = self.handle(command)
        t = time.perf_counter()
        out = self._frame_json(reply) if isinstance(reply, Frame) else reply.model_dump_json()
        self.timing.serialize = time.perf_counter() - t
        self.timing.total = time.perf_counter() - start
        return out

    def frame_json(self, seq: int = 0) -> str:
        """The JSON of :meth:`frame`, as ``handle_json`` sends it (after :meth:`train`)."""
        t = time.perf_counter()
        out = self._frame_json(self.frame(seq))
        self.timing.serialize = time.perf_counter() - t
        return out

    def _frame_json(self, frame: Frame) -> str:
        """``frame.model_dump_json()``, reusing the JSON of each edit (long lists stay cheap)."""
        text = frame.model_dump_json(exclude={"state": {"data": {"edits"}}})
        # "data" holds only scalars (and "custom", whose JSON is known), so its object
        # ends at the first "}" after them.
        start = text.index('"data":{')
        if self._data.custom is not None:
            custom = f'"custom":{self._data.custom.model_dump_json()}'
            start = text.index(custom, start) + len(custom)
        end = text.index("}", start)
        return f'{text[:end]},"edits":[{",".join(self._edit_json)}]{text[end:]}'

    def handle(self, command: Command) -> Reply:
        """Apply one validated command and answer it (see the module docstring)."""
        self.timing = FrameTiming()
        start = time.perf_counter()
        saved = self.__dict__.copy()
        try:
            reply = self._dispatch(command)
        except CommandError as exc:
            reply = ErrorFrame(seq=command.seq, message=str(exc))
        except Exception as exc:  # a bug must not end the user's session
            _log.exception("Lab command %r failed", command.type)
            self.__dict__.update(saved)
            self._sent = _Sent()  # the next frame carries everything again
            reply = ErrorFrame(
                seq=command.seq,
                message=f"internal error while handling {command.type!r} "
                f"({type(exc).__name__}: {exc}); the command was not applied",
            )
        self.timing.total = time.perf_counter() - start
        return reply

    def _dispatch(self, command: Command) -> Reply:
        if isinstance(command, Probe):
            return self.probe(command.x, command.y, seq=command.seq)
        full = False
        start_auto = False
        scenario: ScenarioName | None = None
        if isinstance(command, Hello):
            self._replace_state(command.state if command.state is not None else LabState())
            self.curve_width = command.curve_width
            if command.steps > self._steps:  # a page rebuilding its session goes on counting
                self._steps = command.steps
            self.page = command.page
            full = True
        elif isinstance(command, ImportState):
            self._replace_state(command.state)
            full = True
        elif isinstance(command, LoadPreset):
            self._load_preset(command)
        elif isinstance(command, NewSample):
            self._new_sample()
        elif isinstance(command, LoadCsv):
            self._load_csv(command.data)
        elif isinstance(command, EditPoints):
            self._edit(command.edit)
        elif isinstance(command, Undo):
            self._undo()
        elif isinstance(command, SetModel):
            self._set_model(command)
        elif isinstance(command, SetTraining):
            self._set_training(command)
        elif isinstance(command, SetView):
            self._set_view(command)
        elif isinstance(command, Train):
            self.train(command.steps)
        elif isinstance(command, ResetWeights):
            self.reset_weights()
        elif isinstance(command, RunScenario):
            start_auto = self.run_scenario(command.name)
            scenario = command.name
        return self.frame(seq=command.seq, full=full, start_auto=start_auto, scenario=scenario)

    def _replace_state(self, state: LabState) -> None:
        saved = self.__dict__.copy()
        try:
            self._load(state)
        except CommandError:
            self.__dict__.update(saved)
            raise

    def _load_preset(self, command: LoadPreset) -> None:
        d = self._data
        self._set_data(
            DataSpec(
                preset=command.preset,
                seed=d.seed if command.seed is None else command.seed,
                n_points=d.n_points if command.n_points is None else command.n_points,
                noise=d.noise if command.noise is None else command.noise,
            )
        )

    def _load_csv(self, custom: CustomData) -> None:
        """The user's own points replace the current ones (a new experiment)."""
        data = self._data.model_copy(update={"custom": custom, "edits": []})
        self._set_data(data)
        self._data = data.model_copy(update={"custom": _custom_stub(custom)})
        self._custom_view = data_view(self._points.X) if self._points.n else None
        self._view_cache = None
        # Weights fitted to other data mean nothing here: start from p̂ = 0.5 everywhere.
        self._coef = np.zeros(3)
        self._after_weights_set()

    def _new_sample(self) -> None:
        if self._data.custom is not None:
            raise CommandError(
                "New sample draws a preset's points again, but the points now come from "
                f"{self._data.custom.source or 'your CSV data'}: load a preset first"
            )
        seed = self._data.seed
        while seed == self._data.seed:
            seed = secrets.randbelow(2**32)
        self._set_data(self._data.model_copy(update={"seed": seed}))

    def _set_data(self, data: DataSpec) -> None:
        self._points = build_points(data)
        self._data = data
        self._edits = []
        self._edit_json = []
        self._data_spec_cache = None
        self._start_experiment()

    def _edit(self, edit: Edit) -> None:
        last = self._edits[-1] if self._edits else None
        if isinstance(edit, MovePoint) and isinstance(last, MovePoint) and last.index == edit.index:
            # Successive moves of one point (a drag) are one edit: one undo puts it back.
            self._points.amend_move(edit)
            self._edits[-1] = edit
            self._edit_json[-1] = _dump_edit(edit)
        else:
            self._points.apply(edit)
            self._edits.append(edit)
            self._edit_json.append(_dump_edit(edit))
        self._data_spec_cache = None
        if isinstance(edit, ClearPoints):
            self._start_experiment()
        if len(self._edits) > compaction.MAX_EDITS:
            self._compact_edits()

    def _compact_edits(self) -> None:
        """Fold the edits into stored points (:mod:`logitlab.lab.compaction`); the view stays."""
        view = self._view()
        stub = compaction.compact(self._points, self._data)
        self._data = self._data.model_copy(update={"custom": stub, "edits": []})
        self._points = build_points(self._data)
        self._edits, self._edit_json = [], []
        self._data_spec_cache = None
        self._custom_view = view
        self._view_cache = None

    def _undo(self) -> None:
        if not self._edits:
            raise CommandError(
                "nothing to undo: undo reverts point edits (add, move, delete, clear) "
                "made since the preset was loaded"
            )
        self._points.undo()
        self._edits.pop()
        self._edit_json.pop()
        self._data_spec_cache = None

    def _set_model(self, command: SetModel) -> None:
        for i, v in enumerate((command.w0, command.w1, command.b)):
            if v is not None:
                self._coef[i] = v
        self._after_weights_set()

    def _after_weights_set(self) -> None:
        self._halted = None
        self._recent = _Recent()
        self._optimizer_cache = None

    def _set_training(self, command: SetTraining) -> None:
        update = command.model_dump(exclude={"type", "seq"}, exclude_none=True)
        self._training = self._training.model_copy(update=update)
        self._halted = None
        self._recent = _Recent()

    def _set_view(self, command: SetView) -> None:
        update = command.model_dump(exclude={"type", "seq", "curve_width"}, exclude_none=True)
        self._view_spec = self._view_spec.model_copy(update=update)
        if command.curve_width is not None:
            self.curve_width = command.curve_width

    def train(self, steps: int) -> None:
        """Take ``steps`` optimizer steps (fewer if a step would leave the representable range)."""
        if self._points.n == 0:
            raise CommandError("there are no points to train on: add points or load a preset")
        start = time.perf_counter()
        objective = self._objective()
        optimizer = self._optimizer()
        coef = self._coef
        recent = self._recent
        taken = 0
        for _ in range(steps):
            result = optimizer.step(objective, coef)
            new = result.coef
            if not (math.isfinite(result.value) and np.all(np.isfinite(new))):
                self._halted = "non-finite"
                break
            if float(np.max(np.abs(new))) > WEIGHT_LIMIT:
                self._halted = "weight-limit"
                break
            self._history.append(self._steps, result.value)
            recent.values.append(result.value)
            recent.norms.append(math.hypot(coef[0], coef[1]))
            move = float(np.linalg.norm(new - coef))
            recent.last_move = move / (1.0 + float(np.linalg.norm(coef)))
            coef = new
            if self._steps < STEP_LIMIT:  # beyond it the count would not be exact
                self._steps += 1
            taken += 1
        self._coef = np.array(coef, dtype=np.float64)
        self.timing.steps += time.perf_counter() - start
        self.timing.n_steps += taken

    def reset_weights(self) -> None:
        """w₀ = 1, w₁ = −1, b = 0 (all 0 on CSV data, as loading them does); the step
        counter, history and optimizer memory cleared."""
        self._coef = np.zeros(3) if self._data.custom is not None else np.array(INITIAL_COEF)
        self._start_experiment()

    def probe(self, x: float, y: float, *, seq: int = 0) -> ProbeResult:
        """z and p̂ at (x, y) under the current weights."""
        w0, w1, b = (float(v) for v in self._coef)
        z = w0 * x + w1 * y + b
        return ProbeResult(seq=seq, x=x, y=y, z=z, p=float(sigmoid(z)))

    def run_scenario(self, name: ScenarioName) -> bool:
        """Set up a "Try this" experiment; returns whether the page should start Auto-train."""
        recipe = SCENARIOS[name]
        saved = self.__dict__.copy()
        try:
            self._set_data(recipe.data)
            self._training = recipe.training
            self._view_spec = self._view_spec.model_copy(update={"tau": recipe.tau})
            coef = np.array(recipe.coef, dtype=np.float64)
            if recipe.fit and self._points.n:
                penalty = Penalty(alpha=2.0 * FIT_LAMBDA)
                coef = solve(self._objective().with_penalty(penalty)).coef
            self._coef = -coef if recipe.flip else coef
            self._after_weights_set()
        except CommandError:
            self.__dict__.update(saved)
            raise
        return recipe.start_auto

    # ----------------------------------------------------------- frames

    def frame(
        self,
        seq: int = 0,
        *,
        full: bool = False,
        start_auto: bool = False,
        scenario: ScenarioName | None = None,
    ) -> Frame:
        """The frame showing the current state; payloads only where changed unless ``full``."""
        if full:
            self._sent = _Sent()
            self._roc.resend()
        t0 = time.perf_counter()
        view = self._view()
        pts = self._points
        points = None
        if pts.version != self._sent.points:
            points = pts.payload()
            self._sent.points = pts.version

        field_payload = self._field_payload(view)
        t1 = time.perf_counter()

        w0, w1, b = (float(v) for v in self._coef)
        tau = self._view_spec.tau
        objective = self._objective()
        n = pts.n
        if n:
            z = pts.X @ self._coef[:2] + b
            sp, p = softplus_and_sigmoid(z)
            log_loss = float(np.mean(sp - pts.y * z))
            c = confusion_at(pts.y, p, tau)
            confusion = Confusion.model_construct(
                tn=int(c.tn), fp=int(c.fp), fn=int(c.fn), tp=int(c.tp)
            )
            accuracy, precision = _finite(c.accuracy), _finite(c.precision)
            recall, f1 = _finite(c.recall), _finite(c.f1)
            value: float | None = log_loss + objective.penalty.value(self._coef[:2])
            separated = bool(np.all((z > 0) == (pts.y > 0.5)) and np.all(z != 0))
        else:
            log_loss = math.nan
            value = None
            accuracy = precision = recall = f1 = None
            confusion = Confusion.model_construct(tn=0, fp=0, fn=0, tp=0)
            separated = False
        value = None if value is None else _finite(value)
        delta = None
        if self._steps and self._recent.values and value is not None:
            delta = _finite(value - self._recent.values[-1])
            if delta is not None and abs(delta) < DELTA_NOISE * abs(value):
                delta = 0.0  # rounding noise of a converged run, not a change
        norm = math.hypot(w0, w1)
        # Output models are built from values computed here: skip re-validating them.
        metrics = Metrics.model_construct(
            log_loss=_finite(log_loss),
            objective=value,
            delta_loss=delta,
            accuracy=accuracy,
            baseline=self._baseline(),
            precision=precision,
            recall=recall,
            f1=f1,
            confusion=confusion,
            weight_norm=norm,
            n_points=n,
        )
        c_tau = _logit(tau)
        boundary = clip_line(w0, w1, c_tau - b, view)
        half_line = clip_line(w0, w1, -b, view) if tau != 0.5 else None
        curve = self._curve_payload(value)
        one_class = bool(n) and bool(np.all(pts.y == pts.y[0]))
        divergence = self._divergence(
            value, norm, separated, objective.penalty.alpha, one_class=one_class
        )
        model = ModelSpec.model_construct(w0=w0, w1=w1, b=b, steps=self._steps)
        frame = Frame.model_construct(
            seq=seq,
            state=LabState.model_construct(
                data=self._data_spec(),
                model=model,
                training=self._training,
                view=self._view_spec,
            ),
            steps=self._steps,
            view=view,
            points=points,
            field=field_payload,
            boundary=boundary,
            half_line=half_line,
            metrics=metrics,
            curve=curve,
            divergence=divergence,
            true_weights=model,
            start_auto=start_auto,
            scenario=scenario,
            penalty_note=penalty_note(self._training, n),
            model_math=mathml.model_formula(w0, w1, b),
            roc=self._roc_payload(p if n else None),
        )
        t2 = time.perf_counter()
        self.timing.field += t1 - t0
        self.timing.metrics += t2 - t1
        return frame

    def _roc_payload(self, p: FloatArray | None) -> RocPayload | None:
        """The ROC page's analysis (:mod:`logitlab.lab.roc`), for ``page="roc"`` sessions."""
        if self.page != "roc":
            return None
        w0, w1, b = (float(v) for v in self._coef)
        v = self._view_spec
        probs = p if p is not None else np.empty(0)
        key = (self._points.version, w0, w1, b)
        return self._roc.payload(key, self._points.y, probs, v.tau, v.cost_fp, v.cost_fn)

    def _field_payload(self, view: View) -> FieldPayload | None:
        if not self._view_spec.show_field:
            self._sent.field = self._sent.field_data = None
            return None
        key = (*(float(v) for v in self._coef), view.xmin, view.xmax, view.ymin, view.ymax)
        if key == self._sent.field:
            return None
        self._sent.field = key
        # Late in training a step moves no grid value by a quantization level: the page
        # keeps the field it has instead of receiving, decoding and drawing it again.
        data = probability_field(self._coef, view)
        if data == self._sent.field_data:
            return None
        self._sent.field_data = data
        return FieldPayload.model_construct(size=FIELD_SIZE, data=data)

    def _curve_payload(self, current: float | None) -> CurvePayload | None:
        key = (
            self._history.version,
            current if current is not None else math.nan,
            self._steps,
            self.curve_width,
        )
        if self._sent.curve is not None and _same_key(key, self._sent.curve):
            return None
        self._sent.curve = key
        steps, low, high, last = self._history.envelope(max(1, self.curve_width - 1))
        s = steps.tolist()
        lo, hi, la = (_significant(a).tolist() for a in (low, high, last))
        if current is not None and (not s or s[-1] < self._steps):
            s.append(self._steps)
            lo.append(current)
            hi.append(current)
            la.append(current)
        first = self._history.first_step
        return CurvePayload.model_construct(
            first=first if first is not None else self._steps,  # empty: only the current value
            steps=s,
            low=lo,
            high=hi,
            last=la,
        )

    def _divergence(
        self,
        value: float | None,
        norm: float,
        separated: bool,
        alpha: float,
        *,
        one_class: bool = False,
    ) -> Divergence:
        hint = "Lower the learning rate η, add an L2 penalty (λ > 0), or press Reset weights."
        if self._halted is not None and not (separated and alpha == 0.0):
            return Divergence(
                state="diverging",
                message="Training stopped: the next step would have sent a weight past "
                f"±{WEIGHT_LIMIT:,.0f}. The steps are overshooting.",
                hint=hint,
            )
        values, norms = self._recent.values, self._recent.norms
        if value is None or not values:
            return Divergence(state="ok", message="")
        ref = values[0]
        optimizer = self._training.optimizer
        # Gradient descent and Newton lower the objective at every step unless η is too
        # large; momentum, Adam and mini-batch SGD may rise for a while by design.
        tolerance = 1e-3 if optimizer in ("gd", "newton") else 0.05
        window = _plural(len(values), "step")
        if value > ref + tolerance * abs(ref) + 1e-12:
            return Divergence(
                state="diverging",
                message=f"The objective rose from {ref:.4g} to {value:.4g} over the last "
                f"{window}: the steps overshoot the minimum.",
                hint=hint,
            )
        if optimizer in ("gd", "newton"):
            # These methods lower the objective at every step unless η is too large.
            seq = [*values, value]
            rises = sum(b > a + 1e-3 * abs(a) for a, b in itertools.pairwise(seq))
            stalled = value >= ref - 1e-6 * abs(ref) and self._recent.last_move > 1e-3
            if rises >= 2 or (len(values) >= 2 and stalled):
                return Divergence(
                    state="diverging",
                    message=f"The objective went up {_plural(rises, 'time')} in the last "
                    f"{window} while the weights keep jumping: the steps bounce across "
                    "the minimum instead of settling in it.",
                    hint=hint,
                )
        growing = len(norms) >= 5 and all(b > a for a, b in itertools.pairwise([*norms, norm]))
        # Growing weights, or a loss already at the floating-point floor (Newton gets there).
        stuck_at_zero = value < 1e-6
        if separated and alpha == 0.0 and (growing or stuck_at_zero or self._halted is not None):
            if one_class:  # no line separates anything: there is nothing to separate
                return Divergence(
                    state="separable",
                    message="All the points are in one class, so the cross-entropy keeps "
                    "falling as p̂ goes to that class everywhere: b (and ‖w‖) grow without "
                    "bound and no finite weights are best.",
                    hint="Add points of the other class; an L2 penalty (λ > 0) also gives a "
                    "finite optimum.",
                )
            return Divergence(
                state="separable",
                message="A line separates the classes perfectly, so the cross-entropy keeps "
                "falling as the weights grow: ‖w‖ grows without bound and no finite "
                "weights are best.",
                hint="An L2 penalty (λ > 0) gives a finite optimum; so does stopping early.",
            )
        return Divergence(state="ok", message="")


_EDIT_ADAPTER: TypeAdapter[Edit] = TypeAdapter(Edit)


def _custom_stub(custom: CustomData | None) -> CustomData | None:
    """Custom data as frames carry them: the hash and names, without the points."""
    if custom is None:
        return None
    if custom.is_full:
        return STORE.put(custom)
    found = STORE.points(custom.hash)
    return found[0] if found is not None else custom


def _dump_edit(edit: Edit) -> str:
    return _EDIT_ADAPTER.dump_json(edit).decode("utf-8")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: Significant digits of the loss values a curve carries: far below a pixel, and
#: less than half the bytes of full precision (the curve is most of a training frame).
CURVE_DIGITS = 7


def _significant(values: FloatArray, digits: int = CURVE_DIGITS) -> FloatArray:
    """``values`` rounded to ``digits`` significant decimal digits (zeros stay zero)."""
    out = values.copy()
    # Below 1e-290 the scale 10^(digits - 1 - magnitude) overflows: such values stay as
    # they are (finite floats), instead of becoming NaN (null in the frame).
    nonzero = np.abs(out) >= 1e-290
    magnitude = np.floor(np.log10(np.abs(out[nonzero])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[nonzero] = np.round(out[nonzero] * scale) / scale
    return out


def _same_key(a: tuple[int, float, int, int], b: tuple[int, float, int, int]) -> bool:
    return a[0] == b[0] and a[2:] == b[2:] and (a[1] == b[1] or (a[1] != a[1] and b[1] != b[1]))


def _guess_seq(text: str | bytes) -> int:
    """The ``seq`` of a message that failed validation, when it can be read; else 0."""
    import json

    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return 0
    seq = data.get("seq") if isinstance(data, dict) else None
    if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq <= 2**53:
        return seq
    return 0


def describe_validation_error(exc: pydantic.ValidationError, limit: int = 3) -> str:
    """A short human message from a pydantic error: where, what was wrong, what is allowed."""
    parts = []
    for err in exc.errors(include_url=False)[:limit]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "function-after")
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "json_invalid":
            parts.append(f"the message is not valid JSON ({err.get('ctx', {}).get('error', msg)})")
            continue
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more problem{'s' if more > 1 else ''}")
    return "invalid message: " + "; ".join(parts)
