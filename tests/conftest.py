"""Shared paths and fixtures, the tiers of the suite, and the order it runs in.

The fixtures live in plain modules registered as plugins below: ``browser_pages`` (one
headless Chromium per process, its page pool, ``browser``; one PDF printer, ``pdf_printer``) and ``demo`` (``demo_reports``, a
report folder like `make demo` writes, built once per run). Scheduling under pytest-xdist is
xdist's own: ``--dist loadfile`` (pyproject.toml's addopts) sends each test module to one
worker, so a module's fixtures are built once; this file only puts the heavy modules first.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# jsonschema (imported by nbformat) imports rfc3987_syntax for its "iri" format checks, which
# builds a parser grammar at import: ~1.5 s of CPU in every process that reads a notebook.
# Neither nbformat nor these tests check formats, so the test processes skip that import
# (jsonschema then leaves the "iri" format unchecked). Kernels and the batch's processes are
# left as they are.
sys.modules.setdefault("rfc3987_syntax", None)

import matplotlib  # noqa: E402
import pytest  # noqa: E402

from paths import ROOT, SAMPLE_DIR  # noqa: E402  (tests/support: pyproject's pythonpath)

pytest_plugins = ["browser_pages", "demo"]

matplotlib.use("Agg")  # this process only: notebook kernels keep the inline backend
# Kernels started from here (the notebook tests, the demo's slides) inherit the environment:
# MPLBACKEND=Agg would drop every inline figure from their outputs.
os.environ.pop("MPLBACKEND", None)


def _end_worker_without_teardown() -> None:
    """A pytest-xdist worker's last exit handler: end the process without the interpreter's
    teardown. The worker has reported its results and its other exit handlers (kernels,
    browser) have run; freeing the session's objects one by one (data, kernels' clients,
    Playwright) took 1-2 s, and the controller waits for every worker to end."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if os.environ.get("PYTEST_XDIST_WORKER"):
    import atexit

    # Exit handlers run in reverse order of registration: those the tests and fixtures add
    # later (the warm kernel's, the browser's) run before this one.
    atexit.register(_end_worker_without_teardown)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def fresh_cache_memory():
    """The package's in-memory scoring cache (run.cache) empty before and after a test."""
    from edubalance.run import cache

    cache.clear_memory()
    yield
    cache.clear_memory()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


def pytest_report_header(config):
    # A browser failure depends on the Chromium it ran on: name it in every run's header.
    from browser_pages import chromium_version

    return f"browser tests: {chromium_version()}"


HEAVY = ("notebooks", "browser")
"""Marks of the tests that execute notebooks or open Chromium: their modules start first."""
LONG = ("run/test_engines.py", "run/test_batch.py", "run/test_cache_county.py")
"""Modules without those marks that take as long (kernels, batches, every county)."""


def _start_order(items) -> dict:
    """Each module's place in the run's order (0 first), from the tests that will run: the
    first module using ``demo_reports`` (its worker builds them), the heavy modules
    (:data:`HEAVY`, :data:`LONG`), the other modules using ``demo_reports``, the rest. A second
    module using the demo reports at the start would wait, its worker idle, for the first
    worker's build (~14 s); after the heavy modules the reports are built."""
    running = [item for item in items if not item.get_closest_marker("skip")]
    demo = list(dict.fromkeys(item.path for item in running
                              if "demo_reports" in getattr(item, "fixturenames", ())))
    heavy = {item.path for item in running
             if any(item.get_closest_marker(mark) for mark in HEAVY)
             or "/".join(item.path.parts[-2:]) in LONG}
    return {**{path: 1 for path in heavy}, **{path: 2 for path in demo[1:]},
            **({demo[0]: 0} if demo else {})}


def pytest_collection_modifyitems(config, items):
    # `slow` is opt-in, as pyproject.toml says: without any -m expression those tests are
    # skipped (`make test-all` runs them with -m "slow or not slow").
    if not config.getoption("markexpr"):
        skip = pytest.mark.skip(reason="slow: opt in with -m slow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)
    # Browser checks run only where Debian's Chromium is installed (.ci/run installs it).
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        skip = pytest.mark.skip(reason="headless Chromium (/usr/bin/chromium) not installed")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)
    # xdist (--dist loadfile --no-loadscope-reorder) hands out modules in collection order:
    # the modules holding a heavy test go first (_start_order), so that the run does not end
    # with one worker alone on a long module. The sort is stable: each module's tests keep
    # their order.
    order = _start_order(items)
    items.sort(key=lambda item: order.get(item.path, 3))
