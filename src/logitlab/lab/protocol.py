"""Message schemas between the browser and the Lab server (pydantic).

Data flows one way: a browser action becomes a *command* (client → server),
the session applies it, and the server answers with a *frame* (server → client)
or an *error* frame. Every command carries ``type``; unknown types, missing
fields, wrong types and out-of-range values are rejected here, at the boundary,
with a message naming the field and what is allowed.

``LabState`` is everything a user made and chose: it is what the URL, the
browser's storage and the JSON export hold, and ``hello`` / ``import_state``
rebuild a session from it exactly.

Protocol notes (added with the session, issue 3; all additions are optional fields)
------------------------------------------------------------------------------------
- Every command is answered by exactly one message: a ``Frame`` (a ``ProbeResult``
  for ``probe``) or an ``ErrorFrame``; after an error the session is unchanged.
- ``Frame.points``, ``Frame.field`` and ``Frame.curve`` are None when unchanged since
  the previous frame on this connection: keep the last ones received. ``hello`` and
  ``import_state`` always answer with all three (``field`` is None while
  ``show_field`` is off; it is sent again when it is switched on).
- ``FieldPayload``: value (row r, column c) is p̂ at the centre of that cell, i.e.
  x = xmin + (c + ½)·(xmax − xmin)/size, y = ymax − (r + ½)·(ymax − ymin)/size.
- ``CurvePayload``: one entry per pixel column (at most ``curve_width``); ``steps`` is
  the step of each column's last value; the last entry is the current objective;
  ``first`` is the step the history starts at (a column's step is its last one).
- Added ``Metrics.n_points`` (points now on the chart), ``Divergence.hint`` (what to
  do about it), ``Frame.scenario`` (the scenario a frame has just set up) and
  ``ProbeResult.seq``.
- ``Metrics.accuracy`` and the confusion counts use the rule p̂ ≥ τ; ``delta_loss`` is
  the objective's change over the last optimizer step (None before the first step).
- Successive ``move`` edits of the same point (a drag) merge into one edit, so the
  state stays short and one undo puts the point back where the drag started.
- Loading a preset, New sample, Clear points, import, a scenario and Reset weights set
  ``Frame.steps`` to 0 and clear the loss curve; single point edits keep them.
- ROC page (issue 4): ``Hello.page = "roc"`` makes every frame carry ``Frame.roc``
  (``RocPayload``; its ``curves`` only when changed); ``ViewSpec.cost_fp`` / ``cost_fn``
  (and the same optional fields on ``SetView``) price the errors for the minimum-cost τ.
- Own data (issue 5): ``DataSpec.custom`` (``CustomData``) replaces the preset's points
  with the user's; edits and undo work on top. Frames carry it as a *stub* (hash and
  names, no points); the points travel over HTTP (``POST /api/csv``, ``/api/data``,
  ``GET /api/data/{hash}``), never through the WebSocket's message limit. ``load_csv``
  switches to such data; ``new_sample`` is refused while custom data are loaded.
- Views (issue 10): ``ViewSpec.fit`` (and ``SetView.fit``), ``"all"`` by default: ``"most"``
  fits the data chart's window to the central 98 % of the points on each axis.
- Trust views (issue 16): ``inspect`` (``Inspect``) selects a point (``index``; -1 clears)
  and switches ``show_influence`` / ``show_band``; these are session settings, not state.
  Lab frames carry ``calibration``, ``inspector`` (None when nothing is selected),
  ``influence`` and ``band`` (None while off) and ``inference``.
- Regularization path, Fit exactly, code (issue 15, branch regpath): ``fit_exact``
  (``FitExact``) sets the weights to the exact optimum (an error frame, weights kept,
  when there is none) and ``Frame.exact_fit`` is True while they stay there;
  ``show_code`` (``ShowCode``) makes frames carry ``Frame.code`` (when it changes);
  ``Frame.regpath`` is sent when the points, the penalty or λ change, computed once the
  page has sent ``show_regpath`` (``ShowRegPath``: the panel is on screen).
- Loss landscape, optimizer race, replay (issue 15 parts 1-3, branch landscape):
  ``show_landscape`` (the panel is on screen, which two coefficients), ``set_coefs`` (a
  click on the landscape sets two), ``race`` (start / stop; a running race takes the
  ``train`` steps), ``replay`` (show the weights of a step; None: live),
  ``resume_replay`` and ``undo_resume``. Frames add ``landscape`` (the grid, on change),
  ``landscape_path``, ``race`` and ``replay``.
- Feature maps and the train/test split (issue 14, parts 1-2): ``ModelSpec.degree``,
  ``ModelSpec.standardize`` and ``ModelSpec.coef`` (every coefficient: the weights of the
  mapped columns, then the intercept; None = ``[w0, w1, 0, ..., 0, b]``, so old states with
  only w0/w1/b still load); ``DataSpec.test_share`` (the split is drawn from ``DataSpec.seed``);
  ``ViewSpec.confusion_of``. Commands ``set_features`` and ``set_coef``. Frames add
  ``contours`` (the p̂ = τ and p̂ = 0.5 curves when degree > 1), ``coefficients``,
  ``PointsPayload.test``, ``Metrics.test_*`` and ``CurvePayload.test``.
- More than two classes (issue 14, part 3): ``DataSpec.n_classes`` (2-5; above 2 only for
  Blobs, Overlap and Spiral; default 2, so old states load unchanged) and
  ``LoadPreset.n_classes``. With K > 2 classes ``ModelSpec.coef`` is the flat softmax
  coefficient vector, K rows of (columns' weights, b), class 0 first, always present;
  point classes (``AddPoint.cls``, ``ViewSpec.active_class``) go up to 4.
  Frames add ``n_classes``, ``multiclass`` (K × K confusion, per-class and macro scores,
  one-vs-rest ROC curves on the ROC page), ``FieldPayload.classes`` (most probable class per
  cell; ``data`` is then its probability) and ``ProbeResult.probs``. ``contours.tau`` holds
  the boundaries between classes. Views that are two-class only send None at K > 2.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

# ----------------------------------------------------------------- limits

MAX_POINTS = 100_000
MIN_PRESET_POINTS = 10
MAX_STEPS_PER_COMMAND = 10_000
MAX_MESSAGE_BYTES = 1 << 20
"""Largest WebSocket message the server handles; a larger one gets an error frame."""
MAX_CSV_BYTES = 4 << 20
"""Largest CSV file of points the Lab accepts (100,000 rows of ``x,y,class`` fit easily).
Over HTTP the server refuses larger request bodies with 413; sent over the WebSocket,
a CSV is also bounded by :data:`MAX_MESSAGE_BYTES`. Use :data:`CsvText` for the field."""
MAX_NAME_CHARS = 200
"""Longest file, column or class name kept with custom data."""
COORD_LIMIT = 1e6
WEIGHT_LIMIT = 1e6
MAX_DEGREE = 6
"""Highest polynomial degree of the Lab's feature map (issue 14)."""
MAX_TEST_SHARE = 0.5
"""Largest share of the points held out as test points (issue 14)."""


def n_coefficients(degree: int) -> int:
    """Entries of ``ModelSpec.coef`` at ``degree``: every monomial of x, y up to it, then b."""
    return (degree + 1) * (degree + 2) // 2


Finite = Annotated[float, Field(allow_inf_nan=False)]
Coord = Annotated[float, Field(ge=-COORD_LIMIT, le=COORD_LIMIT, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=-WEIGHT_LIMIT, le=WEIGHT_LIMIT, allow_inf_nan=False)]
ClassLabel = Literal[0, 1]
MAX_CLASSES = 5
"""Most classes a Lab experiment can have (issue 14, part 3)."""
PointClass = Annotated[int, Field(ge=0, lt=MAX_CLASSES)]
"""A point's class in the Lab: 0 .. n_classes - 1 (the experiment checks n_classes)."""
NClasses = Annotated[int, Field(ge=2, le=MAX_CLASSES)]
MULTICLASS_PRESETS = ("blobs", "overlap", "spiral")
"""Presets drawn with more than two classes (the others are two-class)."""
CsvText = Annotated[str, Field(max_length=MAX_CSV_BYTES)]
"""The text of an uploaded CSV file of points, at most :data:`MAX_CSV_BYTES` characters."""
COST_LIMIT = 1e6
Cost = Annotated[float, Field(ge=0.0, le=COST_LIMIT, allow_inf_nan=False)]
PageName = Literal["lab", "roc"]
FitName = Literal["all", "most"]
"""The data chart's window: around ``"all"`` points, or ``"most"`` (the central 98 % on
each axis, so one far outlier does not squeeze the others into a corner)."""
RowsName = Literal["train", "test"]
"""Training or test points (issue 14)."""
GradeName = Literal["excellent", "good", "fair", "weak", "chance", "reversed", "undefined"]

PresetName = Literal[
    "blobs",
    "balanced",
    "overlap",
    "imbalanced",
    "xor",
    "near-perfect",
    "moons",
    "circles",
    "spiral",  # issue 14, part 3
]
PenaltyName = Literal["none", "l2", "l1", "elasticnet"]
OptimizerName = Literal["gd", "momentum", "adam", "sgd", "newton"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------- state


class AddPoint(_Strict):
    op: Literal["add"] = "add"
    x: Coord
    y: Coord
    cls: PointClass


class MovePoint(_Strict):
    op: Literal["move"] = "move"
    index: Annotated[int, Field(ge=0, lt=MAX_POINTS)]
    x: Coord
    y: Coord


class DeletePoint(_Strict):
    op: Literal["delete"] = "delete"
    index: Annotated[int, Field(ge=0, lt=MAX_POINTS)]


class ClearPoints(_Strict):
    op: Literal["clear"] = "clear"


Edit = Annotated[AddPoint | MovePoint | DeletePoint | ClearPoints, Field(discriminator="op")]


class CustomData(_Strict):
    """The user's own points (from a CSV file), in full or named by their content hash.

    *Full* form: ``x``, ``y`` and ``cls`` hold every point (the JSON export and
    ``POST /api/data`` carry this). *Stub* form: the three lists are None and
    ``hash`` names data the server already has (frames, the URL and ``hello`` /
    ``import_state`` carry this, so messages stay small however many points there
    are). See :mod:`logitlab.lab.csv_data`.
    """

    hash: Annotated[str, Field(pattern=r"^([0-9a-f]{32})?$")] = ""
    """Content hash (32 hex digits) computed by the server; "" in a full form not yet seen."""
    source: Annotated[str, Field(max_length=MAX_NAME_CHARS)] = ""
    """The file the points came from (its name only)."""
    x_name: Annotated[str, Field(max_length=MAX_NAME_CHARS)] = "x"
    y_name: Annotated[str, Field(max_length=MAX_NAME_CHARS)] = "y"
    target_name: Annotated[str, Field(max_length=MAX_NAME_CHARS)] = "class"
    class_names: Annotated[
        list[Annotated[str, Field(max_length=MAX_NAME_CHARS)]], Field(min_length=2, max_length=2)
    ] = ["0", "1"]
    """The target's values that became class 0 and class 1."""
    n_points: Annotated[int, Field(ge=0, le=MAX_POINTS)] = 0
    x: Annotated[list[Coord], Field(max_length=MAX_POINTS)] | None = None
    y: Annotated[list[Coord], Field(max_length=MAX_POINTS)] | None = None
    cls: Annotated[list[ClassLabel], Field(max_length=MAX_POINTS)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _count_points(cls, data: Any) -> Any:
        if isinstance(data, dict) and "n_points" not in data and isinstance(data.get("x"), list):
            return {**data, "n_points": len(data["x"])}
        return data

    @model_validator(mode="after")
    def _full_or_stub(self) -> CustomData:
        lists = (self.x, self.y, self.cls)
        if all(v is None for v in lists):
            if not self.hash:
                raise ValueError(
                    "custom data need either the points (x, y and cls) or the hash of data "
                    "the server already has"
                )
            return self
        if any(v is None for v in lists):
            raise ValueError("custom data need all three lists x, y and cls, or none of them")
        assert self.x is not None and self.y is not None and self.cls is not None
        n = len(self.x)
        if len(self.y) != n or len(self.cls) != n:
            raise ValueError(
                f"x, y and cls must have the same length, got {n}, {len(self.y)} and "
                f"{len(self.cls)}"
            )
        if n != self.n_points:
            raise ValueError(f"n_points is {self.n_points} but the lists hold {n} points")
        return self

    @property
    def is_full(self) -> bool:
        """True when the points themselves are here (not only their hash)."""
        return self.x is not None


class DataSpec(_Strict):
    """Where the points come from: a seeded preset (or the user's CSV data), then edits."""

    preset: PresetName = "blobs"
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 1
    n_points: Annotated[int, Field(ge=MIN_PRESET_POINTS, le=MAX_POINTS)] = 120
    noise: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] = 1.0
    edits: Annotated[list[Edit], Field(max_length=MAX_POINTS)] = []
    custom: CustomData | None = None
    """The user's own points; when set they replace the preset (edits apply on top)."""
    # Train/test split (issue 14).
    test_share: Annotated[float, Field(ge=0.0, le=MAX_TEST_SHARE, allow_inf_nan=False)] = 0.0
    """Share of the points held out as test points (0: no split); drawn from ``seed``."""
    n_classes: NClasses = 2  # issue 14, part 3
    """Number of classes: above 2 only for the Blobs, Overlap and Spiral presets."""

    @model_validator(mode="after")
    def _classes_fit_preset(self) -> DataSpec:  # issue 14, part 3
        two_class = self.custom is not None or self.preset not in MULTICLASS_PRESETS
        if self.n_classes > 2 and two_class:
            what = "your CSV data have" if self.custom is not None else f"{self.preset} has"
            raise ValueError(
                f"n_classes is {self.n_classes} but {what} two classes: more than two "
                f"classes are drawn by the {', '.join(MULTICLASS_PRESETS)} presets"
            )
        for edit in self.edits:
            if isinstance(edit, AddPoint) and edit.cls >= self.n_classes:
                raise ValueError(
                    f"an added point has class {edit.cls} but there are {self.n_classes} "
                    f"classes (0 to {self.n_classes - 1})"
                )
        return self


class ModelSpec(_Strict):
    w0: Weight = 1.0
    w1: Weight = -1.0
    b: Weight = 0.0
    steps: Annotated[int, Field(ge=0, le=2**53)] = 0
    """Optimizer steps that led to these weights (a reloaded or shared lab goes on counting)."""
    # Feature maps (issue 14).
    degree: Annotated[int, Field(ge=1, le=MAX_DEGREE)] = 1
    """Polynomial degree: the model's columns are every monomial of x and y up to it."""
    standardize: bool = False
    """Standardize the mapped columns with the training points' mean and SD; the
    coefficients are then the weights of the standardized columns."""
    coef: (
        Annotated[list[Weight], Field(max_length=MAX_CLASSES * n_coefficients(MAX_DEGREE))]
        | None
    ) = None
    """Every coefficient (mapped columns' weights, then b); None: ``[w0, w1, 0, ..., b]``.
    With K > 2 classes: K such rows, class 0 first (issue 14, part 3)."""

    @field_validator("coef")
    @classmethod
    def _coef_length(cls, coef: list[float] | None, info: ValidationInfo) -> list[float] | None:
        degree = info.data.get("degree")
        if coef is None or not isinstance(degree, int):
            return coef
        n = n_coefficients(degree)
        rows = (1, *range(3, MAX_CLASSES + 1))  # binary: one row; K > 2 classes: K rows
        if len(coef) not in {k * n for k in rows}:
            raise ValueError(
                f"coef has {len(coef)} entries but degree {degree} has {n} coefficients "
                f"(every monomial, then b), or K × {n} with K = 3 to {MAX_CLASSES} classes"
            )
        return coef


class TrainingSpec(_Strict):
    learning_rate: Annotated[float, Field(ge=1e-4, le=10.0, allow_inf_nan=False)] = 0.1
    penalty: PenaltyName = "none"
    lam: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 0.0
    l1_ratio: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.5
    optimizer: OptimizerName = "gd"
    batch_size: Annotated[int, Field(ge=1, le=MAX_POINTS)] = 16
    speed: Annotated[float, Field(ge=1.0, le=2000.0, allow_inf_nan=False)] = 100.0
    """Auto-train speed in gradient steps per second."""


class ViewSpec(_Strict):
    tau: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.5
    active_class: PointClass = 1
    show_field: bool = True
    log_loss_axis: bool = False
    cost_fp: Cost = 1.0
    """Cost of one false positive, for the ROC page's minimum-cost threshold."""
    cost_fn: Cost = 1.0
    """Cost of one false negative, for the ROC page's minimum-cost threshold."""
    fit: FitName = "all"
    """What the data chart's window holds: every point, or the bulk (outliers may fall off)."""
    confusion_of: RowsName = "train"
    """Which points the confusion matrix, precision, recall and F1 count (issue 14)."""


class LabState(_Strict):
    """Everything the user made and chose; serialized into the URL and the JSON export."""

    version: Literal[1] = 1
    data: DataSpec = DataSpec()
    model: ModelSpec = ModelSpec()
    training: TrainingSpec = TrainingSpec()
    view: ViewSpec = ViewSpec()

    @model_validator(mode="after")
    def _classes_agree(self) -> LabState:  # issue 14, part 3
        k = self.data.n_classes
        coef = self.model.coef
        rows = 1 if k == 2 else k
        if coef is not None and len(coef) != rows * n_coefficients(self.model.degree):
            raise ValueError(
                f"model.coef has {len(coef)} entries but {k} classes at degree "
                f"{self.model.degree} need {rows * n_coefficients(self.model.degree)}"
            )
        if self.view.active_class >= k:
            raise ValueError(
                f"view.active_class is {self.view.active_class} but there are {k} classes "
                f"(0 to {k - 1})"
            )
        return self


# ----------------------------------------------------------------- commands


class _Command(_Strict):
    seq: Annotated[int, Field(ge=0, le=2**53)] = 0
    """Chosen by the client; the frame answering this command carries it back."""


class Hello(_Command):
    """First message of a connection; ``state`` rebuilds a session (None = defaults)."""

    type: Literal["hello"] = "hello"
    state: LabState | None = None
    curve_width: Annotated[int, Field(ge=16, le=4096)] = 600
    """How many horizontal pixels the loss chart has; the curve is decimated to this."""
    page: PageName = "lab"
    """The page asking: ``"roc"`` adds the ROC analysis (``Frame.roc``) to every frame."""
    steps: Annotated[int, Field(ge=0, le=2**53)] = 0
    """The step count to go on from: a page rebuilding its session after a lost connection
    sends the count it showed, so the counter does not restart (the loss curve does)."""
    repair: bool = False
    """True: state fields that fail validation are left out and named (an error frame with
    seq 0 after the frame) instead of refusing the hello: a page opening a link keeps its
    valid fields (:mod:`logitlab.lab.repair`)."""


class ImportState(_Command):
    type: Literal["import_state"] = "import_state"
    state: LabState


class LoadPreset(_Command):
    type: Literal["load_preset"] = "load_preset"
    preset: PresetName
    n_points: Annotated[int, Field(ge=MIN_PRESET_POINTS, le=MAX_POINTS)] | None = None
    noise: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] | None = None
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] | None = None
    n_classes: NClasses | None = None  # issue 14, part 3
    """None: keep the current number where the preset allows it, else 2."""


class NewSample(_Command):
    """Same preset, size and noise; a new seed."""

    type: Literal["new_sample"] = "new_sample"


class EditPoints(_Command):
    type: Literal["edit"] = "edit"
    edit: Edit


class Undo(_Command):
    type: Literal["undo"] = "undo"


class SetModel(_Command):
    """Weights set by hand (sliders, number boxes, drags); any subset of fields."""

    type: Literal["set_model"] = "set_model"
    w0: Weight | None = None
    w1: Weight | None = None
    b: Weight | None = None


class SetTraining(_Command):
    type: Literal["set_training"] = "set_training"
    learning_rate: Annotated[float, Field(ge=1e-4, le=10.0, allow_inf_nan=False)] | None = None
    penalty: PenaltyName | None = None
    lam: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] | None = None
    l1_ratio: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] | None = None
    optimizer: OptimizerName | None = None
    batch_size: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = None
    speed: Annotated[float, Field(ge=1.0, le=2000.0, allow_inf_nan=False)] | None = None


class SetView(_Command):
    type: Literal["set_view"] = "set_view"
    tau: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] | None = None
    active_class: PointClass | None = None
    show_field: bool | None = None
    log_loss_axis: bool | None = None
    curve_width: Annotated[int, Field(ge=16, le=4096)] | None = None
    cost_fp: Cost | None = None
    cost_fn: Cost | None = None
    fit: FitName | None = None
    confusion_of: RowsName | None = None


class Train(_Command):
    """Run ``steps`` optimizer steps now (Train 1 step / Train 100 steps / an Auto-train tick)."""

    type: Literal["train"] = "train"
    steps: Annotated[int, Field(ge=1, le=MAX_STEPS_PER_COMMAND)]
    auto: bool = False


class ResetWeights(_Command):
    type: Literal["reset_weights"] = "reset_weights"


class Probe(_Command):
    """Hover read-out: z and p̂ at (x, y) under the current model."""

    type: Literal["probe"] = "probe"
    x: Coord
    y: Coord


class LoadCsv(_Command):
    """Make the user's own points (usually a stub naming uploaded data) the session's data."""

    type: Literal["load_csv"] = "load_csv"
    data: CustomData


# Feature maps and the split (issue 14).
class SetFeatures(_Command):
    """Polynomial degree, standardization and the test share; any subset of fields."""

    type: Literal["set_features"] = "set_features"
    degree: Annotated[int, Field(ge=1, le=MAX_DEGREE)] | None = None
    standardize: bool | None = None
    test_share: Annotated[float, Field(ge=0.0, le=MAX_TEST_SHARE, allow_inf_nan=False)] | None = (
        None
    )


class SetCoef(_Command):
    """One coefficient set by hand: entry ``index`` of ``ModelSpec.coef`` (b is the last)."""

    type: Literal["set_coef"] = "set_coef"
    index: Annotated[int, Field(ge=0, lt=MAX_CLASSES * n_coefficients(MAX_DEGREE))]
    value: Weight


ScenarioName = Literal[
    "xor-wall",
    "lr-explosion",
    "regularization",
    "threshold-tradeoff",
    "imbalanced",
    "hand-set",
    "separable-growth",
    "newton-vs-gd",
    "anti-classifier",
    "roc-overlap",
    "roc-imbalanced",
    "roc-near-perfect",
    # Trust views (issue 16).
    "confident-wrong",
    # issue 14
    "bend-the-line",
    "circles-circle",
    "too-many-wiggles",
    "overfit-on-purpose",
    "three-classes",  # issue 14, part 3
]


class RunScenario(_Command):
    """Set up a "Try this" card's experiment (data, weights, hyperparameters)."""

    type: Literal["scenario"] = "scenario"
    name: ScenarioName


# Trust views (issue 16): the point inspector's selection and the chart's trust overlays.


class Inspect(_Command):
    """Select a point for the Point inspector (``index``; -1 clears) and switch the overlays.

    These settings belong to the session (not to :class:`LabState`): a reload starts
    with nothing selected and the overlays off.
    """

    type: Literal["inspect"] = "inspect"
    index: Annotated[int, Field(ge=-1, lt=MAX_POINTS)] | None = None
    show_influence: bool | None = None
    show_band: bool | None = None


# Fit exactly and the code snippets (issue 15, branch regpath)

CodeFlavor = Literal["sklearn", "logitlab"]
"""Which library a "Copy as … code" snippet fits with."""


class FitExact(_Command):
    """Jump to the exact optimum of the current objective ("Fit exactly")."""

    type: Literal["fit_exact"] = "fit_exact"


class ShowRegPath(_Command):
    """The page shows the regularization path panel: compute ``Frame.regpath`` from now on.

    Until then (and in every new session) the path, which costs up to a few hundred
    milliseconds per data change, is not computed.
    """

    type: Literal["show_regpath"] = "show_regpath"


class ShowCode(_Command):
    """Ask for the snippet that rebuilds the points and reproduces the exact fit."""

    type: Literal["show_code"] = "show_code"
    flavor: CodeFlavor


# Loss landscape, optimizer race, replay (issue 15 parts 1-3, branch landscape)


class ShowLandscape(_Command):
    """The loss landscape panel is on screen (``visible``) over coefficients ``axes``.

    Until the page sends it (and while ``visible`` is False) the landscape is not computed.
    ``axes``: two different indices into ``ModelSpec.coef`` (b last); None keeps the pair.
    """

    type: Literal["show_landscape"] = "show_landscape"
    visible: bool = True
    axes: tuple[int, int] | None = None


class SetCoefs(_Command):
    """Several coefficients at once (a click or drag on the landscape sets two)."""

    type: Literal["set_coefs"] = "set_coefs"
    index: Annotated[
        list[Annotated[int, Field(ge=0, lt=n_coefficients(MAX_DEGREE))]],
        Field(min_length=1, max_length=2),
    ]
    value: Annotated[list[Weight], Field(min_length=1, max_length=2)]


class RaceCommand(_Command):
    """ "Race optimizers": ``start`` a race from the current weights, ``stop`` (clear) it.

    While a race is on, ``train`` steps advance every racer instead of the model.
    """

    type: Literal["race"] = "race"
    action: Literal["start", "stop"]


class Replay(_Command):
    """Show the model as it was at training step ``step`` (None: back to the live model)."""

    type: Literal["replay"] = "replay"
    step: Annotated[int, Field(ge=0, le=2**53)] | None


class ResumeReplay(_Command):
    """ "Resume from here": continue from the replayed step, dropping the later history."""

    type: Literal["resume_replay"] = "resume_replay"


class UndoResume(_Command):
    """Undo the last "Resume from here" (the dropped history and weights come back)."""

    type: Literal["undo_resume"] = "undo_resume"


Command = Annotated[
    Hello
    | ImportState
    | LoadPreset
    | NewSample
    | EditPoints
    | Undo
    | SetModel
    | SetTraining
    | SetView
    | Train
    | ResetWeights
    | Probe
    | RunScenario
    | LoadCsv
    | Inspect
    | FitExact  # issue 15, branch regpath
    | ShowCode  # issue 15, branch regpath
    | ShowRegPath  # issue 15, branch regpath
    | SetFeatures
    | SetCoef
    | ShowLandscape  # issue 15, branch landscape
    | SetCoefs  # issue 15, branch landscape
    | RaceCommand  # issue 15, branch landscape
    | Replay  # issue 15, branch landscape
    | ResumeReplay  # issue 15, branch landscape
    | UndoResume,  # issue 15, branch landscape
    Field(discriminator="type"),
]


COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)
"""Validates one incoming message (a JSON object) into a command."""


# ----------------------------------------------------------------- frames


class View(_Strict):
    xmin: float
    xmax: float
    ymin: float
    ymax: float


class PointsPayload(_Strict):
    """The points, sent only when they change (``version`` increases)."""

    version: int
    n: int
    xy: str
    """base64 of little-endian float32 pairs x0, y0, x1, y1, …"""
    cls: str
    """base64 of uint8 labels."""
    test: str | None = None
    """base64 of uint8 flags, 1 for a test point (None without a split; issue 14)."""


class FieldPayload(_Strict):
    """p̂ on a ``size`` × ``size`` grid over the view, row 0 at ymax; base64 uint8 (p̂·255)."""

    size: int
    data: str
    classes: str | None = None
    """K > 2 classes (issue 14, part 3): base64 uint8 of the most probable class per cell;
    ``data`` is then that class's probability."""


class Segment(_Strict):
    x1: float
    y1: float
    x2: float
    y2: float


class Confusion(_Strict):
    tn: int
    fp: int
    fn: int
    tp: int


class Metrics(_Strict):
    log_loss: float | None
    objective: float | None
    delta_loss: float | None
    accuracy: float | None
    baseline: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    confusion: Confusion
    weight_norm: float
    n_points: int = 0
    """Number of points now on the chart (after edits)."""
    # Train/test split (issue 14): log_loss, objective and accuracy are the training
    # points'; confusion, precision, recall and f1 those of ViewSpec.confusion_of's points.
    n_test: int = 0
    test_accuracy: float | None = None
    test_log_loss: float | None = None


class CurvePayload(_Strict):
    """The loss curve decimated to the chart's width: envelope per pixel column."""

    first: int
    """The step of the first value in this history: 0 unless it began later (a reload)."""
    steps: list[int]
    low: list[float]
    high: list[float]
    last: list[float]
    test: list[float | None] | None = None
    """Test log loss at each column's last step (None without a split; issue 14)."""


class Divergence(_Strict):
    state: Literal["ok", "diverging", "separable"]
    message: str
    hint: str = ""
    """What the user can do about it (empty when ``state`` is ``ok``)."""


class Score(_Strict):
    """A ranking score (ROC AUC or average precision) with its chance level and grade."""

    value: float | None
    """None when the data cannot define it (e.g. one class only)."""
    chance: float | None
    """What random scores give on average: 0.5 for ROC AUC, the prevalence for AP."""
    skill: float | None
    """(value − chance) / (1 − chance): 0 at chance, 1 when perfect, negative below chance."""
    grade: GradeName
    text: str
    """The grade in plain words."""


class OperatingPoint(_Strict):
    """A threshold and where it puts the classifier in ROC and PR space."""

    tau: float
    value: float | None = None
    """What the point is best at: F1, Youden's J or the total cost (None for plain τ)."""
    fpr: float | None
    tpr: float | None
    precision: float | None
    """None when nothing is predicted class 1 at this τ."""


class AtTau(_Strict):
    """The decision "class 1 when p̂ ≥ τ" and its metrics (None where undefined)."""

    tau: float
    confusion: Confusion
    accuracy: float | None
    precision: float | None
    recall: float | None
    specificity: float | None
    f1: float | None
    balanced_accuracy: float | None
    mcc: float | None
    fpr: float | None


class RocCurves(_Strict):
    """Everything on the ROC page that does not depend on τ; sent when points or model change.

    Curves are decimated (consecutive points closer than a fraction of the plot are
    merged); ``*_tau`` give the threshold of each kept point (None: no threshold, e.g.
    the ROC's start where nothing is predicted class 1).
    """

    version: int
    roc_fpr: list[float]
    roc_tpr: list[float]
    roc_tau: list[float | None]
    pr_recall: list[float]
    pr_precision: list[float]
    pr_tau: list[float | None]
    hist_negative: list[int]
    """Class-0 points per bin of p̂ (equal bins on [0, 1])."""
    hist_positive: list[int]
    n_negative: int
    n_positive: int
    prevalence: float | None
    roc_auc: Score
    average_precision: Score
    best_f1: OperatingPoint | None
    youden: OperatingPoint | None


class RocPayload(_Strict):
    """The ROC page's analysis of the current model on the current points."""

    curves: RocCurves | None
    """None when unchanged since the previous frame: keep the last one."""
    at_tau: AtTau
    min_cost: OperatingPoint | None
    """Lowest cost_fp·FP + cost_fn·FN (None without points or with both costs 0)."""
    iso_cost: Segment | None
    """The line of equal cost through ``min_cost`` in ROC space, clipped to the unit square."""
    cost_text: str


# ----------------------------------------------------------------- trust views (issue 16)


class Polyline(_Strict):
    """Contour pieces in data coordinates: segment k is xy[4k : 4k + 4] (x1, y1, x2, y2)."""

    xy: list[float]


class CalibrationBin(_Strict):
    lo: float
    hi: float
    count: int
    mean_p: float | None
    """Mean p̂ of the bin's points (None when the bin is empty)."""
    observed: float | None
    """Share of class 1 among them (None when the bin is empty)."""


class CalibrationPayload(_Strict):
    """Reliability bins, Brier score and ECE at the current weights."""

    rows: Literal["training", "test"]
    """Which points were evaluated (training points until a split exists)."""
    n: int
    bins: list[CalibrationBin]
    brier: float | None
    ece: float | None
    text: str
    """The diagram in words (its text alternative)."""


class CoefChange(_Strict):
    name: str
    value: str
    """The formatted number (computed and rounded in Python)."""


class InspectorPayload(_Strict):
    """The selected point: its probability, loss, pull and leave-one-out refit."""

    index: int
    x: float
    y: float
    cls: int
    p: float
    """p̂ = P(class 1) at the current weights."""
    loss: float
    """−log p̂(its class)."""
    share: float | None
    """Its share of the total loss."""
    gradient: list[CoefChange]
    """Its contribution to the gradient of the mean cross-entropy, per coefficient."""
    arrow: Segment | None
    """Where and which way a step on this point alone moves the boundary (data coordinates)."""
    loo: list[CoefChange]
    """Refit without the point minus the fit with it, per coefficient (empty when undefined)."""
    loo_note: str
    """How the refit was made, or why there is none."""
    ghost: Polyline | None
    """The refit's boundary p̂ = τ, contoured on a grid of the window."""


class InfluencePayload(_Strict):
    """Each point's influence (one-step leave-one-out shift, scaled) for the marker sizes."""

    version: int
    """The points version it belongs to."""
    size: str
    """base64 uint8 per point: 0 least, 255 most influential (√ of Cook's distance, scaled)."""
    note: str


class InferenceRow(_Strict):
    name: str
    cells: list[str]
    """estimate, std err, z, P>|z|, CI low, CI high (summary()'s formatting)."""


class InferencePayload(_Strict):
    state: Literal["ok", "not-optimal", "separated", "empty"]
    message: str
    header: list[str]
    rows: list[InferenceRow]
    stats: list[CoefChange]
    """Log-likelihood, AIC, BIC (formatted)."""
    notes: list[str]
    """summary()'s notes, word for word."""
    se_kind: str
    """Which standard error is shown, and what it means under the current penalty."""


class BandPayload(_Strict):
    """The 95 % pointwise band around p̂ = τ: its two edges and a coarse fill mask."""

    lower: Polyline
    upper: Polyline
    size: int
    mask: str
    """base64 uint8 size × size (row 0 at ymax): 255 inside the band, 0 outside."""
    note: str


# Regularization path and code snippets (issue 15, branch regpath)


class RegPathPayload(_Strict):
    """Exact optima along a grid of λ for the Lab's penalty family (``views/regpath.py``).

    ``lams`` increase; ``coefs[k][j]`` is coefficient ``names[j]`` at ``lams[k]``.
    Under L1 a weight that is 0 is exactly 0.0.
    """

    family: Literal["l2", "l1", "elasticnet"]
    """The penalty the path is for ("l2" also while the penalty is "none")."""
    l1_ratio: float
    """The Lab's L1 share ρ of that penalty (0 for L2, 1 for L1)."""
    names: list[str]
    lams: list[float]
    coefs: list[list[float]]
    n_nonzero: list[int]
    """Weights (intercept not counted) that are not exactly 0 at each λ."""
    n_weights: int
    lam: float | None
    """The current λ when it is on this path (a penalty with λ > 0); None otherwise."""
    current: list[float] | None
    """The exact optimum at the current λ (None when ``lam`` is None)."""
    current_nonzero: int | None
    text: str
    """One sentence on what the chart shows (also its text alternative's caption)."""
    message: str = ""
    """Why there is no path (no points, one class), else ""."""
    computed: bool = True
    """False until the page sends ``show_regpath`` (then the lists are empty)."""


class CodePayload(_Strict):
    """A runnable Python snippet that rebuilds the points and fits them exactly."""

    flavor: CodeFlavor
    text: str


# Loss landscape, optimizer race, replay (issue 15 parts 1-3, branch landscape)


class LandscapePayload(_Strict):
    """The objective over a grid of two coefficients (``views/landscape.py``).

    ``cells``: base64 uint8, ``size`` × ``size``, row 0 at ``b_range[1]`` (the top), column
    0 at ``a_range[0]``: the index of the filled-contour band of each grid point (0 lowest,
    ``len(levels)`` above the last level; 255 where the value is not finite).
    """

    computed: bool = True
    """False until the page shows the panel (``show_landscape``)."""
    message: str = ""
    """Why there is no landscape (no points, one class), else ""."""
    names: list[str]
    axes: tuple[int, int]
    a_range: tuple[float, float] = (0.0, 1.0)
    b_range: tuple[float, float] = (0.0, 1.0)
    size: int = 0
    cells: str = ""
    levels: list[float] = []
    """Log-spaced objective values bounding the bands (increasing)."""
    optimum: tuple[float, float] | None = None
    """The exact optimum's two coordinates (None when there is no finite optimum)."""
    n_used: int = 0
    n_samples: int = 0
    text: str = ""
    """What the chart shows, in words (with the values held fixed and any subsample)."""


class LandscapePath(_Strict):
    """The optimizer's path and current point on the landscape's two coefficients."""

    axes: tuple[int, int]
    a: list[float]
    b: list[float]
    """The recorded weights (decimated to at most a few hundred points), oldest first."""
    current: tuple[float, float]
    value: float | None
    """The objective at the current weights."""


class RacerRow(_Strict):
    name: str
    label: str
    a: list[float]
    b: list[float]
    """Its path on the landscape's two coefficients."""
    path_steps: list[int]
    """The step of each path point (the path is decimated on long races)."""
    gap: list[float]
    """f(c_t) − f* per step (decimated), for the loss curves."""
    gap_steps: list[int]
    steps_to_optimum: int | None
    ms_to_optimum: float | None
    ms: float


class RacePayload(_Strict):
    """An optimizer race (``core.race``): every racer from the same start and penalty."""

    running: bool
    """False once every racer has arrived or the step cap is reached."""
    steps: int
    max_steps: int
    tol: float
    optimum_found: bool
    axes: tuple[int, int]
    racers: list[RacerRow]
    text: str


class ReplayPayload(_Strict):
    """The training history the replay slider scrubs (``lab/weights.py``)."""

    first_step: int | None
    last_step: int | None
    """None when no weights are recorded yet."""
    exact_from: int | None
    """Every step from here to ``last_step`` is kept exactly; older ones decimated."""
    stride: int
    """Older steps kept: every ``stride``-th."""
    step: int | None
    """The step shown (None: the live model)."""
    can_undo_resume: bool
    text: str


class Frame(_Strict):
    type: Literal["frame"] = "frame"
    seq: int
    """The sequence number of the command this frame answers (0 for pushes)."""
    state: LabState
    steps: int
    """Gradient (optimizer) steps taken since the last reset."""
    view: View
    points: PointsPayload | None
    field: FieldPayload | None
    boundary: Segment | None
    """p̂ = τ line clipped to the view (None when it misses the view)."""
    half_line: Segment | None
    """p̂ = 0.5 line, present only when τ ≠ 0.5."""
    metrics: Metrics
    curve: CurvePayload | None
    divergence: Divergence
    true_weights: ModelSpec
    """Unrounded current weights (the state holds them too; here for clarity in views)."""
    start_auto: bool = False
    """True when a scenario asks the page to start Auto-train."""
    scenario: ScenarioName | None = None
    """The scenario this frame has just set up (None otherwise)."""
    penalty_note: str = ""
    """Plain text relating λ to scikit-learn's C for the current data (λ = 0.05 ↔ C = 0.083)."""
    model_math: str = ""
    """MathML (generated in Python) of the current model with its numbers filled in."""
    roc: RocPayload | None = None
    """The ROC analysis; only for connections whose ``hello`` named ``page="roc"``."""
    # Trust views (issue 16); Lab page only.
    calibration: CalibrationPayload | None = None
    inspector: InspectorPayload | None = None
    """The selected point (None when nothing is selected)."""
    influence: InfluencePayload | None = None
    """Marker sizes by influence (None while that option is off)."""
    inference: InferencePayload | None = None
    band: BandPayload | None = None
    """The confidence band (None while off or undefined)."""
    # issue 15, branch regpath
    regpath: RegPathPayload | None = None
    """The regularization path; None when unchanged since the previous frame."""
    exact_fit: bool = False
    """True while the weights are the exact optimum set by "Fit exactly"."""
    code: CodePayload | None = None
    """The code snippet asked for ("show_code"); None when unchanged or never asked."""
    # Feature maps (issue 14).
    contours: Contours | None = None
    """The boundary curves when the degree is above 1 (``boundary`` is then None)."""
    coefficients: Coefficients | None = None
    can_undo: bool = False
    """Undo has a point edit or a feature change to take back (issue 14)."""
    # More than two classes (issue 14, part 3).
    n_classes: int = 2
    multiclass: MulticlassPayload | None = None
    """The K-class evaluation (None with two classes)."""
    # issue 15, branch landscape
    landscape: LandscapePayload | None = None
    """The loss landscape's grid; None when unchanged since the previous frame."""
    landscape_path: LandscapePath | None = None
    """The path on it; None when unchanged or the panel is hidden."""
    race: RacePayload | None = None
    """The optimizer race; None when unchanged or no race has run."""
    replay: ReplayPayload | None = None
    """The replay slider's range and position."""


# Feature maps (issue 14).
class Contours(_Strict):
    """Level curves of the model's field over the window, as line segments.

    ``tau`` (p̂ = τ) and ``half`` (p̂ = 0.5, only when τ ≠ 0.5): base64 of little-endian
    float32 quadruples x1, y1, x2, y2 per segment (marching squares on a grid of
    ``cells`` × ``cells`` cells of the window).
    """

    cells: int
    tau: str
    half: str | None


class Coefficients(_Strict):
    """Every coefficient by name, in ``ModelSpec.coef``'s order (b last)."""

    names: list[str]
    values: list[float]
    standardized: bool
    """True: the weights are those of the standardized columns."""


# More than two classes (issue 14, part 3).
class ClassRoc(_Strict):
    """One class's one-vs-rest ROC curve (decimated) and its AUC."""

    fpr: list[float]
    tpr: list[float]
    auc: float | None
    """None when the class has no points or every point is in it."""


class MulticlassPayload(_Strict):
    """Evaluation of the prediction "the most probable class" with K > 2 classes."""

    n_classes: int
    rows: RowsName
    """Which points the matrix and the scores count (``ViewSpec.confusion_of``)."""
    matrix: list[list[int]]
    """matrix[i][j]: points of actual class i predicted j."""
    precision: list[float | None]
    recall: list[float | None]
    f1: list[float | None]
    support: list[int]
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float | None
    accuracy: float | None
    roc: list[ClassRoc] | None = None
    """One-vs-rest curves per class (ROC page only)."""
    macro_auc: float | None = None


class ProbeResult(_Strict):
    type: Literal["probe"] = "probe"
    seq: int = 0
    """The sequence number of the probe command this answers."""
    x: float
    y: float
    z: float
    p: float
    probs: list[float] | None = None
    """K > 2 classes (issue 14, part 3): every class's probability (``p`` is the largest,
    ``z`` its score)."""


class ErrorFrame(_Strict):
    type: Literal["error"] = "error"
    seq: int
    message: str
    """What was wrong and what is allowed."""


# ----------------------------------------------------------------- errors


def guess_seq(text: str | bytes) -> int:
    """The ``seq`` of a message that failed validation, when it can be read; else 0."""
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
