"""Fixtures of the machinery's tests."""

from pathlib import Path

import pytest
from mini_project import make_project


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the project with the cohort chapter (see :mod:`mini_project`)."""
    return make_project(tmp_path / "project")
