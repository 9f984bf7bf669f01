"""Every notebook stays a papermill notebook: the README's kind of command runs each one.

The default tier executes each notebook once on the batch's warm engine (helpers.execute_notebook_once);
this slow-tier module runs each of them (county_scoring has its own test with the README's exact
command) as a user would, ``papermill NOTEBOOK OUT -p output_dir DIR`` from the project folder,
on a fresh kernel, with the notebook's own defaults (smaller resampling counts where a notebook
has them, so the tier stays quick).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paths import NOTEBOOKS, ROOT

QUICKER = {"county_clustering": {"n_bootstrap": 10}, "equity_index": {"n_draws": 20},
           "province_progress": {"n_bootstrap": 20}}
"""Resampling counts lowered for the run (the notebooks' own tests check their results)."""

EVERY = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb") if path.stem != "county_scoring")


def test_every_notebook_but_county_scoring_is_listed():
    assert len(EVERY) >= 8 and "presentation" in EVERY and "explorer" in EVERY


@pytest.mark.slow
@pytest.mark.parametrize("name", EVERY)
def test_papermill_runs_the_notebook_with_its_defaults(name, tmp_path):
    papermill = Path(sys.executable).with_name("papermill")
    out = tmp_path / "out"
    arguments = ["-p", "output_dir", str(out)]
    for key, value in QUICKER.get(name, {}).items():
        arguments += ["-p", key, str(value)]
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    done = subprocess.run(
        [str(papermill), f"notebooks/{name}.ipynb", str(tmp_path / f"{name}.ipynb"),
         "--no-progress-bar", *arguments],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    executed = json.loads((tmp_path / f"{name}.ipynb").read_text(encoding="utf-8"))
    errors = [output for cell in executed["cells"] for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert errors == []
    assert any(out.rglob("*")), f"{name} wrote nothing to its output_dir"
