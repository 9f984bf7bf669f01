"""Names of run/ renamed in issue 28 because another module has the same name for something
else: the old names keep working, with a DeprecationWarning naming the new one."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from edubalance import errors
from edubalance.run import cache, params

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "schools.csv"


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
