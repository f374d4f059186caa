"""logitlab: logistic regression, visualized and done right."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["LogisticRegression", "__version__"]


def __getattr__(name: str) -> object:
    # Imported lazily so that `import logitlab` stays cheap for the CLI and the lab.
    if name == "LogisticRegression":
        from logitlab.estimator import LogisticRegression

        return LogisticRegression
    raise AttributeError(f"module 'logitlab' has no attribute {name!r}")
