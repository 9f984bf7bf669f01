"""edubalance.report.figures.regression: a regression's coefficients and residuals."""
from __future__ import annotations

import numpy as np
import pytest

import edubalance as eb
from edubalance.analysis import regression
from edubalance.report import regression_text
from edubalance.report.figures import regression as regression_figures
from figure_checks import (
    check_moved_name,
    convention_tests,
    texts,
    undocumented,
)
from tests.report.figures.conftest import INPUTS

# name -> (the figure function, the fixture of its result, keyword arguments)
FIGURES = {
    "plot_coefficients": (regression_figures.plot_coefficients, "regression_result", {}),
    "plot_residuals": (regression_figures.plot_residuals, "regression_result", {}),
}


(test_a_figure_draws_on_the_given_axes_and_returns_it, test_chinese_labels_render_with_every_glyph,
 test_english_labels_follow_lang) = convention_tests(FIGURES)


def test_coefficients_are_drawn_where_the_table_says(regression_result):
    import matplotlib.pyplot as plt

    ax = regression_figures.plot_coefficients(regression_result, lang="en")
    (points,) = [line for line in ax.lines if line.get_marker() == "o"]
    table = regression_result.coefficients.set_index("term").loc[INPUTS]
    assert points.get_xdata() == pytest.approx(table["estimate"].to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        eb.report.i18n.label(term, "en") for term in INPUTS]
    plt.close("all")
    bare = regression_figures.plot_coefficients(regression_result, units=False, lang="zh")
    full = [eb.report.i18n.label(term, "zh") for term in INPUTS]
    assert all("（" in label for label in full)  # the labels have units to leave out
    assert [t.get_text() for t in bare.get_yticklabels()] == [
        label.split("（")[0] for label in full]
    with pytest.raises(ValueError, match="2 names given for 1 models"):
        regression_figures.plot_coefficients(regression_result, names=["a", "b"])
    plt.close("all")


def test_the_slides_draw_the_one_coefficient_figure(regression_result):
    """slides.plot_slide_coefficients is plot_coefficients at slide size (legend below, no units)."""
    import matplotlib.pyplot as plt

    models = [regression_result, regression_result]
    slide = eb.report.slides.plot_slide_coefficients(models, ["甲", "乙"], lang="zh")
    plain = regression_figures.plot_coefficients(models, names=["甲", "乙"], units=False,
                                                 lang="zh")
    assert texts(slide) == texts(plain)
    for drawn, reference in zip(slide.lines, plain.lines, strict=True):
        assert np.allclose(drawn.get_xydata(), reference.get_xydata())
    legend = slide.get_legend()
    slide.figure.canvas.draw()
    assert legend.get_window_extent().y1 <= slide.get_window_extent().y0  # below the plot
    plt.close("all")


def test_residuals_name_the_largest(regression_result):
    import matplotlib.pyplot as plt

    ax = regression_figures.plot_residuals(regression_result, named=2, lang="en")
    frame = regression.residual_data(regression_result)
    largest = frame.loc[frame["residual"].abs().nlargest(2).index]
    assert [t.get_text() for t in ax.texts] == [
        f"{row.county_name} {row.year}" for row in largest.itertuples()]
    plt.close("all")


@pytest.mark.parametrize(("old", "new"), [
    ("models_table", regression_text.models_table),
    ("describe_result", regression_text.describe_result),
    ("headline", regression_text.headline)])
def test_an_old_name_in_analysis_warns_and_is_the_new_function(old, new):
    check_moved_name(regression, old, new)


def test_old_plot_signatures_still_work(regression_result):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    with pytest.warns(DeprecationWarning, match="plot_coefficients"):
        old = regression.coefficient_plot
    figure = old([regression_result, regression_result], ["a", "b"], title="t")
    assert isinstance(figure, Figure) and figure.axes[0].get_title() == "t"
    assert len(figure.axes[0].get_legend().get_texts()) == 2
    with pytest.warns(DeprecationWarning, match="plot_residuals"):
        old = regression.residual_plot
    assert isinstance(old(regression_result, 1, lang="zh"), Figure)
    plt.close("all")


def test_every_public_callable_documents_its_parameters():
    modules = ["edubalance.analysis.regression", "edubalance.report.figures.regression",
               "edubalance.report.regression_text"]
    assert not (missing := undocumented(modules)), missing
