"""edubalance.run.isolation: what a warm kernel preloads for a notebook (the edubalance modules
its code names); the reset between jobs is checked on a real kernel in test_engines.py."""
from __future__ import annotations

from edubalance.run.isolation import notebook_submodules


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
