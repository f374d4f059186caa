"""The "Try this" experiments: what each card's button sets up.

A scenario is plain data (a :class:`Scenario`): the data set (always with a
fixed seed, so the card's text describes exactly what the user sees), the
training settings, τ, the starting weights, and whether the page should start
Auto-train. :meth:`logitlab.lab.session.LabSession.run_scenario` applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logitlab.lab.protocol import DataSpec, ScenarioName, TrainingSpec

SCENARIO_SEED = 1
FIT_LAMBDA = 0.01
"""L2 strength of the exact fit behind ``fit=True`` scenarios (keeps separable data finite)."""


@dataclass(frozen=True)
class Scenario:
    """One "Try this" experiment."""

    title: str
    data: DataSpec
    training: TrainingSpec = field(default_factory=TrainingSpec)
    tau: float = 0.5
    coef: tuple[float, float, float] = (1.0, -1.0, 0.0)
    """Starting w₀, w₁, b (replaced by the exact fit when ``fit``)."""
    fit: bool = False
    """Start from the exact minimizer (light L2, λ = FIT_LAMBDA) instead of ``coef``."""
    flip: bool = False
    """Negate the starting weights (an anti-classifier)."""
    start_auto: bool = False
    # Feature maps (issue 14): the starting coef is (w0, w1, b) with 0 for the other monomials.
    degree: int = 1
    standardize: bool = False


def _data(
    preset: str,
    noise: float = 1.0,
    n_points: int = 120,
    test_share: float = 0.0,
    n_classes: int = 2,
) -> DataSpec:
    return DataSpec.model_validate(
        {
            "preset": preset,
            "seed": SCENARIO_SEED,
            "n_points": n_points,
            "noise": noise,
            "test_share": test_share,
            "n_classes": n_classes,
        }
    )


SCENARIOS: dict[ScenarioName, Scenario] = {
    "xor-wall": Scenario("The XOR wall", _data("xor"), start_auto=True),
    "lr-explosion": Scenario(
        "Learning rate too large",
        _data("overlap", noise=2.0),
        TrainingSpec(learning_rate=8.0),
        start_auto=True,
    ),
    "regularization": Scenario(
        "A penalty keeps the weights small",
        _data("overlap"),
        TrainingSpec(penalty="l2", lam=0.05),
        start_auto=True,
    ),
    "threshold-tradeoff": Scenario(
        "Trading errors with the threshold", _data("overlap"), tau=0.3, fit=True
    ),
    "imbalanced": Scenario("Accuracy on imbalanced data", _data("imbalanced")),
    "hand-set": Scenario("Draw the line yourself", _data("blobs"), coef=(0.0, 1.0, 1.0)),
    "separable-growth": Scenario(
        "Separable data: the weights never stop",
        _data("near-perfect"),
        TrainingSpec(learning_rate=1.0),
        start_auto=True,
    ),
    "newton-vs-gd": Scenario(
        "Newton's method against gradient descent",
        _data("overlap"),
        TrainingSpec(optimizer="newton"),
    ),
    "anti-classifier": Scenario("An anti-classifier", _data("blobs"), fit=True, flip=True),
    # The ROC & AUC page's cards (issue 4).
    "roc-overlap": Scenario("Walk the operating point", _data("overlap"), fit=True),
    "roc-imbalanced": Scenario("Judge AP against its chance level", _data("imbalanced")),
    "roc-near-perfect": Scenario("A near-perfect ranking", _data("near-perfect"), fit=True),
    # Trust views (issue 16).
    "confident-wrong": Scenario(  # 30 % test points: calibration is measured on them
        "Confident and wrong", _data("blobs", test_share=0.3), TrainingSpec(optimizer="newton")
    ),
    # Feature maps and the train/test split (issue 14).
    "bend-the-line": Scenario(
        "Bend the line",
        _data("xor"),
        TrainingSpec(optimizer="newton", penalty="l2", lam=0.01),
        degree=2,
        standardize=True,
        coef=(0.0, 0.0, 0.0),
        start_auto=True,
    ),
    "circles-circle": Scenario(
        "Circles need a circle",
        _data("circles"),
        TrainingSpec(optimizer="newton", penalty="l2", lam=0.01),
        degree=2,
        standardize=True,
        coef=(0.0, 0.0, 0.0),
        start_auto=True,
    ),
    "too-many-wiggles": Scenario(
        "Too many wiggles",
        _data("moons", n_points=20),
        TrainingSpec(optimizer="newton"),
        degree=6,
        standardize=True,
        coef=(0.0, 0.0, 0.0),
        start_auto=True,
    ),
    "overfit-on-purpose": Scenario(
        "Overfit on purpose",
        _data("overlap", n_points=40, test_share=0.5),
        TrainingSpec(optimizer="adam", learning_rate=0.1, speed=50.0),
        degree=6,
        standardize=True,
        coef=(0.0, 0.0, 0.0),
        start_auto=True,
    ),
    # issue 14, part 3: K > 2 classes start from all-zero weights (p̂ = 1/3 everywhere).
    "three-classes": Scenario(
        "Three classes",
        _data("blobs", n_classes=3),
        TrainingSpec(optimizer="gd", learning_rate=0.5, speed=50.0),
        start_auto=True,
    ),
}
