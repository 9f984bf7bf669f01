"""One plotting convention (issue 28): a function that draws on Axes is
``plot_<thing>(data, *, ax=None, lang=...)`` and returns the Axes; a function that builds a
Figure of its own is ``<thing>_figure``. The old names keep working with a DeprecationWarning
naming the new one."""
from __future__ import annotations

import importlib
import inspect

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from edubalance.report import plotting, slides
from helpers import public_modules

# Building blocks whose every word comes from the caller (names, titles, axis labels): no lang.
NO_WORDS_OF_THEIR_OWN = {"edubalance.report.plotting.plot_rank_intervals",
                         "edubalance.report.plotting.plot_distribution"}


def _drawing_functions():
    for module_name, module in public_modules():
        if not module_name.startswith("edubalance.report"):
            continue
        for name, obj in vars(module).items():
            if (not name.startswith("_") and inspect.isfunction(obj)
                    and obj.__module__ == module_name):
                yield f"{module_name}.{name}", name, inspect.signature(obj).parameters


def test_every_function_drawing_on_axes_is_plot_thing_with_keyword_ax_and_lang():
    odd = []
    for full, name, parameters in _drawing_functions():
        ax = parameters.get("ax")
        drawing = ax is not None and ax.kind is inspect.Parameter.KEYWORD_ONLY
        if name.endswith("_plot") or (drawing and not name.startswith("plot_")):
            odd.append(f"{full}: name it plot_<thing>")
        if name.startswith("plot_"):
            if not drawing or ax.default is not None:
                odd.append(f"{full}: ax=None keyword-only")
            lang = parameters.get("lang")
            if full not in NO_WORDS_OF_THEIR_OWN and (
                    lang is None or lang.kind is not inspect.Parameter.KEYWORD_ONLY):
                odd.append(f"{full}: lang keyword-only")
    assert not odd, odd


@pytest.mark.parametrize("module, old, new", [
    ("edubalance.report.plotting", "bar_against_threshold", "plot_threshold_bars"),
    ("edubalance.report.plotting", "line_over_years", "plot_over_years"),
    ("edubalance.report.plotting", "rank_interval_plot", "plot_rank_intervals"),
    ("edubalance.report.plotting", "distribution_plot", "plot_distribution"),
])
def test_old_plotting_names_warn_and_are_the_new_functions(module, old, new):
    found = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=new):
        assert getattr(found, old) is getattr(found, new)
    assert old not in found.__all__ and new in found.__all__


def test_old_slide_figure_names_warn_and_keep_their_signature():
    from edubalance.analysis.clustering.data import prepare_features
    from edubalance.analysis.regression import fit_ols

    units = pd.DataFrame({"county_name": ["甲县", "乙县", "丙县", "丁县"],
                          "a": [1.0, 2.0, 8.0, 9.0], "b": [2.0, 1.0, 9.0, 7.0]})
    prepared = prepare_features(units, ["a", "b"], "county_name")
    with pytest.warns(DeprecationWarning, match="plot_slide_biplot"):
        old = slides.biplot(prepared, [0, 0, 1, 1], "en")    # lang was the third argument
    new = slides.plot_slide_biplot(prepared, [0, 0, 1, 1], lang="en")
    assert old.get_title() == new.get_title() != slides.plot_slide_biplot(
        prepared, [0, 0, 1, 1], lang="zh").get_title()
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=30)})
    frame["y"] = frame["x"] + rng.normal(size=30)
    fit = fit_ols(frame, "y", ["x"])
    with pytest.warns(DeprecationWarning, match="plot_slide_coefficients"):
        old = slides.coefficient_figure([fit], ["OLS"], "en", title="t")
    assert old.get_title() == "t" and [t.get_text() for t in old.get_legend().get_texts()] == [
        "OLS"]
    with pytest.raises(AttributeError):
        slides.not_a_name  # noqa: B018
    plt.close("all")


@pytest.mark.parametrize("lang, threshold, limit", [("zh", "标准 4.5", "限值 0.65"),
                                                    ("en", "threshold 4.5", "limit 0.65")])
def test_reference_lines_are_named_in_one_language(lang, threshold, limit):
    """They were named "threshold 标准 4.5" / "limit 上限 0.65" in both languages at once."""
    frame = pd.DataFrame({"school": ["甲", "乙"], "area": [4.0, 5.0]})
    bars = plotting.plot_threshold_bars(frame, "area", 4.5, "school", lang=lang)
    assert [t.get_text() for t in bars.get_legend().get_texts()] == [threshold]
    years = pd.DataFrame({"year": [2016, 2017], "cv": [0.6, 0.5]})
    lines = plotting.plot_over_years(years, "cv", limit=0.65, lang=lang)
    assert [t.get_text() for t in lines.get_legend().get_texts()] == [limit]
    plt.close("all")
