"""Figures of the county equity analysis (:func:`edubalance.analysis.equity.equity_analysis`).

Every function is ``plot_<thing>(analysis, *, ax=None, lang="zh")``: it draws on ``ax`` (a new
figure when ``None``, through :func:`edubalance.report.plotting._axes`) and returns the Axes;
titles and labels follow ``lang`` (``zh`` default, ``en``) through :mod:`edubalance.report.i18n`
and indicators appear under their labels, without units.
"""
from __future__ import annotations

import numpy as np

from ...core import disparity
from ..display import short_label, variable_label
from ..i18n import text
from ..plotting import _axes

__all__ = ["plot_lorenz", "plot_theil_decomposition", "plot_rank_uncertainty",
           "plot_sensitivity", "factor_label"]


def _indicator_label(name: str, lang: str) -> str:
    return short_label(variable_label(name, lang))


def factor_label(factor: str, lang: str = "zh") -> str:
    """Readable name of a sensitivity factor (``normalisation``, ``weight:<indicator>`` …).

    Parameters
    ----------
    factor : str
        A factor of ``EquityAnalysis.sensitivity``: ``normalisation``, ``weighting``,
        ``aggregation`` or ``weight:<indicator>``.
    lang : {"zh", "en"}
        Language of the name.

    Returns
    -------
    str

    Examples
    --------
    >>> factor_label("weighting"), factor_label("weight:books_per_student", "en")
    ('权重方法', 'weight: library books per pupil')
    """
    if factor.startswith("weight:"):
        return text("equity.factor.weight", lang,
                    indicator=_indicator_label(factor.split(":", 1)[1], lang))
    return text(f"equity.factor.{factor}", lang)


def plot_lorenz(analysis, indicator: str | None = None, *, ax=None, lang: str = "zh"):
    """Lorenz curves of one indicator: all schools, and the counties of highest and lowest Gini.

    The legend sits below the curves, off the data.

    Parameters
    ----------
    analysis : EquityAnalysis
        From :func:`edubalance.analysis.equity.equity_analysis`.
    indicator : str, optional
        The indicator (default: the analysis's first).
    ax : matplotlib Axes, optional
        Where to draw (a new 6.5 x 7 inch figure when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    indicator = indicator or analysis.indicators[0]
    sections, measures = analysis.sections, analysis.measures
    ginis = measures[measures["indicator"] == indicator].dropna(subset=["gini"]).set_index(
        "county_name")["gini"]
    curves = {text("equity.lorenz.all", lang): sections}
    for name in dict.fromkeys([ginis.idxmax(), ginis.idxmin()]):
        curves[name] = sections[sections["county_name"] == name]
    ax = _axes(ax, figsize=(6.5, 7))
    for name, part in curves.items():
        curve = disparity.lorenz_curve(part[indicator], weights=part["students"])
        gini = disparity.gini(part[indicator], weights=part["students"])
        ax.plot(curve["pupil_share"], curve["resource_share"],
                label=text("equity.lorenz.curve", lang, name=name, gini=f"{gini:.3f}"))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1,
            label=text("equity.lorenz.equality", lang))
    ax.set_xlabel(text("equity.lorenz.x", lang))
    ax.set_ylabel(text("equity.lorenz.y", lang))
    ax.set_title(text("equity.lorenz.title", lang,
                      indicator=_indicator_label(indicator, lang)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8,
              frameon=False)
    ax.figure.tight_layout()
    return ax


def plot_theil_decomposition(analysis, *, ax=None, lang: str = "zh"):
    """Stacked bars per indicator: Theil T between and within urban / town / rural schools.

    Parameters
    ----------
    analysis : EquityAnalysis
        From :func:`edubalance.analysis.equity.equity_analysis`.
    ax : matplotlib Axes, optional
        Where to draw (a new 9 x 4.8 inch figure when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    parts = analysis.decomposition.set_index("indicator")[["theil_between", "theil_within"]]
    parts.index = [_indicator_label(name, lang) for name in parts.index]
    ax = _axes(ax, figsize=(9, 4.8))
    left = np.zeros(len(parts))
    for column, colour in (("theil_between", "#1b6ca8"), ("theil_within", "#e07b39")):
        ax.barh(parts.index, parts[column], left=left, color=colour,
                label=text(f"equity.theil.{column}", lang))
        left = left + parts[column].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel(text("equity.theil.x", lang))
    ax.set_title(text("equity.theil.title", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.figure.tight_layout()
    return ax


def plot_rank_uncertainty(analysis, *, ax=None, lang: str = "zh"):
    """Median rank with its 5–95 % interval per county, and the nominal rank.

    Parameters
    ----------
    analysis : EquityAnalysis
        From :func:`edubalance.analysis.equity.equity_analysis`.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, its height growing with the counties, when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ordered = analysis.ranking.sort_values("median_rank", ascending=False)
    ax = _axes(ax, figsize=(9, max(4, 0.3 * len(ordered) + 1.5)))
    ax.errorbar(ordered["median_rank"], ordered["county_name"],
                xerr=[ordered["median_rank"] - ordered["rank_p05"],
                      ordered["rank_p95"] - ordered["median_rank"]],
                fmt="o", capsize=3, label=text("equity.rank.median", lang))
    ax.scatter(ordered["nominal_rank"], ordered["county_name"], marker="x", color="#c23b3b",
               zorder=3, label=text("equity.rank.nominal", lang))
    ax.set_xlabel(text("equity.rank.x", lang))
    ax.set_ylabel("")
    ax.set_title(text("equity.rank.title", lang, year=analysis.year,
                      level=text(f"level.{analysis.level}", lang)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.figure.tight_layout()
    return ax


def plot_sensitivity(analysis, *, ax=None, lang: str = "zh"):
    """First-order sensitivity index of the ranks to each choice (mean over counties).

    Parameters
    ----------
    analysis : EquityAnalysis
        From :func:`edubalance.analysis.equity.equity_analysis`.
    ax : matplotlib Axes, optional
        Where to draw (a new 8 x 4.5 inch figure when None).
    lang : {"zh", "en"}
        Language of the labels (factors named by :func:`factor_label`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = analysis.sensitivity.set_index("factor")["first_order"]
    values.index = [factor_label(factor, lang) for factor in values.index]
    values = values.sort_values()
    ax = _axes(ax, figsize=(8, 4.5))
    ax.barh(values.index, values.to_numpy(), color="#1b6ca8")
    ax.set_xlabel(text("equity.sensitivity.x", lang))
    ax.set_ylabel("")
    ax.set_title(text("equity.sensitivity.title", lang))
    ax.figure.tight_layout()
    return ax
