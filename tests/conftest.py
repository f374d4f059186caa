"""Settings for the whole test run."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_DATA_DIR = tempfile.mkdtemp(prefix="logitlab-test-data-")
# The Lab's data store writes uploaded datasets to the user's data directory; tests (and
# the servers they start, in this process or as children) use a directory of their own.
os.environ["LOGITLAB_DATA_DIR"] = _DATA_DIR


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_DATA_DIR, ignore_errors=True)
