"""scikit-learn's estimator checks on logitlab's LogisticRegression.

logitlab does not depend on scikit-learn, so the estimator cannot inherit from
``sklearn.base.BaseEstimator``; scikit-learn warns about that when collecting
the checks, and we silence exactly that warning.
"""

from __future__ import annotations

import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from logitlab import LogisticRegression

ESTIMATORS = [LogisticRegression(), LogisticRegression(C=0.5, l1_ratio=0.5)]

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=".*does not inherit from `sklearn.base.BaseEstimator`"
    )
    checks = parametrize_with_checks(ESTIMATORS)


# Some checks lower max_iter to 5 on purpose; the ConvergenceWarning that follows is expected.
@pytest.mark.filterwarnings("ignore::logitlab.estimator.ConvergenceWarning")
@checks
def test_sklearn_compatible_estimator(estimator: LogisticRegression, check: object) -> None:
    check(estimator)  # type: ignore[operator]
