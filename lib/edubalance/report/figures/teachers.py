"""Figures of the teacher structure read from rosters: age bands and specialist shortages.

Each function takes a :class:`edubalance.analysis.teachers.TeacherStructure` (or its
``counties`` table, one row per county), draws on ``ax`` (a new figure when ``None``) in the
current style and returns the Axes; every text follows ``lang`` (``zh`` default, ``en``;
``teachers.*`` in the message catalogue, columns by their labels).

Examples
--------
>>> import pandas as pd
>>> counties = pd.DataFrame({"county_code": ["1"], "county_name": ["甲县"],
...     "teachers_age_under_30": [3], "teachers_age_30_39": [5], "teachers_age_40_49": [4],
...     "teachers_age_50_plus": [2], "teachers_age_unknown": [0]})
>>> ax = plot_age_structure(counties, lang="en")
>>> len(ax.patches)
4
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis.teachers import TeacherStructure
from ...io import roster as _roster
from ..i18n import DEFAULT_LANG, check_lang, label, text
from ..plotting import PALETTE, _axes

__all__ = ["plot_age_structure", "plot_shortage"]


def _counties(result) -> pd.DataFrame:
    """The per-county table of a TeacherStructure, or the table itself."""
    return result.counties if isinstance(result, TeacherStructure) else result


def _county_names(counties: pd.DataFrame) -> list[str]:
    return counties.get("county_name", counties["county_code"]).astype(str).tolist()


def plot_age_structure(result, *, ax=None, lang: str = DEFAULT_LANG):
    """Stacked bars of teachers by age band, one bar per county.

    Parameters
    ----------
    result : TeacherStructure or DataFrame
        The result of :func:`edubalance.analysis.teachers.teacher_structure`, or its
        ``counties`` table (the age-band columns of :data:`edubalance.io.roster.AGE_BANDS`,
        and ``teachers_age_unknown``, drawn only when some age is unknown).
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the counties when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    counties = _counties(result)
    ax = _axes(ax, (7, 0.8 + 0.5 * len(counties)))
    names = _county_names(counties)
    left = np.zeros(len(counties))
    for index, band in enumerate([*_roster.AGE_BANDS, "teachers_age_unknown"]):
        values = counties[band].to_numpy(dtype=float)
        if band == "teachers_age_unknown" and not values.any():
            continue
        ax.barh(names, values, left=left, color=PALETTE[index % len(PALETTE)],
                label=label(band, lang))
        left += values
    ax.set_xlabel(text("teachers.teachers_axis", lang))
    ax.set_title(text("teachers.age_title", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax


def plot_shortage(result, *, ax=None, lang: str = DEFAULT_LANG):
    """Schools without a specialist of each shortage subject, one bar per county and subject.

    Parameters
    ----------
    result : TeacherStructure or DataFrame
        The result of :func:`edubalance.analysis.teachers.teacher_structure`, or its
        ``counties`` table (``schools_without_<subject>`` for each subject of
        :data:`edubalance.io.roster.SUBJECTS`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    counties = _counties(result)
    ax = _axes(ax, (7, 4))
    subjects = list(_roster.SUBJECTS)
    names = _county_names(counties)
    width = 0.8 / max(len(names), 1)
    positions = np.arange(len(subjects))
    for index, (_, row) in enumerate(counties.iterrows()):
        ax.bar(positions + index * width, [row[f"schools_without_{s}"] for s in subjects],
               width=width, color=PALETTE[index % len(PALETTE)], label=names[index])
    ax.set_xticks(positions + width * (len(names) - 1) / 2,
                  labels=[text(f"teachers.subject.{s}", lang) for s in subjects])
    ax.set_ylabel(text("teachers.schools_axis", lang))
    ax.set_title(text("teachers.shortage_title", lang))
    ax.legend(fontsize="small")
    return ax
