"""The Lab as a Jupyter widget: the served page's modules, a LabSession in the kernel."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Any, get_args

import anywidget
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pydantic
import traitlets

from logitlab.lab.csv_data import _label_text, custom_from_labels
from logitlab.lab.protocol import (
    COMMAND_ADAPTER,
    Command,
    ErrorFrame,
    Hello,
    LoadCsv,
    LoadPreset,
    PresetName,
    SetCoef,
    SetModel,
    SetView,
    Train,
)
from logitlab.lab.session import LabSession
from logitlab.lab.training import lab_penalty
from logitlab.widget.bundle import widget_esm

__all__ = ["PRESETS", "Lab"]

PRESETS: tuple[str, ...] = get_args(PresetName)
"""The presets ``lab.preset`` takes."""
CUSTOM = "custom"
"""``lab.preset`` while the points are the user's own (``Lab(X, y)``, ``from_frame``)."""
# The widget's custom messages: page → kernel {"kind": _KIND, "text": command JSON, "view": id};
# kernel → page {"kind": _KIND, "view": id} with the reply's JSON as one binary buffer
# (no "view" for what Python itself changed).
_KIND = "logitlab"
_TICK_S = 1 / 60
"""How often the kernel trains and pushes a frame while Auto-train batches are queued."""


class Lab(anywidget.AnyWidget):
    """The logitlab Lab inside a notebook: the last line of a cell shows it.

    The page is drawn by the served Lab's own ES modules (bundled once, nothing fetched);
    every command goes through the widget's comm to a :class:`~logitlab.lab.session.LabSession`
    in this kernel, which answers with the same frames the server sends.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2) or (n_samples, n_features), optional
        The points' two features; None = the Blobs preset. A DataFrame's column names are
        shown. Wider data need ``features``.
    y : array-like of shape (n_samples,), optional
        Two-valued labels (numbers, booleans or text); the larger value is class 1.
    features : pair of int or str, optional
        Which two columns of a wider ``X`` to show (positions, or a DataFrame's names).
    names : pair of str, optional
        Names of the two features (default: the DataFrame's column names, else "x", "y").
    target : str, default="class"
        Name of the label column (shown in the Lab and used by :attr:`points`).

    Attributes
    ----------
    tau : float
        The threshold τ: setting it moves the page's slider; moving the slider sets it.
    weights : list of float
        The coefficients: ``[w0, w1, b]`` at degree 1 (every coefficient, b last, at higher
        degrees). Setting it moves the boundary; training and the page's edits update it.
    preset : str
        The dataset: one of :data:`PRESETS`, or ``"custom"`` while the points are the
        user's. Setting a preset loads it.
    session : LabSession
        The session the page drives.

    Notes
    -----
    The session is the one truth: the three traits are read from it after every command
    (the page's or Python's) and setting one sends a command to it, whose frame the page
    draws. They are not synchronized as widget state, so nothing echoes between the page
    and the kernel. A notebook showing the same Lab twice shows one session in both: each
    view draws every frame, and only the view that sent a command treats its answer as one.
    """

    _esm = widget_esm()
    tau = traitlets.Float(0.5)
    weights = traitlets.List(traitlets.Float())
    preset = traitlets.Unicode("blobs")

    def __init__(
        self,
        X: Any = None,
        y: Any = None,
        *,
        features: Sequence[int | str] | None = None,
        names: Sequence[str] | None = None,
        target: str = "class",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.session = LabSession()
        self._quiet = False
        self._class_values: tuple[Any, Any] = (0, 1)
        self._names = ("x", "y", "class")
        self._named = False  # feature names from a DataFrame or names=: the model keeps them
        if X is not None or y is not None:
            if X is None or y is None:
                raise ValueError("Lab(X, y) needs both X and y (or neither, for the Blobs preset)")
            self._load(X, y, features=features, names=names, target=target)
        elif features is not None or names is not None:
            raise ValueError("features= and names= describe X: pass X and y too")
        # Auto-train batches the kernel paces (seq, steps left, view), oldest first.
        self._paced: list[tuple[int, int, str | None]] = []
        self._pace_budget = 0.0
        self._pace_next = 0.0
        self._pace_timer: asyncio.Handle | None = None
        self._pull()
        self.on_msg(self._on_msg)

    # ----------------------------------------------------------- making one

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        x: str | None = None,
        y: str | None = None,
        target: str | None = None,
        **kwargs: Any,
    ) -> Lab:
        """A Lab showing two columns of ``df`` against a two-valued ``target`` column.

        Parameters
        ----------
        df : DataFrame of shape (n_samples, n_columns)
        x, y : str, optional
            The columns on the horizontal and vertical axes. They may be left out only when
            ``df`` has exactly two columns besides ``target``.
        target : str
            The label column (two distinct values).

        Raises
        ------
        ValueError
            A column is missing or not named, naming the columns ``df`` has.
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Lab.from_frame takes a pandas DataFrame, got {type(df).__name__}")
        columns = [str(c) for c in df.columns]
        listed = ", ".join(repr(c) for c in columns)
        if target is None:
            raise ValueError(f"Lab.from_frame needs target=: the label column, one of {listed}")
        for role, name in (("target", target), ("x", x), ("y", y)):
            if name is not None and name not in df.columns:
                raise ValueError(f"{role}={name!r} is not a column of the frame; it has {listed}")
        if x is None or y is None:
            rest = [c for c in df.columns if c != target and c not in (x, y)]
            if len(rest) + (x is not None) + (y is not None) != 2:
                raise ValueError(
                    f"the frame has {len(columns)} columns ({listed}): say which two to show, "
                    f"e.g. Lab.from_frame(df, x={rest[0]!r}, y={rest[min(1, len(rest) - 1)]!r}, "
                    f"target={target!r})"
                    if rest
                    else f"the frame has no feature column besides target={target!r}"
                )
            x = x if x is not None else rest.pop(0)
            y = y if y is not None else rest.pop(0)
        if x == y:
            raise ValueError(f"x and y are both {x!r}: choose two different columns")
        return cls(df[[x, y]], df[target], target=str(target), **kwargs)

    @classmethod
    def from_estimator(cls, model: Any, X: Any, y: Any, **kwargs: Any) -> Lab:
        """A Lab on the first two features of ``X``, starting at a fitted binary ``model``'s
        weights for them (see :meth:`logitlab.LogisticRegression.explore`)."""
        coef = np.asarray(model.coef_, dtype=np.float64)
        if coef.shape[0] != 1:
            raise ValueError(
                f"the Lab shows a model of two classes; this one has {len(model.classes_)} "
                "classes: fit it on two of them"
            )
        if coef.shape[1] < 2:
            raise ValueError("the Lab shows two features; this model has one")
        frame = X if isinstance(X, pd.DataFrame) else None
        names = getattr(model, "feature_names_in_", None)
        lab = cls(
            X,
            y,
            features=(0, 1),
            names=None if names is None or frame is not None else [str(n) for n in names[:2]],
            **kwargs,
        )
        if [str(v) for v in lab._class_values] != [str(v) for v in model.classes_]:
            raise ValueError(
                f"y has the classes {list(lab._class_values)} but the model was fitted on "
                f"{list(model.classes_)}"
            )
        lab.weights = [float(coef[0, 0]), float(coef[0, 1]), float(model.intercept_[0])]
        return lab

    def _load(
        self,
        X: Any,
        y: Any,
        *,
        features: Sequence[int | str] | None,
        names: Sequence[str] | None,
        target: str,
    ) -> None:
        if isinstance(X, pd.DataFrame):
            table = X
        else:
            array = np.asarray(X)
            if array.ndim != 2:
                raise ValueError(
                    f"X must be 2-dimensional (n_samples, n_features), got shape {array.shape}"
                )
            table = pd.DataFrame(array)
        columns = list(table.columns)
        if features is None:
            if len(columns) != 2:
                shown = ", ".join(repr(str(c)) for c in columns[:12])
                raise ValueError(
                    f"X has {len(columns)} columns ({shown}{', …' if len(columns) > 12 else ''}); "
                    "the Lab shows two: say which with features=(i, j) (positions or column names)"
                )
            chosen = columns
        else:
            if len(features) != 2:
                raise ValueError(f"features= names two columns, got {len(features)}")
            chosen = [self._column(table, f) for f in features]
        if names is not None and len(names) != 2:
            raise ValueError(f"names= gives the two features' names, got {len(names)}")
        labels = np.asarray(y)
        if labels.ndim != 1 or labels.shape[0] != len(table):
            raise ValueError(
                f"y must be 1-dimensional with one label per row of X ({len(table)}), "
                f"got shape {labels.shape}"
            )
        shown_names = (
            [str(n) for n in names]
            if names is not None
            else [str(c) for c in chosen]
            if isinstance(X, pd.DataFrame)
            else ["x", "y"]
        )
        try:
            points = table[chosen].to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the features must be numbers: {exc}") from None
        bad = ~np.isfinite(points)
        if bad.any():
            row, col = map(int, np.argwhere(bad)[0])
            raise ValueError(
                f"feature {shown_names[col]!r} is not a finite number at row {row} "
                f"({points[row, col]}): drop or fill missing values first"
            )
        custom = custom_from_labels(
            points,
            labels,
            source="Python",
            x_name=shown_names[0],
            y_name=shown_names[1],
            target_name=target,
        )
        by_text = {_label_text(v): v for v in pd.unique(labels)}
        neg, pos = custom.class_names
        self._class_values = (_plain(by_text.get(neg, neg)), _plain(by_text.get(pos, pos)))
        self._names = (shown_names[0], shown_names[1], target)
        self._named = isinstance(X, pd.DataFrame) or names is not None
        self._run([LoadCsv(data=custom)], push=False)

    @staticmethod
    def _column(table: pd.DataFrame, which: int | str) -> Any:
        columns = list(table.columns)
        if isinstance(which, int | np.integer) and not isinstance(which, bool):
            if not -len(columns) <= which < len(columns):
                raise ValueError(
                    f"features= position {which} is outside X's {len(columns)} columns"
                )
            return columns[int(which)]
        if which in columns:
            return which
        listed = ", ".join(repr(str(c)) for c in columns)
        raise ValueError(f"features= names {which!r}, which is not a column of X; it has {listed}")

    # ----------------------------------------------------------- reading

    @property
    def points(self) -> pd.DataFrame:
        """The points now in the Lab (drawn, moved and deleted ones included), one per row:
        the two features and the label (the values of ``y``, or 0 / 1 for a preset)."""
        X = self.session.X
        cls = self.session.y.astype(np.int64)
        labels = np.array(self._class_values, dtype=object)[cls]
        if all(isinstance(v, int | np.integer) for v in self._class_values):
            labels = labels.astype(np.int64)
        x_name, y_name, target = self._names
        return pd.DataFrame({x_name: X[:, 0], y_name: X[:, 1], target: labels})

    @property
    def model(self) -> Any:
        """A fitted :class:`logitlab.LogisticRegression` at the Lab's current weights.

        Its ``C`` and ``l1_ratio`` are the Lab's penalty (``model.fit`` on :attr:`points`
        minimizes the Lab's objective). Only a model on the two features themselves has
        this form: at degree > 1 or with standardized features it raises ``ValueError``.
        """
        from logitlab.estimator import LogisticRegression

        exp = self.session.experiment
        if exp.degree != 1 or exp.standardize:
            done = f"degree {exp.degree}" + (
                " with standardized features" if exp.standardize else ""
            )
            raise ValueError(
                f"lab.model is a LogisticRegression on the two features x, y; the Lab now fits "
                f"{done}. Set the degree to 1 and turn standardize off (or read lab.weights, "
                "the coefficients of lab.session.experiment.coef_names())"
            )
        coef = self.session.coef
        penalty = lab_penalty(exp.training)
        n = int(exp.rows("train").sum())
        C = math.inf if penalty.alpha == 0.0 or n == 0 else 1.0 / (penalty.alpha * n)
        model = LogisticRegression(C=C, l1_ratio=penalty.l1_ratio)
        model.classes_ = np.array(
            self._class_values, dtype=object if _mixed(self._class_values) else None
        )
        model.coef_ = coef[None, :2].copy()
        model.intercept_ = coef[2:3].copy()
        model.n_features_in_ = 2
        if self._named:
            model.feature_names_in_ = np.array(self._names[:2], dtype=object)
        model.n_iter_ = np.array([self.session.steps], dtype=np.int32)
        return model

    # ----------------------------------------------------------- acting

    def train(self, steps: int = 100) -> Lab:
        """Take ``steps`` optimizer steps in the kernel, as "Train 100 steps" does; the page
        follows. Returns the Lab (so ``lab.train(500)`` as a cell's last line shows it)."""
        self._run([Train(steps=steps)])
        return self

    # ----------------------------------------------------------- traits <-> session

    @traitlets.validate("tau")
    def _check_tau(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 1.0:
            raise traitlets.TraitError(f"tau is a probability threshold in [0, 1], got {value}")
        return value

    @traitlets.validate("weights")
    def _check_weights(self, proposal: dict[str, Any]) -> list[float]:
        values = [float(v) for v in proposal["value"]]
        wanted = len(self.session.coef) if hasattr(self, "session") else len(values)
        if len(values) != wanted:
            raise traitlets.TraitError(
                f"weights has {wanted} entries here ({', '.join(self._coef_names())}), "
                f"got {len(values)}"
            )
        if not all(math.isfinite(v) and abs(v) <= 1e6 for v in values):
            raise traitlets.TraitError(f"weights must be finite numbers within ±1e6, got {values}")
        return values

    @traitlets.validate("preset")
    def _check_preset(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"])
        if value == CUSTOM and self._quiet:
            return value
        if value not in PRESETS:
            why = (
                " (your own points come from Lab(X, y) or Lab.from_frame)"
                if value == CUSTOM
                else ""
            )
            raise traitlets.TraitError(
                f"preset must be one of {', '.join(PRESETS)}, got {value!r}{why}"
            )
        return value

    @traitlets.observe("tau")
    def _tau_set(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._run([SetView(tau=change["new"])])

    @traitlets.observe("weights")
    def _weights_set(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        values: list[float] = change["new"]
        if self.session.experiment.degree == 1:
            self._run([SetModel(w0=values[0], w1=values[1], b=values[2])])
        else:
            self._run([SetCoef(index=i, value=v) for i, v in enumerate(values)])

    @traitlets.observe("preset")
    def _preset_set(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._class_values, self._names, self._named = (0, 1), ("x", "y", "class"), False
            self._run([LoadPreset(preset=change["new"])])

    def _coef_names(self) -> tuple[str, ...]:
        return self.session.experiment.coef_names()

    def _pull(self) -> None:
        """The traits from the session (after a command), without sending anything back."""
        exp = self.session.experiment
        self._quiet = True
        try:
            with self.hold_trait_notifications():
                self.tau = exp.view_spec.tau
                self.weights = [float(v) for v in exp.coef]
                self.preset = CUSTOM if exp.data.custom is not None else exp.data.preset
        finally:
            self._quiet = False

    def _run(self, commands: Sequence[Command], *, push: bool = True) -> None:
        """Apply commands made in Python; their frames go to the page (seq 0)."""
        try:
            for command in commands:
                reply = self.session.handle(command)
                if isinstance(reply, ErrorFrame):
                    raise ValueError(reply.message)
                if push:
                    self._push(self.session.reply_json(reply))
        finally:
            self._pull()

    # ----------------------------------------------------------- the page

    def _push(self, text: str, view: str | None = None, *, paced: bool = False) -> None:
        # The frame as one binary buffer: the comm's JSON does not escape it a second time.
        # ``view``: the page view that asked (every view draws the frame; only it settles it).
        # ``paced``: an Auto-train tick's frame, which the page draws one per animation frame.
        content: dict[str, Any] = {"kind": _KIND}
        if view is not None:
            content["view"] = view
        if paced:
            content["paced"] = True
        self.send(content, buffers=[text.encode("utf-8")])

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("kind") != _KIND:
            return
        text = content.get("text")
        view = content.get("view")
        if isinstance(text, str):
            asker = view if isinstance(view, str) else None
            if self._pace(text, asker):
                return
            self._flush()  # queued Auto-train steps first: frames answer in order
            self._push(self.answer(text), asker)
            self._pull()

    # ----------------------------------------------------------- Auto-train, paced here

    def _pace(self, text: str, view: str | None) -> bool:
        """Queue an Auto-train batch; the kernel's loop trains it at the Lab's speed.

        A request per frame costs the notebook far more than the frame (every request makes
        the kernel publish busy and idle, which JupyterLab redraws): the page sends fewer,
        larger batches and the kernel trains them a tick at a time, pushing each tick's
        frame (seq 0) and answering a batch with the tick that finishes it. Without a
        running event loop (a kernel-less test) the batch is answered at once.
        """
        if '"auto":true' not in text:
            return False
        try:
            loop = asyncio.get_running_loop()
            command = COMMAND_ADAPTER.validate_json(text, strict=True)
        except (RuntimeError, pydantic.ValidationError):
            return False
        if not isinstance(command, Train) or not command.auto:
            return False
        self._paced.append((command.seq, command.steps, view))
        if self._pace_timer is None:
            self._pace_budget = 1.0
            self._pace_next = loop.time()
            self._pace_timer = loop.call_soon(self._pace_tick)
        return True

    def _pace_tick(self) -> None:
        self._pace_timer = None
        if not self._paced:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        speed = self.session.experiment.training.speed
        self._pace_budget += speed * min(max(now - self._pace_next + _TICK_S, 0.0), 0.25)
        self._pace_next = max(self._pace_next + _TICK_S, now)
        steps = min(max(int(self._pace_budget), 1), sum(left for _, left, _ in self._paced))
        self._pace_budget -= steps
        self._train_paced(steps)
        if self._paced:
            self._pace_timer = loop.call_at(self._pace_next, self._pace_tick)

    def _train_paced(self, steps: int) -> None:
        """Train ``steps`` of the queued batches and push the frame; it answers the last
        batch it finishes (seq 0 if none)."""
        seq, view, left = 0, None, steps
        while self._paced and left > 0:
            batch_seq, batch_left, batch_view = self._paced[0]
            take = min(left, batch_left)
            left -= take
            if take == batch_left:
                self._paced.pop(0)
                seq, view = batch_seq, batch_view
            else:
                self._paced[0] = (batch_seq, batch_left - take, batch_view)
        reply = self.session.handle(Train(steps=steps, auto=True, seq=seq))
        if isinstance(reply, ErrorFrame):  # e.g. no points left: every queued batch fails
            if self._paced:
                seq, _, view = self._paced[-1]
            reply = ErrorFrame(seq=seq, message=reply.message)
            self._paced.clear()
        self._push(self.session.reply_json(reply), view, paced=True)
        self._pull()

    def _flush(self) -> None:
        """Train every queued Auto-train step now (before another command is answered)."""
        if self._pace_timer is not None:
            self._pace_timer.cancel()
            self._pace_timer = None
        total = sum(left for _, left, _ in self._paced)
        if total > 0:
            self._train_paced(total)

    def answer(self, text: str) -> str:
        """The JSON reply to one message of the page (what the comm carries back).

        ``hello`` attaches the page to this session as it is (its points, weights and
        curve), instead of starting a new one; every other command goes to
        :meth:`LabSession.handle_json`.
        """
        if '"hello"' in text:
            try:
                command = COMMAND_ADAPTER.validate_json(text, strict=True)
            except pydantic.ValidationError:
                command = None  # handle_json words the error
            if isinstance(command, Hello):
                self.session.curve_width = command.curve_width
                self.session.page = command.page
                return self.session.frame_json(command.seq, full=True)
        return self.session.handle_json(text)


def _plain(value: Any) -> Any:
    """A label as Python has it (NumPy scalars become int, float, bool or str)."""
    return value.item() if isinstance(value, np.generic) else value


def _mixed(values: tuple[Any, Any]) -> bool:
    return not all(isinstance(v, int | float | bool) for v in values)
