"""edubalance.run.engines: what a warm worker does before its kernel is launched (issue 29).

A batch's start is a chain: the command, the workers, each worker's kernel, its preload. A
worker launches its kernel before anything else it needs later (papermill, nbconvert and the
report template: after the launch, while the kernel starts), without importing IPython or pandas.
"""
from __future__ import annotations

import json
import sys

import pytest

from helpers import imported_by
from paths import KERNEL


def test_a_warm_worker_launches_its_kernel_without_ipython_pandas_or_papermill():
    code = ("from edubalance.run import engines\n"
            "engines._worker_init(True)\n"
            f"km = engines._kernel_manager_class([], None, None)(kernel_name={KERNEL!r})\n"
            "assert km.kernel_spec.argv\n"
            "import edubalance.report.html, edubalance.run.notebook, edubalance.io.write\n"
            "assert engines._EXPORT_PREPARATION == 'pending', engines._EXPORT_PREPARATION\n")
    assert imported_by(code, ("IPython", "pandas", "numpy", "papermill", "nbconvert")) == []


def test_kernel_spec_folders_are_jupyter_clients_own(monkeypatch):
    import IPython  # noqa: F401 - jupyter_client's answer needs it
    from jupyter_client.kernelspec import KernelSpecManager

    from edubalance.run import engines
    expected = KernelSpecManager().kernel_dirs
    monkeypatch.delitem(sys.modules, "IPython")
    assert engines._kernel_spec_manager().kernel_dirs == expected
    monkeypatch.setenv("IPYTHONDIR", "/somewhere/ipython")
    assert engines._kernel_spec_manager().kernel_dirs[-1] == "/somewhere/ipython/kernels"


def test_the_export_preparation_starts_once_and_only_in_a_warm_worker(monkeypatch):
    from edubalance.run import engines

    started = []
    monkeypatch.setattr(engines, "_prepare_html_export", lambda: started.append(1))
    monkeypatch.setattr(engines, "_EXPORT_PREPARATION", None)
    engines._start_export_preparation()  # not a warm worker: nothing
    monkeypatch.setattr(engines, "_EXPORT_PREPARATION", "pending")
    engines._start_export_preparation()
    engines._start_export_preparation()
    for thread in __import__("threading").enumerate():
        if thread.name == "edubalance-export-preparation":
            thread.join(10)
    assert started == [1]
    assert engines._EXPORT_PREPARATION == "started"


def _note_exit(folder: str) -> int:
    """In a pool worker: note when multiprocessing's finalizers and when atexit run."""
    import atexit
    import os
    from multiprocessing.util import Finalize
    from pathlib import Path

    Finalize(None, Path(folder, "finalizer").touch, exitpriority=0)
    atexit.register(Path(folder, "atexit").touch)
    return os.getpid()


def test_a_worker_runs_its_finalizers_then_ends_without_the_interpreters_teardown(tmp_path):
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from edubalance.run import engines

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=engines._worker_init,
                             initargs=(False, os.getpid())) as pool:
        assert pool.submit(_note_exit, str(tmp_path)).result(timeout=120) != os.getpid()
    assert (tmp_path / "finalizer").is_file()  # the kernel's stop is such a finalizer
    assert not (tmp_path / "atexit").exists()  # the teardown (and atexit) is skipped


def test_a_warm_kernel_starts_without_the_debugger_and_as_ipykernel_launcher_would():
    import os

    from edubalance.run import engines

    command = ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
               "/tmp/k.json"]
    lean = engines._lean_kernel_command(command)
    assert lean[:3] == command[:2] + ["-c"] and lean[4:] == ["-f", "/tmp/k.json"]
    assert engines._lean_kernel_command(["ir", "--slave", "-f", "x"]) == \
        ["ir", "--slave", "-f", "x"]

    probe = ("import sys, os, json; print(json.dumps(['debugpy' in sys.modules and "
             "sys.modules['debugpy'] is None, os.path.basename(sys.argv[0]), sys.argv[1], "
             "sys.path]))")
    seen = []
    for lean_start in (True, False):
        kernel = engines._WarmKernel(KERNEL)
        try:
            if lean_start:
                kernel.start(os.getcwd())
            else:  # the kernel spec's own command
                kernel.km = engines._kernel_manager_class([], None, kernel.ipc)(
                    kernel_name=KERNEL)
                kernel._run(kernel.km.start_kernel(cwd=os.getcwd()))
                kernel.kc = kernel.km.client()
                kernel.kc.start_channels()
                kernel._run(kernel.kc.wait_for_ready(timeout=60))
            out: list[str] = []

            def hook(message, out=out):
                if message["msg_type"] == "stream":
                    out.append(message["content"].get("text", ""))

            kernel._run(kernel.kc.execute_interactive(probe, timeout=60, output_hook=hook))
            seen.append(json.loads("".join(out)))
        finally:
            kernel.close()
    lean_seen, spec_seen = seen
    assert lean_seen[0] is True and spec_seen[0] is False  # debugpy left out, lean only
    assert lean_seen[1:] == spec_seen[1:]  # same argv[0], connection file flag, sys.path
    assert lean_seen[1] == "ipykernel_launcher.py"


class _Channel:
    def __init__(self, messages):
        self.messages = list(messages)
        self.reads = 0

    async def get_msg(self, timeout=None):
        from queue import Empty

        self.reads += 1
        if not self.messages:
            raise Empty
        return self.messages.pop(0)


class _Client:
    def __init__(self, shell, iopub):
        self.shell_channel, self.iopub_channel = _Channel(shell), _Channel(iopub)
        self.requests = 0
        self.handled = []

    def kernel_info(self):
        self.requests += 1

    def _handle_kernel_info_reply(self, reply):
        self.handled.append(reply)


class _Manager:
    def __init__(self, alive=True):
        self.alive = alive

    async def is_alive(self):
        return self.alive


def test_waiting_for_a_kernel_ends_with_its_kernel_info_reply_not_a_quiet_iopub():
    import asyncio

    from edubalance.run import engines

    reply = {"msg_type": "kernel_info_reply", "content": {}}
    status = {"msg_type": "status", "content": {"execution_state": "idle"}}
    # The kernel answers the second request; IOPub has more to say than one status message.
    client = _Client([{"msg_type": "execute_reply"}, reply], [status, status, status])
    asyncio.run(engines._wait_for_ready(client, _Manager(), timeout=10))
    assert client.requests == 2 and client.handled == [reply]
    assert client.iopub_channel.reads == 1  # no reading until IOPub is quiet for 0.2 s

    # IOPub not connected yet: ask again, as jupyter_client does.
    client = _Client([reply, reply], [])
    client.iopub_channel.messages = []
    with pytest.raises(RuntimeError, match="died"):
        asyncio.run(engines._wait_for_ready(client, _Manager(alive=False), timeout=10))
    with pytest.raises(RuntimeError, match="respond"):
        asyncio.run(engines._wait_for_ready(_Client([], []), _Manager(), timeout=0))


def test_only_a_batch_kernel_start_keeps_its_kernel_in_the_session():
    """Issue 29: jupyter_client's ``setsid`` becomes a process group only inside a batch's
    kernel start (a context variable): other threads and a user's own kernels keep it."""
    import threading

    from edubalance.run import engines

    calls = []
    popen = engines._SessionAwarePopen(lambda command, **options: calls.append(options))
    popen(["kernel"], start_new_session=True)
    token = engines._IN_BATCH_SESSION.set(True)
    try:
        popen(["kernel"], start_new_session=True)
        other = threading.Thread(target=popen, args=(["kernel"],),
                                 kwargs={"start_new_session": True})
        other.start()
        other.join()
    finally:
        engines._IN_BATCH_SESSION.reset(token)
    assert calls == [{"start_new_session": True}, {"process_group": 0},
                     {"start_new_session": True}]


def test_a_warm_kernel_is_killed_and_reaped_at_once_not_polled_for(monkeypatch):
    import asyncio
    import os
    import signal

    import jupyter_client.manager

    from edubalance.run import engines

    kernel = engines._WarmKernel(KERNEL)
    try:
        kernel.start(os.getcwd())
        process = kernel.km.provisioner.process
        pid = process.pid
        sleeps = []
        real_sleep = asyncio.sleep

        async def counted_sleep(delay, *args, **kwargs):
            sleeps.append(delay)
            return await real_sleep(delay, *args, **kwargs)

        signalled = []
        real_killpg = os.killpg

        def recorded_killpg(pgid, signum):
            signalled.append((pgid, signum, process.returncode))
            return real_killpg(pgid, signum)

        # jupyter_client waits for a killed kernel by polling every 0.1 s
        monkeypatch.setattr(jupyter_client.manager.asyncio, "sleep", counted_sleep)
        monkeypatch.setattr(os, "killpg", recorded_killpg)
        kernel.stop()
        monkeypatch.undo()
        assert process.returncode == -signal.SIGKILL   # killed, and reaped by stop()
        assert max(sleeps, default=0) < 0.1           # no 0.1 s poll waited for it
        # Its process group signalled while it was there only: once reaped, its number may
        # be another process's (jupyter_client's shutdown interrupted and killed it again).
        assert signalled and all(returncode is None for _, _, returncode in signalled)
        assert kernel.km is None and kernel.pid is None
        try:
            os.kill(pid, 0)
            gone = False
        except ProcessLookupError:
            gone = True
        assert gone
    finally:
        kernel.close()


def test_a_warm_kernel_that_died_is_not_signalled_by_its_old_number(monkeypatch):
    """A kernel that died and was reaped (a poll saw it gone) is not killed by its pid or
    process group: the system may have given those numbers to another process since."""
    import os
    import signal
    import time

    from edubalance.run import engines

    kernel = engines._WarmKernel(KERNEL)
    try:
        kernel.start(os.getcwd())
        process = kernel.km.provisioner.process
        pid = process.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while kernel.alive() and time.monotonic() < deadline:  # the poll reaps it
            time.sleep(0.01)
        assert process.returncode == -signal.SIGKILL
        signalled = []
        monkeypatch.setattr(os, "killpg", lambda *args: signalled.append(("killpg", *args)))
        monkeypatch.setattr(os, "kill", lambda *args: signalled.append(("kill", *args)))
        kernel.stop()
        monkeypatch.undo()
        assert signalled == [] and kernel.km is None and kernel.pid is None
    finally:
        kernel.close()
