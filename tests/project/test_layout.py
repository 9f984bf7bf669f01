"""The package's layers are folders; the names from before the move keep working."""
from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest

import edubalance as eb
from edubalance import _compat
from helpers import run_python

PACKAGE = Path(eb.__file__).parent


def test_layers_are_folders():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert {"io", "core", "analysis", "report", "run"} <= folders
    modules = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    assert modules == {"errors", "schema", "cli"}


@pytest.mark.parametrize("old", sorted(_compat.PUBLIC))
def test_public_short_names_are_the_moved_modules_without_a_warning(old):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = importlib.import_module(f"edubalance.{old}")
        assert getattr(eb, old) is module
    assert module is importlib.import_module(f"edubalance.{_compat.MOVED[old]}")
    assert module.__spec__.name == f"edubalance.{_compat.MOVED[old]}"


def test_other_old_names_warn_and_name_the_new_place():
    code = ("import warnings, importlib; warnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as seen:\n"
            "    old = importlib.import_module('edubalance.story')\n"
            "new = importlib.import_module('edubalance.report.story')\n"
            "assert old is new, (old, new)\n"
            "print([str(w.message) for w in seen if w.category is DeprecationWarning])\n")
    out = run_python(code, check=True)
    assert "edubalance.story moved to edubalance.report.story" in out.stdout


def test_old_report_names_still_reach_the_html_module():
    from edubalance.report import html
    with pytest.warns(DeprecationWarning, match="report.html.export_html"):
        assert eb.report.export_html is html.export_html


def test_old_report_index_names_reach_the_run_index_module():
    from edubalance.run import index
    with pytest.warns(DeprecationWarning, match="run.index.write_index"):
        assert eb.report.write_index is index.write_index
