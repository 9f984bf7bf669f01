"""Issue 28: every result's ``summary()`` is a table to read; the three results whose notebook
writes ``summary.json`` give that dict by ``to_dict()`` (as Projection and LoadReport do), with
the same keys as before."""
from __future__ import annotations

import inspect
import json

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis import equity
from edubalance.analysis import event_study as es
from edubalance.analysis.clustering import analysis as ca
from edubalance.core.results import ResultDisplay
from edubalance.report import clusters
from helpers import public_modules

EQUITY_KEYS = {"level", "year", "n_counties", "indicators", "weighting", "aggregation",
               "n_draws", "seed", "top_county", "top_county_code", "top_county_rank_interval",
               "weights", "first_order_sensitivity", "quantile_method",
               "counties_without_pupils"}
CLUSTERING_KEYS = {"k", "method", "total_within_ss", "silhouette", "k_parameter",
                   "k_recommended", "k_criterion", "k_rule", "k_recommendations", "k_range",
                   "n_units", "id_column", "year", "features", "log_features", "standardize",
                   "within_ss_clustering_scale", "cluster_sizes", "n_bootstrap",
                   "bootstrap_ari_mean", "jaccard_mean", "dropped_units", "seed", "lang",
                   "data_path"}
EVENT_KEYS = {"outcome", "att", "att_std_error", "att_ci_low", "att_ci_high", "method", "twfe",
              "twfe_std_error", "pretrend_f", "pretrend_df", "pretrend_p_value", "n_units",
              "n_obs", "n_treated_obs", "anticipation", "reference_event_time", "cross_check",
              "sensitivity", "notes"}


@pytest.fixture(scope="module")
def equity_result(sample_dir):
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    schools = schools[schools["county_code"].isin(sorted(schools["county_code"].unique())[:5])]
    return equity.equity_analysis(schools, level="junior", year=2017, n_draws=40,
                                  random_state=5)


@pytest.fixture(scope="module")
def clustering_result():
    rng = np.random.default_rng(2)
    units = pd.DataFrame({"county": [f"县{i}" for i in range(12)],
                          "a": np.r_[rng.normal(0, 1, 6), rng.normal(9, 1, 6)],
                          "b": np.r_[rng.normal(0, 1, 6), rng.normal(9, 1, 6)]})
    return ca.run_clustering(units, id_column="county", k=2, k_range=[2, 3], n_bootstrap=4,
                             random_state=1)


@pytest.fixture(scope="module")
def event_result():
    return es.estimate(eb.io.sample.generate_assessment_panel(2017), "mean_exam_score")


def _json_round_trip(data: dict) -> dict:
    return json.loads(json.dumps(eb.io.write.to_jsonable(data)))


def test_every_result_class_declares_a_table_summary():
    odd = []
    for module_name, module in public_modules():
        for name, cls in vars(module).items():
            if (inspect.isclass(cls) and issubclass(cls, ResultDisplay)
                    and cls.__module__ == module_name and cls is not ResultDisplay):
                returned = inspect.signature(cls.summary).return_annotation
                if "DataFrame" not in str(returned):
                    odd.append(f"{module_name}.{name}: {returned}")
    assert not odd, f"summary() must return a table (the dict is to_dict()): {odd}"


def test_equity_summary_is_the_ranking_and_to_dict_is_summary_json(equity_result):
    table = equity_result.summary()
    assert isinstance(table, pd.DataFrame)
    assert table["nominal_rank"].tolist() == list(range(1, len(table) + 1))
    assert {"county_name", "rank_p05", "rank_p95"} <= set(table)
    data = _json_round_trip(equity_result.to_dict())
    assert set(data) == EQUITY_KEYS
    top = table.iloc[0]
    assert data["top_county"] == top["county_name"]
    assert data["top_county_rank_interval"] == [top["rank_p05"], top["rank_p95"]]
    assert "<table" in equity_result._repr_html_()


def test_clustering_summary_is_the_clusters_and_to_dict_is_summary_json(clustering_result):
    table = clustering_result.summary()
    assert isinstance(table, pd.DataFrame) and len(table) == clustering_result.k == 2
    assert table["size"].sum() == 12
    data = clustering_result.to_dict("units.csv")
    assert set(_json_round_trip(data)) == CLUSTERING_KEYS and data["data_path"] == "units.csv"
    worded = clusters.analysis_summary(clustering_result, "units.csv")
    assert set(worded) == CLUSTERING_KEYS | {"descriptions", "cluster_names"}


def test_event_study_summary_is_the_estimates_and_to_dict_is_summary_json(event_result):
    table = event_result.summary()
    assert table["estimator"].tolist() == ["att", "twfe", "cross_check"]
    att = table.set_index("estimator").loc["att"]
    assert att["estimate"] == event_result.att and att["ci_low"] == event_result.att_ci_low
    assert table.set_index("estimator").loc["twfe", "std_error"] == event_result.twfe_std_error
    data = event_result.to_dict()
    assert set(_json_round_trip(data)) == EVENT_KEYS
    assert data["att"] == event_result.att and data["method"] == event_result.method


def test_the_explorer_writes_to_dict_and_its_old_summary_warns(sample_dir):
    from edubalance.report.explore import Explorer

    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    explorer = Explorer(schools[schools["year"] == 2017], standard="basic-2012", county="灵武市",
                        year=2017)
    data = explorer.to_dict()
    assert data["county"] == "灵武市" and data["year"] == 2017 and "cv" in data
    with pytest.warns(DeprecationWarning, match="to_dict"):
        assert _json_round_trip(explorer.summary()) == _json_round_trip(data)
