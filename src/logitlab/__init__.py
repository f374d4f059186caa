"""logitlab: logistic regression, visualized and done right."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "LogisticRegression",
    "NotFittedError",
    "__version__",
]

_LAZY = {
    "LogisticRegression": "logitlab.estimator",
    "ConvergenceWarning": "logitlab.estimator",
    "DataConversionWarning": "logitlab.estimator",
    "NotFittedError": "logitlab.estimator",
}


def __getattr__(name: str) -> object:
    # Imported lazily so that `import logitlab` stays cheap for the CLI and the Lab.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'logitlab' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
