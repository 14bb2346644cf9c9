"""Fixtures shared by the build and browser tests."""

import subprocess
import sys

import pytest
from hypothesis import settings

from labecon_core.paths import ROOT

# Property tests draw the same examples on every run: CI results do not depend on luck.
settings.register_profile("labecon", derandomize=True, deadline=None)
settings.load_profile("labecon")


@pytest.fixture(scope="session")
def real_book(tmp_path_factory):
    """The real book, built from scratch into a temporary folder; returns the site folder.

    It is built from the chapters' committed outputs: nbval (in the same ``make test``)
    executes every chapter and checks that it gives exactly those outputs, so each
    chapter is executed once per test run.
    """
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run([sys.executable, "-m", "labecon_book.cli", "build", "--no-execute", "--build-dir", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out / "html"


def pytest_addoption(parser):
    parser.addoption("--update-reference", action="store_true",
                     help="write tests/core/reference_values.json from the models as they are (after a change)")
