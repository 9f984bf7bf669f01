"""Figures of a clustering: choice of k, PCA biplot, cluster profiles, stability.

Every function is ``plot_<thing>(result, *, ax=None, lang="zh")``: it draws on ``ax`` (a new
figure when ``None``, through :func:`edubalance.report.plotting._axes`) and returns the Axes
(:func:`plot_k_selection` draws five panels and returns the first); titles and labels follow
``lang`` (``zh`` default, ``en``) through :mod:`edubalance.report.i18n`, features appear under
their labels (``label.<feature>``) and clusters under their names
(:func:`edubalance.report.clusters.cluster_name`: 第1类 … / cluster 1 …).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..._compat import moved_names as _moved_names
from ...analysis.clustering.models import pca_biplot_data
from ..clusters import cluster_name, cluster_names
from ..display import short_label as _short
from ..display import variable_label as feature_label
from ..i18n import text
from ..plotting import _axes

__all__ = ["cluster_name", "cluster_names", "pca_biplot_data", "plot_k_selection",
           "plot_pca_biplot", "plot_profile_heatmap", "plot_stability"]

# ``pca_biplot`` was the Axes-returning twin of ``plot_pca_biplot`` (which returned the Figure);
# ``plot_pca_biplot`` now returns the Axes like every figure, so the twin is an old name.
__getattr__ = _moved_names(__name__, {
    "pca_biplot": "edubalance.report.figures.clustering:plot_pca_biplot"})


def _k_selection_panels(selection, *, ax=None, lang: str = "zh"):
    """The former ``plot_k_selection`` of ``analysis.clustering.models``: the five panels."""
    first = plot_k_selection(selection, ax=ax, lang=lang)
    return np.ravel(ax) if ax is not None else np.asarray(first.figure.axes[:5])


def plot_k_selection(selection, *, ax=None, lang: str = "zh"):
    """Five panels: within-SS, silhouette, Calinski-Harabasz, Davies-Bouldin, gap statistic.

    Parameters
    ----------
    selection : KSelection
        :func:`edubalance.analysis.clustering.models.choose_k`.
    ax : sequence of five matplotlib Axes, optional
        Where to draw (a new 1 x 5 figure when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
        The first panel; the other four follow it in ``ax.figure.axes``.

    Raises
    ------
    ValueError
        When ``ax`` holds other than five Axes.
    """
    import matplotlib.pyplot as plt

    table = selection.table
    panels = [("total_within_ss", "cluster.k.elbow"), ("silhouette", "label.silhouette"),
              ("calinski_harabasz", "label.calinski_harabasz"),
              ("davies_bouldin", "label.davies_bouldin"), ("gap", "cluster.k.gap")]
    if ax is None:
        _fig, ax = plt.subplots(1, len(panels), figsize=(16, 3.6))
    axes = np.ravel(ax)
    if axes.size != len(panels):
        raise ValueError(f"plot_k_selection needs {len(panels)} Axes, got {axes.size}")
    fig = axes[0].figure
    for panel, (column, key) in zip(axes, panels, strict=True):
        if column == "gap":
            panel.errorbar(table["k"], table["gap"], yerr=table["gap_se"], marker="o", capsize=3)
        else:
            panel.plot(table["k"], table[column], marker="o")
        panel.axvline(selection.recommended_k, color="0.5", linestyle="--", linewidth=1)
        panel.set_title(text(key, lang), fontsize=10)
        panel.set_xlabel("k")
        panel.set_xticks(table["k"])
    fig.suptitle(text("cluster.k.title", lang, k=selection.recommended_k), fontsize=11)
    fig.tight_layout()
    return axes[0]


def plot_pca_biplot(prepared, labels, names=None, max_names: int = 60, *, ax=None,
                    lang: str = "zh", label_size: float | None = 8):
    """Units on the first two principal components, coloured by cluster, with loadings.

    The legend sits outside the data (to the right); names and loadings' labels are placed
    apart (:func:`edubalance.report.plotting.repel_labels`), so no two overlap. The slides'
    biplot is this figure in projector sizes (:func:`edubalance.report.slides.plot_slide_biplot`).

    Parameters
    ----------
    prepared : PreparedFeatures
        :func:`edubalance.analysis.clustering.data.prepare_features` (its z-scores).
    labels : array-like of int
        Cluster of each unit (``ClusterFit.labels``).
    names : sequence of str, optional
        The units' names as shown (default: ``prepared.ids``).
    max_names : int
        Units are named only up to this many.
    ax : matplotlib Axes, optional
        Where to draw (a new 10 x 7 inch figure when None).
    lang : {"zh", "en"}
        Language of the labels.
    label_size : float, optional
        Font size of the names, the loadings' labels and the legend in points (None: the
        style's sizes, as on slides).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..plotting import PALETTE, repel_labels

    scores, loadings, explained = pca_biplot_data(prepared.standardized)
    labels = np.asarray(labels, dtype=int)
    names = list(prepared.ids if names is None else names)
    ax = _axes(ax, figsize=(10, 7))
    size = {} if label_size is None else {"fontsize": label_size}
    for c in np.unique(labels):
        rows = labels == c
        ax.scatter(scores[rows, 0], scores[rows, 1], s=30, color=PALETTE[c % len(PALETTE)],
                   label=cluster_name(c, lang), alpha=0.85)
    texts = []
    if len(names) <= max_names:
        texts += [ax.annotate(str(name), (x, y), xytext=(3, 3), textcoords="offset points",
                              parse_math=False, **size)
                  for (x, y), name in zip(scores[:, :2], names, strict=True)]
    reach = np.abs(scores[:, :2]).max() / max(np.abs(loadings[:, :2]).max(), 1e-12) * 0.7
    for (lx, ly), feature in zip(loadings[:, :2], prepared.features, strict=True):
        ax.arrow(0, 0, lx * reach, ly * reach, color="0.35", width=0.003,
                 head_width=0.06, length_includes_head=True)
        texts.append(ax.annotate(_short(feature_label(feature, lang)), (lx * reach, ly * reach),
                                 xytext=(0, 0), textcoords="offset points", color="0.25",
                                 ha="center", va="center", **size))
    ax.set_xlabel(text("cluster.pca.axis", lang, n=1, share=f"{explained[0]:.0%}"))
    ax.set_ylabel(text("cluster.pca.axis", lang, n=2, share=f"{explained[1]:.0%}")
                  if explained.size > 1 else "PC2")
    ax.set_title(text("cluster.pca.title", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **size)
    ax.margins(0.08)
    ax.figure.tight_layout()
    repel_labels(texts, ax, points=scores[:, :2])   # no two labels overlap
    return ax


def _pca_biplot_figure(prepared, labels, names=None, max_names: int = 60, *,
                       lang: str = "zh"):
    """The former ``plot_pca_biplot`` (``analysis.clustering.models``): the Figure."""
    return plot_pca_biplot(prepared, labels, names, max_names, lang=lang).figure


def plot_profile_heatmap(profiles: pd.DataFrame, *, ax=None, lang: str = "zh"):
    """Heatmap of z (cluster mean vs overall mean, in overall sd) per cluster and feature.

    Parameters
    ----------
    profiles : DataFrame
        ``cluster, size, feature, z`` (:func:`edubalance.analysis.clustering.models.cluster_profiles`).
    ax : matplotlib Axes, optional
        Where to draw (a new figure sized to the table when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
        The heat map (the colour bar is the figure's other Axes).
    """
    import seaborn as sns

    grid = profiles.pivot(index="cluster", columns="feature", values="z")
    grid = grid[list(dict.fromkeys(profiles["feature"]))]
    sizes = profiles.groupby("cluster")["size"].first()
    grid.index = [f"{cluster_name(c, lang)} (n={int(sizes[c])})" for c in grid.index]
    grid.columns = [_short(feature_label(f, lang)) for f in grid.columns]
    ax = _axes(ax, figsize=(1.1 * grid.shape[1] + 3, 0.6 * grid.shape[0] + 2.5))
    limit = max(1.0, float(np.nanmax(np.abs(grid.to_numpy()))))
    sns.heatmap(grid, ax=ax, cmap="RdBu_r", center=0, vmin=-limit, vmax=limit, annot=True,
                fmt=".1f", cbar_kws={"label": text("cluster.profile.colorbar", lang)})
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=35)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    ax.set_title(text("cluster.profile.title", lang))
    ax.figure.tight_layout()
    return ax


def plot_stability(stability, *, ax=None, lang: str = "zh"):
    """Mean bootstrap Jaccard per cluster with its sd, and Hennig's 0.6 / 0.75 guide lines.

    Parameters
    ----------
    stability : Stability
        :func:`edubalance.analysis.clustering.models.bootstrap_stability`.
    ax : matplotlib Axes, optional
        Where to draw (a new figure, wider with more clusters, when None).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    table = stability.per_cluster
    ax = _axes(ax, figsize=(max(4.5, 0.9 * len(table) + 2.5), 3.6))
    ax.bar(cluster_names(table["cluster"], lang), table["jaccard_mean"],
           yerr=table["jaccard_sd"], capsize=3, color="#1b6ca8")
    for level, key in ((0.6, "cluster.stability.unstable"), (0.75, "cluster.stability.stable")):
        ax.axhline(level, color="0.5", linestyle="--", linewidth=1)
        ax.text(1.01, level, text(key, lang), fontsize=8, ha="left", va="center",
                transform=ax.get_yaxis_transform())
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("")
    ax.set_ylabel(text("label.jaccard_mean", lang))
    ax.set_title(text("cluster.stability.title", lang, n=stability.n_bootstrap,
                      ari=f"{stability.ari_mean:.2f}"))
    ax.figure.tight_layout()
    return ax
