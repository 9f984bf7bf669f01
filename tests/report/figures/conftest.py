"""The analysis results the figure tests draw, each built once per test process."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import edubalance as eb

INPUTS = ["spending_per_student_kcny", "teachers_per_100_students"]
"""The inputs of :func:`regression_result`."""


@pytest.fixture(scope="package")
def regression_result():
    from edubalance.analysis import regression

    rng = np.random.default_rng(3)
    counties, years = 12, 5
    frame = pd.DataFrame({
        "county_code": np.repeat([f"64{i:04d}" for i in range(counties)], years),
        "county_name": np.repeat([f"第{i}县" for i in range(counties)], years),
        "year": np.tile(np.arange(2013, 2013 + years), counties)})
    frame[INPUTS] = rng.normal(size=(len(frame), 2))
    frame["mean_exam_score"] = frame[INPUTS] @ np.array([1.5, -0.5]) + rng.normal(size=len(frame))
    return regression.fit_ols(frame, "mean_exam_score", INPUTS,
                              fixed_effects=["county_code", "year"], cov_type="cluster",
                              cluster="county_code")


@pytest.fixture(scope="package")
def event_result():
    from edubalance.analysis import event_study

    return event_study.estimate(eb.io.sample.generate_assessment_panel(2017), "mean_exam_score")


@pytest.fixture(scope="package")
def progress_result():
    from edubalance.analysis import progress

    schools, _ = eb.io.sample.generate("province", seed=11, years=range(2010, 2014))
    return progress.province_progress(schools, n_simulations=50, random_state=5,
                                      province_targets={2013: 0.5})


@pytest.fixture(scope="package")
def teacher_result(sample_dir):
    from edubalance.analysis import teachers

    return teachers.teacher_structure(eb.io.load.load_teachers(sample_dir / "teachers_county.csv"))
