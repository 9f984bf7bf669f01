"""Figures of an event study: estimates by event time, and their sensitivity to pre-trends.

Each function draws on ``ax`` (a new figure when ``None``) in the current style and returns
the Axes; every text follows ``lang`` (``zh`` default, ``en``; ``event.*`` in
``messages/research.yaml``).

Examples
--------
>>> import edubalance as eb
>>> result = eb.analysis.event_study.estimate(eb.io.sample.generate_assessment_panel(),
...                                           "mean_exam_score")
>>> ax = plot_event_study(result, lang="en")
>>> ax.get_xlabel()
'years since reaching basic balance'
"""
from __future__ import annotations

import pandas as pd

from ...analysis.event_study import EventStudyResult
from ...errors import DataError
from ..i18n import DEFAULT_LANG, check_lang, text
from ..plotting import PALETTE, _axes

__all__ = ["plot_event_study", "plot_event_study_sensitivity"]


def plot_event_study(result: EventStudyResult, *, truth: pd.DataFrame | None = None, ax=None,
                     lang: str = DEFAULT_LANG):
    """Estimates by event time with their confidence intervals, the naive TWFE as a line.

    A dotted line separates the periods before the reference from those after it; with
    anticipation, the anticipation years are shaded.

    Parameters
    ----------
    result : EventStudyResult
        From :func:`edubalance.analysis.event_study.estimate`.
    truth : DataFrame, optional
        ``event_time, true_effect``: the known effect of simulated data, drawn for comparison.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.ticker import MaxNLocator

    check_lang(lang)
    ax = _axes(ax, (8, 4.5))
    table = result.event_study
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(result.reference_event_time + 0.5, color="grey", linestyle=":", linewidth=1)
    if result.anticipation:
        ax.axvspan(-result.anticipation - 0.5, -0.5, color="grey", alpha=0.12, linewidth=0,
                   label=text("event.anticipation_band", lang))
    ax.errorbar(table["event_time"], table["estimate"],
                yerr=[table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]],
                fmt="o", color=PALETTE[0], capsize=3, label=text("event.estimate_label", lang))
    post = table["event_time"] >= 0
    ax.hlines(result.twfe, table.loc[post, "event_time"].min() - 0.4,
              table.loc[post, "event_time"].max() + 0.4, color=PALETTE[3], linestyle="--",
              label=text("event.twfe_label", lang))
    if truth is not None:
        truth = truth.sort_values("event_time")
        ax.plot(truth["event_time"], truth["true_effect"], color=PALETTE[2], marker="x",
                linestyle="-", label=text("event.truth_label", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(text("event.x_axis", lang))
    ax.set_ylabel(text("event.y_axis", lang))
    ax.set_title(text("event.plot_title", lang))
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_event_study_sensitivity(result: EventStudyResult, *, ax=None, lang: str = DEFAULT_LANG):
    """The ATT's confidence set against the bound ``m`` (relative magnitudes).

    One interval per ``m`` of ``result.sensitivity``; ``m = 0`` (exact parallel trends after
    the reference period) is the conventional interval, drawn in another colour.

    Parameters
    ----------
    result : EventStudyResult
        From :func:`edubalance.analysis.event_study.estimate` (with ``sensitivity_m``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    DataError
        The result has no sensitivity analysis (no pre-period before the reference).

    Examples
    --------
    >>> import edubalance as eb
    >>> result = eb.analysis.event_study.estimate(eb.io.sample.generate_assessment_panel(),
    ...                                           "mean_exam_score")
    >>> ax = plot_event_study_sensitivity(result, lang="en")
    >>> len(ax.collections) >= 2
    True
    """
    from matplotlib.lines import Line2D

    check_lang(lang)
    table = result.sensitivity
    if table is None or table.empty:
        raise DataError("no sensitivity analysis in this result (no pre-period before the "
                        "reference)")
    ax = _axes(ax, (6, 4))
    centre = (table["ci_low"] + table["ci_high"]) / 2
    colours = [PALETTE[3] if m == 0 else PALETTE[0] for m in table["m"]]
    ax.vlines(table["m"], table["ci_low"], table["ci_high"], colors=colours, linewidth=3)
    ax.scatter(table["m"], centre, color=colours, zorder=3)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(table["m"].tolist())
    ax.set_xlabel(text("event.sensitivity_x", lang))
    ax.set_ylabel(text("event.sensitivity_y", lang))
    ax.set_title(text("event.sensitivity_title", lang))
    ax.legend(handles=[Line2D([], [], color=PALETTE[3], linewidth=3,
                              label=text("event.sensitivity_original", lang)),
                       Line2D([], [], color=PALETTE[0], linewidth=3,
                              label=text("event.sensitivity_robust", lang))],
              loc="upper left", fontsize="small")
    return ax
