"""edubalance.run.params: the parameters a notebook declares (read from its parameters cell),
the one type rule, and the problems of a set of values, for the notebook and for a batch."""
from __future__ import annotations

import nbformat
import pytest

from edubalance.errors import ParameterError
from edubalance.run.params import ParameterModel, model_of_notebook, notebook_parameters, type_ok


@pytest.mark.parametrize(("value", "expected", "ok"), [
    (1, (float,), True),          # an int is a float
    (1.5, (int,), False),
    (True, (int,), False),        # a bool is never a number
    (True, (float,), False),
    (True, (bool,), True),
    ((1, 2), (list,), True),      # a tuple is a list (YAML has no tuples)
    ([1, 2], (tuple,), False),
    ("x", (str, int), True),
    (None, None, True),           # undeclared type: anything
    (None, (str,), False),
])
def test_the_one_type_rule(value, expected, ok):
    assert type_ok(value, expected) is ok


def test_problems_are_listed_given_order_first_then_the_missing_in_declared_order():
    model = ParameterModel.from_spec({"county": str, "year": int, "ratio": float,
                                      "output_dir": str})
    problems = model.check_values({"yaer": 2017, "ratio": "high", "output_dir": "x"},
                                  runner=frozenset({"output_dir"}))
    assert [(p.kind, p.name) for p in problems] == [
        ("unknown", "yaer"), ("type", "ratio"), ("runner", "output_dir"),
        ("missing", "county"), ("missing", "year")]
    assert [p.batch_text() for p in problems] == [
        "unknown parameter 'yaer' (allowed: county, year, ratio)",
        "parameter ratio='high' should be float, not str",
        "parameter output_dir is set by the runner, remove it",
        "missing required parameter 'county'",
        "missing required parameter 'year'"]
    assert model.check_values({"county": "a", "year": 2017, "ratio": 1}, require=True,
                              runner=frozenset({"output_dir"})) == []


def test_a_namespace_check_ignores_modules_callables_and_private_names():
    import math

    model = ParameterModel.from_spec({"county": str, "year": int})
    assert model.check_namespace({"county": "a", "year": 2017, "math": math, "f": print,
                                  "_hidden": 1}) == {"county": "a", "year": 2017}
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\): yaer"):
        model.check_namespace({"county": "a", "year": 2017, "yaer": 1})


def test_the_parameters_cell_is_read_without_running_it(tmp_path):
    cell = nbformat.v4.new_code_cell('county: str\nyear = 2017\nratio = 0.5\nflag = False\n'
                                     'anything = None\nnames = ["a"]\noutput_dir = "out"')
    cell.metadata["tags"] = ["parameters"]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x"), cell]),
                   path)
    declared = notebook_parameters(path)
    assert list(declared) == ["county", "year", "ratio", "flag", "anything", "names",
                              "output_dir"]
    assert declared["county"]["required"] and not declared["year"]["required"]
    assert declared["year"]["type"] is int and declared["ratio"]["type"] is float
    assert declared["flag"]["type"] is bool and declared["anything"]["type"] is None
    assert declared["names"]["type"] is list and declared["year"]["default"] == 2017
    model = model_of_notebook(path)
    assert "county" in model and list(model) == list(declared)
