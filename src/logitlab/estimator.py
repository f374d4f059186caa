"""scikit-learn-compatible LogisticRegression over logitlab.core (being written)."""

from __future__ import annotations


class LogisticRegression:
    """Placeholder until the estimator lands; see issue 2."""
