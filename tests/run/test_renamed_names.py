"""Names of run/ renamed in issue 28 because another module has the same name for something
else: the old names keep working, with a DeprecationWarning naming the new one."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from edubalance import errors
from edubalance.run import cache, params

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "schools.csv"


def test_load_schools_of_the_cache_module_is_load_schools_with_options():
    with pytest.warns(DeprecationWarning, match="load_schools_with_options"):
        old = cache.load_schools(SAMPLE, {"sheet": ""})
    pd.testing.assert_frame_equal(old, cache.load_schools_with_options(SAMPLE))
    assert "load_schools" not in cache.__all__


def test_problem_of_the_parameter_model_is_parameter_problem():
    with pytest.warns(DeprecationWarning, match="ParameterProblem"):
        assert params.Problem is params.ParameterProblem
    assert params.ParameterProblem is not errors.Problem
    problems = params.ParameterModel.from_spec({"year": int}).check_values({"yaer": 1})
    assert {type(p) for p in problems} == {params.ParameterProblem}
    with pytest.raises(AttributeError):
        params.NotAName  # noqa: B018


@pytest.mark.parametrize("module, old, new", [
    ("edubalance.analysis.teachers", "INDICATORS", "TEACHER_INDICATORS"),
    ("edubalance.analysis.equity", "check_parameters", "check_equity_parameters"),
    ("edubalance.analysis.clustering.analysis", "check_parameters", "check_clustering_parameters"),
    ("edubalance.analysis.clustering.data", "load_table", "load_unit_table"),
    ("edubalance.analysis.clustering.models", "load_table", "load_unit_table"),
    ("edubalance.report.verdict", "level_name", "level_label"),
])
def test_analysis_names_that_collided_with_other_modules_are_renamed(module, old, new):
    """core.indicators.INDICATORS, run.notebook's parameter check and eb.data.load_table (a
    contract name) keep their meaning; the analysis names that meant something else warn."""
    import importlib

    found = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=new):
        assert getattr(found, old) is getattr(found, new)
    home = module.replace(".models", ".data") if old == "load_table" else module
    assert old not in found.__all__ and new in importlib.import_module(home).__all__
