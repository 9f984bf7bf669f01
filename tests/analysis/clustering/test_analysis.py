"""edubalance.analysis.clustering.analysis: the clustering notebook's analysis, its parameters checked before any work."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def test_analysis_of_a_panel_without_year_fails_with_a_clear_message():
    from edubalance.analysis.clustering import analysis as ca

    panel = pd.DataFrame({"county_name": ["a", "a", "b", "b", "c", "c", "d", "d"],
                          "year": [2016, 2017] * 4, "x": np.arange(8.0), "y": np.arange(8.0) ** 2})
    with pytest.raises(ValueError, match="not unique.*set `year`"):
        ca.run_clustering(panel, id_column="county_name", year=None, k=2, k_range=[2, 3])


@pytest.mark.parametrize("params, message", [
    ({"method": "dbscan"}, "method must be one of"),
    ({"k": "many"}, 'k must be an integer or "auto"'),
    ({"k": 1}, "k must be at least 2"),
    ({"k_range": [1, 5]}, "need 2 <= k_min <= k_max"),
    ({"k_range": [2]}, "k_range must be two integers"),
    ({"n_bootstrap": 0}, "n_bootstrap must be at least 1"),
    ({"missing": "zero"}, "missing must be one of"),
    ({"features": [1, 2]}, "lists of column names"),
    ({"output_dir": " "}, "output_dir must not be empty"),
    ({"lang": "fr"}, "lang='fr' is not supported"),
])
def test_clustering_parameters_are_checked_before_any_work(params, message):
    from edubalance.analysis.clustering import analysis as ca
    from edubalance.errors import ParameterError

    with pytest.raises(ParameterError, match=message):
        ca.check_clustering_parameters(params)
