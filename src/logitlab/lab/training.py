"""The Lab's training objective in core terms, and how its λ relates to scikit-learn's C.

The Lab minimizes the mean cross-entropy + λ·(ρ‖w‖₁ + (1 − ρ)‖w‖²) with ρ = 0
for L2 (the seed's λ‖w‖²), ρ = 1 for L1 (λ‖w‖₁) and ρ = ``l1_ratio`` for the
elastic net. In core terms that is ``Penalty(alpha=(2 − ρ)λ, l1_ratio=ρ/(2 − ρ))``.
"""

from __future__ import annotations

import functools

from logitlab.core.penalty import Penalty
from logitlab.lab.protocol import TrainingSpec


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
