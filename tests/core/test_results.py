"""The one-line repr and Jupyter table every result shares (core/results.py)."""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from edubalance.core.results import ResultDisplay, describe_value


@dataclass(frozen=True, repr=False)
class _Result(ResultDisplay):
    method: str
    table: pd.DataFrame
    weights: np.ndarray
    hidden: pd.DataFrame = field(repr=False, default=None)
    note: str | None = None

    def summary(self) -> pd.DataFrame:
        return self.table


def _result(rows: int = 3, name: str = "x") -> _Result:
    table = pd.DataFrame({"name": [name] * rows, "value": np.arange(rows, dtype=float)})
    return _Result("ols", table, np.ones(4), hidden=table)


def test_repr_shows_shapes_not_tables():
    text = repr(_result(rows=500))
    assert text == "_Result(method='ols', table=500x2, weights=array(4,))"


def test_repr_leaves_out_fields_declared_repr_false_and_none():
    assert "hidden" not in repr(_result()) and "note" not in repr(_result())


def test_html_escapes_user_text_and_shows_at_most_twenty_rows():
    page = _result(rows=25, name="<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<tr") == 21  # header + 20 rows
    assert "5 more rows" in page


def test_describe_value_of_long_text_and_numbers():
    assert describe_value("y" * 100).endswith("…'") and len(describe_value("y" * 100)) == 62
    assert describe_value(np.float64(0.25)) == "0.25"
    assert describe_value([1, 2]) == "[1, 2]"
    assert describe_value(list(range(20))) == "<list of 20>"


def test_a_summary_that_is_a_dict_leaves_jupyter_the_to_frame_table():
    # Older results return from summary() what their notebook writes to summary.json.
    @dataclass(frozen=True, repr=False)
    class _Older(ResultDisplay):
        table: pd.DataFrame

        def summary(self) -> dict:
            return {"k": 3}

        def to_frame(self) -> pd.DataFrame:
            return self.table.assign(shown=True)

    page = _Older(pd.DataFrame({"a": [1]}))._repr_html_()
    assert "<th>shown</th>" in page and "'k'" not in page


def test_summary_defaults_to_to_frame():
    @dataclass(frozen=True, repr=False)
    class _Plain(ResultDisplay):
        table: pd.DataFrame

        def to_frame(self) -> pd.DataFrame:
            return self.table.copy()

    plain = _Plain(pd.DataFrame({"a": [1, 2]}))
    pd.testing.assert_frame_equal(plain.summary(), plain.table)
