"""The "Copy as … code" snippets are run, and print the Lab's exact fit.

Each snippet runs in a subprocess with this venv's python; its printed coefficients
must equal ``Experiment.fit_exactly()`` to 1e-6 relative. The NumPy copy of the preset
generator must give make_preset's points bit for bit.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from logitlab.core.datasets import PRESETS, make_preset
from logitlab.lab.protocol import (
    AddPoint,
    CustomData,
    DataSpec,
    DeletePoint,
    EditPoints,
    ErrorFrame,
    FitExact,
    Frame,
    Hello,
    LabState,
    LoadCsv,
    MovePoint,
    SetFeatures,
    SetTraining,
    ShowCode,
    TrainingSpec,
)
from logitlab.lab.session import LabSession
from logitlab.lab.snippets import _numpy_preset, snippet

PRINTED = re.compile(r"^(\w+) = (\S+)$", re.MULTILINE)


def session(preset: str = "blobs", **training: object) -> LabSession:
    state = LabState(data=DataSpec(preset=preset, seed=3), training=TrainingSpec(**training))  # type: ignore[arg-type]
    lab = LabSession()
    assert isinstance(lab.handle(Hello(state=state)), Frame)
    return lab


RUNNER = """
import contextlib, io, sys
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(open(path, encoding="utf-8").read(), path, "exec"), {"__name__": "__main__"})
    print("=== " + path)
    print(out.getvalue())
"""


def build_cases() -> dict[str, tuple[LabSession, str]]:
    """Every case's session, with the snippet each must print the exact fit of."""
    cases: dict[str, tuple[LabSession, str]] = {
        "blobs-l2-sklearn": (session("blobs", penalty="l2", lam=0.05), "sklearn"),
        "near-perfect-l1-sklearn": (session("near-perfect", penalty="l1", lam=0.02), "sklearn"),
        "moons-en-sklearn": (
            session("moons", penalty="elasticnet", lam=0.1, l1_ratio=0.4),
            "sklearn",
        ),
        "overlap-none-sklearn": (session("overlap", penalty="none"), "sklearn"),
        "circles-l1-logitlab": (session("circles", penalty="l1", lam=0.01), "logitlab"),
    }
    for flavor in ("sklearn", "logitlab"):
        lab = session("overlap", penalty="l2", lam=0.2)
        for edit in (
            AddPoint(x=3.0, y=-3.5, cls=0),
            MovePoint(index=4, x=-2.5, y=2.0),
            DeletePoint(index=9),
        ):
            assert isinstance(lab.handle(EditPoints(edit=edit)), Frame)
        cases[f"edited-l2-{flavor}"] = (lab, flavor)
    for flavor, features in (
        ("sklearn", SetFeatures(degree=2, standardize=True, test_share=0.3)),
        ("logitlab", SetFeatures(degree=3, test_share=0.25)),
        ("sklearn", SetFeatures(standardize=True)),
    ):
        # Issue 14's feature map and split: a pipeline fitted on the training points only.
        lab = session("circles", penalty="l2", lam=0.02)
        assert isinstance(lab.handle(features), Frame)
        cases[f"features-{features.degree}-{features.test_share}-{flavor}"] = (lab, flavor)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 2)) * [3.0, 0.5] + [10.0, -4.0]
    cls = (X[:, 0] - 10 + 4 * (X[:, 1] + 4) + rng.logistic(size=80) > 0).astype(int)
    custom = CustomData(
        x=X[:, 0].tolist(),
        y=X[:, 1].tolist(),
        cls=cls.tolist(),
        source="tips\nmade.csv",
        x_name="bill",
        y_name="tip",
        class_names=["no", "yes"],
    )
    lab = session()
    assert isinstance(lab.handle(LoadCsv(data=custom)), Frame)
    lab.handle(SetTraining(penalty="elasticnet", lam=0.03, l1_ratio=0.7))
    cases["csv-en-sklearn"] = (lab, "sklearn")
    return cases


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, np.ndarray, np.ndarray]]:
    """Each case: its snippet, the coefficients it printed, the Lab's exact fit.

    One subprocess runs every snippet as a program (importing scikit-learn once).
    """
    folder = tmp_path_factory.mktemp("snippets")
    texts, expected, paths = {}, {}, []
    for name, (lab, flavor) in build_cases().items():
        frame = lab.handle(ShowCode(flavor=flavor))  # type: ignore[arg-type]
        assert isinstance(frame, Frame) and frame.code is not None
        fitted = lab.handle(FitExact())
        assert isinstance(fitted, Frame) and fitted.exact_fit
        texts[name], expected[name] = frame.code.text, lab.coef
        path = folder / f"{name}.py"
        path.write_text(frame.code.text, encoding="utf-8")
        paths.append(str(path))
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, *paths],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    printed = {}
    for block in out.split("=== ")[1:]:
        head, body = block.split("\n", 1)
        printed[head.rsplit("/", 1)[1].removesuffix(".py")] = np.array(
            [float(v) for _, v in PRINTED.findall(body)]
        )
    return {name: (texts[name], printed[name], expected[name]) for name in texts}


@pytest.mark.parametrize("name", PRESETS)
def test_numpy_generator_draws_the_presets_points_bit_for_bit(name: str) -> None:
    data = DataSpec(preset=name, n_points=97, noise=0.8, seed=11)  # type: ignore[arg-type]
    scope: dict[str, object] = {"np": np}
    exec("\n".join(_numpy_preset(data)), scope)
    X, y = make_preset(name, 97, noise=0.8, seed=11, shuffle=False)
    np.testing.assert_array_equal(scope["X"], X)
    np.testing.assert_array_equal(scope["y"], y)


CASES = [
    "blobs-l2-sklearn",
    "near-perfect-l1-sklearn",
    "moons-en-sklearn",
    "overlap-none-sklearn",
    "circles-l1-logitlab",
    "edited-l2-sklearn",
    "edited-l2-logitlab",
    "csv-en-sklearn",
]


@pytest.mark.parametrize("case", CASES)
def test_snippet_prints_the_labs_exact_fit(ran, case: str) -> None:  # type: ignore[no-untyped-def]
    text, printed, expected = ran[case]
    assert printed.shape == (3,), text
    assert np.max(np.abs(printed - expected)) <= 1e-6 * np.max(np.abs(expected))
    embedded = "np.array([" in text
    assert embedded == (case.startswith(("edited", "csv")))  # generator for an unedited preset
    body = (
        text.split("\n", 1)[1]
        .replace("logitlab Lab", "")
        .replace("logitlab.core.datasets.make_preset with", "")
    )
    assert ("logitlab" in body) == case.endswith("logitlab")  # scikit-learn snippets: NumPy only
    if case.startswith("edited"):
        assert "after edits" in text and "[-2.5, 2.0]," in text
    if case.startswith("csv"):
        assert "tips made.csv" in text and "'bill'" in text  # the name's newline is gone


def test_snippet_without_a_finite_optimum_says_so() -> None:
    lab = session("near-perfect")  # separable, no penalty
    reply = lab.handle(FitExact())
    assert isinstance(reply, ErrorFrame) and "no finite weights" in reply.message
    text = snippet(lab.experiment, "sklearn")
    assert "# The Lab finds no exact fit here: a line separates the classes" in text
