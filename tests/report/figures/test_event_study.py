"""edubalance.report.figures.event_study: the event-study estimates and their sensitivity."""
from __future__ import annotations

from dataclasses import replace

import pytest

from edubalance.analysis import event_study
from edubalance.errors import DataError
from edubalance.report.figures import event_study as event_figures
from figure_checks import (
    check_moved_name,
    convention_tests,
    undocumented,
)

# name -> (the figure function, the fixture of its result, keyword arguments)
FIGURES = {
    "plot_event_study": (event_figures.plot_event_study, "event_result", {}),
    "plot_event_study_sensitivity": (event_figures.plot_event_study_sensitivity,
                                     "event_result", {}),
}


(test_a_figure_draws_on_the_given_axes_and_returns_it, test_chinese_labels_render_with_every_glyph,
 test_english_labels_follow_lang) = convention_tests(FIGURES)


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


def test_event_study_notes_read_the_catalogue_when_asked(event_result):
    result = replace(event_result,
                     note_messages=(("event.note_dropped_years", {"years": "2009"}),))
    assert result.notes_in("en") == ["dropped year(s) 2009: every unit is treated, so the year "
                                     "effect cannot be separated from the effect"]
    assert result.notes_in("zh")[0].startswith("已剔除2009年")


@pytest.mark.parametrize(("old", "new"), [
    ("event_study_plot", event_figures.plot_event_study),
    ("plot_sensitivity", event_figures.plot_event_study_sensitivity)])
def test_an_old_name_in_analysis_warns_and_is_the_new_function(old, new):
    check_moved_name(event_study, old, new)


def test_every_public_callable_documents_its_parameters():
    modules = ["edubalance.analysis.event_study", "edubalance.report.figures.event_study"]
    assert not (missing := undocumented(modules)), missing
