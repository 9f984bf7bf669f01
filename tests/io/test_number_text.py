"""edubalance.io.number_text: numbers as plain text, never scientific notation, NaN or -0."""
from __future__ import annotations

import numpy as np
import pandas as pd

from edubalance.io.number_text import plain_number
from edubalance.report.tables import MISSING, format_value


def test_plain_number_is_never_scientific_and_groups_thousands():
    assert plain_number(12345678.9, significant=6) == "12,345,700"   # "%,.6g": 1.23457e+07
    assert plain_number(0.0000123456, significant=3) == "0.0000123"  # "%.3g": 1.23e-05
    assert plain_number(-1234.5, 1) == "-1,234.5" and plain_number(-0.004, 2) == "0.00"
    assert plain_number(-0.5, significant=6) == "-0.5"
    assert plain_number(1e21) == "1,000,000,000,000,000,000,000"
    assert plain_number(2017.0, 0, grouping=False) == "2017"
    assert plain_number(None) == plain_number(np.nan) == plain_number(pd.NA) == MISSING
    assert plain_number("x", missing="?") == "?"
    assert format_value(1234.5, "num1") == plain_number(1234.5, 1)


def test_plain_numbers_agrees_with_plain_number_on_every_value():
    """The vectorised sibling (scoring's reasons) writes what plain_number writes for the same
    rounded value, without thousands separators."""
    from edubalance.io.number_text import plain_numbers

    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(0, 1, 200), rng.lognormal(5, 3, 200), [0.0, -0.0, 2.0,
                             np.nan, np.inf, 1e-9, 123456.0, 0.5, 0.55]])
    for digits in (0, 2, 3):
        expected = [plain_number(round(v, digits) if np.isfinite(v) else v, grouping=False)
                    for v in values]
        assert plain_numbers(values, digits).tolist() == expected, digits
