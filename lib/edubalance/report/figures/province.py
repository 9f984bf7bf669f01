"""Figures of the whole province's scoring: counties passing per year, schools meeting each threshold.

The presentation drew these two in its own cells (issue 28: every figure in
``report/figures``). Each function takes the table of its :mod:`edubalance.analysis.summaries`
function, draws on ``ax`` (a new figure when ``None``) in the current style and returns the
Axes; every text follows ``lang`` (``zh`` default, ``en``; ``slides.*`` of
``messages/slides.yaml``).

Examples
--------
>>> import pandas as pd
>>> passing = pd.DataFrame({"standard": ["basic-2012"] * 2, "year": [2016, 2017],
...                         "counties_passed": [3, 5], "counties": [22, 22]})
>>> ax = plot_counties_passing(passing, lang="en")
>>> ax.get_title(), [float(y) for y in ax.get_ylim()]
('Counties passing, by year', [-0.5, 22.5])
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import LEVELS
from ..display import bare_label
from ..i18n import DEFAULT_LANG, check_lang, label, text
from ..plotting import PALETTE, _axes, _require_columns, plot_over_years

__all__ = ["plot_counties_passing", "plot_threshold_shares"]


def _standard_name(standard: str, lang: str) -> str:
    """A standard's name on a figure (``slides.standard.<name>``; the name itself if none)."""
    try:
        return text(f"slides.standard.{standard}", lang)
    except KeyError:
        return str(standard)


def plot_counties_passing(passing: pd.DataFrame, *, ax=None, lang: str = DEFAULT_LANG,
                          n_counties: int | None = None):
    """Counties passing each standard, per year: a line per standard.

    Parameters
    ----------
    passing : DataFrame
        ``standard, year, counties_passed`` (:func:`edubalance.analysis.summaries.passing_by_year`,
        with any other series as further ``standard`` values, e.g. ``recognised``), and
        optionally ``counties``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the title, the axes and the standards' names.
    n_counties : int, optional
        The top of the y axis: the counties of the province (default: the largest
        ``counties``, else the largest count drawn).

    Returns
    -------
    matplotlib.axes.Axes
        Whole counties on the y axis, from 0 to ``n_counties``.

    Examples
    --------
    >>> passing = pd.DataFrame({"standard": ["basic-2012", "quality-2017"], "year": 2017,
    ...                         "counties_passed": [5, 1]})
    >>> ax = plot_counties_passing(passing)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['基本均衡（2012）', '优质均衡（2017）']
    """
    from matplotlib.ticker import MaxNLocator

    check_lang(lang)
    _require_columns(passing, ["standard", "year", "counties_passed"])
    shown = passing.assign(series=[_standard_name(s, lang) for s in passing["standard"]])
    ax = plot_over_years(shown, "counties_passed", hue="series", ax=ax, lang=lang,
                         ylabel=text("slides.province.ylabel", lang),
                         title=text("slides.province.figure", lang))
    ax.set_xlabel(label("year", lang))
    if n_counties is None:
        column = "counties" if "counties" in passing else "counties_passed"
        n_counties = int(pd.to_numeric(passing[column]).max()) if len(passing) else 1
    ax.set_ylim(-0.5, n_counties + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


def plot_threshold_shares(shares: pd.DataFrame, *, ax=None, lang: str = DEFAULT_LANG):
    """Share of schools meeting each threshold of a standard: a bar per item and level.

    Items are sorted by the share of primary schools meeting them (the weakest at the bottom).

    Parameters
    ----------
    shares : DataFrame
        ``item, level, share_meeting`` (:func:`edubalance.analysis.summaries.threshold_shares`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the items when None.
    lang : {"zh", "en"}
        Language of the items' and levels' names and of the axis.

    Returns
    -------
    matplotlib.axes.Axes
        Shares from 0 to 100 % on the x axis.

    Examples
    --------
    >>> shares = pd.DataFrame({"item": ["books_per_student", "books_per_student"],
    ...                        "level": ["primary", "junior"], "share_meeting": [0.5, 0.8]})
    >>> ax = plot_threshold_shares(shares, lang="en")
    >>> [float(p.get_width()) for p in ax.patches]
    [0.5, 0.8]
    """
    from matplotlib.ticker import PercentFormatter

    check_lang(lang)
    _require_columns(shares, ["item", "level", "share_meeting"])
    wide = shares.pivot(index="item", columns="level", values="share_meeting")
    levels = [level for level in LEVELS if level in wide.columns]
    wide = wide[levels].sort_values(levels[:1], kind="stable") if levels else wide
    ax = _axes(ax, figsize=(8, max(3.0, 0.45 * len(wide) + 1.5)))
    positions = np.arange(len(wide))
    height = 0.8 / max(len(levels), 1)
    for index, level in enumerate(levels):
        ax.barh(positions + (index - (len(levels) - 1) / 2) * height, wide[level].to_numpy(float),
                height=height, color=PALETTE[index % len(PALETTE)],
                label=text(f"level.{level}", lang))
    ax.set_yticks(positions, labels=[bare_label(item, lang) for item in wide.index])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(text("slides.gaps.xlabel", lang))
    ax.set_ylabel("")
    if levels:
        ax.legend()
    return ax
