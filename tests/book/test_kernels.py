"""Warm kernels: a forked kernel behaves like a fresh one, and none outlives what launched it."""

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import nbformat
import papermill
import psutil
import pytest

from labecon_book.chapters import chapter
from labecon_book.execute import execute
from labecon_book.kernels import PRELOAD, KernelServer


@pytest.fixture(scope="module")
def server():
    with KernelServer() as s:
        yield s


def _notebook(*sources: str):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def _stdout(nb, cell: int = 0) -> str:
    return "".join(o.get("text", "") for o in nb.cells[cell].outputs if o.get("name") == "stdout")


def test_a_warm_kernel_starts_like_a_fresh_one(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LABECON_TEST_VALUE", "from-the-caller")
    probe = (f"import json, os, sys\npreload = {PRELOAD!r}\n"
             "print(json.dumps({'cwd': os.getcwd(), 'env': os.environ.get('LABECON_TEST_VALUE'),\n"
             "                  'ours': sorted(m for m in sys.modules if m.startswith('labecon_core')),\n"
             "                  'preloaded': [m for m in preload if m in sys.modules], 'path0': sys.path[0]}))")
    nb = papermill.execute_notebook(_notebook(probe), None, kernel_name="python3", progress_bar=False,
                                    cwd=str(tmp_path), kernel_manager_class=server.manager_class())
    seen = json.loads(_stdout(nb))
    assert seen["cwd"] == str(tmp_path)
    assert seen["env"] == "from-the-caller"
    assert seen["ours"] == [], "no labecon_core module may be loaded before the chapter imports it"
    assert seen["preloaded"] == list(PRELOAD)
    assert seen["path0"] != str(Path(__file__).parent)


def test_each_kernel_is_a_fresh_namespace(server, tmp_path):
    run = dict(kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
               kernel_manager_class=server.manager_class())
    papermill.execute_notebook(_notebook("leftover = 1\nimport labecon_core.fmt"), None, **run)
    check = "import sys\nprint('leftover' in dir(), 'labecon_core.fmt' in sys.modules)"
    nb = papermill.execute_notebook(_notebook(check), None, **run)
    assert _stdout(nb).split() == ["False", "False"]


def test_a_chapter_gives_the_same_results_in_a_warm_kernel(server, tmp_path):
    c = chapter("cohort-accounting")
    fresh = execute(c, tmp_path / "fresh.ipynb")
    warm = execute(c, tmp_path / "warm.ipynb", kernel_manager_class=server.manager_class())
    assert warm.results_json() == fresh.results_json()
    assert warm.deps == fresh.deps


async def _started(server):
    km = server.manager_class()(kernel_name="python3")
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


async def _run(kc, code: str, timeout: float = 30) -> tuple[dict, str]:
    msg_id = kc.execute(code)
    out = ""
    while True:
        msg = await kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = await kc.get_shell_msg(timeout=timeout)
    return reply["content"], out


def test_interrupt_reaches_a_warm_kernel(server):
    async def scenario():
        km, kc = await _started(server)
        try:
            msg_id = kc.execute("import time\ntime.sleep(120)")
            await asyncio.sleep(1.0)
            start = time.monotonic()
            await km.interrupt_kernel()
            reply = await kc.get_shell_msg(timeout=30)
            assert reply["parent_header"]["msg_id"] == msg_id
            return reply["content"], time.monotonic() - start
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    content, seconds = asyncio.run(scenario())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert seconds < 20


def test_a_killed_stand_in_takes_its_kernel_with_it(server):
    async def scenario():
        km, kc = await _started(server)
        try:
            _, out = await _run(kc, "import os\nprint(os.getpid())")
            kernel = psutil.Process(int(out))
            stand_in = km.provisioner.process.pid
            assert kernel.pid != stand_in and kernel.ppid() != stand_in
            os.kill(stand_in, signal.SIGKILL)
            return kernel
        finally:
            kc.stop_channels()

    kernel = asyncio.run(scenario())
    _, alive = psutil.wait_procs([kernel], timeout=10)
    assert not alive, "the kernel outlived its stand-in"


def test_shutdown_ends_kernel_and_stand_in(server):
    async def scenario():
        km, kc = await _started(server)
        _, out = await _run(kc, "import os\nprint(os.getpid())")
        procs = [psutil.Process(int(out)), psutil.Process(km.provisioner.process.pid)]
        kc.stop_channels()
        await km.shutdown_kernel()
        return procs

    procs = asyncio.run(scenario())
    _, alive = psutil.wait_procs(procs, timeout=10)
    assert not alive


def test_the_server_ends_with_its_block():
    with KernelServer() as s:
        proc = psutil.Process(s.pid)
        assert Path(s.path).exists()
    assert not Path(s.path).exists()
    assert not proc.is_running(), "the server is gone, reaped"
