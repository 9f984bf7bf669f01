"""The county report's comparison figure: laid out without a layout pass per county (issue 16),
with margins equal to what matplotlib's tight layout gives the same figure, and no word
outside the picture."""
from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

import edubalance as eb  # noqa: E402


@pytest.fixture(scope="module")
def scored():
    schools = eb.io.load.load_schools("data/sample/schools.csv")
    return eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fixed_margins_equal_the_tight_layout_of_the_same_figure(scored, lang):
    import matplotlib.pyplot as plt

    eb.report.plotting.use_style()
    fixed = eb.report.county_report.comparison_figure(scored, "640181", 2017, lang=lang)
    fixed_margins = {k: getattr(fixed.subplotpars, k) for k in ("left", "right", "bottom", "top")}
    tight = eb.report.county_report.comparison_figure(scored, "640181", 2017, lang=lang)
    tight.tight_layout()
    for key, value in fixed_margins.items():
        assert value == pytest.approx(getattr(tight.subplotpars, key), abs=0.015), key
    # Every word of the drawn figure lies inside it.
    fixed.canvas.draw()
    renderer = fixed.canvas.get_renderer()
    box = fixed.bbox
    for ax in fixed.axes:
        words = [ax.title, *ax.get_yticklabels(), *ax.get_xticklabels(),
                 *ax.get_legend().get_texts()]
        for word in words:
            if word.get_text():
                extent = word.get_window_extent(renderer)
                assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, word.get_text()
                assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, word.get_text()
    plt.close("all")


def test_another_county_gets_the_same_margins_and_its_own_points(scored):
    import matplotlib.pyplot as plt

    eb.report.plotting.use_style()
    first = eb.report.county_report.comparison_figure(scored, "640181", 2017)
    second = eb.report.county_report.comparison_figure(scored, "640202", 2017)
    assert first.subplotpars.left == second.subplotpars.left
    mine = scored.cv[(scored.cv["county_code"] == "640202") & (scored.cv["year"] == 2017)
                     & (scored.cv["level"] == "primary")].set_index("indicator")["cv"]
    points = second.axes[0].collections[0].get_offsets()[:, 0]
    expected = [mine[item.name] for item in scored.standard.items]
    assert list(points) == pytest.approx(expected)
    plt.close("all")


def test_table_shading_uses_the_heat_map_colours():
    # The per-school table's cells take the colour the heat map's RdBu scale gives the same
    # percentage (0-200 %, clipped), by matplotlib's own colour-to-hex conversion.
    import numpy as np

    percent = np.linspace(-10, 260, 541)
    styles = eb.report.tables.percent_shading(percent)
    expected = [matplotlib.colors.to_hex(c)
                for c in matplotlib.colormaps["RdBu"](np.clip(percent / 200, 0, 1))]
    assert [s.split(";")[0].removeprefix("background-color: ") for s in styles] == expected
    assert eb.report.tables.percent_shading([float("nan"), float("inf")]) == ["", ""]
