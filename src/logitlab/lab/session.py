"""One user's Lab: commands in, frames out (pure Python and NumPy; no sockets).

The server gives every WebSocket connection its own :class:`LabSession` and
passes it validated commands; :meth:`LabSession.handle` answers each command
with exactly one reply:

- a :class:`~logitlab.lab.protocol.Frame` (every command but ``probe``),
- a :class:`~logitlab.lab.protocol.ProbeResult` (``probe``), or
- an :class:`~logitlab.lab.protocol.ErrorFrame` when the command cannot be
  applied; the session is then exactly as it was before the command.

One way: a command changes the :class:`~logitlab.lab.experiment.Experiment` (state over
``logitlab.core``), then each registered view (:data:`logitlab.lab.views.VIEWS`) turns
it into its part of the frame; the session knows no view's internals. Bulky payloads
(points, probability field, loss curve) travel only when they differ from what this
session's previous frame carried; ``None`` means "unchanged, keep what you have".
``hello`` and ``import_state`` always answer with a complete frame.

Decisions (objective, ΔLoss, accuracy, divergence, steps) are recorded where they
are made: :mod:`~logitlab.lab.training`, :mod:`~logitlab.lab.experiment`, ``views/``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, TypeAlias

import pydantic

from logitlab.core.types import FloatArray
from logitlab.lab import explore  # issue 15, branch landscape
from logitlab.lab.curve import LossHistory
from logitlab.lab.experiment import STEP_LIMIT, Experiment
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import (  # feature maps and the split (issue 14)
    COMMAND_ADAPTER,
    Command,
    EditPoints,
    ErrorFrame,
    FitExact,
    Frame,
    Hello,
    ImportState,
    Inspect,
    LabState,
    LoadCsv,
    LoadPreset,
    NewSample,
    PageName,
    Probe,
    ProbeResult,
    RaceCommand,  # issue 15, branch landscape
    Replay,  # issue 15, branch landscape
    ResetWeights,
    ResumeReplay,  # issue 15, branch landscape
    RunScenario,
    ScenarioName,
    SetCoef,
    SetCoefs,  # issue 15, branch landscape
    SetFeatures,
    SetModel,
    SetTraining,
    SetView,
    ShowCode,
    ShowLandscape,  # issue 15, branch landscape
    ShowRegPath,
    Train,
    Undo,
    UndoResume,  # issue 15, branch landscape
    describe_validation_error,
    guess_seq,
)
from logitlab.lab.training import lab_penalty, penalty_note
from logitlab.lab.views import FrameInputs, LabView, make_views
from logitlab.lab.views.loss_curve import significant as _significant  # noqa: F401 (old name)

__all__ = ["STEP_LIMIT", "FrameTiming", "LabSession", "Reply", "lab_penalty", "penalty_note"]

Reply: TypeAlias = Frame | ProbeResult | ErrorFrame

# issue 15, branch landscape: commands that only look, so a replay stays on screen.
_KEEPS_REPLAY = (
    Probe,
    Replay,
    ResumeReplay,
    SetView,
    ShowLandscape,
    ShowRegPath,
    ShowCode,
    Inspect,
)

_log = logging.getLogger(__name__)


@dataclass
class FrameTiming:
    """Seconds spent by the last :meth:`LabSession.handle_json` (or ``handle``) call."""

    steps: float = 0.0
    """Optimizer steps."""
    field: float = 0.0
    """Views of the data chart: window, points payload and probability field."""
    metrics: float = 0.0
    """Every other view: metrics, boundary, curve, divergence, formula, ROC."""
    serialize: float = 0.0
    """Frame → JSON (``handle_json`` only)."""
    total: float = 0.0
    """Everything, validation of the incoming message included."""
    n_steps: int = 0
    """Optimizer steps taken by the call."""


class LabSession:
    """One user's Lab.

    Parameters
    ----------
    state : LabState or None
        The state to rebuild (points replayed from the preset and edits);
        None gives the defaults (Blobs, w₀ = 1, w₁ = −1, b = 0).
    curve_width : int, default=600
        Pixel columns of the loss chart; the curve is decimated to this. A ``state``
        whose edits cannot be replayed raises ``CommandError``.
    """

    def __init__(self, state: LabState | None = None, *, curve_width: int = 600) -> None:
        self.curve_width = curve_width
        self.timing = FrameTiming()
        self.page: PageName = "lab"
        """The page this session serves (set by ``hello``); ``"roc"`` adds ``Frame.roc``."""
        self.views: list[LabView[Any]] = make_views()
        self.experiment = Experiment(state if state is not None else LabState())

    # ----------------------------------------------------------- reading

    @property
    def state(self) -> LabState:
        """The current state: rebuilding a session from it gives the same points and settings."""
        return self.experiment.state

    @property
    def steps(self) -> int:
        """Optimizer steps since the last reset."""
        return self.experiment.steps

    @property
    def coef(self) -> FloatArray:
        """Current coefficients, the mapped columns' weights then b (a copy; [w₀, w₁, b] at
        degree 1)."""
        return self.experiment.coef.copy()

    @property
    def X(self) -> FloatArray:
        """Current points, shape (n_points, 2) (a copy)."""
        return self.experiment.points.X.copy()

    @property
    def y(self) -> FloatArray:
        """Current labels 0.0 / 1.0, shape (n_points,) (a copy)."""
        return self.experiment.points.y.copy()

    @property
    def _history(self) -> LossHistory:  # the old name, for callers written before views/
        return self.experiment.history

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
            reply: Reply = ErrorFrame(seq=guess_seq(text), message=describe_validation_error(exc))
            out = reply.model_dump_json()
            self.timing = FrameTiming(total=time.perf_counter() - start)
            return out
        reply = self.handle(command)
        t = time.perf_counter()
        out = self._frame_json(reply) if isinstance(reply, Frame) else reply.model_dump_json()
        self.timing.serialize = time.perf_counter() - t
        self.timing.total = time.perf_counter() - start
        return out

    def frame_json(self, seq: int = 0, *, full: bool = False) -> str:
        """The JSON of :meth:`frame`, as ``handle_json`` sends it (after :meth:`train`);
        ``full``: every payload (a page attaching to this session, issue 17)."""
        t = time.perf_counter()
        out = self._frame_json(self.frame(seq, full=full))
        self.timing.serialize = time.perf_counter() - t
        return out

    def reply_json(self, reply: Reply) -> str:  # issue 17: the widget's commands from Python
        """The JSON ``handle_json`` sends for ``reply`` (the answer :meth:`handle` gave)."""
        return self._frame_json(reply) if isinstance(reply, Frame) else reply.model_dump_json()

    def _frame_json(self, frame: Frame) -> str:
        """``frame.model_dump_json()``, reusing the JSON of each edit (long lists stay cheap)."""
        text = frame.model_dump_json(exclude={"state": {"data": {"edits"}}})
        # "data" holds only scalars (and "custom", whose JSON is known), so its object
        # ends at the first "}" after them.
        start = text.index('"data":{')
        custom = self.experiment.data.custom
        if custom is not None:
            custom_json = f'"custom":{custom.model_dump_json()}'
            start = text.index(custom_json, start) + len(custom_json)
        end = text.index("}", start)
        return f'{text[:end]},"edits":[{",".join(self.experiment.edit_json)}]{text[end:]}'

    def handle(self, command: Command) -> Reply:
        """Apply one validated command and answer it (see the module docstring)."""
        self.timing = FrameTiming()
        start = time.perf_counter()
        saved = self.__dict__.copy()
        experiment = self.experiment.__dict__.copy()
        explored = self.experiment.explore.__dict__.copy()  # issue 15, branch landscape
        try:
            reply = self._dispatch(command)
        except Exception as exc:
            self.__dict__.update(saved)
            self.experiment.__dict__.update(experiment)
            self.experiment.explore.__dict__.update(explored)  # issue 15, branch landscape
            if isinstance(exc, CommandError):
                reply = ErrorFrame(seq=command.seq, message=str(exc))
            else:  # a bug must not end the user's session
                _log.exception("Lab command %r failed", command.type)
                self._resend()  # the next frame carries everything again
                reply = ErrorFrame(
                    seq=command.seq,
                    message=f"internal error while handling {command.type!r} "
                    f"({type(exc).__name__}: {exc}); the command was not applied",
                )
        self.timing.total = time.perf_counter() - start
        return reply

    def _dispatch(self, command: Command) -> Reply:
        exp = self.experiment
        if isinstance(command, Probe):
            return exp.probe(command.x, command.y, seq=command.seq)
        full = isinstance(command, Hello | ImportState)
        start_auto = False
        scenario: ScenarioName | None = None
        if exp.explore.replay_step is not None and not isinstance(command, _KEEPS_REPLAY):
            explore.leave_replay(exp)  # issue 15, branch landscape
        if isinstance(command, Hello):
            self.experiment = Experiment(command.state or LabState())
            self.curve_width = command.curve_width
            # A page rebuilding its session after a lost connection goes on counting.
            self.experiment.steps = max(self.experiment.steps, command.steps)
            self.page = command.page
        elif isinstance(command, ImportState):
            self.experiment = Experiment(command.state)
        elif isinstance(command, LoadPreset):
            exp.load_preset(command)
        elif isinstance(command, NewSample):
            exp.new_sample()
        elif isinstance(command, LoadCsv):
            exp.load_csv(command.data)
        elif isinstance(command, EditPoints):
            exp.edit(command.edit)
        elif isinstance(command, Undo):
            exp.undo()
        elif isinstance(command, SetModel):
            exp.set_model(command)
        elif isinstance(command, SetTraining):
            exp.set_training(command)
        elif isinstance(command, SetView):
            exp.set_view(command)
            if command.curve_width is not None:
                self.curve_width = command.curve_width
        elif isinstance(command, Train):
            self.train(command.steps)
        elif isinstance(command, ResetWeights):
            exp.reset_weights()
        elif isinstance(command, Inspect):  # trust views (issue 16)
            exp.inspect(command)
        elif isinstance(command, RunScenario):
            start_auto = exp.run_scenario(command.name)
            scenario = command.name
        elif isinstance(command, FitExact):  # issue 15, branch regpath
            exp.fit_exactly()
        elif isinstance(command, ShowCode):  # issue 15, branch regpath
            exp.show_code(command.flavor)
        elif isinstance(command, ShowRegPath):  # issue 15, branch regpath
            exp.show_regpath()
        elif isinstance(command, SetFeatures):  # issue 14
            exp.set_features(command)
        elif isinstance(command, SetCoef):  # issue 14
            exp.set_coef(command)
        elif isinstance(command, ShowLandscape):  # issue 15, branch landscape
            explore.show_landscape(exp, command)
        elif isinstance(command, SetCoefs):  # issue 15, branch landscape
            explore.set_coefs(exp, command)
        elif isinstance(command, RaceCommand):  # issue 15, branch landscape
            explore.race(exp, command)
        elif isinstance(command, Replay):  # issue 15, branch landscape
            explore.replay(exp, command.step)
        elif isinstance(command, ResumeReplay):  # issue 15, branch landscape
            explore.resume_replay(exp)
        elif isinstance(command, UndoResume):  # issue 15, branch landscape
            explore.undo_resume(exp)
        return self.frame(seq=command.seq, full=full, start_auto=start_auto, scenario=scenario)

    def train(self, steps: int) -> None:
        """Take ``steps`` optimizer steps (fewer if a step would leave the representable range)."""
        start = time.perf_counter()
        if self.experiment.explore.race_running():  # issue 15, branch landscape: race steps
            self.timing.n_steps += explore.step_race(self.experiment, steps)
        else:
            self.timing.n_steps += self.experiment.train(steps)
        self.timing.steps += time.perf_counter() - start

    # ----------------------------------------------------------- frames

    def _resend(self) -> None:
        for view in self.views:
            view.resend()

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
            self._resend()
        exp = self.experiment
        inputs = FrameInputs(exp, self.page, self.curve_width)
        parts: dict[str, Any] = {}
        spent = {"field": 0.0, "metrics": 0.0}
        for view in self.views:
            if self.page not in view.pages:
                continue
            t = time.perf_counter()
            parts[view.field] = view.payload(inputs)
            spent[view.timing] += time.perf_counter() - t
        self.timing.field += spent["field"]
        self.timing.metrics += spent["metrics"]
        model = exp.model_spec(construct=True)  # every coefficient (issue 14)
        state = LabState.model_construct(
            data=exp.data_spec(), model=model, training=exp.training, view=exp.view_spec
        )
        return Frame.model_construct(
            seq=seq,
            state=state,
            steps=exp.steps if exp.explore.replay_step is None else exp.explore.replay_step,  # 15
            start_auto=start_auto,
            scenario=scenario,
            n_classes=exp.n_classes,  # issue 14, part 3
            can_undo=exp.can_undo(),  # issue 14: feature changes are undoable too
            **{"roc": None, **parts},
        )
