"""The state of one user's experiment and the commands that change it (no frames, no views).

:class:`Experiment` holds what the user made and chose (points with their
edits, weights, hyperparameters, view settings) and what training left
behind (the step count, the loss history, the last few steps, the optimizer's
memory). Its methods are the commands; a method that raises
:class:`~logitlab.lab.points.CommandError` has changed nothing the page sees
(:class:`~logitlab.lab.session.LabSession` restores the experiment on error).

Decisions the issue left open, recorded here:

- **Steps** are optimizer steps. Loading a preset, "New sample", "Clear
  points" and a scenario start a new experiment: the step counter, the loss
  history and the optimizer's memory are cleared (weights are kept, except
  where a scenario sets them). Single point edits keep them. The state holds
  the step count (``ModelSpec.steps``): a reloaded page, a shared link or an
  imported state goes on counting from it, with an empty loss history (the
  page says the curve starts at the reload).
- **Weights are never clamped.** A step whose result is not finite or leaves
  ±``WEIGHT_LIMIT`` (the range a state can hold) is not taken: training stops
  at the last representable weights and :attr:`Experiment.halted` says why.
"""

from __future__ import annotations

import math
import secrets
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np
from pydantic import TypeAdapter, ValidationError

from logitlab.core.link import sigmoid, softmax, softplus_and_sigmoid
from logitlab.core.metrics import majority_baseline
from logitlab.core.objective import Objective
from logitlab.core.optimizers import StepOptimizer, center_replicated, make_optimizer
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve
from logitlab.core.types import FloatArray
from logitlab.lab import compaction
from logitlab.lab import multiclass as mc  # issue 14, part 3
from logitlab.lab.csv_data import STORE, data_view
from logitlab.lab.curve import LossHistory
from logitlab.lab.exact import exact_optimum
from logitlab.lab.explore_spec import Explore  # issue 15, branch landscape
from logitlab.lab.features import (
    LabFeatureMap,
    fit_feature_map,
    resize_coef,
)
from logitlab.lab.features import coef_names as feature_coef_names
from logitlab.lab.geometry import fit_view
from logitlab.lab.points import CommandError, PointStore, build_points
from logitlab.lab.protocol import (
    MULTICLASS_PRESETS,
    WEIGHT_LIMIT,
    AddPoint,
    ClearPoints,
    CodeFlavor,
    CustomData,
    DataSpec,
    Edit,
    Inspect,
    LabState,
    LoadPreset,
    ModelSpec,
    MovePoint,
    ProbeResult,
    RowsName,
    ScenarioName,
    SetCoef,
    SetFeatures,
    SetModel,
    SetTraining,
    SetView,
    View,
    n_coefficients,
)
from logitlab.lab.scenarios import FIT_LAMBDA, SCENARIOS
from logitlab.lab.split import BoolArray, evaluation_rows, rows_mask, test_flags
from logitlab.lab.training import lab_penalty
from logitlab.lab.trust_spec import TrustSpec

DIVERGENCE_WINDOW = 20
"""Optimizer steps looked back over to call training diverging or separable."""
INITIAL_COEF = (1.0, -1.0, 0.0)
"""w₀, w₁, b after "Reset weights" (on CSV data all 0, as loading them gives)."""
STEP_LIMIT = 2**53 - 1
"""The step counter stops here: JSON numbers are exact up to 2⁵³ (the state's bound)."""
FIT_SHARE = (0.01, 0.99)
"""Quantiles of each axis that the window holds when ``ViewSpec.fit`` is ``"most"``."""

_EDIT_ADAPTER: TypeAdapter[Edit] = TypeAdapter(Edit)


@dataclass(frozen=True)
class FeatureUndo:
    """What undoing one degree / standardize / test-share change puts back (issue 14)."""

    degree: int
    standardize: bool
    test_share: float
    coef: FloatArray


EDIT_MARK = "edit"
"""An entry of :attr:`Experiment.undo_log` standing for one point edit."""


@dataclass
class Recent:
    """The last few steps, for the divergence / separability verdict."""

    values: deque[float] = field(default_factory=lambda: deque(maxlen=DIVERGENCE_WINDOW))
    """Objective at the start of each recent step."""
    norms: deque[float] = field(default_factory=lambda: deque(maxlen=DIVERGENCE_WINDOW))
    """‖w‖ at the start of each recent step."""
    last_move: float = 0.0
    """Size of the last step, ‖Δcoef‖ / (1 + ‖coef‖)."""


class Experiment:
    """One user's points, weights and settings, and the training history.

    Parameters
    ----------
    state : LabState
        The state to rebuild (points replayed from the preset and edits).

    Raises
    ------
    CommandError
        If an edit in ``state`` cannot be replayed (e.g. deletes a point that does not exist).
    """

    def __init__(self, state: LabState) -> None:
        points = build_points(state.data)
        custom = _custom_stub(state.data.custom)
        self.data = state.data.model_copy(update={"edits": [], "custom": custom})
        """The data's spec without its edits (they are in :attr:`edits`); custom data as a stub."""
        self.edits: list[Edit] = list(state.data.edits)
        self.edit_json: list[str] = [_dump_edit(e) for e in self.edits]
        """JSON of each edit, kept alongside so frames do not re-serialize long edit lists."""
        self.points: PointStore = points
        self._custom_view = data_view(points.X) if custom is not None and points.n else None
        """The view of the custom data as loaded; edits only widen it (no jumps while dragging)."""
        m = state.model
        self.degree = m.degree
        """Polynomial degree of the feature map (issue 14)."""
        self.standardize = m.standardize
        if m.coef is not None:
            self.coef: FloatArray = np.array(m.coef, dtype=np.float64)
        elif self.n_classes > 2:  # issue 14, part 3: K rows, all 0 to start
            self.coef = np.zeros(mc.coef_size(m.degree, self.n_classes))
        else:
            self.coef = resize_coef(np.array([m.w0, m.w1, m.b]), 1, m.degree)
        self.training = state.training
        self.view_spec = state.view
        self.history = LossHistory()
        self.recent = Recent()
        self.steps = state.model.steps
        self.halted: str | None = None
        """Why training stopped ("non-finite", "weight-limit"), None while it may go on."""
        self._objective_cache: tuple[tuple[object, ...], Objective] | None = None
        self._optimizer_cache: tuple[tuple[str, float, int, int], StepOptimizer] | None = None
        self._window_cache: tuple[tuple[int, str], View] | None = None
        self._baseline_cache: tuple[int, float | None] | None = None
        self._data_spec_cache: DataSpec | None = None
        # Fit exactly and the code snippets (issue 15, branch regpath)
        self._exact_key: tuple[int, Penalty, bytes] | None = None
        """Points version, penalty and weights of the last "Fit exactly" (see is_exact_fit)."""
        self.code_flavor: CodeFlavor | None = None
        """Which code snippet the page asked for ("Copy as … code"); None: none yet."""
        self.regpath_wanted = False
        """True once the page shows the regularization path (``show_regpath``)."""
        self.test_history = LossHistory()
        """Test log loss per optimizer step, beside :attr:`history` (only with a split)."""
        self._split_cache: tuple[tuple[int, float, int], BoolArray] | None = None
        self._map_cache: tuple[tuple[object, ...], LabFeatureMap] | None = None
        self._design_cache: tuple[tuple[object, ...], FloatArray] | None = None
        self._test_cache: tuple[tuple[object, ...], tuple[FloatArray, FloatArray]] | None = None
        if len(self.edits) > compaction.MAX_EDITS:
            self._compact_edits()
        self.trust = TrustSpec()
        """The Point inspector's selection and the trust overlays (issue 16; not in the state)."""
        self.undo_log: list[FeatureUndo | str] = []
        """Undoable actions since the data were loaded, newest last: :data:`EDIT_MARK` for a
        point edit, a :class:`FeatureUndo` for a feature change (issue 14; not in the state:
        a reload can undo the link's point edits, not earlier feature changes)."""
        self.explore = Explore()  # issue 15, branch landscape
        """Loss landscape, optimizer race and replay (:mod:`logitlab.lab.explore`)."""

    # ----------------------------------------------------------- reading

    @property
    def n_classes(self) -> int:
        """Number of classes K (issue 14, part 3): 2 is the binary model."""
        return self.data.n_classes

    @property
    def state(self) -> LabState:
        """The current state: an experiment rebuilt from it has the same points and settings."""
        data, model = self.data_spec(), self.model_spec()
        return LabState(data=data, model=model, training=self.training, view=self.view_spec)

    def data_spec(self) -> DataSpec:
        """The data's spec with its edits (built once per change; edits not re-validated)."""
        if self._data_spec_cache is None:
            self._data_spec_cache = DataSpec.model_construct(
                **{
                    **self.data.model_dump(exclude={"edits", "custom"}),
                    "custom": self.data.custom,
                    "edits": list(self.edits),
                }
            )
        return self._data_spec_cache

    def model_spec(self, *, construct: bool = False) -> ModelSpec:
        """The model's part of the state (``construct``: unvalidated, for frames)."""
        c = self.coef
        # Degree 1 keeps today's state (w0, w1, b only): old links stay what they were.
        coef = [float(v) for v in c] if self.degree > 1 or self.n_classes > 2 else None
        make = ModelSpec.model_construct if construct else ModelSpec
        return make(
            w0=float(c[0]),
            w1=float(c[1]),
            b=float(c[-1]),
            steps=self.steps,
            degree=self.degree,
            standardize=self.standardize,
            coef=coef,
        )

    # ----------------------------------------------------------- features and split (issue 14)

    def test_mask(self) -> BoolArray:
        """True for each current point held out as a test point, shape (n_points,)."""
        key = (self.points.version, self.data.test_share, self.data.seed)
        if self._split_cache is None or self._split_cache[0] != key:
            self._split_cache = (key, test_flags(self.points, key[1], key[2]))
        return self._split_cache[1]

    def has_split(self) -> bool:
        """True when some current points are test points."""
        return bool(self.data.test_share > 0 and np.any(self.test_mask()))

    def rows(self, which: RowsName) -> BoolArray:
        """Mask of the training (``"train"``) or test (``"test"``) points, shape (n_points,)."""
        return rows_mask(self.test_mask(), which)

    def evaluation_rows(self) -> RowsName:
        """The points an evaluation should use: the test points when a split exists, else
        the training points (all of them). See :mod:`logitlab.lab.split`."""
        return evaluation_rows(self.test_mask())

    def feature_key(self) -> tuple[object, ...]:
        """What the feature map depends on (points, degree, standardization and its split)."""
        split = (self.data.test_share, self.data.seed) if self.standardize else ()
        return (self.points.version, self.degree, self.standardize, *split)

    def feature_map(self) -> LabFeatureMap:
        """The feature map, standardized with the training points' statistics."""
        key = self.feature_key()
        if self._map_cache is None or self._map_cache[0] != key:
            train = self.points.X[~self.test_mask()] if self.standardize else self.points.X[:0]
            self._map_cache = (key, fit_feature_map(self.degree, self.standardize, train))
        return self._map_cache[1]

    def features(self, xy: FloatArray) -> FloatArray:
        """The model's feature columns at plane points ``xy`` (shape (m, 2)).

        Every model computation goes through here (with :meth:`design` for the
        current points): every monomial of x and y up to :attr:`degree` (degree 1:
        the coordinates themselves), standardized with the training points' mean and
        SD when :attr:`standardize` is on. The coefficient vector :attr:`coef` is laid
        out as the weights of these columns, then the intercept.
        """
        return self.feature_map().columns(np.asarray(xy, dtype=np.float64))

    def design(self) -> FloatArray:
        """:meth:`features` of every current point, row i for point i (the objective uses
        the training rows of it, :meth:`rows`)."""
        key = self.feature_key()
        if self._design_cache is None or self._design_cache[0] != key:
            self._design_cache = (key, self.features(self.points.X))
        return self._design_cache[1]

    def coef_names(self) -> tuple[str, ...]:
        """Display names of :attr:`coef`'s entries, in order (the intercept last): w₀, w₁, b
        at degree 1, else the columns' names (x, y, x², x·y, …) and b. With K > 2 classes
        each class's names follow in turn, suffixed with the class: "w₀ (class 0)"."""
        names = feature_coef_names(self.feature_map())
        if self.n_classes == 2:
            return names
        return tuple(f"{n} (class {k})" for k in range(self.n_classes) for n in names)

    def objective(self) -> Objective:
        """The training objective on the training points (rebuilt when points, features,
        split or penalty change)."""
        split = (self.data.test_share, self.data.seed)
        key = (*self.feature_key(), *split, lab_penalty(self.training))
        if self._objective_cache is None or self._objective_cache[0] != key:
            X, y = self.design(), self.points.y
            if self.has_split():
                train = self.rows("train")
                X, y = X[train], y[train]
            k = self.n_classes  # issue 14, part 3: the multinomial model for K > 2
            objective = Objective(X, y, n_classes=k, penalty=lab_penalty(self.training))
            self._objective_cache = (key, objective)
        return self._objective_cache[1]

    def model_key(self) -> tuple[object, ...]:
        """What the objective's data depend on: the points, the feature map and the split.

        Views that cache work on the objective key it on this (not on the points' version
        alone: a new degree, standardization or test share changes the objective too).
        """
        return (*self.feature_key(), self.data.test_share, self.data.seed)

    def train_index(self, i: int) -> int | None:
        """The objective's row of point ``i``, or None when point ``i`` is a test point."""
        if not self.has_split():
            return i
        test = self.test_mask()
        if bool(test[i]):
            return None
        return int(i - np.count_nonzero(test[:i]))

    def test_log_loss(self, coef: FloatArray | None = None) -> float | None:
        """Mean cross-entropy on the test points at ``coef`` (default :attr:`coef`); None
        without a split."""
        if not self.has_split():
            return None
        c = self.coef if coef is None else coef
        X, y = self._test_data()
        if self.n_classes > 2:  # issue 14, part 3
            value = self.objective().model.loss(c, X, y, None)
            return value if math.isfinite(value) else None
        z = X @ c[:-1] + c[-1]
        sp, _ = softplus_and_sigmoid(z)
        value = float(np.mean(sp - y * z))
        return value if math.isfinite(value) else None

    def _test_data(self) -> tuple[FloatArray, FloatArray]:
        key = (*self.feature_key(), self.data.test_share, self.data.seed)
        if self._test_cache is None or self._test_cache[0] != key:
            test = self.rows("test")
            self._test_cache = (key, (self.design()[test], self.points.y[test]))
        return self._test_cache[1]

    def set_features(self, command: SetFeatures) -> None:
        """Degree, standardization and the test share; the model is kept where it can be
        (see :mod:`logitlab.lab.features`). Undo puts all three and the weights back."""
        before = FeatureUndo(self.degree, self.standardize, self.data.test_share, self.coef.copy())
        self._apply_features(command)
        now = (self.degree, self.standardize, self.data.test_share)
        if now != (before.degree, before.standardize, before.test_share):
            self.undo_log.append(before)

    def can_undo(self) -> bool:
        """True when Undo has a point edit or a feature change to take back."""
        return bool(self.edits) or any(isinstance(e, FeatureUndo) for e in self.undo_log)

    def _apply_features(self, command: SetFeatures) -> None:
        if command.test_share is not None and command.test_share != self.data.test_share:
            self.data = self.data.model_copy(update={"test_share": command.test_share})
            self._data_spec_cache = None
            self.test_history = LossHistory()  # another test set: its curve starts again
        k = self.n_classes  # issue 14, part 3: every class's row alike
        if command.standardize is not None and command.standardize != self.standardize:
            before = self.feature_map()
            raw = mc.map_rows(self.coef, k, before.raw_coef)
            self.standardize = command.standardize
            after = self.feature_map()
            self.coef = mc.map_rows(raw, k, after.from_raw)
            # issue 15: the replay history holds the same models in the new coordinates
            # (a history of another degree is dropped: it was of another model)
            hist = self.explore.weights
            if len(hist) and hist.coefs().shape[1] != self.coef.size:
                hist.clear()
            hist.remap(lambda c: mc.map_rows(mc.map_rows(c, k, before.raw_coef), k, after.from_raw))
        if command.degree is not None and command.degree != self.degree:
            self.coef = mc.resize_rows(self.coef, self.degree, command.degree, k)
            self.degree = command.degree
        if not np.all(np.abs(self.coef) <= WEIGHT_LIMIT):
            raise CommandError(
                "with these features the same model needs a coefficient beyond ±1e6, which a "
                "state cannot hold: reset the weights first"
            )
        self.after_weights_set()

    def set_coef(self, command: SetCoef) -> None:
        """One coefficient typed by hand (never clamped; ±1e6 is the state's range)."""
        n = self.coef.size
        if command.index >= n:
            per = "" if self.n_classes == 2 else f" for {self.n_classes} classes"
            raise CommandError(
                f"coefficient {command.index} does not exist: degree {self.degree} has {n} "
                f"coefficients{per} (indices 0–{n - 1}, the intercept b last)"
            )
        self.coef[command.index] = command.value
        self.after_weights_set()

    def optimizer(self) -> StepOptimizer:
        t = self.training
        key = (t.optimizer, t.learning_rate, t.batch_size, self.data.seed)
        if self._optimizer_cache is None or self._optimizer_cache[0] != key:
            opt = make_optimizer(
                t.optimizer, learning_rate=t.learning_rate, batch_size=t.batch_size, seed=key[3]
            )
            self._optimizer_cache = (key, opt)
        return self._optimizer_cache[1]

    def window(self) -> View:
        """The part of the plane the data chart shows (changes with the points and ``fit``)."""
        key = (self.points.version, self.view_spec.fit)
        if self._window_cache is None or self._window_cache[0] != key:
            X = self.points.X
            if self.view_spec.fit == "most" and X.shape[0] >= 20:
                lo, hi = np.quantile(X, [FIT_SHARE[0], FIT_SHARE[1]], axis=0)
                X = X[np.all((lo <= X) & (hi >= X), axis=1)]
                view = data_view(X) if self.data.custom is not None else fit_view(X)
            else:
                own = self.data.custom is not None and self.points.n > 0
                view = data_view(X, self._custom_view) if own else fit_view(X)
            self._window_cache = (key, view)
        return self._window_cache[1]

    def baseline(self) -> float | None:
        """Accuracy of always predicting the majority class (None without points)."""
        v = self.points.version
        if self._baseline_cache is None or self._baseline_cache[0] != v:
            if self.n_classes > 2 and self.points.n:  # the largest class's share (issue 14)
                counts = np.bincount(self.points.y.astype(np.intp), minlength=self.n_classes)
                base: float | None = float(counts.max() / self.points.n)
            else:
                base = float(majority_baseline(self.points.y)) if self.points.n else None
            self._baseline_cache = (v, base if base is None or math.isfinite(base) else None)
        return self._baseline_cache[1]

    def probe(self, x: float, y: float, *, seq: int = 0) -> ProbeResult:
        """z and p̂ at (x, y) under the current weights (K > 2: every class's p̂, and the
        most probable class's z and p̂)."""
        if self.n_classes > 2:  # issue 14, part 3
            zs = mc.scores(self.features(np.array([[x, y]])), self.coef, self.n_classes)[0]
            probs = softmax(zs)
            top = int(np.argmax(probs))
            return ProbeResult(
                seq=seq, x=x, y=y, z=float(zs[top]), p=float(probs[top]),
                probs=[float(v) for v in probs],
            )
        if self.degree == 1 and not self.standardize:
            w0, w1, b = (float(v) for v in self.coef)
            z = w0 * x + w1 * y + b
        else:
            z = float(self.features(np.array([[x, y]]))[0] @ self.coef[:-1] + self.coef[-1])
        return ProbeResult(seq=seq, x=x, y=y, z=z, p=float(sigmoid(z)))

    # ----------------------------------------------------------- data commands

    def load_preset(self, command: LoadPreset) -> None:
        d = self.data
        k = command.n_classes  # issue 14, part 3
        if k is None:
            k = d.n_classes if command.preset in MULTICLASS_PRESETS else 2
        try:
            data = DataSpec(
                preset=command.preset,
                seed=d.seed if command.seed is None else command.seed,
                n_points=d.n_points if command.n_points is None else command.n_points,
                noise=d.noise if command.noise is None else command.noise,
                test_share=d.test_share,
                n_classes=k,
            )
        except ValidationError as exc:
            raise CommandError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
        self.set_data(data)

    def load_csv(self, custom: CustomData) -> None:
        """The user's own points replace the current ones (a new experiment)."""
        data = self.data.model_copy(update={"custom": custom, "edits": [], "n_classes": 2})
        self.set_data(data)
        self.data = data.model_copy(update={"custom": _custom_stub(custom)})
        self._custom_view = data_view(self.points.X) if self.points.n else None
        self._window_cache = None
        # Weights fitted to other data mean nothing here: start from p̂ = 0.5 everywhere.
        self.coef = np.zeros(n_coefficients(self.degree))
        self.after_weights_set()

    def new_sample(self) -> None:
        if self.data.custom is not None:
            raise CommandError(
                "New sample draws a preset's points again, but the points now come from "
                f"{self.data.custom.source or 'your CSV data'}: load a preset first"
            )
        seed = self.data.seed
        while seed == self.data.seed:
            seed = secrets.randbelow(2**32)
        self.set_data(self.data.model_copy(update={"seed": seed}))

    def set_data(self, data: DataSpec) -> None:
        self.trust = TrustSpec(  # trust views (issue 16): new points, nothing selected
            show_influence=self.trust.show_influence, show_band=self.trust.show_band
        )
        old_k = self.data.n_classes
        self.points = build_points(data)
        self.data = data
        self.undo_log = []  # new data: nothing before them to undo
        if data.n_classes != old_k:  # issue 14, part 3: another K, the start weights
            self._map_cache = None
            self._reset_coef()
            self.view_spec = self.view_spec.model_copy(
                update={"active_class": min(self.view_spec.active_class, data.n_classes - 1)}
            )
        self.edits = []
        self.edit_json = []
        self._data_spec_cache = None
        self.start_over()

    def edit(self, edit: Edit) -> None:
        if isinstance(edit, AddPoint) and edit.cls >= self.n_classes:  # issue 14, part 3
            raise CommandError(
                f"cannot add a point of class {edit.cls}: there are {self.n_classes} classes "
                f"(0 to {self.n_classes - 1})"
            )
        last = self.edits[-1] if self.edits else None
        if isinstance(edit, MovePoint) and isinstance(last, MovePoint) and last.index == edit.index:
            # Successive moves of one point (a drag) are one edit: one undo puts it back.
            self.points.amend_move(edit)
            self.edits[-1] = edit
            self.edit_json[-1] = _dump_edit(edit)
        else:
            self.points.apply(edit)
            self.edits.append(edit)
            self.edit_json.append(_dump_edit(edit))
            self.undo_log.append(EDIT_MARK)
        self._data_spec_cache = None
        self.trust = self.trust.after_edit(edit)  # trust views (issue 16)
        if isinstance(edit, ClearPoints):
            self.start_over()
        if len(self.edits) > compaction.MAX_EDITS:
            self._compact_edits()

    def _compact_edits(self) -> None:
        """Fold the edits into stored points (:mod:`logitlab.lab.compaction`); the view stays."""
        view = self.window()
        stub = compaction.compact(self.points, self.data)
        self.data = self.data.model_copy(update={"custom": stub, "edits": []})
        self.points = build_points(self.data)
        self.edits, self.edit_json = [], []
        self._data_spec_cache = None
        self._custom_view = view
        self._window_cache = None

    def undo(self) -> None:
        while self.undo_log and self.undo_log[-1] == EDIT_MARK and not self.edits:
            self.undo_log.pop()  # edits folded away by compaction
        last = self.undo_log[-1] if self.undo_log else None
        if isinstance(last, FeatureUndo):  # a feature change (issue 14)
            self.undo_log.pop()
            self._apply_features(
                SetFeatures(
                    degree=last.degree, standardize=last.standardize, test_share=last.test_share
                )
            )
            self.coef = last.coef.copy()
            self.after_weights_set()
            return
        if not self.edits:
            raise CommandError(
                "nothing to undo: undo reverts point edits (add, move, delete, clear) and "
                "feature changes (degree, standardize, test share) made since the preset "
                "was loaded"
            )
        if last == EDIT_MARK:
            self.undo_log.pop()
        self.points.undo()
        undone = self.edits.pop()
        self.edit_json.pop()
        self._data_spec_cache = None
        self.trust = self.trust.after_undo(undone, self.points.n)  # trust views (issue 16)

    # ----------------------------------------------------------- model and training

    def start_over(self) -> None:
        """New data: forget the step count, the loss history and the optimizer's memory."""
        self.steps = 0
        self.history = LossHistory()
        self.test_history = LossHistory()
        self.recent = Recent()
        self.halted = None
        self._optimizer_cache = None
        if hasattr(self, "explore"):  # issue 15, branch landscape
            self.explore.start_over()

    def set_model(self, command: SetModel) -> None:
        for i, v in ((0, command.w0), (1, command.w1), (-1, command.b)):
            if v is not None:
                self.coef[i] = v
        self.after_weights_set()

    def after_weights_set(self) -> None:
        self.halted = None
        self.recent = Recent()
        self._optimizer_cache = None

    def set_training(self, command: SetTraining) -> None:
        update = command.model_dump(exclude={"type", "seq"}, exclude_none=True)
        self.training = self.training.model_copy(update=update)
        self.halted = None
        self.recent = Recent()

    def set_view(self, command: SetView) -> None:
        active = command.active_class  # issue 14, part 3 (review): found by the K-class fuzz
        if active is not None and active >= self.n_classes:
            raise CommandError(
                f"the active class is {active} but there are {self.n_classes} classes "
                f"(0 to {self.n_classes - 1})"
            )
        update = command.model_dump(exclude={"type", "seq", "curve_width"}, exclude_none=True)
        self.view_spec = self.view_spec.model_copy(update=update)

    def train(self, steps: int) -> int:
        """Take ``steps`` optimizer steps (fewer if a step would leave the representable range).

        Returns the number of steps taken.
        """
        if self.points.n == 0:
            raise CommandError("there are no points to train on: add points or load a preset")
        objective = self.objective()
        optimizer = self.optimizer()
        coef = self.coef
        recent = self.recent
        taken = 0
        track_test = self.has_split()
        multi = self.n_classes > 2
        if multi:  # pin the softmax shift: class sums 0 (see logitlab.lab.multiclass)
            coef = center_replicated(objective, coef)
        self.explore.weights.record(self.steps, coef)  # issue 15, branch landscape
        for _ in range(steps):
            result = optimizer.step(objective, coef)
            new = center_replicated(objective, result.coef) if multi else result.coef
            if not (math.isfinite(result.value) and np.all(np.isfinite(new))):
                self.halted = "non-finite"
                break
            if float(np.max(np.abs(new))) > WEIGHT_LIMIT:
                self.halted = "weight-limit"
                break
            self.history.append(self.steps, result.value)
            if track_test:
                test_loss = self.test_log_loss(coef)
                if test_loss is not None:
                    self.test_history.append(self.steps, test_loss)
            recent.values.append(result.value)
            if coef.size == 3:
                recent.norms.append(math.hypot(coef[0], coef[1]))
            else:
                recent.norms.append(float(np.linalg.norm(coef[:-1])))
            move = float(np.linalg.norm(new - coef))
            recent.last_move = move / (1.0 + float(np.linalg.norm(coef)))
            coef = new
            if self.steps < STEP_LIMIT:  # beyond it the count would not be exact
                self.steps += 1
            self.explore.weights.record(self.steps, coef)  # issue 15, branch landscape
            taken += 1
        self.coef = np.array(coef, dtype=np.float64)
        return taken

    def reset_weights(self) -> None:
        """w₀ = 1, w₁ = −1, b = 0 (all 0 on CSV data, as loading them does); the step
        counter, history and optimizer memory cleared."""
        self._reset_coef()
        self.start_over()

    def _reset_coef(self) -> None:
        if self.n_classes > 2:  # issue 14, part 3: every class equally likely
            self.coef = np.zeros(mc.coef_size(self.degree, self.n_classes))
            return
        start = np.zeros(3) if self.data.custom is not None else np.array(INITIAL_COEF)
        self.coef = resize_coef(start, 1, self.degree)

    def run_scenario(self, name: ScenarioName) -> bool:
        """Set up a "Try this" experiment; returns whether the page should start Auto-train."""
        recipe = SCENARIOS[name]
        saved = self.__dict__.copy()
        try:
            self.set_data(recipe.data)
            self.training = recipe.training
            self.view_spec = self.view_spec.model_copy(update={"tau": recipe.tau})
            self.degree, self.standardize = recipe.degree, recipe.standardize
            coef = resize_coef(np.array(recipe.coef, dtype=np.float64), 1, recipe.degree)
            if self.n_classes > 2:  # issue 14, part 3: a K-class card starts from zeros
                coef = np.zeros(mc.coef_size(recipe.degree, self.n_classes))
            if recipe.fit and self.points.n:
                penalty = Penalty(alpha=2.0 * FIT_LAMBDA)
                coef = solve(self.objective().with_penalty(penalty)).coef
            self.coef = -coef if recipe.flip else coef
            self.after_weights_set()
        except CommandError:
            self.__dict__.update(saved)
            raise
        return recipe.start_auto

    # ----------------------------------------------------------- fit exactly, code (issue 15)

    def fit_exactly(self) -> None:
        """Jump to the exact optimum of the current objective (:func:`~.exact.exact_optimum`).

        The step count and the loss history stay; the steps stat reads "exact fit" while
        the weights are that optimum (:meth:`is_exact_fit`). Raises ``CommandError``
        (weights unchanged) when the objective has no finite optimum.
        """
        objective = self.objective()
        coef = exact_optimum(objective)
        self.coef = coef
        self.after_weights_set()
        self._exact_key = (self.points.version, objective.penalty, coef.tobytes())

    def is_exact_fit(self) -> bool:
        """True while the weights are the last exact fit of these points under this penalty."""
        key = self._exact_key
        if key is None:
            return False
        now = (self.points.version, lab_penalty(self.training), self.coef.tobytes())
        return key == now

    def show_code(self, flavor: CodeFlavor) -> None:
        self.code_flavor = flavor

    def show_regpath(self) -> None:
        self.regpath_wanted = True


    # ----------------------------------------------------------- trust views (issue 16)

    def inspect(self, command: Inspect) -> None:
        """Select a point for the Point inspector (-1 clears) and switch the trust overlays."""
        spec = self.trust
        if command.index is not None:
            if command.index >= self.points.n:
                raise CommandError(
                    f"cannot inspect point {command.index}: there are {self.points.n} points "
                    f"(allowed: 0 to {self.points.n - 1}, or -1 to clear the selection)"
                )
            spec = replace(spec, selected=None if command.index < 0 else command.index)
        if command.show_influence is not None:
            spec = replace(spec, show_influence=command.show_influence)
        if command.show_band is not None:
            spec = replace(spec, show_band=command.show_band)
        self.trust = replace(spec, deleted=None)


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
