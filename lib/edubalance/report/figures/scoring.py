"""Figures of a scoring (:func:`edubalance.core.scoring.score`): schools' items, counties' CVs.

:func:`plot_school_items` shows each school's items; :func:`plot_county_comparison` the
county's CVs against the other counties'.

Both follow the convention of :mod:`edubalance.report.figures`: ``plot_<thing>(result, ...,
*, ax=None, lang="zh")`` draws on ``ax`` (a new figure when ``None``) and returns the Axes.
Items are named as in the county report (:func:`edubalance.report.verdict.item_name`).

Examples
--------
>>> import edubalance as eb
>>> schools = eb.io.load.load_schools("data/sample/schools.csv")
>>> result = eb.core.scoring.score(schools[schools["year"] == 2017], "basic-2012")
>>> ax = plot_school_items(result, "640202", 2017, "primary", county_name="大武口区")
>>> ax.get_title()
'大武口区 2017年 小学：各校指标'
"""
from __future__ import annotations

import numpy as np

from ...core.scoring import comparison_levels, school_items_percent
from ...errors import ParameterError
from ..i18n import text
from ..plotting import _axes
from ..verdict import item_name, level_label

__all__ = ["plot_school_items", "plot_county_comparison"]


def plot_school_items(result, county_code: str, year: int, level: str, *,
                      county_name: str = "", ax=None, lang: str = "zh"):
    """Heat map of every school (rows) x item: the value as a percentage of the reference.

    100 % means the school exactly meets the threshold; red cells miss it, blue cells exceed it
    (lower-is-better items are inverted so that blue is always better). Where the standard sets
    no threshold (basic-2012) the reference is the enrolment-weighted county mean, around which
    the CV measures dispersion (:func:`edubalance.core.scoring.school_items_percent`). The
    colour bar is added to the Axes' figure, which gets matplotlib's tight layout engine (laid
    out once, when drawn).

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`edubalance.core.scoring.score`).
    county_code : str
        The county.
    year : int
        The year.
    level : str
        ``primary`` or ``junior``.
    county_name : str, optional
        The county's name in the title (its code when empty).
    ax : matplotlib Axes, optional
        Where to draw (a new figure sized to the number of schools when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
        The heat map (the colour bar is the figure's other Axes).
    """
    table = school_items_percent(result, county_code, year, level)
    items = result.standard.items
    matrix = table[[item.name for item in items]].to_numpy(dtype=float)
    names = table["school_name"].to_numpy()
    ax = _axes(ax, figsize=(1.1 * len(items) + 4, max(3.0, 0.16 * len(names) + 1.5)))
    image = ax.imshow(np.clip(matrix, 0, 200), cmap="RdBu", vmin=0, vmax=200, aspect="auto",
                      interpolation="nearest")
    ax.set_xticks(np.arange(len(items)), [item_name(item, lang) for item in items],
                  rotation=40, ha="right", fontsize=8)
    # Many schools: smaller names, so that they do not overlap (but never below 4 pt).
    ax.set_yticks(np.arange(len(names)), names,
                  fontsize=max(4, min(8, 500 // max(len(names), 1))))
    ax.grid(False)
    reference = text("report.reference_threshold" if result.standard.has_thresholds
                     else "report.reference_mean", lang)
    ax.figure.colorbar(image, ax=ax, shrink=0.6,
                       label=text("figure.schools_colorbar", lang, reference=reference))
    ax.set_title(text("figure.schools_title", lang, county=county_name or county_code,
                      year=year, level=level_label(level, lang)), fontsize=10)
    ax.figure.set_layout_engine("tight")
    return ax


def plot_county_comparison(result, county_code: str, year: int, *, ax=None, lang: str = "zh"):
    """Each level: this county's CV per item next to the range over the other counties.

    One panel per level with CVs in ``year``
    (:func:`edubalance.core.scoring.comparison_levels`); legends sit below the panels, off
    the data. The figure gets matplotlib's tight layout engine (laid out once, when drawn).

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`edubalance.core.scoring.score`).
    county_code : str
        The county shown against the others.
    year : int
        The year.
    ax : matplotlib Axes or sequence of Axes, optional
        One Axes per level (a new figure of that many panels side by side when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
        The first panel; the others follow it in ``ax.figure.axes``, in level order.

    Raises
    ------
    ParameterError
        When ``ax`` holds a different number of Axes than there are levels.
    """
    import matplotlib.pyplot as plt

    cv = result.cv[result.cv["year"] == int(year)]
    levels = comparison_levels(result, year)
    if ax is None:
        _, ax = plt.subplots(1, len(levels), squeeze=False, figsize=(7 * len(levels), 4.8))
    panels = np.ravel(ax)
    if panels.size != len(levels):
        raise ParameterError(f"plot_county_comparison needs {len(levels)} Axes (one per "
                             f"level), got {panels.size}")
    names = [item_name(item, lang) for item in result.standard.items]
    # Plain arrays once: at national scale the CV table has ~50,000 rows, and comparing
    # string columns item by item costs more than drawing the figure.
    is_mine = cv["county_code"].astype(str).to_numpy(dtype=object) == str(county_code)
    level_of = cv["level"].to_numpy(dtype=object)
    indicator_of = cv["indicator"].to_numpy(dtype=object)
    values = cv["cv"].to_numpy(dtype=float)
    order = result.standard.item_names
    positions = np.arange(len(order))
    for panel, level in zip(panels, levels, strict=True):
        in_level = level_of == level
        mine = dict(zip(indicator_of[in_level & is_mine], values[in_level & is_mine], strict=True))
        others = []
        for name in order:
            chosen = values[in_level & ~is_mine & (indicator_of == name)]
            others.append(chosen[~np.isnan(chosen)])
        # the county's points first: the panel's first collection (the boxes are drawn
        # below them all the same, zorder 2 against 3)
        panel.scatter([mine.get(name, np.nan) for name in order], positions, color="#c23b3b",
                      zorder=3, label=text("figure.this_county", lang), s=40)
        _horizontal_boxes(panel, others, positions, width=0.5)
        limit = cv.loc[in_level, "threshold"].dropna()
        if len(limit):
            panel.axvline(limit.iloc[0], color="#e07b39", linestyle="--",
                          label=text("figure.limit", lang, limit=f"{limit.iloc[0]:g}"))
        panel.set_yticks(positions, names, fontsize=8)
        panel.set_title(text("figure.comparison_title", lang, level=level_label(level, lang)),
                        fontsize=10)
        panel.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2,
                     frameon=False)
    panels[0].figure.set_layout_engine("tight")   # laid out once, when drawn
    return panels[0]


def _horizontal_boxes(ax, groups, positions, *, width: float):
    """Horizontal boxes as ``ax.boxplot``, one artist per kind of line (not 7 per box).

    ``ax.boxplot(groups, positions=positions, orientation="horizontal", widths=width)``: the same statistics (``matplotlib.cbook.boxplot_stats``), lines, styles (the
    ``boxplot.*props`` settings), layering and axis limits as ``boxplot``; making ~110 lines
    for a comparison figure was half of building it. Groups without values draw nothing.
    """
    import matplotlib as mpl
    from matplotlib import cbook
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    rc = mpl.rcParams
    stats = cbook.boxplot_stats(groups, whis=rc["boxplot.whiskers"],
                                bootstrap=rc["boxplot.bootstrap"])
    positions = np.asarray(positions, dtype=float)
    half, cap = width / 2, width / 4
    boxes, whiskers, caps, medians, flier_x, flier_y = [], [], [], [], [], []
    for y, box in zip(positions, stats, strict=True):
        q1, q3, low, high, med = box["q1"], box["q3"], box["whislo"], box["whishi"], box["med"]
        if not np.all(np.isfinite([q1, q3, low, high, med])):
            continue
        boxes.append([(q1, y - half), (q1, y + half), (q3, y + half), (q3, y - half),
                      (q1, y - half)])
        whiskers += [[(q1, y), (low, y)], [(q3, y), (high, y)]]
        caps += [[(low, y - cap), (low, y + cap)], [(high, y - cap), (high, y + cap)]]
        medians.append([(med, y - half), (med, y + half)])
        flier_x.append(np.asarray(box["fliers"], dtype=float))
        flier_y.append(np.full(len(box["fliers"]), y))
    zorder = Line2D.zorder
    for kind, segments, z in (("box", boxes, 0), ("whisker", whiskers, 0), ("cap", caps, 0),
                              ("median", medians, 0.1)):
        if segments:
            ax.add_collection(LineCollection(
                segments, colors=rc[f"boxplot.{kind}props.color"],
                linewidths=rc[f"boxplot.{kind}props.linewidth"],
                linestyles=rc[f"boxplot.{kind}props.linestyle"],
                # boxplot ends its medians square at the box, the other lines as any line
                capstyle="butt" if kind == "median" else rc["lines.solid_capstyle"],
                joinstyle=rc["lines.solid_joinstyle"],
                antialiaseds=rc["lines.antialiased"], zorder=zorder + z, label="_nolegend_"))
    if flier_x:
        ax.add_line(Line2D(np.concatenate(flier_x), np.concatenate(flier_y), zorder=zorder,
                           label="_nolegend_", **{key.split(".")[-1]: value
                                                  for key, value in rc.items()
                                                  if key.startswith("boxplot.flierprops.")}))
    if len(positions):   # as boxplot's manage_ticks: half a step beyond the first and last box
        interval = ax.dataLim.intervaly
        interval[:] = (min(interval[0], positions.min() - 0.5),
                       max(interval[1], positions.max() + 0.5))
        edges = ax.collections[-1].sticky_edges.y if medians else ax.sticky_edges.y
        for y in positions:
            edges.extend([y - 0.5, y + 0.5])
        ax.set_yticks(positions)
    ax._request_autoscale_view()


# ------------------------------------------------- the former names in core.scoring (issue 28)

def _school_items_figure(result, county_code: str, year: int, level: str):
    """The former ``scoring.plot_school_items``: the heat map's Figure."""
    return plot_school_items(result, county_code, year, level).figure


def _county_comparison_panels(result, county_code: str, year: int, *, ax=None,
                              lang: str = "zh"):
    """The former ``scoring.county_comparison``: the array of the panels."""
    first = plot_county_comparison(result, county_code, year, ax=ax, lang=lang)
    if ax is not None:
        return np.ravel(ax)
    return np.asarray(first.figure.axes[:len(comparison_levels(result, year))])


def _county_comparison_figure(result, county_code: str, year: int):
    """The former ``scoring.plot_county_comparison``: the Figure."""
    return plot_county_comparison(result, county_code, year).figure
