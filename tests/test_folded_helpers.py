"""Helpers the duplicate finder found twice, folded into one (issue 28): the survivors.

- run.plan.file_sha256: the file digest of run.plan's job fingerprints and run.cache's keys
  (both read a file a megabyte at a time, each with its own loop);
- analysis.teachers._add_shares: the four teacher shares of a school and of a county;
- core.gaps._selected: the county/year rows of school_gaps and upgrade_plan.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from edubalance.analysis import teachers
from edubalance.core import gaps
from edubalance.run import cache, plan


def test_one_file_digest_for_plan_and_cache(tmp_path):
    path = tmp_path / "schools.csv"
    data = bytes(range(256)) * 9000    # more than two blocks of 1 MiB
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert plan.file_sha256(path) == plan.file_sha256(str(path)) == expected
    assert plan._file_digest(path, {}) == "sha256:" + expected
    assert cache._file_digest(path) == expected
    path.write_bytes(data + b"!")   # another size: another key, so read again
    assert cache._file_digest(path) == hashlib.sha256(data + b"!").hexdigest()


def test_teacher_shares_divide_by_teachers_and_are_missing_without_teachers():
    table = pd.DataFrame({"teachers": [10, 0], "teachers_cross_subject": [2, 0],
                          "teachers_above_degree": [5, 0], "teachers_mid_title": [1, 0],
                          "teachers_age_50_plus": [4, 0]})
    teachers._add_shares(table)
    assert list(table.columns[-4:]) == ["cross_subject_share", "above_degree_share",
                                        "mid_title_share", "age_50_plus_share"]
    assert table.iloc[0, -4:].tolist() == [0.2, 0.5, 0.1, 0.4]
    assert table.iloc[1, -4:].isna().all()


def test_selected_rows_of_a_county_and_year():
    indicators = pd.DataFrame({"county_code": ["640104", "640104", "640105"],
                               "year": [2016, 2017, 2017]})
    assert gaps._selected(indicators).tolist() == [True, True, True]
    assert gaps._selected(indicators, 640104).tolist() == [True, True, False]
    assert gaps._selected(indicators, year="2017").tolist() == [False, True, True]
    assert gaps._selected(indicators, "640104", 2017).tolist() == [False, True, False]
    assert isinstance(gaps._selected(indicators.iloc[:0]), np.ndarray)
