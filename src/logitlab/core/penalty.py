"""Penalties on the weights (never on the intercept).

``Penalty(alpha, l1_ratio)`` is ``alpha · (l1_ratio·‖w‖₁ + (1 − l1_ratio)/2·‖w‖²)``:
l1_ratio = 0 is ridge (L2), 1 is lasso (L1), in between is the elastic net.
The L2 part is smooth and joins the gradient; the L1 part is handled by its
proximal map (soft thresholding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logitlab.core.types import FloatArray


@dataclass(frozen=True)
class Penalty:
    """α·(ρ‖w‖₁ + (1−ρ)/2·‖w‖²) with α = ``alpha`` ≥ 0 and ρ = ``l1_ratio`` in [0, 1]."""

    alpha: float = 0.0
    l1_ratio: float = 0.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.alpha) and self.alpha >= 0.0):
            raise ValueError(f"penalty alpha must be a finite number >= 0, got {self.alpha!r}")
        if not (0.0 <= self.l1_ratio <= 1.0):
            raise ValueError(f"l1_ratio must be in [0, 1], got {self.l1_ratio!r}")

    @property
    def l1(self) -> float:
        """Strength of the L1 term (α·ρ)."""
        return self.alpha * self.l1_ratio

    @property
    def l2(self) -> float:
        """Strength of the L2 term (α·(1−ρ)); the term is l2/2·‖w‖²."""
        return self.alpha * (1.0 - self.l1_ratio)

    @property
    def is_smooth(self) -> bool:
        return self.l1 == 0.0

    def value(self, w: FloatArray) -> float:
        return self.smooth_value(w) + self.l1 * float(np.sum(np.abs(w)))

    def smooth_value(self, w: FloatArray) -> float:
        return 0.5 * self.l2 * float(w @ w) if self.l2 else 0.0

    def smooth_gradient(self, w: FloatArray) -> FloatArray:
        return self.l2 * w

    def prox(self, w: FloatArray, step: float) -> FloatArray:
        """argmin_u  l1·‖u‖₁ + ‖u − w‖² / (2·step): soft thresholding."""
        if self.l1 == 0.0:
            return w
        t = step * self.l1
        return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)
