"""edubalance.report.figures.clustering: a clustering's figures, and their former names."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edubalance.analysis.clustering import models as cl
from edubalance.report import plotting
from edubalance.report.figures import clustering as figures
from tests.analysis.clustering.test_models import separated_blobs


@pytest.fixture(scope="module")
def clustered():
    frame = pd.DataFrame(separated_blobs(3, n=30, p=3)[0],
                         columns=["teachers_per_100_students", "books_per_student", "x"])
    frame["county_name"] = [f"县{i}区" for i in range(30)]
    prepared = cl.prepare_features(frame, [], "county_name")
    selection = cl.choose_k(prepared, (2, 4), n_references=3)
    fit = cl.fit_clusters(prepared, 3)
    profiles = cl.cluster_profiles(prepared.original, fit.labels)
    stability = cl.bootstrap_stability(prepared, fit.labels, n_bootstrap=5)
    return prepared, selection, fit, profiles, stability


def test_plots_render_chinese_names(clustered):
    import matplotlib.pyplot as plt

    prepared, selection, fit, profiles, stability = clustered
    plotting.use_style()
    with plotting.missing_glyphs_as_errors():
        first = figures.plot_k_selection(selection)
        biplot = figures.plot_pca_biplot(prepared, fit.labels)
        heatmap = figures.plot_profile_heatmap(profiles)
        bars = figures.plot_stability(stability)
        for ax in (first, biplot, heatmap, bars):
            ax.figure.canvas.draw()
    # Each function returns an Axes (plot_k_selection: the first of its five panels).
    assert len(first.figure.axes) == 5 and first is first.figure.axes[0]
    assert f"推荐 k = {selection.recommended_k}" in first.figure.get_suptitle()
    names = {t.get_text() for t in biplot.texts}
    assert {f"县{i}区" for i in range(30)} <= names
    # Names and loadings' labels are placed apart: no two label boxes overlap.
    assert len(plotting.overlapping_pairs(plotting.label_boxes(biplot.texts))) == 0
    assert [t.get_text() for t in biplot.get_legend().get_texts()] == ["第1类", "第2类", "第3类"]
    assert [t.get_text() for t in bars.get_xticklabels()] == ["第1类", "第2类", "第3类"]
    heat_columns = [t.get_text() for t in heatmap.get_xticklabels()]
    assert "生均图书册数" in heat_columns[1] and "x" in heat_columns
    # The legend sits outside the data area (to the right of the Axes).
    legend_box = biplot.get_legend().get_window_extent()
    assert legend_box.x0 >= biplot.get_window_extent().x1 - 1
    for figure in {first.figure, biplot.figure, heatmap.figure, bars.figure}:
        plt.close(figure)


def test_every_figure_draws_on_given_axes_in_english(clustered):
    import matplotlib.pyplot as plt

    prepared, selection, fit, profiles, stability = clustered
    fig, axes = plt.subplots(2, 4, figsize=(24, 10))
    with plotting.missing_glyphs_as_errors():
        assert figures.plot_k_selection(selection, ax=axes[0, :].tolist() + [axes[1, 0]],
                                        lang="en") is axes[0, 0]
        assert figures.plot_pca_biplot(prepared, fit.labels, ax=axes[1, 1], lang="en") \
            is axes[1, 1]
        assert figures.plot_profile_heatmap(profiles, ax=axes[1, 2], lang="en") is axes[1, 2]
        assert figures.plot_stability(stability, ax=axes[1, 3], lang="en") is axes[1, 3]
        fig.canvas.draw()
    assert axes[1, 3].get_xticklabels()[0].get_text() == "cluster 1"
    assert axes[1, 1].get_legend().get_texts()[0].get_text() == "cluster 1"
    with pytest.raises(ValueError, match="needs 5 Axes"):
        figures.plot_k_selection(selection, ax=axes[0, :])
    plt.close(fig)


def test_slides_biplot_is_the_figure_in_projector_sizes(clustered):
    import matplotlib.pyplot as plt

    from edubalance.report import slides

    prepared, _selection, fit, _profiles, _stability = clustered
    ax = slides.plot_slide_biplot(prepared, fit.labels, lang="zh")
    assert ax.get_title() == "县的分组（主成分双标图）"
    assert "解释方差" in ax.get_xlabel()   # the figure's axis label, not a copy's
    sizes = {t.get_fontsize() for t in ax.texts}
    assert min(sizes) > 8                                # the style's sizes, not the report's
    plt.close(ax.figure)


@pytest.mark.parametrize("name, returns", [
    ("plot_k_selection", np.ndarray), ("pca_biplot", "Axes"), ("plot_pca_biplot", "Figure"),
    ("plot_profile_heatmap", "Axes"), ("plot_stability", "Axes")])
def test_former_names_in_clustering_models_still_work_and_warn(clustered, name, returns):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    prepared, selection, fit, profiles, stability = clustered
    arguments = {"plot_k_selection": (selection,), "pca_biplot": (prepared, fit.labels),
                 "plot_pca_biplot": (prepared, fit.labels), "plot_profile_heatmap": (profiles,),
                 "plot_stability": (stability,)}[name]
    with pytest.warns(DeprecationWarning, match=f"clustering.models.{name} moved"):
        old = getattr(cl, name)
    drawn = old(*arguments)
    # The former names return what they returned: the five panels, an Axes, the Figure.
    expected = {"Axes": Axes, "Figure": Figure}.get(returns, returns)
    assert isinstance(drawn, expected)
    if name == "plot_k_selection":
        assert drawn.size == 5
    plt.close("all")


def test_pca_biplot_is_the_former_name_of_plot_pca_biplot():
    with pytest.warns(DeprecationWarning, match="plot_pca_biplot"):
        assert figures.pca_biplot is figures.plot_pca_biplot
