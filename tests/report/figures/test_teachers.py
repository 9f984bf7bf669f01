"""edubalance.report.figures.teachers: teachers' age structure and subject shortages."""
from __future__ import annotations

import pytest

from edubalance.analysis import teachers
from edubalance.report.figures import teachers as teacher_figures
from figure_checks import (
    check_moved_name,
    convention_tests,
    undocumented,
)

# name -> (the figure function, the fixture of its result, keyword arguments)
FIGURES = {
    "plot_age_structure": (teacher_figures.plot_age_structure, "teacher_result", {}),
    "plot_shortage": (teacher_figures.plot_shortage, "teacher_result", {}),
}


(test_a_figure_draws_on_the_given_axes_and_returns_it, test_chinese_labels_render_with_every_glyph,
 test_english_labels_follow_lang) = convention_tests(FIGURES)


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


@pytest.mark.parametrize(("old", "new"), [
    ("age_structure_plot", teacher_figures.plot_age_structure),
    ("shortage_plot", teacher_figures.plot_shortage)])
def test_an_old_name_in_analysis_warns_and_is_the_new_function(old, new):
    check_moved_name(teachers, old, new)


def test_every_public_callable_documents_its_parameters():
    modules = ["edubalance.analysis.teachers", "edubalance.report.figures.teachers"]
    assert not (missing := undocumented(modules)), missing
