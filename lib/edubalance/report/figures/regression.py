"""Figures of regression results: coefficients with their intervals, residuals.

Each function draws on ``ax`` (a new figure when ``None``), in the current style (call
:func:`edubalance.report.plotting.use_style`, or the slides' style, first), and returns the Axes;
every text follows ``lang`` (``zh`` default, ``en``; :mod:`edubalance.report.i18n`) and every
variable appears under its label (``label.<column>``). The notebooks, the slides and the county
reports all draw these figures through this module.

Examples
--------
>>> import pandas as pd
>>> from edubalance.analysis.regression import fit_ols
>>> frame = pd.DataFrame({"spending_per_student_kcny": [1, 2, 3, 4, 5.0],
...                       "mean_exam_score": [2.0, 4.1, 5.9, 8.2, 9.8]})
>>> result = fit_ols(frame, "mean_exam_score", ["spending_per_student_kcny"])
>>> ax = plot_coefficients(result, lang="en")
>>> [tick.get_text() for tick in ax.get_yticklabels()]
['spending per pupil (thousand CNY)']
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ...analysis.regression import RegressionResult, coefficient_table, residual_data
from ..display import short_label
from ..i18n import DEFAULT_LANG, check_lang, label, text
from ..plotting import PALETTE, _axes

__all__ = ["plot_coefficients", "plot_residuals"]


def plot_coefficients(results, *, names: Sequence[str] | None = None,
                      include_intercept: bool = False, title: str | None = None,
                      units: bool = True, ax=None, lang: str = DEFAULT_LANG):
    """Point estimates with confidence intervals, one colour per model, zero dashed.

    Parameters
    ----------
    results : RegressionResult or sequence of them
        Fitted models (:func:`edubalance.analysis.regression.fit_ols`, ``fit_logit``); a
        term missing from a model is left out of its row.
    names : sequence of str, optional
        One legend entry per model (default ``(1)``, ``(2)``, ...); the legend is drawn when
        there are several models.
    include_intercept : bool
        Draw the ``Intercept`` row too.
    title : str, optional
        Title of the Axes.
    units : bool
        Terms by their full labels, unit included (a coefficient is per unit of its input);
        False: without the unit, for a crowded slide.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the number of terms when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    if isinstance(results, RegressionResult):
        results = [results]
    results = list(results)
    names = list(names) if names is not None else [f"({i + 1})" for i in range(len(results))]
    if len(names) != len(results):
        raise ValueError(f"{len(names)} names given for {len(results)} models")
    tables = [coefficient_table(r, include_intercept) for r in results]
    terms = list(dict.fromkeys(t for table in tables for t in table["term"]))
    ax = _axes(ax, (8, 1.2 + 0.55 * len(terms) * max(1, len(results)) ** 0.5))
    offsets = np.linspace(-0.2, 0.2, len(results)) if len(results) > 1 else [0.0]
    positions = {term: i for i, term in enumerate(terms)}
    for index, (table, name, offset) in enumerate(zip(tables, names, offsets, strict=True)):
        y = np.array([positions[t] for t in table["term"]]) + offset
        ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["ci_low"],
                                                table["ci_high"] - table["estimate"]],
                    fmt="o", color=PALETTE[index % len(PALETTE)], capsize=3, label=name)
    ax.axvline(0, color="#6b6b6b", linewidth=1, linestyle="--")
    shown = [label(t, lang) if units else short_label(label(t, lang)) for t in terms]
    ax.set_yticks(range(len(terms)), shown)
    ax.invert_yaxis()
    confidence = round(100 * results[0].statistics.get("confidence", 0.95))
    ax.set_xlabel(text("regression.ci_axis", lang, confidence=confidence))
    if title:
        ax.set_title(title)
    if len(results) > 1:
        ax.legend(loc="best")
    return ax


def plot_residuals(result: RegressionResult, *, named: int = 3, ax=None,
                   lang: str = DEFAULT_LANG):
    """Residuals against fitted values, the ``named`` largest residuals labelled (county, year).

    Parameters
    ----------
    result : RegressionResult
        A fitted model.
    named : int
        How many of the largest residuals (in absolute value) to label.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the axis labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    frame = residual_data(result)
    ax = _axes(ax)
    ax.scatter(frame["fitted"], frame["residual"], s=14, alpha=0.7, color=PALETTE[0])
    ax.axhline(0, color="#6b6b6b", linewidth=1, linestyle="--")
    columns = [c for c in ("county_name", "county_code", "year") if c in frame.columns]
    shown = columns[:1] + (["year"] if "year" in columns[1:] else [])
    largest = frame["residual"].abs().sort_values(ascending=False).index[:named]
    for _, row in frame.loc[largest].iterrows():
        # parse_math off: a county name with "$" must not start mathtext.
        ax.annotate(" ".join(str(row[c]) for c in shown), (row["fitted"], row["residual"]),
                    fontsize=8, xytext=(4, 4), textcoords="offset points", parse_math=False)
    ax.set_xlabel(text("regression.fitted_axis", lang, outcome=label(result.outcome, lang)))
    ax.set_ylabel(text("regression.residual_axis", lang))
    return ax


# --------------------------------------------------------------------------- old signatures

def _coefficient_plot(results, names: Sequence[str] | None = None,
                      include_intercept: bool = False, ax=None, title: str | None = None, *,
                      lang: str | None = None):
    """Draw ``analysis.regression.coefficient_plot`` (deprecated) with :func:`plot_coefficients`.

    In the project style, returning the Figure; ``lang=None`` (its old default) draws English
    labels.
    """
    from ..plotting import use_style

    use_style()
    return plot_coefficients(results, names=names, include_intercept=include_intercept,
                             title=title, ax=ax, lang=lang or "en").figure


def _residual_plot(result: RegressionResult, label: int = 3, ax=None, *,
                   lang: str | None = None):
    """Draw ``analysis.regression.residual_plot`` (deprecated) with :func:`plot_residuals`.

    In the project style, returning the Figure; ``lang=None`` (its old default) draws English
    labels.
    """
    from ..plotting import use_style

    use_style()
    return plot_residuals(result, named=label, ax=ax, lang=lang or "en").figure
