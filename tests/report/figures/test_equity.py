"""edubalance.report.figures.equity: the equity analysis's figures, and their former names."""
from __future__ import annotations

import warnings

import pytest

import edubalance as eb
from edubalance.analysis import equity
from edubalance.report.figures import equity as figures

PLOTS = ("plot_lorenz", "plot_theil_decomposition", "plot_rank_uncertainty", "plot_sensitivity")


@pytest.fixture(scope="module")
def analysis(sample_dir):
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    schools = schools[schools["county_code"].isin(sorted(schools["county_code"].unique())[:6])]
    return equity.equity_analysis(schools, level="primary", year=2017, n_draws=60,
                                  random_state=3)


@pytest.mark.parametrize("lang, expected", [("zh", "洛伦兹曲线"), ("en", "Lorenz curves")])
def test_figures_return_their_axes_in_the_chosen_language(analysis, lang, expected):
    import matplotlib.pyplot as plt

    eb.report.plotting.use_style()
    with eb.report.plotting.missing_glyphs_as_errors():
        lorenz = figures.plot_lorenz(analysis, lang=lang)
        theil = figures.plot_theil_decomposition(analysis, lang=lang)
        ranks = figures.plot_rank_uncertainty(analysis, lang=lang)
        fig, ax = plt.subplots()
        assert figures.plot_sensitivity(analysis, ax=ax, lang=lang) is ax
        for axes in (lorenz, theil, ranks, ax):
            axes.figure.canvas.draw()
    assert lorenz.get_title().startswith(expected)
    assert len(lorenz.get_legend().get_texts()) == 4
    # Legends sit off the data: below the Lorenz curves, right of the bars.
    assert lorenz.get_legend().get_window_extent().y1 <= lorenz.get_window_extent().y0 + 1
    assert theil.get_legend().get_window_extent().x0 >= theil.get_window_extent().x1 - 1
    ticks = [t.get_text() for t in ranks.get_yticklabels()]
    assert sorted(ticks) == sorted(analysis.ranking["county_name"])
    factors = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(factors) == sorted(figures.factor_label(f, lang)
                                     for f in analysis.sensitivity["factor"])
    if lang == "zh":
        labels = [t.get_text() for t in theil.get_yticklabels()]
        assert "生均教学仪器设备值" in labels
        assert "权重方法" in factors
    for figure in {lorenz.figure, theil.figure, ranks.figure, fig}:
        plt.close(figure)


@pytest.mark.parametrize("name", PLOTS)
def test_every_figure_draws_on_a_given_axes(analysis, name):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with eb.report.plotting.missing_glyphs_as_errors():
        assert getattr(figures, name)(analysis, ax=ax, lang="zh") is ax
        fig.canvas.draw()
    assert ax.get_title() and len(fig.axes) == 1   # drew there, made no other Axes
    plt.close(fig)


def test_factor_label_names_each_choice_and_weight():
    assert figures.factor_label("aggregation") == "合成方法"
    assert figures.factor_label("weight:books_per_student") == "权重扰动：生均图书册数"
    assert figures.factor_label("normalisation", "en") == "normalisation"


@pytest.mark.parametrize("name", [*PLOTS, "factor_label"])
def test_former_names_in_analysis_equity_still_work_and_warn(name):
    with pytest.warns(DeprecationWarning, match=f"report.figures.equity.{name}"):
        old = getattr(equity, name)
    assert old is getattr(figures, name)


def test_analysis_equity_no_longer_has_figures_of_its_own():
    # The analysis module is data only: its own names hold no figure, and unknown names fail.
    assert not [n for n in equity.__all__ if n.startswith("plot_")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            equity.plot_something_else  # noqa: B018
