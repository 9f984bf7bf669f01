"""Figures of a province's progress to the balance targets: shares, verdicts, CV paths.

Each function takes a :class:`edubalance.analysis.progress.ProgressResult` (or, where only the
verdicts are drawn, its ``verdicts`` table), draws on ``ax`` (a new figure when ``None``) in the
current style and returns the Axes; every text follows ``lang`` (``zh`` default, ``en``;
``progress.*`` in ``messages/research.yaml``).

Examples
--------
>>> import pandas as pd
>>> verdicts = pd.DataFrame({"county_code": ["1", "1", "2", "2"], "county_name": ["甲县"] * 2 + ["乙县"] * 2,
...                          "year": [2016, 2017, 2016, 2017], "passed": [False, True, False, False]})
>>> ax = plot_verdict_heat_map(verdicts, lang="en")
>>> [tick.get_text() for tick in ax.get_yticklabels()]
['甲县', '乙县']
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ...analysis.progress import ProgressResult
from ...errors import DataError
from ...schema import level_name
from ..i18n import DEFAULT_LANG, check_lang, label, text
from ..plotting import PALETTE, STATUS_COLOURS, _axes, plot_over_years

__all__ = ["plot_share_passing", "plot_verdict_heat_map", "plot_cv_trajectories"]


def _verdicts(result) -> pd.DataFrame:
    """The county-year verdicts of a ProgressResult, or the verdicts table itself."""
    return result.verdicts if isinstance(result, ProgressResult) else result


def plot_share_passing(result: ProgressResult, *, targets: Mapping[int, float] | None = None,
                       ax=None, lang: str = DEFAULT_LANG):
    """Share of counties passing each year and passed by then, the targets, the projection.

    Parameters
    ----------
    result : ProgressResult
        From :func:`edubalance.analysis.progress.province_progress`.
    targets : mapping, optional
        Year -> share drawn as stars (default: the result's targets, national and the
        province's own, and the projection's target).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_lang(lang)
    shares, projection = result.share_passing, result.projection
    if targets is None:
        targets = {**result.targets, projection.target_year: projection.target_share}
    ax = _axes(ax, (7, 4))
    ax.plot(shares["year"], shares["share"], marker="o", color=PALETTE[0],
            label=text("progress.share_line", lang))
    ax.plot(shares["year"], shares["share_ever"], marker="s", color=PALETTE[1],
            label=text("progress.ever_line", lang))
    ax.scatter(list(targets), list(targets.values()), marker="*", s=150, color="black",
               zorder=3, label=text("progress.target_marker", lang))
    ax.errorbar([projection.target_year], [projection.share],
                yerr=[[projection.share - projection.ci_low],
                      [projection.ci_high - projection.share]],
                fmt="D", color=STATUS_COLOURS["failed"], capsize=4,
                label=text("progress.projection_marker", lang))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(text("progress.share_axis", lang))
    ax.set_title(text("progress.share_title", lang))
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_verdict_heat_map(result, *, title: str | None = None, ax=None,
                          lang: str = DEFAULT_LANG):
    """County × year grid: green where the county passes, red where not, grey without data.

    Counties are ordered by the year they first passed (never passed last).

    Parameters
    ----------
    result : ProgressResult or DataFrame
        The result of :func:`edubalance.analysis.progress.province_progress`, or its
        ``verdicts`` (``county_name, year, passed``).
    title : str, optional
        Default: the catalogue's ``progress.heat_map_title``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the grid when None.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    check_lang(lang)
    verdicts = _verdicts(result)
    grid = verdicts.pivot_table(index="county_name", columns="year", values="passed",
                                aggfunc="first").astype(float)
    first = verdicts[verdicts["passed"]].groupby("county_name")["year"].min()
    order = first.reindex(grid.index).fillna(np.inf).sort_values(kind="stable").index
    grid = grid.loc[order]
    ax = _axes(ax, (1.0 + 0.55 * grid.shape[1], 0.8 + 0.3 * grid.shape[0]))
    cmap = ListedColormap([STATUS_COLOURS["failed"], STATUS_COLOURS["passed"]]).with_extremes(
        bad=STATUS_COLOURS["not assessed"])
    ax.imshow(np.ma.masked_invalid(grid.to_numpy()), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), labels=[str(int(y)) for y in grid.columns])
    ax.set_yticks(range(grid.shape[0]), labels=list(grid.index))
    ax.grid(False)
    ax.legend(handles=[Patch(color=STATUS_COLOURS["passed"], label=text("verdict.passed", lang)),
                       Patch(color=STATUS_COLOURS["failed"], label=text("verdict.failed", lang))],
              loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title or text("progress.heat_map_title", lang))
    return ax


def plot_cv_trajectories(result, *, level: str, limit: float | None = None, ax=None,
                         lang: str = DEFAULT_LANG):
    """Composite CV of ``level`` per county over the years, the standard's limit dashed.

    Parameters
    ----------
    result : ProgressResult or DataFrame
        The result of :func:`edubalance.analysis.progress.province_progress`, or its
        ``verdicts`` (with ``composite_cv_<level>``).
    level : {"primary", "junior"}
        The school level (or 小学 / 初中).
    limit : float, optional
        The standard's composite-CV limit of the level.
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
        The verdicts have no composite CV of ``level`` (the standard may have none).
    """
    check_lang(lang)
    level = level_name(level)  # 初中 / 小学 too
    verdicts = _verdicts(result)
    column = f"composite_cv_{level}"
    if column not in verdicts:
        raise DataError(f"no composite CV for level {level!r} (the standard may have none)")
    ax = plot_over_years(verdicts.dropna(subset=[column]), column, hue="county_name",
                         limit=limit, ax=ax, lang=lang, ylabel=text("progress.cv_axis", lang),
                         title=text("progress.cv_title", lang, level=text(f"level.{level}", lang)))
    ax.set_xlabel(label("year", lang))
    ax.legend(ncol=2, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def _cv_trajectories(verdicts: pd.DataFrame, level: str, *, limit: float | None = None,
                     ax=None, lang: str = DEFAULT_LANG):
    """Draw ``analysis.progress.cv_trajectories`` (deprecated) with :func:`plot_cv_trajectories`.

    The level is its second positional argument, as it was.
    """
    return plot_cv_trajectories(verdicts, level=level, limit=limit, ax=ax, lang=lang)
