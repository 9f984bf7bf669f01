"""edubalance.run.engines: what a warm worker does before its kernel is launched (issue 29).

A batch's start is a chain: the command, the workers, each worker's kernel, its preload. A
worker launches its kernel before anything else it needs later (papermill, nbconvert and the
report template: after the launch, while the kernel starts), without importing IPython or pandas.
"""
from __future__ import annotations

import subprocess
import sys

from paths import KERNEL


def test_a_warm_worker_launches_its_kernel_without_ipython_pandas_or_papermill():
    code = ("import sys\n"
            "from edubalance.run import engines\n"
            "engines._worker_init(True)\n"
            f"km = engines._kernel_manager_class([], None, None)(kernel_name={KERNEL!r})\n"
            "assert km.kernel_spec.argv\n"
            "import edubalance.report.html, edubalance.run.notebook, edubalance.io.write\n"
            "print([m for m in ('IPython', 'pandas', 'numpy', 'papermill', 'nbconvert')\n"
            "       if m in sys.modules], engines._EXPORT_PREPARATION)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] pending"


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
