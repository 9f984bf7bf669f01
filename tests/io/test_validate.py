"""edubalance.io.validate: a table in memory is checked as a file is (blank counts, infinities, negatives, implausible values), waivers travel with the frame."""
from __future__ import annotations

import pandas as pd
import pytest

from edubalance.errors import DataError, ParameterError
from edubalance.io import load as data
from edubalance.io.validate import validate_schools
from helpers import valid_schools


def test_validate_schools_checks_frames_like_files():
    schools = valid_schools()
    pd.testing.assert_frame_equal(validate_schools(schools), schools, check_dtype=False)
    for column, value, fragment in (("books", float("nan"), "blank count"),
                                    ("teaching_area_m2", float("inf"), "not a number"),
                                    ("computers", -2, "negative value"),
                                    ("books", 10**8, "implausible")):
        bad = schools.astype({column: float})
        bad.loc[1, column] = value
        with pytest.raises(DataError) as caught:
            validate_schools(bad)
        problem = caught.value.problems[0]
        assert (problem.row, problem.column, problem.school_id) == (3, column, "002")
        assert fragment in problem.message
    bad = schools.copy()
    bad.loc[0, "books"] = 900_000
    loaded = data.load_schools(bad, allow=["books"])
    assert len(validate_schools(loaded)) == 3  # the waiver travels with the frame
    with pytest.raises(ParameterError):
        validate_schools(schools.to_dict())
