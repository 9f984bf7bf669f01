"""edubalance.analysis.clustering.data: the units and features a clustering starts from (R's scale by hand, features chosen, prepared, filtered, tables read)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edubalance.analysis.clustering import data as cl


def test_standardize_matches_r_scale_by_hand():
    # R: scale(matrix(c(1, 3, 5, 2, 6, 7), 3))
    #   col 1: mean 3, sd 2          -> -1, 0, 1
    #   col 2: mean 5, sd sqrt(7)    -> -3/sqrt(7), 1/sqrt(7), 2/sqrt(7)
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 7.0]])
    z, center, scale = cl.standardize(x)
    expected = np.array([[-1.0, -3 / np.sqrt(7)], [0.0, 1 / np.sqrt(7)], [1.0, 2 / np.sqrt(7)]])
    np.testing.assert_allclose(z, expected, rtol=1e-12)
    np.testing.assert_allclose(center, [3.0, 5.0])
    np.testing.assert_allclose(scale, [2.0, np.sqrt(7)])
    # ddof=1, not StandardScaler's ddof=0 (which would give +-1.2247 in column 1).
    assert z[2, 0] == pytest.approx(1.0)


def test_standardize_frame_and_constant_column():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "flat": [5.0, 5.0, 5.0]})
    with pytest.raises(ValueError, match="flat.*constant"):
        cl.standardize(frame)
    z, center, scale = cl.standardize(frame[["a"]])
    assert list(z.columns) == ["a"] and center["a"] == 2.0 and scale["a"] == 1.0


def sample_like_frame():
    return pd.DataFrame({
        "county_code": ["640104", "640105", "640106", "640121", "640122"],
        "county_name": ["兴庆区", "西夏区", "金凤区", "永宁县", "贺兰县"],
        "year": [2017] * 5,
        "year_basic_balance": [2013, 2014, 2015, 2016, 2017],
        "spending": [10.0, 12.0, np.nan, 8.0, 9.0],
        "teachers": [9.0, 8.5, 8.0, 7.0, 7.5],
        "books": [30.0, 28.0, 40.0, 20.0, 25.0],
        "reached": [1, 1, 1, 1, 1],
    })


def test_select_features_default_skips_id_and_year_like_columns():
    frame = sample_like_frame()
    assert cl.select_features(frame, [], "county_name") == ["spending", "teachers", "books"]
    assert cl.select_features(frame, ["books"]) == ["books"]
    with pytest.raises(ValueError, match="unknown feature"):
        cl.select_features(frame, ["nope"])
    with pytest.raises(ValueError, match="not numeric"):
        cl.select_features(frame, ["county_name"])


def test_prepare_features_drops_with_report_or_imputes():
    frame = sample_like_frame()
    dropped = cl.prepare_features(frame, [], "county_name")
    assert dropped.ids.tolist() == ["兴庆区", "西夏区", "永宁县", "贺兰县"]
    assert dropped.dropped.to_dict("records") == [
        {"county_name": "金凤区", "missing_features": "spending"}]
    # the z-scores are computed on the kept rows with ddof=1
    kept = frame.drop(index=2)
    np.testing.assert_allclose(
        dropped.standardized["books"],
        (kept["books"] - kept["books"].mean()) / kept["books"].std(ddof=1))

    imputed = cl.prepare_features(frame, [], "county_name", missing="median")
    # median of 8, 9, 10, 12
    assert imputed.original.loc["金凤区", "spending"] == pytest.approx(9.5)
    assert imputed.imputed["spending"] == 1 and len(imputed.dropped) == 0
    with pytest.raises(ValueError, match="missing values in 1 unit"):
        cl.prepare_features(frame, [], "county_name", missing="error")
    with pytest.raises(ValueError, match="missing="):
        cl.prepare_features(frame, [], "county_name", missing="zero")


def test_prepare_features_log_transform_on_request():
    frame = sample_like_frame()
    prepared = cl.prepare_features(frame, ["teachers", "books"], "county_name",
                                   log_features=["books"])
    np.testing.assert_allclose(prepared.transformed["books"], np.log1p(frame["books"]))
    np.testing.assert_allclose(prepared.original["books"], frame["books"])
    assert "log1p of books" in prepared.report()
    with pytest.raises(ValueError, match="log_features"):
        cl.prepare_features(frame, ["teachers"], "county_name", log_features=["books"])


def test_skewed_features():
    frame = pd.DataFrame({"skewed": [1, 1, 1, 2, 2, 3, 60.0], "even": np.arange(7.0)})
    assert cl.skewed_features(frame, ["skewed", "even"]) == ["skewed"]


def test_filter_year_and_unique_ids():
    panel = pd.DataFrame({"county_name": ["a", "a", "b", "b"], "year": [2016, 2017] * 2})
    with pytest.raises(ValueError, match="not unique.*set `year`"):
        cl.check_unique_ids(panel, "county_name")
    one_year = cl.filter_year(panel, 2017)
    cl.check_unique_ids(one_year, "county_name")
    assert one_year["year"].tolist() == [2017, 2017]
    assert cl.filter_year(panel, None) is panel
    with pytest.raises(ValueError, match=r"available years: \[2016, 2017\]"):
        cl.filter_year(panel, 2020)
    with pytest.raises(ValueError, match="not in the table"):
        cl.check_unique_ids(panel, "county")


def test_validate_k_range():
    assert cl.validate_k_range([2, 6], 22) == (2, 6)
    for bad in ([1, 3], [4, 3], [2], "2-6", [2.0, 3]):
        with pytest.raises(ValueError, match="k_range"):
            cl.validate_k_range(bad, 22)
    with pytest.raises(ValueError, match="at most n - 1 = 21"):
        cl.validate_k_range([2, 22], 22)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_load_table_by_extension(tmp_path, suffix):
    frame = pd.DataFrame({"unit": ["甲", "乙"], "county_code": ["064010", "064011"],
                          "x": [1.5, 2.5]})
    path = tmp_path / f"units{suffix}"
    {".csv": lambda: frame.to_csv(path, index=False, encoding="utf-8-sig"),
     ".xlsx": lambda: frame.to_excel(path, index=False),
     ".parquet": lambda: frame.to_parquet(path, index=False)}[suffix]()
    loaded = cl.load_unit_table(path)
    assert loaded["unit"].tolist() == ["甲", "乙"]
    assert loaded["county_code"].tolist() == ["064010", "064011"]  # leading zero kept
    assert loaded["x"].tolist() == [1.5, 2.5]


def test_load_table_rejects_unknown_type(tmp_path):
    path = tmp_path / "units.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match="unsupported file type"):
        cl.load_unit_table(path)
    with pytest.raises(FileNotFoundError):
        cl.load_unit_table(tmp_path / "missing.csv")
