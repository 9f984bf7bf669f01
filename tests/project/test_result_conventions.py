"""Every result of the package shows itself the same way (issue 28): a dataclass holding tables
derives from core.results.ResultDisplay, so its repr names table shapes instead of dumping
DataFrames, JupyterLab shows a table, and .summary()/.to_frame() exist."""
import dataclasses
import inspect
import typing

import numpy as np
import pandas as pd

from edubalance.core.results import ResultDisplay
from helpers import public_modules

# Records that are not analysis results: a report page, file-reading internals, the batch's
# bookkeeping. They are not shown in a notebook as a result.
NOT_RESULTS = {"edubalance.report.county_report.CountyReport", "edubalance.io.read.RawTable",
               "edubalance.io.read.RawFile", "edubalance.run.runner.BatchResult",
               "edubalance.report.tables.Table", "edubalance.analysis.clustering.data.PreparedFeatures"}


def _holds_tables(cls) -> bool:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - annotations naming optional packages
        hints = {f.name: f.type for f in dataclasses.fields(cls)}
    return any("DataFrame" in str(hints.get(f.name, f.type)) for f in dataclasses.fields(cls))


def _result_classes():
    found = {}
    for module_name, module in public_modules():
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and dataclasses.is_dataclass(obj)
                    and obj.__module__ == module_name and not name.startswith("_")):
                found[f"{module_name}.{name}"] = obj
    return {name: cls for name, cls in found.items() if _holds_tables(cls)}


def test_every_result_holding_tables_shows_itself_the_one_way():
    classes = _result_classes()
    assert "edubalance.core.scoring.ScoringResult" in classes
    assert "edubalance.analysis.equity.EquityAnalysis" in classes
    odd = sorted(name for name, cls in classes.items()
                 if name not in NOT_RESULTS and not issubclass(cls, ResultDisplay)
                 and name != "edubalance.core.scoring.ScoringResult")
    assert not odd, f"derive these from core.results.ResultDisplay (repr=False): {odd}"
    for name, cls in classes.items():
        if issubclass(cls, ResultDisplay):
            assert hasattr(cls, "to_frame") and hasattr(cls, "summary"), name
            # the dataclass must not have generated a repr that dumps every table
            assert cls.__repr__ is ResultDisplay.__repr__ or "__repr__" in vars(cls), name


def test_a_stability_result_repr_is_one_line_and_jupyter_gets_a_table():
    from edubalance.analysis.clustering.models import Stability

    per_cluster = pd.DataFrame({"cluster": [1, 2], "jaccard_mean": [0.9, 0.8]})
    result = Stability(per_cluster, pd.DataFrame({"run": range(50)}), np.ones(30), 0.9, 0.05, 50)
    text = repr(result)
    assert "\n" not in text and "per_cluster=2x2" in text and "per_run=50x1" in text
    assert "point_stability=array(30,)" in text and "ari_mean=0.9" in text
    assert "<table" in result._repr_html_()
