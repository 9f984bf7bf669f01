"""edubalance.report.figures.progress: the province's progress (share passing, verdicts, CVs)."""
from __future__ import annotations

import pytest

from edubalance.analysis import progress
from edubalance.errors import DataError
from edubalance.report.figures import progress as progress_figures
from figure_checks import (
    check_moved_name,
    convention_tests,
    texts,
    undocumented,
)

# name -> (the figure function, the fixture of its result, keyword arguments)
FIGURES = {
    "plot_share_passing": (progress_figures.plot_share_passing, "progress_result", {}),
    "plot_verdict_heat_map": (progress_figures.plot_verdict_heat_map, "progress_result", {}),
    "plot_cv_trajectories": (progress_figures.plot_cv_trajectories, "progress_result",
                             {"level": "junior", "limit": 0.55}),
}


(test_a_figure_draws_on_the_given_axes_and_returns_it, test_chinese_labels_render_with_every_glyph,
 test_english_labels_follow_lang) = convention_tests(FIGURES)


def test_share_passing_marks_every_target_and_the_projection(progress_result):
    import matplotlib.pyplot as plt

    assert progress_result.targets == {2015: 0.65, 2020: 0.95, 2013: 0.5}
    ax = progress_figures.plot_share_passing(progress_result, lang="en")
    (stars,) = ax.collections[:1]
    assert sorted(map(tuple, stars.get_offsets().tolist())) == [
        (2013, 0.5), (2015, 0.65), (2020, 0.95)]
    projection = progress_result.projection
    assert any(line.get_xdata().tolist() == [projection.target_year]
               and line.get_ydata().tolist() == [projection.share] for line in ax.lines)
    plt.close("all")
    ax = progress_figures.plot_share_passing(progress_result, targets={2016: 0.7})
    assert ax.collections[0].get_offsets().tolist() == [[2016, 0.7]]
    plt.close("all")


def test_progress_figures_take_the_verdicts_too(progress_result):
    import matplotlib.pyplot as plt

    verdicts = progress_result.verdicts
    from_result = progress_figures.plot_verdict_heat_map(progress_result)
    from_table = progress_figures.plot_verdict_heat_map(verdicts)
    assert texts(from_result) == texts(from_table)
    ax = progress_figures.plot_cv_trajectories(verdicts, level="junior", limit=0.55)
    assert len(ax.lines) == verdicts["county_code"].nunique() + 1  # each county and the limit
    with pytest.raises(DataError, match="no composite CV"):
        progress_figures.plot_cv_trajectories(verdicts.drop(columns="composite_cv_junior"),
                                              level="junior")
    plt.close("all")


def test_an_old_name_in_analysis_warns_and_is_the_new_function():
    check_moved_name(progress, "heat_map", progress_figures.plot_verdict_heat_map)


def test_old_plot_signatures_still_work(progress_result):
    import matplotlib.pyplot as plt

    with pytest.warns(DeprecationWarning, match="plot_cv_trajectories"):
        old = progress.cv_trajectories
    ax = old(progress_result.verdicts, "junior", limit=0.55)
    assert len(ax.lines) == progress_result.verdicts["county_code"].nunique() + 1
    plt.close("all")


def test_every_public_callable_documents_its_parameters():
    modules = ["edubalance.analysis.progress", "edubalance.report.figures.progress"]
    assert not (missing := undocumented(modules)), missing
