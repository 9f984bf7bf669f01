"""The convention every figure function of ``edubalance.report.figures`` follows, as checks:
``plot_<thing>(result, *, ax=None, lang="zh")`` returns the Axes it drew on, draws on a given
Axes, and labels it in ``lang`` with every Chinese glyph in the font. Each test module of
tests/report/figures runs them on its own figures."""
from __future__ import annotations

import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")


def texts(ax) -> list[str]:
    """The texts a reader sees on the Axes: title, axis labels, tick labels, legend."""
    found = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        found += [t.get_text() for t in legend.get_texts()]
    return [t for t in found if t]


def check_draws_on_the_given_axes(function, result, options) -> None:
    """``function`` draws on a given Axes and returns it, or on a figure of its own."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from edubalance.report.plotting import use_style

    use_style()
    fig, ax = plt.subplots()
    try:
        assert function(result, ax=ax, **options) is ax
        assert ax.has_data() and fig.axes == [ax]
        own = function(result, **options)
        assert isinstance(own, Axes) and own.figure is not fig
    finally:
        plt.close("all")


def check_chinese_labels(function, result, options) -> None:
    """With ``lang="zh"`` the axis texts are Chinese and every glyph is in the font."""
    import matplotlib.pyplot as plt

    from edubalance.report.plotting import missing_glyphs_as_errors, use_style

    use_style()
    try:
        with missing_glyphs_as_errors():
            ax = function(result, lang="zh", **options)
            ax.figure.canvas.draw()  # a missing glyph warns (here: raises) only when drawn
        axis_texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        assert any(CJK.search(t) for t in axis_texts), axis_texts
    finally:
        plt.close("all")


def check_english_labels(function, result, options) -> None:
    """With ``lang="en"`` no axis text is Chinese; another ``lang`` is a ParameterError."""
    import matplotlib.pyplot as plt

    from edubalance.errors import ParameterError

    try:
        ax = function(result, lang="en", **options)
        axis_texts = [t for t in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) if t]
        assert axis_texts and not any(CJK.search(t) for t in axis_texts), axis_texts
        with pytest.raises(ParameterError, match="lang='fr'"):
            function(result, lang="fr", **options)
    finally:
        plt.close("all")


def check_moved_name(module, old: str, new) -> None:
    """``module.old`` still works: a DeprecationWarning naming ``new``, and it is ``new``."""
    with pytest.warns(DeprecationWarning, match=f"{module.__name__}.{old} moved to "
                                                f"{new.__module__}.{new.__name__}"):
        assert getattr(module, old) is new


def undocumented(modules: list[str]) -> dict[str, str]:
    """The public callables of ``modules`` whose docstring lacks a parameter (or section)."""
    from tests.project.test_docstrings import problem, public_callables

    return {f"{module}.{name}": found for module in modules
            for name, obj in public_callables(module).items() if (found := problem(obj))}


def convention_tests(figures: dict):
    """The three tests of the plotting convention for a module's ``figures``.

    ``figures`` maps a name to ``(function, fixture of its result, keyword arguments)``; a
    test module assigns the three functions returned to its own ``test_*`` names.
    """

    @pytest.mark.parametrize("name", figures)
    def draws_on_the_given_axes(name, request):
        function, fixture, options = figures[name]
        check_draws_on_the_given_axes(function, request.getfixturevalue(fixture), options)

    @pytest.mark.parametrize("name", figures)
    def chinese_labels(name, request):
        function, fixture, options = figures[name]
        check_chinese_labels(function, request.getfixturevalue(fixture), options)

    @pytest.mark.parametrize("name", figures)
    def english_labels(name, request):
        function, fixture, options = figures[name]
        check_english_labels(function, request.getfixturevalue(fixture), options)

    return draws_on_the_given_axes, chinese_labels, english_labels
