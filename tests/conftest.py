"""Shared fixtures: paths, the sample data, and running notebooks with papermill."""
from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_DIR = ROOT / "data" / "sample"
KERNEL = "edubalance"

matplotlib.use("Agg")  # this process only: notebook kernels keep the inline backend


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture
def run_notebook(tmp_path):
    """Execute ``notebooks/<name>.ipynb`` with papermill; return the ``output_dir`` it wrote to.

    The executed copy goes under ``tmp_path`` (never a fixed file in the working folder, so
    parallel test workers cannot overwrite each other). ``output_dir`` defaults to a fresh
    folder under ``tmp_path``.
    """
    import papermill as pm

    def _run(name: str, **parameters) -> Path:
        output_dir = Path(parameters.setdefault("output_dir", str(tmp_path / f"{name}-out")))
        pm.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"), str(tmp_path / f"{name}.executed.ipynb"),
            parameters=parameters, kernel_name=KERNEL, cwd=str(ROOT), progress_bar=False,
        )
        return output_dir

    return _run


def pytest_collection_modifyitems(config, items):
    # Browser checks run only where Debian's Chromium is installed (.ci/run installs it).
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    skip = pytest.mark.skip(reason="headless Chromium (/usr/bin/chromium) not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)



class _SlowIsOptIn:
    """`slow` is opt-in, as pyproject.toml says: without any -m expression those tests are
    skipped (`make test-all` runs them with -m "slow or not slow")."""

    @staticmethod
    def pytest_collection_modifyitems(config, items):
        if config.option.markexpr:
            return
        skip = pytest.mark.skip(reason="slow: opt in with -m slow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)


def pytest_configure(config):
    config.pluginmanager.register(_SlowIsOptIn(), "edubalance-slow-opt-in")
