"""Warm Jupyter kernels: forked from a process that has already imported the chapters' libraries.

A fresh IPython kernel spends about a second starting Python, ipykernel, numpy,
pandas, altair and scipy before a chapter's first line runs. A :class:`KernelServer`
is a process (started at the beginning of a build or a run, so it warms up while the
caller does its own work) that imports those libraries once and then forks one kernel
per request. The kernels' protocol is unchanged, so papermill and nbclient drive them
as usual:

- papermill launches, instead of ``python -m ipykernel_launcher -f CONN``, a small
  stand-in process, ``python -m labecon_book.kernels SOCKET -f CONN`` (see
  :func:`kernel_manager`), which asks the server for a kernel and lives as long as it;
- the forked kernel sends its pid to the stand-in, which forwards the signals it gets
  (an interrupt, a shutdown) to it; the kernel exits when the stand-in's connection
  closes, so a stand-in killed outright leaves no kernel behind, and the stand-in exits
  when its kernel does.

The server imports no ``labecon_core`` module that a chapter could use (only this one
and :mod:`labecon_book.processes`), and a forked kernel forgets those, so the build's
record of the modules a chapter imported (:mod:`labecon_book.deps`) is the same as in a
fresh kernel.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from labecon_book import processes

#: Third-party modules the chapters import, loaded once by the server (``ipykernel.ipkernel`` loads
#: debugpy, which a kernel would otherwise load for 0.15 s). A module missing here is only imported
#: later, by the chapter; nothing but speed depends on this list.
PRELOAD = ("numpy", "pandas", "pandera.pandas", "scipy.special", "altair", "vl_convert", "yaml", "pybtex.database",
           "IPython.display", "myst_nb", "ipykernel.kernelapp", "ipykernel.ipkernel")


def _first_use() -> None:
    """Do once what a chapter's first chart, glue and table check would load on first use (altair's pandas
    adapter in narwhals, myst-nb's glue, pandera's backends): 0.2-0.3 s a kernel no longer pays."""
    import altair as alt
    import pandas as pd
    import pandera.pandas as pa
    from myst_nb import glue  # noqa: F401

    frame = pd.DataFrame({"x": [1.0]})
    alt.Chart(frame).mark_line().encode(x="x:Q").to_dict()
    pa.DataFrameSchema({"x": pa.Column(float, pa.Check.ge(0))}).validate(frame)


def _recv_line(conn: socket.socket, data: bytes = b"") -> bytes:
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the other end closed the connection")
        data += chunk
    return data


def _kernel(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In a forked child: become the kernel the stand-in asked for, on its stdin, stdout and stderr; never returns."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        for name in [n for n in sys.modules if n == "labecon_core" or n.startswith("labecon_core.")]:
            del sys.modules[name]  # a chapter's own imports must load them, as in a fresh kernel
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        if sys.path and sys.path[0] in ("", request["server_cwd"]):
            del sys.path[0]  # as ipykernel_launcher does; IPython puts the working folder back
        conn.sendall(f"{os.getpid()}\n".encode())

        import threading

        def watch():
            # The stand-in holds the other end: when it is gone, so is this kernel.
            try:
                while conn.recv(1):
                    pass
            finally:
                os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
        from ipykernel.kernelapp import IPKernelApp

        # The trait's default was read from the server's environment when it imported ipykernel.
        parent = request["env"].get("JPY_PARENT_PID") or "0"
        IPKernelApp.launch_instance(argv=[*request["argv"], f"--IPKernelApp.parent_handle={parent}"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    """Listen on the Unix socket ``path``, import :data:`PRELOAD`, then fork a kernel per connection."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for the build, which then stops this server
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)  # callers may connect (and wait) while the imports below run
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    _first_use()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    server_cwd = os.getcwd()
    while True:
        conn, _ = listener.accept()
        fds = []
        try:
            start, fds, _, _ = socket.recv_fds(conn, 65536, 3)
            request = json.loads(_recv_line(conn, start)) | {"server_cwd": server_cwd}
        except (OSError, ValueError):
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            _kernel(conn, request, fds)
        for fd in fds:
            os.close(fd)
        conn.close()


def stand_in(path: str, argv: list[str]) -> int:
    """Ask the server at ``path`` for a kernel with ``argv``; forward signals to it until it exits."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode() + b"\n"
    socket.send_fds(conn, [request[:1]], [0, 1, 2])  # the kernel reads and writes where a launched one would
    conn.sendall(request[1:])
    pid = int(_recv_line(conn))

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    while True:
        try:
            if not conn.recv(1):
                return 0
        except InterruptedError:
            continue


class KernelServer:
    """A kernel server process for the duration of a ``with`` block.

    Examples
    --------
    >>> with KernelServer() as server:                                  # doctest: +SKIP
    ...     papermill.execute_notebook(..., kernel_manager_class=server.manager_class())
    """

    def __init__(self):
        self._folder = tempfile.mkdtemp(prefix="labecon-kernels-")
        self.path = str(Path(self._folder) / "server.sock")
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "KernelServer":
        self._process = subprocess.Popen([sys.executable, "-m", "labecon_book.kernels", "serve", self.path],
                                         stdin=subprocess.DEVNULL)
        # The socket exists as soon as the server has started Python; connecting callers then wait for the imports.
        deadline = time.monotonic() + 30
        while not os.path.exists(self.path):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the kernel server did not start (exit code {self._process.poll()})")
            time.sleep(0.005)
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            processes.stop(self._process)
        Path(self.path).unlink(missing_ok=True)
        shutil.rmtree(self._folder, ignore_errors=True)  # with any socket a killed kernel left

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process else None

    def manager_class(self):
        """A kernel manager class (for papermill's ``kernel_manager_class``) whose kernels come from this server."""
        return kernel_manager(self.path)


def _ipc_kernel_manager(socket_dir: Path):
    """jupyter_client's kernel manager class with its kernels on Unix sockets in ``socket_dir``."""
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        # Unix sockets, not TCP: the kernel and its client share this machine, and ipykernel warns on
        # the terminal about unencrypted TCP. jupyter_client removes the socket files at shutdown.
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(socket_dir / f"labecon-kernel-{os.getpid()}-{id(self)}")

    return IpcKernelManager


def fresh_kernel_manager():
    """A kernel manager class (for papermill's ``kernel_manager_class``) launching a fresh kernel on Unix sockets."""
    return _ipc_kernel_manager(Path(tempfile.gettempdir()))


def kernel_manager(path: str):
    """jupyter_client's kernel manager class, launching kernels through the server at ``path``."""

    class WarmKernelManager(_ipc_kernel_manager(Path(path).parent)):
        # The socket files go beside the server's.
        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            if cmd[1:3] != ["-m", "ipykernel_launcher"]:
                return cmd  # not an IPython kernel: launch it as usual
            return [sys.executable, "-m", "labecon_book.kernels", "connect", path, *cmd[3:]]

    return WarmKernelManager


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(stand_in(sys.argv[2], sys.argv[3:]))
