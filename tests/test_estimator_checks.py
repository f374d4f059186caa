"""scikit-learn's estimator checks on logitlab's LogisticRegression."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from logitlab import LogisticRegression

ESTIMATORS = [
    LogisticRegression(),
    LogisticRegression(C=0.5, l1_ratio=0.5),
    LogisticRegression(solver="liblinear", intercept_scaling=2.0),
    LogisticRegression(solver="lbfgs", warm_start=True),
]


# Some checks lower max_iter to 5 on purpose; the ConvergenceWarning that follows is expected.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator: LogisticRegression, check: object) -> None:
    check(estimator)  # type: ignore[operator]
