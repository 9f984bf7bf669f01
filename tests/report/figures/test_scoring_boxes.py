"""The comparison figure's boxes, drawn as a few collections, are matplotlib's boxplot."""
from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import edubalance as eb
from edubalance.report.figures import scoring as figures


def boxplot(ax, groups, positions, *, width):
    ax.boxplot(groups, positions=positions, orientation="horizontal", widths=width,
               showfliers=True)


def png(fig) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches=None)
    plt.close(fig)
    return np.asarray(Image.open(buffer).convert("RGB"))


def drawn(draw, groups) -> tuple[np.ndarray, tuple]:
    fig, ax = plt.subplots(figsize=(5, 3))
    draw(ax, groups, np.arange(len(groups)), width=0.5)
    ax.scatter([0.3] * len(groups), np.arange(len(groups)), zorder=3)
    limits = (ax.get_xlim(), ax.get_ylim())
    return png(fig), limits


@pytest.fixture(autouse=True)
def style():
    with matplotlib.rc_context():
        eb.report.plotting.use_style()
        yield


GROUPS = {
    "spread with fliers": [np.r_[np.linspace(0.1, 0.3, 20), 0.9, 0.02],
                           np.array([0.2, 0.25, 0.3]), np.array([0.4])],
    "a group without values": [np.array([0.1, 0.2, 0.5]), np.array([]), np.array([0.3, 0.35])],
}


@pytest.mark.parametrize("name", list(GROUPS))
def test_boxes_are_the_boxplot_pixel_for_pixel(name):
    before, before_limits = drawn(boxplot, GROUPS[name])
    after, after_limits = drawn(figures._horizontal_boxes, GROUPS[name])
    assert after_limits == before_limits
    assert np.array_equal(after, before)


@pytest.mark.parametrize("standard", ["basic-2012", "quality-2017"])
def test_the_comparison_figure_is_the_same_with_few_artists(standard, monkeypatch):
    schools = eb.io.load.load_schools("data/sample/schools.csv")
    result = eb.core.scoring.score(schools[schools["year"] == 2017], standard)
    fig = eb.report.county_report.comparison_figure(result, "640202", 2017)
    assert all(len(ax.lines) + len(ax.collections) <= 7 for ax in fig.axes)
    after = png(fig)
    monkeypatch.setattr(figures, "_horizontal_boxes", boxplot)
    before = png(eb.report.county_report.comparison_figure(result, "640202", 2017))
    assert np.array_equal(after, before)
