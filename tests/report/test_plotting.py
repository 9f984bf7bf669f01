"""One figure style with a CJK font: Chinese county and school names render, missing glyphs fail."""
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import edubalance as eb
from edubalance.report import plotting
from edubalance.report.plotting import (
    PALETTE,
    STATUS_COLOURS,
    missing_glyphs_as_errors,
    plot_distribution,
    plot_over_years,
    plot_rank_intervals,
    plot_threshold_bars,
    save_figure,
    use_style,
)
from helpers import imported_by

NINGXIA_COUNTIES = ["大武口区", "灵武市", "青铜峡市", "贺兰县", "利通区", "彭阳县", "永宁县", "平罗县",
                    "中宁县", "兴庆区", "金凤区", "惠农区", "西夏区", "沙坡头区", "红寺堡区", "盐池县",
                    "原州区", "隆德县", "泾源县", "海原县", "同心县", "西吉县"]


@pytest.fixture(autouse=True)
def _style():
    use_style()
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def school_names(sample_dir):
    schools = pd.read_csv(sample_dir / "schools.csv", usecols=["school_name", "county_name"])
    assert set(NINGXIA_COUNTIES) == set(schools["county_name"])  # the sample has all 22
    return sorted(schools["school_name"].unique())


def test_style_uses_bundled_cjk_font():
    assert plt.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert plotting.cjk_font_path().is_file()
    found = matplotlib.font_manager.findfont("Noto Sans CJK SC", fallback_to_default=False)
    # Matplotlib >= 3.10 returns a FontPath (path + face index) instead of a str.
    assert Path(str(getattr(found, "path", found))).resolve() == plotting.cjk_font_path().resolve()


@pytest.mark.parametrize("context", plotting.SEABORN_CONTEXTS)
def test_style_is_seaborns_whitegrid_theme_without_importing_seaborn(context):
    """The kept copy of seaborn's theme (seaborn_theme.json) gives the rc settings
    seaborn.set_theme gives, but for image.cmap (seaborn's "rocket" needs seaborn)."""
    import seaborn as sns

    assert plotting._seaborn_theme()["style"] == plotting._theme_from_seaborn()["style"]
    assert plotting._seaborn_theme()["contexts"] == plotting._theme_from_seaborn()["contexts"]
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
        expected = dict(matplotlib.rcParams)
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(plotting.seaborn_theme_rc(context))
        got = dict(matplotlib.rcParams)
    assert expected["image.cmap"] == "rocket" and got["image.cmap"] == "viridis"
    differ = {key: (expected[key], got[key]) for key in expected
              if key != "image.cmap" and expected[key] != got[key]}
    assert differ == {}
    with pytest.raises(eb.errors.ParameterError, match="context must be one of"):
        plotting.seaborn_theme_rc("slides")


def test_drawing_in_the_project_style_imports_neither_seaborn_nor_scipy():
    code = ("import matplotlib; matplotlib.use('Agg'); import edubalance.report.plotting as p; "
            "p.use_style(); import matplotlib.pyplot as plt; fig, ax = plt.subplots(); "
            "ax.bar(['甲县'], [1]); fig.canvas.draw()")
    assert imported_by(code, ("seaborn", "scipy.stats")) == []


def test_all_county_and_school_names_render_without_missing_glyphs(tmp_path, school_names):
    # Every character used by any school name, so the whole sample vocabulary is checked.
    characters = "".join(sorted(set("".join(school_names))))
    lines = [characters[i:i + 40] for i in range(0, len(characters), 40)]
    fig, ax = plt.subplots(figsize=(10, 8))
    ax.barh(NINGXIA_COUNTIES, np.arange(1, 23))
    ax.set_title("义务教育均衡发展 · 差异系数 (CV) −0.5")
    for row, text in enumerate(lines):
        fig.text(0.01, 0.01 + 0.02 * row, text, fontsize=6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with missing_glyphs_as_errors():
            fig.canvas.draw()
            paths = save_figure(fig, tmp_path, "names")
    assert not [w for w in caught if "missing" in str(w.message)]
    assert [p.name for p in paths] == ["names.png", "names.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths[1].read_text(encoding="utf-8")
    assert "<svg" in svg and "<path" in svg  # text drawn as outlines: no font needed to view


@pytest.mark.parametrize("character", ["\U00010000", "\ue000"])  # Linear B, private use
def test_missing_glyph_raises_so_the_check_can_fail(character):
    # Matplotlib caches text layouts, so each draw uses a string not drawn before.
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # without the context manager: no error
        ax.set_title(f"灵武市 {character} A")
        fig.canvas.draw()
        ax.set_title(f"大武口区 {character} B")
        with missing_glyphs_as_errors(), pytest.raises(UserWarning, match="missing from font"):
            fig.canvas.draw()


def test_save_figure_rejects_paths(tmp_path):
    fig, _ax = plt.subplots()
    with pytest.raises(ValueError, match="plain file name"):
        save_figure(fig, tmp_path, "../escape")
    assert not (tmp_path.parent / "escape.png").exists()


def test_show_figure_saves_then_shows_the_saved_png_at_the_inline_size(tmp_path, monkeypatch):
    """The notebooks' save-and-show: the PNG written (150 dpi) is what is displayed, at the
    width the inline backend would use (100 dpi), and the figure is closed so the backend
    does not draw it again."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_title("大武口区")
    monkeypatch.delenv(plotting.FIGURE_FORMATS_ENV, raising=False)
    paths = plotting.show_figure(fig, tmp_path, "line")
    assert [p.name for p in paths] == ["line.png"]  # SVG only on request
    (image,) = shown
    png = (tmp_path / "line.png").read_bytes()
    assert image.data == png
    saved_width = int.from_bytes(png[16:20], "big")
    assert image.width == round(saved_width * 100 / 150) and 200 < image.width <= 300
    assert not plt.fignum_exists(fig.number)
    with pytest.raises(ValueError, match="plain file name"):
        plotting.show_figure(plt.figure(), tmp_path, "../escape")


def _bar_colours(ax):
    return [to_hex(p.get_facecolor()) for p in ax.patches]


def test_bar_against_threshold_colours_and_order():
    frame = pd.DataFrame({"school": ["甲小学", "乙小学", "丙小学"], "area": [5.0, 4.0, 4.5]})
    ax = plot_threshold_bars(frame, "area", 4.5, "school", highlight="乙小学")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["乙小学", "丙小学", "甲小学"]
    assert [p.get_width() for p in ax.patches] == [4.0, 4.5, 5.0]
    assert _bar_colours(ax) == [STATUS_COLOURS["failed"], STATUS_COLOURS["passed"],
                                STATUS_COLOURS["passed"]]
    assert ax.patches[0].get_linewidth() == 2  # highlighted school
    assert ax.lines[0].get_xdata()[0] == 4.5
    lower = plot_threshold_bars(frame, "area", 4.5, "school", direction="lower")
    assert _bar_colours(lower) == [STATUS_COLOURS["passed"], STATUS_COLOURS["passed"],
                                   STATUS_COLOURS["failed"]]


def test_bar_against_threshold_without_threshold_and_bad_input():
    frame = pd.DataFrame({"school": ["甲", "乙"], "x": [1.0, np.nan]})
    ax = plot_threshold_bars(frame, "x", float("nan"), "school")
    assert len(ax.patches) == 1 and not ax.lines  # NaN dropped, no threshold line
    assert _bar_colours(ax) == [PALETTE[0]]
    with pytest.raises(ValueError, match="lacks column"):
        plot_threshold_bars(frame, "y", 1.0, "school")
    with pytest.raises(ValueError, match="direction"):
        plot_threshold_bars(frame, "x", 1.0, "school", direction="up")


def test_line_over_years_one_line_per_group_and_limit():
    frame = pd.DataFrame({"year": [2017, 2016, 2016, 2017], "cv": [0.5, 0.6, 0.3, 0.2],
                          "series": ["甲", "甲", "乙", "乙"]})
    ax = plot_over_years(frame, "cv", hue="series", limit=0.65)
    data = [np.asarray(line.get_ydata(), dtype=float).tolist() for line in ax.lines]
    assert data[:2] == [[0.6, 0.5], [0.3, 0.2]]  # sorted by year within each group
    assert data[2] == [0.65, 0.65]
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["甲", "乙"]


def test_rank_interval_plot_sorts_and_highlights():
    frame = pd.DataFrame({"county": ["甲县", "乙县", "丙县"], "est": [0.3, 0.1, 0.2],
                          "low": [0.2, 0.0, 0.1], "high": [0.4, 0.2, 0.3]})
    ax = plot_rank_intervals(frame, "county", "est", "low", "high", highlight=["丙县"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["乙县", "丙县", "甲县"]
    colours = [to_hex(c) for c in ax.collections[1].get_facecolors()]
    assert colours == [PALETTE[0], PALETTE[1], PALETTE[0]]
    segments = ax.collections[0].get_segments()
    assert [tuple(s[:, 0]) for s in segments] == [(0.0, 0.2), (0.1, 0.3), (0.2, 0.4)]


def test_distribution_plot_orders_groups_by_median():
    frame = pd.DataFrame({"county": ["甲"] * 3 + ["乙"] * 3 + ["丙"] * 3,
                          "x": [7, 8, 9, 1, 2, 30, 4, 5, 6]})
    ax = plot_distribution(frame, "x", "county", highlight="丙", threshold=5)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["乙", "丙", "甲"]  # medians 2, 5, 8
    faces = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert faces[1] == PALETTE[1] and faces[0] != PALETTE[1]


def test_vector_figures_are_written_on_request(tmp_path, monkeypatch):
    """EDUBALANCE_FIGURE_FORMATS asks every notebook's show_figure (and the county report's
    report_png) for SVG or PDF copies beside the PNG; anything else is refused by name."""
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *objects: None)
    monkeypatch.setenv(plotting.FIGURE_FORMATS_ENV, "png,svg")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("大武口区")
    assert [p.name for p in plotting.show_figure(fig, tmp_path, "a")] == ["a.png", "a.svg"]
    assert "<svg" in (tmp_path / "a.svg").read_text(encoding="utf-8")
    fig, _ = plt.subplots(figsize=(3, 2), layout="tight")
    plotting.report_png(fig, tmp_path, "b")
    assert sorted(p.name for p in tmp_path.glob("b.*")) == ["b.png", "b.svg"]
    for wrong, named in (("png,eps", "unknown: eps"), ("svg", "list png")):
        monkeypatch.setenv(plotting.FIGURE_FORMATS_ENV, wrong)
        with pytest.raises(eb.errors.ParameterError, match=named):
            plotting.figure_formats()
    plt.close("all")


def test_the_cjk_font_is_added_to_matplotlib_once_even_after_a_warm_kernel_reset(monkeypatch):
    # A warm kernel puts this module's top-level names back after each job but keeps
    # matplotlib's font manager: a module flag said "not registered" at every job, and each
    # job added the font again (the list every font lookup scores grew by two entries a job,
    # and matplotlib's font lookups were forgotten).
    from matplotlib import font_manager

    path = str(plotting.cjk_font_path())
    use_style()
    entries = len(font_manager.fontManager.ttflist)
    monkeypatch.setattr(plotting, "_registered", False, raising=False)   # the old flag, reset
    use_style()
    use_style()
    assert len(font_manager.fontManager.ttflist) == entries
    assert any(entry.fname == path for entry in font_manager.fontManager.ttflist)
