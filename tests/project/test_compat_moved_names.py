"""One way of keeping an old name (issue 28: no pair of helpers doing one job):
``_compat.moved_names`` serves every renamed or moved name of the package, with a
DeprecationWarning that points at the caller's line. The hand-written module ``__getattr__`` of
report.tables and run.params and the deprecated wrappers run.notebook.check_parameters,
run.cache.load_schools and report.display.new_axes were folded into it."""
from __future__ import annotations

import importlib
import warnings

import pytest

import edubalance
from edubalance import _compat
from helpers import public_modules

# The package root loads submodules on first use; it renames nothing.
OWN_GETATTR = {"edubalance"}


def test_every_module_getattr_is_one_of_compat():
    odd = []
    for name, module in [("edubalance", edubalance), *public_modules()]:
        getattr_ = vars(module).get("__getattr__")
        if getattr_ is None or name in OWN_GETATTR:
            continue
        if getattr_.__module__ != _compat.__name__ and name != "edubalance.report":
            odd.append(name)
    assert not odd, f"keep old names with _compat.moved_names: {odd}"


@pytest.mark.parametrize("module, old, new", [
    ("edubalance.report.tables", "KINDS", "COLUMN_KINDS"),
    ("edubalance.run.params", "Problem", "ParameterProblem"),
    ("edubalance.run.notebook", "check_parameters", "check_notebook_parameters"),
    ("edubalance.run.cache", "load_schools", "load_schools_with_options"),
])
def test_folded_old_names_are_the_new_objects_with_a_warning(module, old, new):
    found = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{module}.{old} moved to {module}.{new}"):
        assert getattr(found, old) is getattr(found, new)
    assert old not in found.__all__
    with pytest.raises(AttributeError):
        getattr(found, f"{old}_not_a_name")


def test_new_axes_is_the_one_axes_helper():
    from edubalance.report import display, plotting

    with pytest.warns(DeprecationWarning, match="plotting._axes"):
        assert display.new_axes is plotting._axes


@pytest.mark.parametrize("old", ["export_html", "write_index"])
def test_the_warning_points_at_the_line_reading_the_old_name(old):
    """DeprecationWarning is shown by default only where __main__ triggers it: the warning must
    name the caller's file, not the package's (report's __getattr__ calls moved_names')."""
    import edubalance.report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(edubalance.report, old)
        edubalance.report.tables.KINDS  # noqa: B018
    assert [w.filename for w in caught] == [__file__, __file__]
    assert all(w.category is DeprecationWarning for w in caught)
