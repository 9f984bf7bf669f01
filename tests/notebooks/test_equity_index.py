"""Run notebooks/equity_index.ipynb on the sample data and check what it wrote."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from helpers import execute_notebook_once

pytestmark = pytest.mark.notebooks


def test_equity_index_notebook_writes_consistent_results(tmp_path, sample_dir):
    out = execute_notebook_once("equity_index", tmp_path,
                                data_path=str(sample_dir / "schools.csv"),
                                level="junior", year=2017, n_draws=400, seed=7)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ranking = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig", dtype={"county_code": str})
    measures = pd.read_csv(out / "measures.csv", encoding="utf-8-sig",
                           dtype={"county_code": str})
    sensitivity = pd.read_csv(out / "sensitivity.csv", encoding="utf-8-sig")
    for figure in ("lorenz", "theil_decomposition", "rank_uncertainty", "sensitivity"):
        assert (out / f"{figure}.png").stat().st_size > 10_000

    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    sections = eb.core.indicators.compute_indicators(schools)
    sections = sections[(sections["year"] == 2017) & (sections["level"] == "junior")]
    n_counties = sections["county_code"].nunique()

    assert summary["level"] == "junior" and summary["year"] == 2017
    assert summary["n_counties"] == n_counties == len(ranking) == 22
    assert summary["weighting"] == "equal" and summary["aggregation"] == "arithmetic"
    assert summary["n_draws"] == 400
    assert sorted(ranking["nominal_rank"]) == list(range(1, n_counties + 1))
    assert summary["top_county"] == ranking.loc[ranking["nominal_rank"] == 1,
                                                "county_name"].item()
    assert ((ranking["rank_p05"] <= ranking["median_rank"])
            & (ranking["median_rank"] <= ranking["rank_p95"])).all()
    assert ranking["median_rank"].between(1, n_counties).all()

    assert len(measures) == n_counties * 7
    assert set(measures["indicator"]) == set(summary["indicators"])
    assert (np.abs(measures["theil_between"] + measures["theil_within"] - measures["theil"])
            < 1e-10).all()
    # One county and indicator recomputed independently on pupil-level records.
    county = sections[sections["county_code"] == "640104"]
    indicator = "equipment_value_per_student"
    row = measures[(measures["county_code"] == "640104")
                   & (measures["indicator"] == indicator)].iloc[0]
    resource = (county[indicator] * county["students"]).sum()
    assert row["mean"] == pytest.approx(resource / county["students"].sum(), rel=1e-9)
    values, weights = county[indicator].to_numpy(), county["students"].to_numpy()
    pairs = np.abs(values[:, None] - values[None, :]) * weights[:, None] * weights[None, :]
    gini = pairs.sum() / (2 * weights.sum() ** 2 * row["mean"])
    assert row["gini"] == pytest.approx(gini, rel=1e-9)
    assert 0 < row["gini"] < 0.6

    assert summary["lang"] == "zh" and summary["counties_without_pupils"] == []
    assert {"normalisation", "weighting", "aggregation"} <= set(sensitivity["factor"])
    assert sensitivity["first_order"].between(0, 1).all()


def test_equity_index_parameters_reject_an_unknown_indicator():
    # The notebook's check runs before any work; tested here without a kernel.
    with pytest.raises(ValueError, match="unknown indicator"):
        eb.analysis.equity.check_equity_parameters({"indicators": ["books_per_pupil",
                                                   "teaching_area_per_student"]})
