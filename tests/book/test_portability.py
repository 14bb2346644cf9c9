"""The committed chapter outputs hold on a machine with another CPU.

numpy chooses SIMD code paths by CPU (AVX-512, AVX2, NEON) and OpenBLAS chooses
kernels by core type; their results differ in the last bits. This test stands in
for a reader's machine: it executes every chapter again in a second numerical
environment, with numpy's best code paths switched off and OpenBLAS forced to
another core type, and compares the outputs with the committed ones exactly as
nbval does. It passes only if every number a chapter shows or records is rounded
by the book's rule (:mod:`labecon_core.portable`).
"""

import json
import os
import platform
import subprocess
import sys

import pytest

from labecon_book.chapters import chapters
from labecon_book.refresh import unportable_outputs
from labecon_core.paths import ROOT

# Run in each environment: one hash per operation whose last bits depend on the code path.
_PROBE = """
import hashlib, json
import numpy as np
x = np.linspace(0.1, 10, 100_001)
m = np.sin(np.arange(40_000.0)).reshape(200, 200)
ops = {"exp": np.exp(x), "log": np.log(x), "expm1": np.expm1(x), "log1p": np.log1p(x), "pow": x ** 1.37,
       "matmul": m @ m}
print(json.dumps({k: hashlib.sha256(v.tobytes()).hexdigest() for k, v in ops.items()}))
"""


def second_environment(environ=os.environ) -> dict:
    """The environment of another machine: numpy's best dispatched CPU features disabled, OpenBLAS on other kernels.

    The features are those of numpy's dispatch list this CPU has, all but the lowest
    (so on a CPU with AVX-512 numpy falls back to AVX2; on one with only AVX2, to its
    baseline). OpenBLAS is forced to an older core type than any current CPU, which
    every CPU of the architecture can run.
    """
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    available = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    disable = available[1:] if len(available) > 1 else available
    older = {"x86_64": ("Nehalem", "Prescott"), "AMD64": ("Nehalem", "Prescott"),
             "aarch64": ("ARMV8", "CORTEXA53"), "arm64": ("ARMV8", "CORTEXA53")}
    first, second = older.get(platform.machine(), ("", ""))
    core = second if environ.get("OPENBLAS_CORETYPE", "").lower() == first.lower() else first
    env = dict(environ)
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(disable)
    if core:
        env["OPENBLAS_CORETYPE"] = core
    return env


def _probe(env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout)


def test_the_second_environment_changes_the_last_bits():
    """Without this, the test below would prove nothing: the second environment must compute differently."""
    here, there = _probe(dict(os.environ)), _probe(second_environment())
    changed = sorted(k for k in here if here[k] != there[k])
    if not changed:
        pytest.skip("on this CPU, no numpy code path or OpenBLAS kernel can be switched to another")
    assert "matmul" in changed, f"OpenBLAS computes x @ x the same with another core type ({changed})"
    assert {"exp", "log"} & set(changed), f"numpy's exp and log are the same without the best code paths ({changed})"


def test_chapters_reproduce_their_committed_outputs_in_a_second_environment():
    notebooks = [str(c.path) for c in chapters()]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", "-rf", *notebooks],
        capture_output=True, text=True, cwd=ROOT, env=second_environment(),
    )
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
    assert proc.returncode == 0, (
        "chapter outputs differ in a second numerical environment (numpy's CPU dispatch narrowed, OpenBLAS on other "
        "kernels): some number is shown or recorded without the book's rounding (labecon_core.portable).\n"
        + "\n".join(failed) + "\n" + proc.stdout[-6000:]
    )


def test_committed_outputs_keep_the_rounding_rule():
    for c in chapters():
        bad = unportable_outputs(json.loads(c.path.read_text()))
        assert not bad, f"{c.slug}: numbers shown with more than 8 significant digits: {bad[:5]}"
