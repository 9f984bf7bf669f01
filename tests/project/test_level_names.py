"""Chinese level names are accepted wherever the English ones are (issue 28): every public
function with a ``level`` argument gives for 初中 what it gives for ``junior``."""
import inspect

import matplotlib
import pandas as pd
import pytest

import edubalance
from edubalance.core import scoring
from helpers import public_modules

matplotlib.use("Agg")

# Functions whose ``level`` is a heading level (an int), not a school level.
HEADING_LEVELS = {"edubalance.report.markup.html_heading", "edubalance.report.story.heading"}


def _functions_with_a_level():
    found = set()
    for module_name, module in public_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if (inspect.isfunction(obj) and obj.__module__ == module_name
                    and "level" in inspect.signature(obj).parameters):
                found.add(f"{module_name}.{name}")
    return found - HEADING_LEVELS


CHECKED = {
    "edubalance.core.scoring.school_items_percent",
    "edubalance.report.county_report.school_items_table",
    "edubalance.report.county_report.school_items_figure",
    "edubalance.report.figures.scoring.plot_school_items",
    "edubalance.report.figures.progress.plot_cv_trajectories",
    "edubalance.report.verdict.level_label",
    "edubalance.analysis.equity.equity_analysis",
}


def test_every_function_with_a_level_is_checked_here():
    assert _functions_with_a_level() == CHECKED


@pytest.fixture(scope="module")
def scored(sample_dir):
    schools = edubalance.data.load_schools(sample_dir / "schools.csv")
    schools = schools[schools["year"] == 2017]
    result = scoring.score(schools, "优质均衡")
    return schools, result, result.counties["county_code"].iloc[0]


def test_school_tables_and_figures_take_chinese_level_names(scored):
    from edubalance.report import county_report, verdict
    from edubalance.report.figures import scoring as scoring_figures

    _, result, code = scored
    pd.testing.assert_frame_equal(scoring.school_items_percent(result, code, 2017, "初中"),
                                  scoring.school_items_percent(result, code, 2017, "junior"))
    pd.testing.assert_frame_equal(
        county_report.school_items_table(result, code, 2017, "小学").frame,
        county_report.school_items_table(result, code, 2017, "primary").frame)
    chinese = scoring_figures.plot_school_items(result, county_code=code, year=2017, level="初中")
    english = scoring_figures.plot_school_items(result, county_code=code, year=2017,
                                                level="junior")
    assert chinese.get_title() == english.get_title()
    figure = county_report.school_items_figure(result, code, 2017, "初中")
    assert figure is not None
    assert verdict.level_label("初中", "en") == verdict.level_label("junior", "en")
    with pytest.raises(ValueError, match="did you mean junior"):
        scoring.school_items_percent(result, code, 2017, "junoir")
    matplotlib.pyplot.close("all")


def test_analyses_and_progress_figures_take_chinese_level_names(scored):
    from edubalance.analysis import equity, progress
    from edubalance.report.figures import progress as progress_figures

    schools, _, _ = scored
    chinese = equity.equity_analysis(schools, level="初中", year=2017, n_draws=20)
    assert chinese.level == "junior"
    pd.testing.assert_frame_equal(
        chinese.measures,
        equity.equity_analysis(schools, level="junior", year=2017, n_draws=20).measures)
    result = progress.province_progress(schools, "基本均衡")
    axes = progress_figures.plot_cv_trajectories(result, level="初中")
    assert len(axes.lines) == len(progress_figures.plot_cv_trajectories(
        result, level="junior").lines)
    matplotlib.pyplot.close("all")
