"""``report_png`` draws a figure laid out beforehand once, with the same pixels as before."""
from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine, TightLayoutEngine
from PIL import Image

import edubalance as eb
from edubalance.report import plotting


@pytest.fixture(scope="module")
def scored():
    schools = eb.io.load.load_schools("data/sample/schools.csv")
    return eb.core.scoring.score(schools[schools["year"] == 2017], "basic-2012")


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def counting_draws(monkeypatch) -> list:
    calls = []
    real = Figure.draw

    def draw(self, renderer):
        calls.append(renderer)
        return real(self, renderer)

    monkeypatch.setattr(Figure, "draw", draw)
    return calls


def test_comparison_figure_is_drawn_once_with_the_same_pixels(scored, tmp_path, monkeypatch):
    plotting.use_style()
    fig = eb.report.county_report.comparison_figure(scored, "640202", 2017)
    assert isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine)
    # before: savefig with the placeholder engine, which lays the figure out once more
    buffer = io.BytesIO()
    with matplotlib.rc_context({"savefig.bbox": "standard"}):
        fig.savefig(buffer, format="png", dpi=plotting.REPORT_DPI)
    before = pixels(buffer.getvalue())
    draws = counting_draws(monkeypatch)
    data = plotting.report_png(fig, tmp_path, "comparison", close=False)
    assert len(draws) == 1
    after = pixels(data)
    assert after.shape == before.shape
    # the palette PNG quantises colours; the same drawing quantises to the same image
    assert np.array_equal(after, pixels(plotting._palette_png(buffer.getvalue())))
    assert isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine)   # given back
    matplotlib.pyplot.close(fig)


def test_a_figure_with_a_real_layout_engine_is_still_laid_out(tmp_path, monkeypatch):
    fig, ax = matplotlib.pyplot.subplots(figsize=(3, 2), layout="tight")
    ax.set_ylabel("一个很长的纵轴标签")
    draws = counting_draws(monkeypatch)
    plotting.report_png(fig, tmp_path, "tight", close=False)
    assert len(draws) == 2   # the layout pass, then the drawing
    assert isinstance(fig.get_layout_engine(), TightLayoutEngine)
    matplotlib.pyplot.close(fig)


def test_comparison_titles_are_placed_once_with_the_same_pixels(scored, tmp_path, monkeypatch):
    # The titles no longer look for their place at every draw (matplotlib measured every y
    # tick label for it); the figure is drawn with the same pixels as with that search.
    plotting.use_style()
    fig = eb.report.county_report.comparison_figure(scored, "640202", 2017)
    assert [ax._autotitlepos for ax in fig.axes[:2]] == [False, False]
    placed = plotting.report_png(fig, tmp_path, "placed")
    monkeypatch.setattr(eb.report.county_report, "_titles_in_place", lambda panels: None)
    searched = eb.report.county_report.comparison_figure(scored, "640202", 2017)
    assert not any(ax._autotitlepos is False for ax in searched.axes)
    assert np.array_equal(pixels(placed), pixels(plotting.report_png(searched, tmp_path, "auto")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_drawn_by_a_kept_renderer_have_the_pixels_of_a_new_one(scored, tmp_path, lang):
    # report_png draws with a renderer kept per figure size (text sizes and layouts remembered
    # from the figures before); every county's figure has the pixels of a fresh renderer's.
    plotting.use_style()
    # three counties: the second and third are drawn from what the first left in the caches
    codes = sorted(scored.counties["county_code"].astype(str).unique())[:3]
    assert len(codes) == 3
    for code in codes:
        fig = eb.report.county_report.comparison_figure(scored, code, 2017, lang=lang)
        buffer = io.BytesIO()
        with matplotlib.rc_context({"savefig.bbox": "standard"}):
            fig.savefig(buffer, format="png", dpi=plotting.REPORT_DPI)   # a new renderer
        canvas = fig.canvas
        data = plotting.report_png(fig, tmp_path, f"c{code}", close=False)
        assert fig.canvas is canvas   # the figure's own canvas given back
        assert np.array_equal(pixels(data), pixels(plotting._palette_png(buffer.getvalue())))
        matplotlib.pyplot.close(fig)


def test_figures_of_one_size_share_a_renderer_and_its_text_caches():
    def renderer_of(fig):
        with plotting._shared_renderer(fig):
            return fig.canvas.get_renderer()

    first, second = (matplotlib.pyplot.figure(figsize=(4, 3)) for _ in range(2))
    other = matplotlib.pyplot.figure(figsize=(5, 3))
    try:
        kept = renderer_of(first)
        assert renderer_of(second) is kept
        assert renderer_of(other) is not kept
        assert (kept.width, kept.height) == (400, 300)
        first.text(0.5, 0.5, "大武口区 2017")
        with plotting._shared_renderer(first):
            first.canvas.draw()
        if plotting._text_caching_renderer() is not matplotlib.backends.backend_agg.RendererAgg:
            assert any(key[0] == "大武口区 2017" for key in kept._eb_layouts)
    finally:
        for fig in (first, second, other):
            matplotlib.pyplot.close(fig)


def test_kept_glyph_bitmaps_draw_the_pixels_of_a_new_renderer_at_any_angle_and_offset():
    # Glyph bitmaps are kept per position within the pixel: text whose repeated glyphs fall
    # at fractional positions, rotated, not antialiased, in three sizes, drawn again and again
    # by the kept renderer (from kept bitmaps) has the pixels a new renderer draws.
    plotting.use_style()

    def figure(shift):
        fig = Figure(figsize=(4, 3), dpi=100)
        for number, (angle, size) in enumerate([(0, 9), (90, 9), (33, 12), (0, 7.3)]):
            fig.text(0.1 + 0.2 * number + shift, 0.3 + 0.013 * number + shift,
                     "大大大 0000 gggg 2017", rotation=angle, fontsize=size)
        fig.text(0.05 + shift, 0.9, "Sans 0.123", antialiased=False)
        for number, words in enumerate(["中", "中中 1", "g 0.05", "大武口区 (2017)"]):
            fig.text(0.5 + shift, 0.05 + 0.06 * number, words, ha="center", fontsize=8.7)
        return fig

    def rgba(fig, kept: bool) -> bytes:
        buffer = io.BytesIO()
        with plotting._shared_renderer(fig) if kept else contextlib.nullcontext():
            fig.savefig(buffer, format="rgba", dpi=100)
        return buffer.getvalue()

    import contextlib

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for shift in (0.0, 0.00137, 0.0031, 0.0, 0.00137):
        fresh, kept = figure(shift), figure(shift)
        FigureCanvasAgg(fresh)
        FigureCanvasAgg(kept)
        assert rgba(kept, True) == rgba(fresh, False)
