"""Helper processes of the build and of ``labecon run``: their priority, and stopping them."""

import os
import subprocess
from pathlib import Path


def lower_priority(niceness: int) -> None:
    """Lower this process's priority by ``niceness`` (1-19): while chapters execute, their kernels come first.

    On Linux with scheduling autogroups (the default), niceness only orders the
    processes of one session against each other, and every kernel has a session of
    its own: a helper left in the build's session would get as much time as a kernel.
    So the helper also gets a session, and the session's group that niceness.
    """
    os.nice(niceness)
    try:
        os.setsid()
        Path("/proc/self/autogroup").write_text(str(niceness))
    except OSError:
        pass  # no autogroups here: os.nice is what applies


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Ask a process to end (SIGTERM), and kill it if it has not within ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
