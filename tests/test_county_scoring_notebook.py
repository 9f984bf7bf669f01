"""The county scoring notebook, executed by papermill on the sample data."""
from __future__ import annotations

import json
import math

import pandas as pd
import papermill as pm
import pytest

pytestmark = pytest.mark.notebooks


def read_outputs(output_dir):
    summary = json.loads((output_dir / "summary.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_csv(output_dir / f"{name}.csv", encoding="utf-8-sig",
                                dtype={"county_code": str, "school_id": str})
              for name in ("indicators", "cv", "compliance")}
    return summary, tables


def test_basic_2012_outputs_are_consistent(run_notebook):
    output_dir = run_notebook("county_scoring")          # defaults: 大武口区, 2017, basic-2012
    summary, tables = read_outputs(output_dir)
    assert (summary["county"], summary["year"], summary["standard"]) == ("大武口区", 2017,
                                                                          "basic-2012")
    cv = tables["cv"]
    assert list(cv.columns[:5]) == ["level", "indicator", "cv", "threshold", "passed"]
    assert set(cv["county_code"]) == {"640202"}
    for level in ("primary", "junior"):
        info = summary["levels"][level]
        rows = cv[cv["level"] == level]
        assert len(rows) == 8
        assert info["composite_cv"] == pytest.approx(rows["cv"].mean(), rel=1e-9)
        limit = {"primary": 0.65, "junior": 0.55}[level]
        assert (rows["threshold"] == limit).all()
        assert info["passed"] == (info["composite_cv"] <= limit)
        assert info["passed"] == (info["failed_rules"] == [])
        assert "government_work_score" in info["not_assessed"]
        assert 0 < info["composite_cv"] < 1
    assert (tables["indicators"]["county_code"] == "640202").all()
    assert len(tables["compliance"]) == len(tables["indicators"])
    for figure in ("schools_primary.png", "schools_junior.png", "county_comparison.svg"):
        assert (output_dir / figure).stat().st_size > 1000
    assert "NaN" not in (output_dir / "summary.json").read_text(encoding="utf-8")


def test_code_and_chinese_name_give_the_same_result_quality(run_notebook, tmp_path):
    by_code = run_notebook("county_scoring", county="640181", standard="quality-2017",
                           output_dir=str(tmp_path / "code"))
    by_name = run_notebook("county_scoring", county="灵武市", standard="quality-2017",
                           output_dir=str(tmp_path / "name"))
    summary_code, tables_code = read_outputs(by_code)
    summary_name, tables_name = read_outputs(by_name)
    assert summary_code == summary_name
    pd.testing.assert_frame_equal(tables_code["cv"], tables_name["cv"])
    for level, info in summary_code["levels"].items():
        assert info["composite_cv"] is None                    # quality-2017 has no composite
        rows = tables_code["cv"][tables_code["cv"]["level"] == level]
        assert (rows["passed"] == (rows["cv"] <= rows["threshold"])).all()
        cv_rule_failed = "indicator_cv" in info["failed_rules"]
        assert cv_rule_failed == (not rows["passed"].all())
        compliance = tables_code["compliance"]
        failing = compliance[(compliance["level"] == level) & (compliance["passed"] == False)]  # noqa: E712
        assert ("school_indicators" in info["failed_rules"]) == (
            (failing["meets_min_indicators"] == False) | (failing["unmet_within_share"] == False)  # noqa: E712
        ).any()
    gaps = pd.read_csv(by_code / "gaps.csv", encoding="utf-8-sig", dtype={"school_id": str})
    failing_ids = set(tables_code["compliance"].loc[tables_code["compliance"]["passed"] == False,  # noqa: E712
                                                    "school_id"])
    assert set(gaps["school_id"]) <= failing_ids
    assert (gaps["amount"] > 0).all() and not math.isnan(gaps["amount"].sum())


def test_unknown_county_fails_with_close_matches(run_notebook, tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=r"close matches: 大武口区 \(640202\)"):
        run_notebook("county_scoring", county="大武口", output_dir=str(tmp_path / "x"))
    assert not (tmp_path / "x" / "summary.json").exists()


def test_unknown_standard_lists_the_available_ones(run_notebook, tmp_path):
    with pytest.raises(pm.PapermillExecutionError,
                       match="available: basic-2012, ningxia-2010, quality-2017"):
        run_notebook("county_scoring", standard="quality-2018", output_dir=str(tmp_path / "x"))
