"""What a warm kernel resets between two jobs, so that no job sees what the one before did.

The warm engine (the default) keeps one kernel per worker and runs job after job on it;
after start it imports the heavy libraries and every ``edubalance`` module once
(:func:`preload`), then takes a :func:`snapshot`. Before each job :func:`restore` brings the
kernel back to that snapshot:

- the notebook namespace is wiped (``%reset -f``, by the engine) and the working folder reset;
- modules a job imported are unloaded if they are ``edubalance`` modules or the user's own
  (outside site-packages); third-party modules a job imported stay loaded (unloading compiled
  extensions is unsafe) but their top-level names are reverted like the others' from the
  next reset on;
- every preloaded module's top-level names are put back as they were (monkeypatches undone,
  attributes a job added removed), including ``builtins``;
- ``sys.path``, ``os.environ``, ``warnings`` filters, NumPy error and print settings, pandas
  options, matplotlib's rc settings and open figures, the global random generators (reseeded
  from the OS, as in a fresh process) are reset.

Not reset: changes *inside* mutable objects of library modules (e.g. a job appending to a
library's registry list, or loading a font into matplotlib's font manager) and the
in-memory cache of :mod:`edubalance.run.cache` (keyed by content hash, returns copies). Jobs that
need a process of their own use the cold engine (``--engine cold``).

Garbage collection: after each reset the engine collects and then freezes what is still
alive (``gc.freeze``: the libraries and the cache, which live as long as the kernel), so
that the collections of later jobs skip it; every 100th reset unfreezes everything for one
full collection. A frozen object that later becomes unreachable in a reference cycle is
therefore freed at the latest 100 jobs later (refcounting frees everything else at once).
During a job the youngest generation is collected every 50,000 new objects rather than
Python's 700 (set again at each reset): a job's cyclic garbage waits a little longer, and the
reset after the job collects it all.

Examples
--------
>>> import json
>>> state = snapshot()
>>> json.leaked = True
>>> restore(state, libraries=False)
>>> hasattr(json, "leaked")
False
"""
from __future__ import annotations

import operator
import os
import sys
import sysconfig
from dataclasses import dataclass, field
from typing import Any

__all__ = ["preload", "notebook_submodules", "snapshot", "restore", "Snapshot", "PRELOAD"]

PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "yaml",
           "pyarrow.parquet", "edubalance", "edubalance.run.cache", "edubalance.report.i18n",
           "edubalance.report.markup", "edubalance.io.write")
# Modules whose top-level state belongs to the kernel machinery, never reverted.
_INFRASTRUCTURE = ("__main__", "__mp_main__", "sys", "ipykernel", "IPython", "zmq", "tornado", "asyncio",
                   "jupyter_client", "jupyter_core", "traitlets", "comm", "debugpy",
                   "threading", "_thread", "logging", "concurrent", "selectors", "signal",
                   "matplotlib_inline", "edubalance.run.isolation", "edubalance.run.cache",
                   "importlib", "encodings", "codecs", "abc", "typing", "weakref", "gc")


_INFRASTRUCTURE_PACKAGES = tuple(f"{prefix}." for prefix in _INFRASTRUCTURE)


def _is_infrastructure(name: str) -> bool:
    # one set lookup and one C-level prefix test per module (a reset checks every module)
    return name in _INFRASTRUCTURE_SET or name.startswith(_INFRASTRUCTURE_PACKAGES)


_INFRASTRUCTURE_SET = frozenset(_INFRASTRUCTURE)


def preload(modules=PRELOAD, submodules=None, *, yielding: bool = False) -> None:
    """Import the libraries every job needs, and the ``edubalance`` submodules jobs use.

    ``submodules``: dotted names below ``edubalance`` (attribute chains such as
    ``run.cache.scored_year`` import their longest prefix that is a module, with what it
    imports); ``None`` imports every module. The warm engine passes those the notebook names
    (:func:`notebook_submodules`), so that a county report's kernel does not import SciPy
    and scikit-learn for the clustering and regression modules it never uses. A submodule
    a job imports beyond these is unloaded after the job (see the module docstring): the
    next job imports it again, correct and only slower.

    Parameters
    ----------
    modules : iterable of str, default PRELOAD
        Top-level imports (dotted module names); one that is not installed is skipped.
    submodules : iterable of str, optional
        Names below ``edubalance`` as above (:func:`notebook_submodules`); default every
        public ``edubalance`` module. A name none of whose prefixes imports is skipped.
    yielding : bool, default False
        Import at a lower priority than the process's other work (:func:`_yielding`).
    """
    import gc

    # No collections while the imports make their hundreds of thousands of objects, none of
    # them garbage (0.1 CPU-s of a new kernel's 1.0); the warm engine collects once after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if not (yielding and _yielding(_import_preloaded, modules, submodules)):
            _import_preloaded(modules, submodules)
    finally:
        if collecting:
            gc.enable()


def _import_preloaded(modules, submodules) -> None:
    """:func:`preload`'s imports."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    if submodules is None:
        import pkgutil

        import edubalance

        submodules = [info.name.removeprefix("edubalance.") for info in
                      pkgutil.walk_packages(edubalance.__path__, "edubalance.")
                      if "._" not in info.name]
    for name in submodules:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):  # the longest prefix that is a module
            try:
                importlib.import_module("edubalance." + ".".join(parts[:end]))
                break
            except ModuleNotFoundError:
                continue
            except Exception:
                break
    for module, lazy in IMPORTED_ON_FIRST_USE.items():
        if module in sys.modules:
            for name in lazy:
                try:
                    importlib.import_module(name)
                except ImportError:
                    pass
    for module, function in LOADED_ON_FIRST_USE.items():
        if module in sys.modules:
            try:
                getattr(sys.modules[module], function)()
            except Exception:  # noqa: BLE001 - the job's own call says what is wrong
                pass


IMPORTED_ON_FIRST_USE = {
    "edubalance.run.cache": ("edubalance.run.plan", "edubalance.io.loadreport",
                             "pyarrow.pandas_compat"),
    "edubalance.run.notebook": ("edubalance.run.params", "pandas.io.formats.csvs"),
    "edubalance.report.county_report": ("edubalance.report.figures.scoring",),
    "edubalance.report.xlsx": ("openpyxl", "openpyxl.packaging.extended"),
}
"""What these modules import inside their functions (or pandas and pyarrow do, on first use),
preloaded with them.

Kept out of the modules' own imports (the command line and the workers stay light), but a
county job calls those functions: without this, every job imported the five ``edubalance``
modules again (a job's own imports of the package are unloaded after it) and each kernel's
first job imported openpyxl (0.2 CPU-s).
"""

LOADED_ON_FIRST_USE = {"edubalance.report.i18n": "catalogue"}
"""Functions (cached, no arguments) whose first call loads data every job needs, called by
:func:`preload` when their module is loaded: the message catalogue (YAML, 0.05 CPU-s)."""

YIELDING_NICENESS = 10
"""The niceness of :func:`preload` ``(yielding=True)``'s thread, above the process's own."""


def _yielding(function, *args) -> bool:
    """Run ``function(*args)`` in a thread of lower priority; False if it was not done.

    A new kernel imports the libraries its jobs need before it is asked for any job. In a
    batch that work competes with what the first jobs wait for: the shared scoring of a
    national file in the batch process, the other worker's start. Done in a thread of its
    own at niceness +10 (Linux gives each thread its own niceness), it takes the CPU those
    leave: 4 national jobs in a new batch took 4.82 s instead of 5.05 s, 4 sample jobs 3.97
    instead of 4.08 (medians of 8 alternating runs, 2 workers, 2 cores). The jobs
    themselves run in the kernel's main thread, at its own priority; NumPy is imported here
    first, so that the threads its BLAS starts have that priority too. Elsewhere than on
    Linux (where a thread's niceness is the process's), or if an import fails in the thread
    (one that must run in the main thread), False: the caller imports as usual.
    """
    import threading

    if not sys.platform.startswith("linux"):
        return False
    try:
        import numpy  # noqa: F401 - its BLAS threads start now, at the kernel's priority
    except ImportError:
        pass
    failed: list[BaseException] = []

    def work() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           os.getpriority(os.PRIO_PROCESS, 0) + YIELDING_NICENESS)
        except OSError:
            pass
        try:
            function(*args)
        except BaseException as error:  # noqa: BLE001 - retried in the calling thread
            failed.append(error)

    thread = threading.Thread(target=work, name="edubalance-preload", daemon=True)
    thread.start()
    thread.join()
    return not failed


def notebook_submodules(source: str) -> list[str] | None:
    r"""The ``edubalance`` modules a notebook's code names, or ``None`` (every one) if none.

    Read from ``eb.x.y`` (``eb.core.scoring.score`` names ``core.scoring``), ``edubalance.x.y``
    and ``from edubalance[.x] import y``; the names are dotted, below ``edubalance``.

    Attribute chains are kept whole up to the last lower-case name (``eb.run.cache.scored_year``
    gives ``run.cache.scored_year``); :func:`preload` imports those of them that are modules.

    Parameters
    ----------
    source : str
        The notebook's code (its cells' source, or the whole ``.ipynb`` text).

    Returns
    -------
    list of str or None
        The dotted names, sorted, without those a longer name already covers; None when
        the code names no ``edubalance`` module.

    Examples
    --------
    >>> notebook_submodules('import edubalance as eb\nr = eb.run.cache.scored_year(p)\n'
    ...                     'from edubalance.report import plotting')
    ['report.plotting', 'run.cache.scored_year']
    >>> notebook_submodules("print(1)") is None
    True
    """
    import re

    names = set(re.findall(r"\b(?:eb|edubalance)\.([a-z_]\w*(?:\.[a-z_]\w*)*)", source))
    # A parenthesised list may span lines; a plain one ends with its line (so that the next
    # line's import is read on its own).
    for package, listed, plain in re.findall(
            r"from[ \t]+edubalance((?:\.\w+)*)[ \t]+import[ \t]*(?:\(([^)]*)\)|([^\n#]*))",
            source):
        prefix = package.strip(".") + "." if package else ""
        names.update(prefix + part.split()[0] for part in (listed or plain).split(",")
                     if part.split() and part.split()[0].isidentifier())
    # "report" of "from edubalance.report import plotting" is imported with report.plotting
    names = {name for name in names if not any(other.startswith(name + ".") for other in names)}
    return sorted(names) or None


@dataclass
class Snapshot:
    """Top-level names of every loaded module, and the process-wide settings listed above.

    Made by :func:`snapshot`, read by :func:`restore`.

    Parameters
    ----------
    modules : dict
        Module name -> ``(module, copy of its namespace)``, for every loaded module but the
        kernel's own machinery.
    path : list of str
        ``sys.path``.
    environ : dict
        ``os.environ``, name -> value.
    warning_filters : list
        ``warnings.filters``.
    numpy_err, numpy_print : dict, optional
        ``numpy.geterr()`` and ``numpy.get_printoptions()``; None when NumPy was not loaded.
    """

    modules: dict[str, tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    environ: dict[str, str] = field(default_factory=dict)
    warning_filters: list = field(default_factory=list)
    numpy_err: dict | None = None
    numpy_print: dict | None = None


def _module_items():
    main = sys.modules.get("__main__")
    for name, module in list(sys.modules.items()):
        if module is None or module is main or _is_infrastructure(name):
            continue
        namespace = getattr(module, "__dict__", None)
        if isinstance(namespace, dict):
            yield name, module, namespace


def snapshot() -> Snapshot:
    """Record the current state (taken once, after :func:`preload`).

    Returns
    -------
    Snapshot
        What :func:`restore` brings the process back to.
    """
    import warnings

    state = Snapshot(path=list(sys.path), environ=dict(os.environ),
                     warning_filters=list(warnings.filters))
    for name, module, namespace in _module_items():
        state.modules[name] = (module, dict(namespace))
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        state.numpy_err = numpy.geterr()
        state.numpy_print = numpy.get_printoptions()
    return state


def _own_module(module) -> bool:
    # edubalance modules and the user's own files are unloaded; site-packages are not.
    name = getattr(module, "__name__", "")
    if name == "edubalance" or name.startswith("edubalance."):
        return True
    path = getattr(module, "__file__", None)
    if not path or path.endswith((".so", ".pyd")):
        return False
    roots = {sysconfig.get_paths()[key] for key in ("purelib", "platlib", "stdlib",
                                                    "platstdlib")}
    return not any(os.path.abspath(path).startswith(os.path.abspath(root)) for root in roots)


def restore(state: Snapshot, libraries: bool = True) -> None:
    """Bring the process back to ``state`` (see the module docstring for what is covered).

    ``libraries`` False leaves NumPy, pandas, matplotlib and the random generators alone.

    Parameters
    ----------
    state : Snapshot
        Taken by :func:`snapshot`; modules first seen now are added to it (reverted to their
        present state from the next reset on).
    libraries : bool, default True
        Also reset NumPy's error and print settings, pandas options, matplotlib's rc
        settings and figures, and reseed the global random generators.
    """
    import random
    import warnings

    for name, module in list(sys.modules.items()):
        if name not in state.modules and module is not None and not _is_infrastructure(name) \
                and _own_module(module):
            del sys.modules[name]
    for name, module, namespace in _module_items():
        saved = state.modules.get(name)
        if saved is None:
            state.modules[name] = (module, dict(namespace))  # first seen: reverted from now on
            continue
        if saved[0] is not module:
            continue
        before = saved[1]
        if _unchanged(namespace, before):
            continue   # most modules: the same names bound to the same objects
        for key in [key for key in namespace if key not in before]:
            if _loaded_submodule(name, key, namespace[key]):
                continue  # stays loaded, so stays reachable (numpy's __getattr__ would recurse)
            del namespace[key]
        for key, value in before.items():
            if namespace.get(key, _MISSING) is not value:
                namespace[key] = value
    sys.path[:] = state.path
    for key in [key for key in os.environ if key not in state.environ]:
        del os.environ[key]
    for key, value in state.environ.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    warnings.filters[:] = state.warning_filters
    warnings._filters_mutated()
    if not libraries:
        return
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if state.numpy_err is not None:
            numpy.seterr(**state.numpy_err)
        if state.numpy_print is not None:
            numpy.set_printoptions(**state.numpy_print)
        numpy.random.seed()
    random.seed()
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        matplotlib.rc_file_defaults()


_MISSING = object()


def _unchanged(namespace: dict, before: dict) -> bool:
    """Whether ``namespace`` binds the same names to the same objects as ``before``.

    Compared in C (the names in order, then the values by identity, pair by pair), not
    name by name in Python: a reset looks at every module, and almost none has changed.
    Equal but not identical values (``1`` and ``1.0``, a copied list) count as changed, and so
    do the same names in another order (then compared name by name).
    """
    return (len(namespace) == len(before) and list(namespace) == list(before)
            and all(map(operator.is_, namespace.values(), before.values())))


def _loaded_submodule(package: str, key: str, value: Any) -> bool:
    """Whether ``package.key`` is the submodule ``value``, still in ``sys.modules``.

    That is a job's import of a library submodule that stays loaded (``numpy.testing``).
    Removing only the attribute would leave the import system and the package disagreeing.
    """
    import types

    return isinstance(value, types.ModuleType) and sys.modules.get(f"{package}.{key}") is value
