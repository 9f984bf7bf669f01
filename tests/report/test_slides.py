"""Offline reveal.js slides (edubalance.report.slides export and CLI) and the slide building blocks."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from edubalance.report import slides as eb_slides
from edubalance.report.i18n import text

FIXTURES = Path(__file__).resolve().parents[1] / "support" / "fixtures"
REMOTE = re.compile(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", re.I)
REMOTE_IMPORT = re.compile(r"import[^;\n]*[\"'](https?:)?//")
HOSTILE = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>",
           "[详情](javascript:alert(1))", '"><svg onload=alert(1)>']


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slides")
    return eb_slides.export_slides(FIXTURES / "toy_job.ipynb", folder / "reports")


def test_slides_are_offline_reveal(slides):
    assert slides["slides"].name == "toy_job.slides.html"
    page = slides["slides"].read_text(encoding="utf-8")
    assert not REMOTE.search(page) and not REMOTE_IMPORT.search(page)
    assert "Reveal.initialize" in page and ".reveal .slides" in page  # JS and CSS inlined
    assert "edubalance-inline-reveal" not in page  # every placeholder link was replaced
    assert "check_notebook_parameters" not in page and "county demo: value 1.0" in page
    html = slides["html"].read_text(encoding="utf-8")
    assert "check_notebook_parameters" not in html and "county demo: value 1.0" in html
    assert (slides["notebook"].parent / "summary.json").is_file()  # output_dir was set


@pytest.mark.browser
def test_slides_render_in_a_browser_without_network(slides, browser):
    # Every request off the local file is refused (and recorded): reveal.js still starts.
    # (Chromium's --dump-dom with a virtual time budget, used before, sometimes never returned.)
    from tests.browser.test_reports import Visit

    visit = Visit(browser, slides["slides"])
    visit.page.wait_for_selector(".reveal.ready", timeout=30_000)
    visit.check_clean()  # no network request, no script error
    visit.page.close()


def test_slides_cli_is_registered_with_lang(monkeypatch, tmp_path, capsys):
    from edubalance import cli
    from edubalance.run import index

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    eb_slides.register_cli(sub)
    index.register_cli(sub)  # the index command beside slides; the two don't clash
    calls = []
    monkeypatch.setattr(eb_slides, "export_slides", lambda nb, out, parameters=None: calls.append(
        (nb, out, parameters)) or {"slides": Path(out) / "a.slides.html", "html": Path(out)})
    args = parser.parse_args(["slides", "nb.ipynb", "--output", str(tmp_path), "--lang", "en"])
    assert args.func(args) == 0
    assert calls == [("nb.ipynb", str(tmp_path), {"lang": "en"})]
    assert "report.slides" in cli.CLI_MODULES
    with pytest.raises(SystemExit):
        parser.parse_args(["slides", "nb.ipynb", "--lang", "fr"])


# --------------------------------------------------------------------------- tables

def test_table_escapes_every_cell_header_and_caption():
    frame = pd.DataFrame({"county_name": HOSTILE, "members": HOSTILE[::-1],
                          HOSTILE[0]: [1, 2, 3, 4]})
    html = eb_slides.table(frame, caption=HOSTILE[1]).to_html()
    assert "<img" not in html and "<script>" not in html and "<svg" not in html
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in html
    assert "<caption>&lt;script&gt;" in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    # MathJax (JupyterLab, Voila) skips the table: "$...$" in a name is not typeset as TeX.
    assert re.search(r'<table [^>]*class="[^"]*\btex2jax_ignore\b[^"]*\bmathjax_ignore\b', html)


def test_plain_text_keeps_names_out_of_mathtext():
    fig, ax = plt.subplots()
    ax.set_yticks([0], labels=[eb_slides.plain_text(r"$\foo$ x")])
    ax.set_title(eb_slides.plain_text("a$b$c"))
    fig.canvas.draw()  # without the escape: ValueError (Unknown symbol: \foo)
    assert ax.get_yticklabels()[0].get_text() == r"\$\foo\$ x"
    plt.close(fig)


def test_table_formats_for_people():
    frame = pd.DataFrame({"year": [2016, 2017], "counties_passed": [21.0, np.nan],
                          "amount": [1234567.891, 2.5], "met": [True, False],
                          "share_meeting": [0.5, 0.125], "cv": [0.41234, 0.5]})
    styler = eb_slides.table(frame, lang="zh", decimals={"cv": 3})
    html = styler.to_html()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["2016", "21", "1,234,567.89", "是", "50%", "0.412",
                     "2017", "—", "2.50", "否", "12%", "0.500"]
    assert "row_heading" not in html  # no row index
    headers = re.findall(r'<th [^>]*class="col_heading[^>]*>([^<]*)</th>', html)
    assert headers == ["年份", "达标县数（个）", "所需数量", "是否达标", "达标学校比例", "差异系数"]
    english = eb_slides.table(frame[["met"]], lang="en").to_html()
    assert ">yes<" in english and ">no<" in english


def test_column_labels_have_no_snake_case_for_shown_variables():
    for name in ("spending_per_student_kcny", "gdp_per_capita_kcny", "urbanisation_pct",
                 "teachers_per_100_students", "mean_exam_score", "multimedia_classrooms_per_100_students",
                 "members", "profile", "estimate", "amount", "resource"):
        for lang in ("zh", "en"):
            shown = eb_slides.column_label(name, lang)
            assert "_" not in shown, (name, lang, shown)


def test_say_escapes_values_not_the_catalogue_text():
    markdown = eb_slides.say("slides.failures.note", "zh", year=2017,
                             counties="[详情](javascript:alert(1))").data
    assert "](javascript:" not in markdown and "**" in markdown


def test_legend_sits_outside_the_data():
    fig, ax = plt.subplots()
    ax.plot([2016, 2017], [3, 4], label="a")
    ax.plot([2016, 2017], [1, 2], label="b")
    eb_slides.legend_outside(ax)
    fig.canvas.draw()
    legend, plot = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= plot.x1 - 1
    eb_slides.legend_outside(ax, where="below")
    fig.canvas.draw()
    assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0 + 1
    plt.close(fig)


def test_regression_reading_matches_the_coefficient():
    from types import SimpleNamespace

    coefficients = pd.DataFrame({"term": ["gdp_per_capita_kcny"], "estimate": [-1.234],
                                 "ci_low": [-2.0], "ci_high": [-0.5], "p_value": [0.0234]})
    result = SimpleNamespace(coefficients=coefficients, outcome="mean_exam_score",
                             inputs=["gdp_per_capita_kcny"])
    english = eb_slides.regression_reading(result, "en")
    assert "lower mean exam score, by **1.23**" in english and "p = 0.023" in english
    assert "人均GDP" in eb_slides.regression_reading(result, "zh")
    assert text("slides.reading.lower", "zh") in eb_slides.regression_reading(result, "zh")


# --------------------------------------------------------------------------- projector size

@pytest.fixture(scope="module")
def sample_clusters(sample_dir):
    import edubalance as eb

    models = eb.analysis.clustering.models
    counties = eb.io.load.load_counties(sample_dir / "counties.csv")
    prepared = models.prepare_features(models.filter_year(counties, 2017),
                                       models.SAMPLE_RESOURCE_FEATURES, id_column="county_name")
    fit = models.fit_clusters(prepared, 4, "kmeans", 2017)
    return prepared, fit


def _texts_at_least(fig, size: float) -> list[str]:
    from matplotlib.text import Text

    return [f"{t.get_text()!r}: {t.get_fontsize()} pt" for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_fontsize() < size]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_biplot_labels_do_not_overlap_and_are_projector_size(sample_clusters, lang):
    from edubalance.report.plotting import label_boxes, missing_glyphs_as_errors, overlapping_pairs

    prepared, fit = sample_clusters
    with missing_glyphs_as_errors():
        ax = eb_slides.plot_slide_biplot(prepared, fit.labels, lang=lang, height=4.6)
        fig = ax.figure
        fig.canvas.draw()
    labels = [t for t in ax.texts if t.get_text().strip()]
    assert len(labels) == len(prepared.ids) + len(prepared.features)
    boxes = label_boxes(labels)
    pairs = overlapping_pairs(boxes)
    assert len(pairs) == 0, [(labels[i].get_text(), labels[j].get_text()) for i, j in pairs]
    frame = ax.get_window_extent().extents
    assert (boxes[:, :2] >= frame[:2] - 1).all() and (boxes[:, 2:] <= frame[2:] + 1).all()
    assert _texts_at_least(fig, eb_slides.SLIDE_MIN_PT) == []
    shown = {t.get_text() for t in labels}
    if lang == "en":  # county names in pinyin
        assert "Dawukou" in shown and "大武口区" not in shown
    else:
        assert "大武口区" in shown
    plt.close(fig)


def test_repel_separates_labels_piled_on_one_point():
    from edubalance.report.plotting import label_boxes, overlapping_pairs, repel_labels

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter([0, 0.01, 0.02, 1], [0, 0, 0.01, 1])
    texts = [ax.annotate(f"第{i}县", (0.01, 0.0), xytext=(3, 3), textcoords="offset points")
             for i in range(8)]
    fig.canvas.draw()
    assert len(overlapping_pairs(label_boxes(texts))) == 28
    assert repel_labels(texts, ax, points=[[0, 0], [1, 1]]) == 0
    fig.canvas.draw()
    assert len(overlapping_pairs(label_boxes(texts))) == 0
    assert any(line.get_color() == "0.6" for line in ax.lines)  # leaders to the far labels
    plt.close(fig)


def test_rank_figure_puts_at_most_twelve_counties_in_a_panel_at_projector_size():
    frame = pd.DataFrame({"county_name": [f"测试{i}县" for i in range(22)],
                          "composite_cv": np.linspace(0.2, 0.7, 22)})
    fig = eb_slides.rank_figure(frame, "county_name", "composite_cv", "zh", reference=0.65)
    assert [len(ax.get_yticks()) for ax in fig.axes] == [11, 11]
    assert fig.axes[0].get_yticklabels()[0].get_text() == "测试0县"  # most even: top left
    assert _texts_at_least(fig, eb_slides.SLIDE_MIN_PT) == []
    plt.close(fig)
    english = eb_slides.rank_figure(frame.assign(county_name=["大武口区"] * 22),
                                    "county_name", "composite_cv", "en")
    assert english.axes[0].get_yticklabels()[0].get_text() == "Dawukou"
    plt.close(english)


def test_slide_figures_save_their_smallest_text_size(tmp_path):
    from PIL import Image

    from edubalance.report.plotting import SMALLEST_FONT_KEY

    fig, ax = eb_slides.slide_figure()
    ax.plot([1, 2], [3, 4])
    ax.set_title("标题")
    (png,) = eb_slides.show_slide_figure(fig, tmp_path, "tiny")
    with Image.open(png) as image:
        assert float(image.info[SMALLEST_FONT_KEY]) >= eb_slides.SLIDE_MIN_PT
        # Shown at 100 px an inch, 14 pt is 19.4 px in the 960-px slide.
        assert eb_slides.SLIDE_MIN_PT * eb_slides.SLIDE_FIGURE_DPI / 72 * 0.987 >= 18
        assert image.size[0] >= 1.5 * 0.85 * 900
