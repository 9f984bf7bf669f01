"""The research analyses (regression, event_study, progress, teachers) import nothing from the
report layer; the names that moved there still reach it from the analysis modules, but only on
request (not through a star import)."""
from __future__ import annotations

import warnings

from edubalance.analysis import event_study, progress, regression, teachers
from helpers import run_python


def test_star_imports_and_unknown_names_do_not_touch_the_old_names():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for module in (regression, event_study, progress, teachers):
            exec(f"from {module.__name__} import *", {})  # noqa: S102 - a fixed module name
            assert not hasattr(module, "no_such_name")


def test_the_analysis_modules_import_nothing_from_report():
    """import-linter checks the static imports; this checks what importing them runs."""
    code = ("import sys; import edubalance.analysis.regression, edubalance.analysis.event_study,"
            " edubalance.analysis.progress, edubalance.analysis.teachers;"
            " print(sorted(m for m in sys.modules if m.startswith('edubalance.report')))")
    found = run_python(code, check=True).stdout.strip()
    assert found == "[]"
