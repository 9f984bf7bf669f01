"""edubalance.report.display: the analysis notebooks' labels and tables, thin calls into the one
label function (report.i18n.label) and the one Axes helper (report.plotting._axes)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from edubalance.report import display, i18n, plotting


def test_new_axes_is_a_deprecated_call_of_the_one_axes_helper():
    with pytest.warns(DeprecationWarning, match="plotting._axes"):
        ax = display.new_axes(figsize=(3, 2))
    assert tuple(ax.figure.get_size_inches()) == (3, 2)
    with pytest.warns(DeprecationWarning):
        assert display.new_axes(ax) is ax
    assert plotting._axes(ax) is ax
    plt.close("all")


def test_variable_label_is_the_catalogue_label_with_the_indicator_and_plain_fallbacks():
    assert display.variable_label("teachers") == i18n.label("teachers")
    assert display.variable_label("teachers", "en") == i18n.label("teachers", "en")
    assert display.variable_label("a_new_column", "en") == "a new column"
    with pytest.raises(ValueError, match="lang"):
        display.variable_label("teachers", "fr")


def test_short_label_drops_only_a_trailing_unit():
    assert display.short_label("生均图书册数（册）") == "生均图书册数"
    assert display.short_label("教学仪器设备值 (万元)") == "教学仪器设备值"
    # A bracket inside the name is part of it (the old split cut "县（市、区）名称" to "县").
    assert display.short_label("县（市、区）名称") == "县（市、区）名称"
