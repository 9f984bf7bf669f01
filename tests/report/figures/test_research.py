"""The figures of edubalance.report.figures.{regression,event_study,progress,teachers}.

One convention: ``plot_<thing>(result, *, ax=None, lang="zh")`` returns the Axes it drew on,
draws on a given Axes, and labels it in ``lang`` with every Chinese glyph in the font. The old
names in the analysis modules still work, with a DeprecationWarning; the analysis modules
import nothing from the report layer.
"""
from __future__ import annotations

import re
import subprocess
import sys
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis import event_study, progress, regression, teachers
from edubalance.errors import DataError, ParameterError
from edubalance.report import regression_text, teacher_tables
from edubalance.report.figures import event_study as event_figures
from edubalance.report.figures import progress as progress_figures
from edubalance.report.figures import regression as regression_figures
from edubalance.report.figures import teachers as teacher_figures
from edubalance.report.plotting import missing_glyphs_as_errors, use_style

CJK = re.compile(r"[\u4e00-\u9fff]")
INPUTS = ["spending_per_student_kcny", "teachers_per_100_students"]


@pytest.fixture(scope="module")
def regression_result():
    rng = np.random.default_rng(3)
    counties, years = 12, 5
    frame = pd.DataFrame({
        "county_code": np.repeat([f"64{i:04d}" for i in range(counties)], years),
        "county_name": np.repeat([f"第{i}县" for i in range(counties)], years),
        "year": np.tile(np.arange(2013, 2013 + years), counties)})
    frame[INPUTS] = rng.normal(size=(len(frame), 2))
    frame["mean_exam_score"] = frame[INPUTS] @ np.array([1.5, -0.5]) + rng.normal(size=len(frame))
    return regression.fit_ols(frame, "mean_exam_score", INPUTS,
                              fixed_effects=["county_code", "year"], cov_type="cluster",
                              cluster="county_code")


@pytest.fixture(scope="module")
def event_result():
    return event_study.estimate(eb.io.sample.generate_assessment_panel(2017), "mean_exam_score")


@pytest.fixture(scope="module")
def progress_result():
    schools, _ = eb.io.sample.generate("province", seed=11, years=range(2010, 2014))
    return progress.province_progress(schools, n_simulations=50, random_state=5,
                                      province_targets={2013: 0.5})


@pytest.fixture(scope="module")
def teacher_result(sample_dir):
    return teachers.teacher_structure(eb.io.load.load_teachers(sample_dir / "teachers_county.csv"))


# name -> (the figure function, the fixture of its result, keyword arguments)
FIGURES = {
    "plot_coefficients": (regression_figures.plot_coefficients, "regression_result", {}),
    "plot_residuals": (regression_figures.plot_residuals, "regression_result", {}),
    "plot_event_study": (event_figures.plot_event_study, "event_result", {}),
    "plot_event_study_sensitivity": (event_figures.plot_event_study_sensitivity,
                                     "event_result", {}),
    "plot_share_passing": (progress_figures.plot_share_passing, "progress_result", {}),
    "plot_verdict_heat_map": (progress_figures.plot_verdict_heat_map, "progress_result", {}),
    "plot_cv_trajectories": (progress_figures.plot_cv_trajectories, "progress_result",
                             {"level": "junior", "limit": 0.55}),
    "plot_age_structure": (teacher_figures.plot_age_structure, "teacher_result", {}),
    "plot_shortage": (teacher_figures.plot_shortage, "teacher_result", {}),
}


def _texts(ax) -> list[str]:
    """The texts a reader sees on the Axes: title, axis labels, tick labels, legend."""
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t]


@pytest.mark.parametrize("name", FIGURES)
def test_a_figure_draws_on_the_given_axes_and_returns_it(name, request):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    function, fixture, options = FIGURES[name]
    result = request.getfixturevalue(fixture)
    use_style()
    fig, ax = plt.subplots()
    try:
        assert function(result, ax=ax, **options) is ax
        assert ax.has_data() and fig.axes == [ax]
        own = function(result, **options)
        assert isinstance(own, Axes) and own.figure is not fig
    finally:
        plt.close("all")


@pytest.mark.parametrize("name", FIGURES)
def test_chinese_labels_render_with_every_glyph(name, request):
    import matplotlib.pyplot as plt

    function, fixture, options = FIGURES[name]
    result = request.getfixturevalue(fixture)
    use_style()
    try:
        with missing_glyphs_as_errors():
            ax = function(result, lang="zh", **options)
            ax.figure.canvas.draw()  # a missing glyph warns (here: raises) only when drawn
        axis_texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        assert any(CJK.search(t) for t in axis_texts), axis_texts
    finally:
        plt.close("all")


@pytest.mark.parametrize("name", FIGURES)
def test_english_labels_follow_lang(name, request):
    import matplotlib.pyplot as plt

    function, fixture, options = FIGURES[name]
    result = request.getfixturevalue(fixture)
    try:
        ax = function(result, lang="en", **options)
        axis_texts = [t for t in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) if t]
        assert axis_texts and not any(CJK.search(t) for t in axis_texts), axis_texts
        with pytest.raises(ParameterError, match="lang='fr'"):
            function(result, lang="fr", **options)
    finally:
        plt.close("all")


# --------------------------------------------------------------------------- each figure

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
    assert _texts(slide) == _texts(plain)
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
    assert _texts(from_result) == _texts(from_table)
    ax = progress_figures.plot_cv_trajectories(verdicts, level="junior", limit=0.55)
    assert len(ax.lines) == verdicts["county_code"].nunique() + 1  # each county and the limit
    with pytest.raises(DataError, match="no composite CV"):
        progress_figures.plot_cv_trajectories(verdicts.drop(columns="composite_cv_junior"),
                                              level="junior")
    plt.close("all")


def test_event_study_figure_marks_the_reference_and_the_anticipation_years(event_result):
    import matplotlib.pyplot as plt

    assert event_result.reference_event_time == -1
    anticipating = replace(event_result, anticipation=2)
    assert anticipating.reference_event_time == -3
    ax = event_figures.plot_event_study(anticipating, lang="en")
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in dotted] == [-2.5]  # between the reference and after
    (band,) = ax.patches
    assert band.get_x() == pytest.approx(-2.5) and band.get_width() == pytest.approx(2)
    plt.close("all")


def test_sensitivity_figure_needs_a_sensitivity_analysis(event_result):
    with pytest.raises(DataError, match="no sensitivity analysis"):
        event_figures.plot_event_study_sensitivity(replace(event_result, sensitivity=None))


def test_shortage_figure_names_the_subjects_in_lang(teacher_result):
    import matplotlib.pyplot as plt

    english = teacher_figures.plot_shortage(teacher_result, lang="en")
    assert [t.get_text() for t in english.get_xticklabels()] == [
        "music", "PE", "art", "English", "IT"]
    chinese = teacher_figures.plot_shortage(teacher_result.counties, lang="zh")
    assert [t.get_text() for t in chinese.get_xticklabels()] == [
        "音乐", "体育", "美术", "英语", "信息技术"]
    assert len(chinese.patches) == len(teacher_result.counties) * 5
    plt.close("all")


# --------------------------------------------------------------------------- old names

MOVED = [
    (regression, "models_table", regression_text.models_table),
    (regression, "describe_result", regression_text.describe_result),
    (regression, "headline", regression_text.headline),
    (event_study, "event_study_plot", event_figures.plot_event_study),
    (event_study, "plot_sensitivity", event_figures.plot_event_study_sensitivity),
    (progress, "heat_map", progress_figures.plot_verdict_heat_map),
    (teachers, "age_structure_plot", teacher_figures.plot_age_structure),
    (teachers, "shortage_plot", teacher_figures.plot_shortage),
    (teachers, "county_table", teacher_tables.county_table),
    (teachers, "discrepancy_table", teacher_tables.discrepancy_table),
]


@pytest.mark.parametrize(("module", "old", "new"), MOVED,
                         ids=[f"{m.__name__.rsplit('.', 1)[1]}.{o}" for m, o, _ in MOVED])
def test_an_old_name_warns_and_is_the_new_function(module, old, new):
    with pytest.warns(DeprecationWarning, match=f"{module.__name__}.{old} moved to "
                                                f"{new.__module__}.{new.__name__}"):
        assert getattr(module, old) is new


def test_old_plot_signatures_still_work(regression_result, progress_result):
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
    with pytest.warns(DeprecationWarning, match="plot_cv_trajectories"):
        old = progress.cv_trajectories
    ax = old(progress_result.verdicts, "junior", limit=0.55)
    assert len(ax.lines) == progress_result.verdicts["county_code"].nunique() + 1
    plt.close("all")


def test_star_imports_and_unknown_names_do_not_touch_the_old_names():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for module in (regression, event_study, progress, teachers):
            exec(f"from {module.__name__} import *", {})  # noqa: S102 - a fixed module name
            assert not hasattr(module, "no_such_name")


def test_the_analysis_modules_import_nothing_from_report():
    """import-linter checks the static imports; this checks what importing them runs."""
    code = ("import sys; import edubalance.analysis.regression, edubalance.analysis.event_study,"
            " edubalance.analysis.progress, edubalance.analysis.teachers;"
            " print(sorted(m for m in sys.modules if m.startswith('edubalance.report')))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert found == "[]"


def test_event_study_notes_read_the_catalogue_when_asked(event_result):
    result = replace(event_result,
                     note_messages=(("event.note_dropped_years", {"years": "2009"}),))
    assert result.notes_in("en") == ["dropped year(s) 2009: every unit is treated, so the year "
                                     "effect cannot be separated from the effect"]
    assert result.notes_in("zh")[0].startswith("已剔除2009年")


# --------------------------------------------------------------------------- documentation

def test_every_public_callable_documents_its_parameters():
    from tests.project.test_docstrings import problem, public_callables

    modules = ["edubalance.analysis.regression", "edubalance.analysis.event_study",
               "edubalance.analysis.progress", "edubalance.analysis.teachers",
               "edubalance.report.figures.regression", "edubalance.report.figures.event_study",
               "edubalance.report.figures.progress", "edubalance.report.figures.teachers",
               "edubalance.report.regression_text", "edubalance.report.teacher_tables"]
    missing = {f"{module}.{name}": found for module in modules
               for name, obj in public_callables(module).items()
               if (found := problem(obj))}
    assert not missing, missing
