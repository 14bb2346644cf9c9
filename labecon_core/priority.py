"""Helper processes at low priority: while chapters execute, their kernels come first."""

import os
from pathlib import Path


def lower(niceness: int) -> None:
    """Lower this process's priority by ``niceness`` (1-19).

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
