"""report.figures.province: the presentation's two province figures, now in report/figures
(issue 28) instead of the notebook's own cells."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from edubalance.report.figures import province
from edubalance.report.plotting import missing_glyphs_as_errors, use_style


@pytest.fixture(autouse=True)
def _close():
    use_style()   # the CJK font
    yield
    plt.close("all")


PASSING = pd.DataFrame({"standard": ["basic-2012", "basic-2012", "quality-2017", "quality-2017",
                                     "recognised", "recognised"],
                        "year": [2017, 2016, 2016, 2017, 2016, 2017],
                        "counties_passed": [6, 4, 0, 1, 5, 7]})


@pytest.mark.parametrize("lang, names, title", [
    ("zh", ["基本均衡（2012）", "优质均衡（2017）", "已认定基本均衡（模拟）"], "达标县数"),
    ("en", ["basic balance (2012)", "quality balance (2017)", "recognised (simulated)"],
     "Counties passing, by year"),
])
def test_counties_passing_a_line_per_standard_in_the_readers_language(lang, names, title):
    fig, ax = plt.subplots()
    with missing_glyphs_as_errors():
        drawn = province.plot_counties_passing(PASSING, ax=ax, lang=lang, n_counties=22)
        fig.canvas.draw()
    assert drawn is ax and ax.get_title() == title
    assert [t.get_text() for t in ax.get_legend().get_texts()] == names
    assert [line.get_ydata().tolist() for line in ax.lines] == [[4, 6], [0, 1], [5, 7]]
    assert ax.get_ylim() == (-0.5, 22.5)
    assert all(float(tick).is_integer() for tick in ax.get_yticks())


def test_counties_passing_defaults_the_axis_to_the_counties_column():
    ax = province.plot_counties_passing(PASSING.assign(counties=9))
    assert ax.get_ylim() == (-0.5, 9.5)


def test_threshold_shares_bars_per_level_weakest_primary_item_at_the_bottom():
    shares = pd.DataFrame({
        "item": ["books_per_student", "books_per_student", "computers_per_100_students",
                 "computers_per_100_students"],
        "level": ["junior", "primary", "junior", "primary"],
        "share_meeting": [0.9, 0.6, 0.2, 0.4]})
    ax = province.plot_threshold_shares(shares, lang="en")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 2 and "_" not in "".join(labels)
    assert labels[0] != labels[1]
    widths = [round(p.get_width(), 2) for p in ax.patches]
    # primary bars first (bottom: computers 0.4, then books 0.6), then junior (0.2, 0.9)
    assert widths == [0.4, 0.6, 0.2, 0.9]
    colours = {tuple(np.round(p.get_facecolor(), 3)) for p in ax.patches[:2]}
    assert len(colours) == 1 and ax.patches[0].get_facecolor() != ax.patches[2].get_facecolor()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["primary", "junior secondary"]
    assert ax.get_xlim() == (0, 1) and ax.xaxis.get_major_formatter()(0.5, 0) == "50%"


def test_threshold_shares_in_chinese_name_items_by_their_chinese_label():
    shares = pd.DataFrame({"item": ["books_per_student"], "level": ["primary"],
                           "share_meeting": [0.5]})
    with missing_glyphs_as_errors():
        ax = province.plot_threshold_shares(shares)
        ax.figure.canvas.draw()
    assert "图书" in ax.get_yticklabels()[0].get_text()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["小学"]
