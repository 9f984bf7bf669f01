"""edubalance.report.figures.scoring: a scoring's figures, and their former names in core.scoring."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edubalance.core import scoring
from edubalance.report import plotting
from edubalance.report.figures import scoring as figures
from tests.core.test_scoring import school


@pytest.fixture(scope="module")
def result():
    frame = pd.DataFrame([school("a", 300), school("b", 500, sports_area_m2=2.0),
                          school("c", 400, county=("640181", "灵武市"))])
    return scoring.score(frame, "quality-2017")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scoring_figures_draw_on_given_axes_in_the_chosen_language(result, lang):
    import matplotlib.pyplot as plt

    plotting.use_style()
    with plotting.missing_glyphs_as_errors():
        fig, ax = plt.subplots()
        assert figures.plot_school_items(result, "640202", 2017, "primary", ax=ax,
                                         county_name="大武口区", lang=lang) is ax
        panel = figures.plot_county_comparison(result, "640202", 2017, lang=lang)
        for figure in (fig, panel.figure):
            figure.canvas.draw()
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(names) == ["大武口区第a校", "大武口区第b校"]
    title = ax.get_title()
    assert title == ("大武口区 2017年 小学：各校指标" if lang == "zh"
                     else "大武口区 2017, primary: every school's indicators")
    colorbar = fig.axes[1].get_ylabel()
    assert ("标准值" in colorbar) if lang == "zh" else ("threshold" in colorbar)
    legend = [t.get_text() for t in panel.get_legend().get_texts()]
    assert legend == (["本县", "限值 0.5"] if lang == "zh" else ["this county", "limit 0.5"])
    # The legend sits below the panel, off the data.
    assert panel.get_legend().get_window_extent().y1 <= panel.get_window_extent().y0 + 1
    for figure in (fig, panel.figure):
        plt.close(figure)


def test_comparison_draws_on_the_given_axes_one_per_level(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 1, squeeze=False)
    assert figures.plot_county_comparison(result, "640202", 2017, ax=axes) is axes[0, 0]
    assert len(fig.axes) == 1 and axes[0, 0].get_title().startswith("小学")
    with pytest.raises(ValueError, match="needs 1 Axes"):
        figures.plot_county_comparison(result, "640202", 2017, ax=plt.subplots(1, 2)[1])
    plt.close("all")


def test_county_report_figures_are_the_figures_of_this_module(result):
    import matplotlib.pyplot as plt

    from edubalance.report import county_report

    heat = county_report.school_items_figure(result, "640202", 2017, "primary",
                                             county_name="大武口区", lang="en")
    assert heat.axes[0].get_title() == "大武口区 2017, primary: every school's indicators"
    comparison = county_report.comparison_figure(result, "640202", 2017, lang="en")
    assert [t.get_text() for t in comparison.axes[0].get_legend().get_texts()] == [
        "this county", "limit 0.5"]
    plt.close("all")


def test_former_names_in_core_scoring_still_work_and_warn(result):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    with pytest.warns(DeprecationWarning, match="report.figures.scoring.plot_school_items"):
        heatmap = scoring.school_items_heatmap
    assert heatmap is figures.plot_school_items
    # The former Figure-returning names keep returning what they returned.
    with pytest.warns(DeprecationWarning, match="core.scoring.plot_school_items moved"):
        legacy = scoring.plot_school_items(result, "640202", 2017, "primary")
    assert isinstance(legacy, Figure) and len(legacy.axes) == 2
    with pytest.warns(DeprecationWarning, match="core.scoring.county_comparison moved"):
        panels = scoring.county_comparison(result, "640202", 2017, lang="en")
    assert isinstance(panels, np.ndarray) and panels.size == 1
    with pytest.warns(DeprecationWarning, match="core.scoring.plot_county_comparison moved"):
        assert isinstance(scoring.plot_county_comparison(result, "640202", 2017), Figure)
    plt.close("all")
    assert "plot_school_items" not in scoring.__all__
    # The contract's short name eb.scoring is the same module: its old names work too.
    import edubalance as eb

    with pytest.warns(DeprecationWarning, match="plot_school_items"):
        assert eb.scoring.school_items_heatmap is figures.plot_school_items
