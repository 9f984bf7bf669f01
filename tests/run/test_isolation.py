"""edubalance.run.isolation: what a warm kernel preloads for a notebook (the edubalance modules
its code names); the reset between jobs is checked on a real kernel in test_engines.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from edubalance.run.isolation import notebook_submodules
from helpers import run_python


def test_the_modules_a_notebook_names_are_read_from_its_code():
    code = ("import edubalance as eb\n"
            "schools = eb.io.load.load_schools(path)\n"
            "from edubalance.report import plotting, tables as t\n"
            "result = eb.core.scoring.score(schools, standard)\n"
            "from edubalance.run.notebook import (write_results,\n    check_parameters)\n")
    assert notebook_submodules(code) == ["core.scoring.score", "io.load.load_schools",
                                         "report.plotting", "report.tables",
                                         "run.notebook.check_parameters",
                                         "run.notebook.write_results"]


def test_a_shorter_name_covered_by_a_longer_one_is_left_out():
    assert notebook_submodules("eb.report\neb.report.html.export_html(x)") == [
        "report.html.export_html"]


def test_a_notebook_naming_no_module_gets_every_one():
    assert notebook_submodules("print(1)\nimport pandas as pd") is None
    assert notebook_submodules("") is None


def test_consecutive_from_imports_are_each_read():
    # The pattern once ran on across the line break and swallowed the second import.
    code = "from edubalance.report import plotting\nfrom edubalance.core import scoring\n"
    assert notebook_submodules(code) == ["core.scoring", "report.plotting"]
    spanning = "from edubalance.report import (plotting,\n    tables)\nx = 1\n"
    assert notebook_submodules(spanning) == ["report.plotting", "report.tables"]


def test_a_reset_reverts_what_the_quick_comparison_of_a_module_could_miss(monkeypatch):
    # restore skips a module whose names and objects are all unchanged (compared in C); a
    # value equal but not identical, or the same names and objects in a swapped order, still
    # count as changes and are reverted.
    import sys
    import types

    from edubalance.run import isolation

    module = types.ModuleType("eb_probe_isolation_module")
    module.a, module.b, module.number, module.items = "first", "second", 1, [1]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    state = isolation.snapshot()
    items = module.items
    module.number = 1.0            # equal, not identical
    module.items = list(items)     # equal, not identical
    del module.a, module.b
    module.b, module.a = "first", "second"   # same objects, names swapped and reordered
    isolation.restore(state, libraries=False)
    assert (module.a, module.b) == ("first", "second")
    assert type(module.number) is int and module.items is items
    first, second = object(), object()
    assert isolation._unchanged({"a": first, "b": second}, {"a": first, "b": second})
    assert not isolation._unchanged({"a": first, "b": second}, {"b": first, "a": second})


def test_infrastructure_modules_are_those_named_or_below_them():
    from edubalance.run import isolation

    for prefix in isolation._INFRASTRUCTURE:
        assert isolation._is_infrastructure(prefix)
        assert isolation._is_infrastructure(prefix + ".sub")
        assert not isolation._is_infrastructure(prefix + "x")   # zmqx is not zmq
    assert not isolation._is_infrastructure("edubalance.run")
    assert not isolation._is_infrastructure("edubalance.run.cachex")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own niceness")
def test_a_yielding_preload_imports_in_a_lower_priority_thread_and_keeps_the_kernels():
    """Issue 29: a new kernel's imports yield the CPU to what the first jobs wait for; the
    jobs (the kernel's main thread) keep its priority; an import that must run in the main
    thread makes the caller import as usual."""
    done = run_python(
        "import os, sys, threading\n"
        "from edubalance.run import isolation\n"
        "own = os.getpriority(os.PRIO_PROCESS, 0)\n"
        "seen = {}\n"
        "def probe(*args):\n"
        "    seen['niceness'] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())\n"
        "    seen['main'] = threading.current_thread() is threading.main_thread()\n"
        "assert isolation._yielding(probe)\n"
        "assert seen == {'niceness': own + isolation.YIELDING_NICENESS, 'main': False}, seen\n"
        "def main_thread_only(*args):\n"
        "    raise ValueError('signal only works in main thread of the main interpreter')\n"
        "assert isolation._yielding(main_thread_only) is False\n"
        "isolation.preload(('json', 'csv'), [], yielding=True)\n"
        "assert {'json', 'csv'} <= set(sys.modules)\n"
        "assert os.getpriority(os.PRIO_PROCESS, 0) == own\n"
        "print('ok')\n")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_preload_of_a_county_report_includes_what_its_functions_import_on_first_use():
    """Issue 29: a job's own imports of the package are unloaded after it, so a module the
    report's functions import lazily was imported again by every job; openpyxl by each
    kernel's first. The preload imports them with the modules that need them."""
    from edubalance.run import isolation

    source = (Path(__file__).resolve().parents[2] / "notebooks" /
              "county_scoring.ipynb").read_text(encoding="utf-8")
    lazy = sorted({name for names in isolation.IMPORTED_ON_FIRST_USE.values()
                   for name in names})
    done = run_python(
        "import sys\n"
        "from edubalance.run import isolation\n"
        "table, isolation.IMPORTED_ON_FIRST_USE = isolation.IMPORTED_ON_FIRST_USE, {}\n"
        f"isolation.preload(submodules={isolation.notebook_submodules(source)!r})\n"
        f"print(sorted(name for name in {lazy!r} if name not in sys.modules))\n"
        "isolation.IMPORTED_ON_FIRST_USE = table\n"
        f"isolation.preload(submodules={isolation.notebook_submodules(source)!r})\n"
        f"print(sorted(name for name in {lazy!r} if name not in sys.modules))\n")
    assert done.returncode == 0, done.stderr
    without, with_table = done.stdout.strip().splitlines()
    assert without != "[]"     # left to the job without the table: the test can fail
    assert with_table == "[]"


@pytest.mark.parametrize("yielding", [False, True])
def test_a_preload_runs_no_collection_and_leaves_collections_as_they_were(yielding):
    """Issue 29: a kernel's imports make objects that are never garbage; collecting while
    they are made cost a tenth of a CPU-second of each new kernel."""
    done = run_python(
        "import gc, sys\n"
        "from edubalance.run import isolation\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and runs.append(1))\n"
        f"isolation.preload(('email.mime.multipart', 'http.cookiejar'), [], yielding={yielding})\n"
        "assert 'http.cookiejar' in sys.modules\n"
        "print(len(runs), gc.isenabled())\n"
        "gc.disable()\n"
        "isolation.preload(('json',), [])\n"
        "print(gc.isenabled())\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", "False"]
