"""The explorer's widget logic, without a browser: change a widget, check the figure data."""
import json
import re
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from demo import DEMO_EXPLORER, demo_job
from edubalance.report.explore import ALL_PREFECTURES, FIGURES, Explorer
from edubalance.report.plotting import missing_glyphs_as_errors
from helpers import execute_failing_notebook


@pytest.fixture(scope="module")
def schools(sample_dir):
    return pd.read_csv(sample_dir / "schools.csv",
                       dtype={"county_code": str, "school_id": str})


@pytest.fixture
def explorer(schools):
    return Explorer(schools, standard="basic-2012", county="灵武市", year=2017)


def _school(code, name, year, number, *, primary=300, junior=0, books=6000, prefecture="甲市"):
    school_type = "primary" if junior == 0 else ("junior" if primary == 0 else "nine_year")
    return dict(county_code=code, county_name=name, prefecture=prefecture, year=year,
                school_id=f"{code}-{number}", school_name=f"{name}第{number}学校",
                school_type=school_type, urban_rural="rural", students_primary=primary,
                students_junior=junior, classes_primary=primary // 40, classes_junior=junior // 45,
                teachers=30, teachers_above_degree=20, teachers_mid_title=12, teachers_backbone=4,
                teachers_pe_arts=3, teaching_area_m2=1800.0, sports_area_m2=3000.0,
                equipment_value_cny=900000.0, computers=40, multimedia_classrooms=8, books=books)


@pytest.fixture
def small():
    """County 1 (甲市) has both levels in 2016-2017; county 2 (乙市) only primary and only 2017."""
    rows = [_school("1", "甲县", year, n, primary=p, junior=j, books=b)
            for year in (2016, 2017)
            for n, p, j, b in ((1, 300, 0, 6000), (2, 200, 0, 2000), (3, 0, 400, 8000))]
    rows += [_school("2", "乙县", 2017, n, primary=p, books=b, prefecture="乙市")
             for n, p, b in ((1, 100, 1000), (2, 500, 9000))]
    return pd.DataFrame(rows)


def test_defaults_and_views_have_the_selected_data(explorer, schools):
    assert (explorer.county.value, explorer.year.value, explorer.level.value) == \
        ("640181", 2017, "primary")
    assert explorer.prefecture.value == "银川市"  # the county's prefecture
    table = explorer.schools_against_threshold()
    raw = schools[(schools["county_name"] == "灵武市") & (schools["year"] == 2017)
                  & (schools["students_primary"] > 0)]
    assert set(table["school_id"]) == set(raw["school_id"])
    assert table["value"].is_monotonic_increasing
    assert explorer.message == ""


def test_indicator_change_changes_school_values(explorer, schools):
    before = explorer.schools_against_threshold()
    explorer.indicator.value = "books_per_student"
    after = explorer.schools_against_threshold()
    assert not np.allclose(np.sort(before["value"]), np.sort(after["value"]))
    # Independent value: books / pupils of the plain primary schools, from the raw file.
    raw = schools[(schools["county_name"] == "灵武市") & (schools["year"] == 2017)
                  & (schools["school_type"] == "primary")]
    expected = (raw["books"] / raw["students_primary"]).set_axis(raw["school_id"])
    got = after.set_index("school_id")["value"].reindex(expected.index)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_county_comparison_cv_is_the_official_weighted_cv(explorer):
    explorer.indicator.value = "books_per_student"
    explorer.year.value = 2013
    schools = explorer.schools_against_threshold()
    comparison = explorer.county_comparison()
    mine = comparison[comparison["selected"]]
    assert mine["county_name"].tolist() == ["灵武市"] and len(comparison) == 22
    expected = eb.core.disparity.weighted_cv(schools["value"], schools["students"])
    assert mine["cv"].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert comparison["rank"].tolist() == list(range(1, 23))  # sorted, 1 = most even
    trend = explorer.cv_over_years().set_index("year")
    assert list(trend.index) == list(range(2010, 2018))
    assert trend.loc[2013, "cv"] == pytest.approx(expected, rel=1e-9)


def test_year_and_level_change_the_figure_data(explorer):
    first = explorer.county_comparison()["cv"].to_numpy()
    explorer.year.value = 2012
    assert not np.allclose(np.sort(first), np.sort(explorer.county_comparison()["cv"]))
    distribution = explorer.province_distribution()
    explorer.level.value = "junior"
    junior = explorer.province_distribution()
    assert len(junior) != len(distribution)
    assert explorer.schools_against_threshold()["students"].gt(0).all()
    assert explorer.to_dict()["level"] == "junior"


def test_county_options_follow_the_prefecture(explorer, schools):
    explorer.prefecture.value = "石嘴山市"
    labels = [label for label, _code in explorer.county.options]
    assert sorted(name.split(" ")[0] for name in labels) == sorted(["大武口区", "惠农区", "平罗县"])
    assert explorer.county.value in {code for _label, code in explorer.county.options}
    assert set(explorer.province_distribution()["prefecture"]) == {"石嘴山市"}
    assert explorer.schools_against_threshold()["school_id"].str.startswith(
        explorer.county.value).all()
    explorer.prefecture.value = ALL_PREFECTURES
    assert len(explorer.county.options) == 22
    assert explorer.province_distribution()["prefecture"].nunique() == 5


def test_standard_change_switches_indicators_and_thresholds(explorer):
    explorer.indicator.value = "books_per_student"
    explorer.standard.value = "quality-2017"
    names = [name for _label, name in explorer.indicator.options]
    assert names == eb.core.standards.load_standard("quality-2017").item_names
    assert explorer.indicator.value == names[0]  # books are not an item of quality-2017
    explorer.indicator.value = "teaching_area_per_student"  # an item of both standards
    table = explorer.schools_against_threshold()
    assert (table["threshold"] == 4.5).all()
    np.testing.assert_array_equal(table["met"].astype(bool), table["value"] >= 4.5)
    explorer.standard.value = "basic-2012"
    assert explorer.indicator.value == "teaching_area_per_student"  # kept: still an item
    assert explorer.schools_against_threshold()["threshold"].isna().all()


def test_scoring_is_cached_and_widget_changes_are_fast(schools, monkeypatch):
    calls = []
    real = eb.core.scoring.score
    monkeypatch.setattr(eb.core.scoring, "score", lambda s, std, evidence=None: calls.append(std) or real(s, std, evidence=evidence))
    explorer = Explorer(schools, county="640202")
    explorer.standard.value = "quality-2017"
    explorer.standard.value = "basic-2012"
    explorer.standard.value = "quality-2017"
    assert calls == ["basic-2012", "quality-2017"]
    changes = [(explorer.year, 2011), (explorer.level, "junior"), (explorer.prefecture, "固原市"),
               (explorer.county, "640425"), (explorer.indicator, "sports_area_per_student"),
               (explorer.standard, "basic-2012")]
    for widget, value in changes:
        # CPU time of this process, not wall time: on a shared two-core machine (five test
        # runs at once) a 0.2 s change took 0.55 s of wall time waiting for a core.
        start = time.process_time()
        widget.value = value
        assert time.process_time() - start < 0.5, f"{widget.description} -> {value} too slow"
    assert len(calls) == 2


def test_invalid_combinations_give_a_message_not_an_error(small):
    explorer = Explorer(small, standard="basic-2012", county="乙县", level="junior",
                        prefecture=ALL_PREFECTURES)
    assert list(explorer.year.options) == [2017]  # years follow the county
    assert explorer.message == "乙县：2017 年没有初中学校"
    assert explorer.schools_against_threshold().empty
    assert explorer.figure("schools") is None
    assert "乙县" not in set(explorer.county_comparison()["county_name"])
    summary = explorer.to_dict()
    assert summary["n_schools"] == 0 and summary["cv"] is None
    explorer.county.value = "1"  # has junior schools: the message goes away
    assert explorer.message == "" and len(explorer.schools_against_threshold()) == 1
    explorer.year.value = 2016
    explorer.county.value = "2"  # no 2016 data: the year moves to one the county has
    assert explorer.year.value == 2017


def test_small_frame_values_by_hand(small):
    explorer = Explorer(small, county="甲县", year=2017, indicator="books_per_student")
    assert explorer.schools_against_threshold()["value"].tolist() == [10.0, 20.0]
    # Enrolment-weighted CV by hand: mean = (200*10 + 300*20)/500 = 16,
    # variance = (200*36 + 300*16)/500 = 24, CV = sqrt(24)/16.
    assert explorer.to_dict()["cv"] == pytest.approx(np.sqrt(24) / 16, rel=1e-12)
    # 乙县: books per pupil 10 (100 pupils) and 18 (500): mean 50/3, variance 80/9.
    comparison = explorer.county_comparison()
    assert comparison["county_name"].tolist() == ["乙县", "甲县"]  # most even first
    assert comparison["cv"].iloc[0] == pytest.approx(np.sqrt(80 / 9) / (50 / 3), rel=1e-12)


def test_bad_arguments_are_named(small):
    with pytest.raises(ValueError, match="unknown county '丙县'"):
        Explorer(small, county="丙县")
    with pytest.raises(ValueError, match="unknown standard"):
        Explorer(small, standard="basic-1999")
    with pytest.raises(ValueError, match="years present"):
        Explorer(small, county="乙县", year=2016)
    with pytest.raises(ValueError, match="not an item of quality-2017"):
        Explorer(small, standard="quality-2017", indicator="books_per_student")
    with pytest.raises(ValueError, match="unknown level"):
        Explorer(small, level="senior")
    with pytest.raises(ValueError, match="unknown prefecture"):
        Explorer(small, prefecture="丙市")
    with pytest.raises(ValueError, match="lacks column"):
        Explorer(small.drop(columns="year"))


def test_without_prefecture_column(small):
    explorer = Explorer(small.drop(columns="prefecture"))
    assert explorer.prefecture.disabled and explorer.prefecture.value == ALL_PREFECTURES
    assert len(explorer.prefecture.options) == 1
    assert len(explorer.county.options) == 2
    assert explorer.province_distribution()["prefecture"].isna().all()


def test_figures_render_chinese_and_view_holds_the_widgets(explorer, tmp_path, monkeypatch):
    explorer.standard.value = "quality-2017"
    figures = explorer.figures()
    assert sorted(figures) == sorted(FIGURES)
    with missing_glyphs_as_errors():
        for fig in figures.values():
            fig.canvas.draw()  # every text drawn with the style's fonts: no missing glyph
    schools_ax = figures["schools"].axes[0]
    assert "灵武市" in schools_ax.get_title()
    n_schools = len(explorer.schools_against_threshold())
    assert len(schools_ax.patches) == n_schools
    comparison_ticks = [t.get_text() for t in figures["comparison"].axes[0].get_yticklabels()]
    assert comparison_ticks == explorer.county_comparison()["county_name"].tolist()
    plt.close("all")
    # The view's widgets, not its figures (drawn above): not drawn a second time.
    monkeypatch.setattr(Explorer, "figure", lambda self, name: None)
    view = explorer.view()
    controls = view.children[0]
    found = {w for box in controls.children for w in box.children}
    assert {explorer.standard, explorer.prefecture, explorer.county, explorer.level,
            explorer.year, explorer.indicator} <= found
    plt.close("all")


# --------------------------------------------------------------------------- the notebook

@pytest.mark.notebooks
def test_explorer_notebook_writes_the_default_view(demo_reports, schools):
    # Executed once for the suite, by `edubalance batch` in the demo reports (demo.py), with
    # DEMO_EXPLORER: quality-2017, 西吉县, 2016, primary, teaching_area_per_student.
    out, entry = demo_job(demo_reports, "explorer", DEMO_EXPLORER["county"])
    assert DEMO_EXPLORER == {"standard": "quality-2017", "county": "西吉县", "year": 2016,
                             "level": "primary", "indicator": "teaching_area_per_student"}
    summary = eb.run.notebook.read_summary(out)
    assert (summary["county"], summary["year"], summary["level"]) == ("西吉县", 2016, "primary")
    assert summary["threshold"] == 4.5 and summary["cv_limit"] == 0.5
    for name in FIGURES:
        assert (out / f"explorer_{name}.png").stat().st_size > 10_000
        assert not (out / f"explorer_{name}.svg").exists()  # SVG only on request
    table = pd.read_csv(out / "schools.csv", dtype={"school_id": str}, encoding="utf-8-sig")
    assert summary["n_schools"] == len(table)
    assert summary["schools_meeting_threshold"] == int((table["value"] >= 4.5).sum())
    assert summary["cv"] == pytest.approx(
        eb.core.disparity.weighted_cv(table["value"], table["students"]), rel=1e-6)
    # Plain primary schools: value = floor area / pupils, straight from the raw file.
    raw = schools[(schools["county_name"] == "西吉县") & (schools["year"] == 2016)
                  & (schools["school_type"] == "primary")]
    got = table.set_index("school_id").loc[raw["school_id"], "value"].to_numpy()
    np.testing.assert_allclose(got, raw["teaching_area_m2"] / raw["students_primary"], rtol=1e-9)
    comparison = pd.read_csv(out / "county_comparison.csv", encoding="utf-8-sig")
    assert len(comparison) == 22 and comparison["selected"].sum() == 1
    assert len(pd.read_csv(out / "cv_over_years.csv", encoding="utf-8-sig")) == 8
    # A batch job's report is static: no live view drawn into output widgets nobody can run
    # (their state added half a megabyte of figures to the page); the page says where to
    # open the explorer instead.
    executed = json.loads((demo_reports / entry["notebook_output"]).read_text(encoding="utf-8"))
    state = executed["metadata"].get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    assert [model["state"].get("outputs") for model in state.values()
            if model["model_name"] == "OutputModel" and model["state"].get("outputs")] == []
    page = (demo_reports / entry["report"]).read_text(encoding="utf-8")
    assert eb.report.i18n.text("explorer.fallback", "zh") in page


@pytest.mark.notebooks
def test_explorer_notebook_rejects_a_bad_level(tmp_path):
    error, written = execute_failing_notebook("explorer", tmp_path, level="senior")
    assert "unknown level" in error
    assert written == []  # nothing half-made left in output_dir


def test_live_view_redraws_only_changed_figures(explorer, monkeypatch):
    # Which figures are drawn again is what is checked here, not the drawing (the tests above
    # and below draw every figure): the figure calls are counted and draw nothing (a figure
    # with no data), ~1 CPU-s a redraw of four figures.
    drawn = []

    def counting(self, name):
        drawn.append(name)

    monkeypatch.setattr(Explorer, "figure", counting)
    explorer.view()
    assert sorted(drawn) == sorted(FIGURES)
    drawn.clear()
    explorer.year.value = 2015  # the county's CV over the years does not depend on the year
    assert sorted(drawn) == ["comparison", "distribution", "schools"]
    drawn.clear()
    explorer.indicator.value = "books_per_student"
    assert sorted(drawn) == sorted(FIGURES)
    plt.close("all")


def test_displaying_the_explorer_shows_the_widget(small):
    bundle = Explorer(small)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("交互式浏览")
    assert Explorer(small, lang="en")._repr_mimebundle_()["text/plain"].startswith(
        "Interactive explorer")
    plt.close("all")


# --------------------------------------------------------------------------- language, safety

def test_controls_and_figures_follow_lang_without_snake_case(small):
    for lang in ("zh", "en"):
        explorer = Explorer(small, standard="quality-2017", county="甲县", year=2017, lang=lang)
        labels = [label for label, _name in explorer.indicator.options]
        assert labels and all("_" not in label for label in labels), labels
        assert labels[0] == eb.report.i18n.label("above_degree_teachers_per_100_students", lang)
        assert explorer.county.description == eb.report.i18n.text("explorer.control.county", lang)
        figures = explorer.figures()
        texts = [t.get_text() for fig in figures.values() for ax in fig.axes
                 for t in [ax.title, ax.xaxis.label, ax.yaxis.label]]
        legends = [t.get_text() for fig in figures.values() for ax in fig.axes
                   if ax.get_legend() for t in ax.get_legend().get_texts()]
        assert not [t for t in texts + legends if re.search(r"[a-z]_[a-z]", t)], texts + legends
        has_cjk = any(re.search(r"[\u4e00-\u9fff]", t) for t in texts if "县" not in t)
        assert has_cjk == (lang == "zh"), texts
        plt.close("all")


def test_legends_sit_beside_the_data(explorer):
    explorer.standard.value = "quality-2017"
    for name in ("schools", "trend"):
        fig = explorer.figure(name)
        fig.canvas.draw()
        ax = fig.axes[0]
        legend, plot = ax.get_legend().get_window_extent(), ax.get_window_extent()
        assert legend.x0 >= plot.x1 - 1 or legend.y1 <= plot.y0 + 1, name
    plt.close("all")


def test_school_table_escapes_names_and_shows_integers(small):
    hostile = small.copy()
    hostile.loc[hostile["county_name"] == "甲县", "school_name"] = \
        '<img src=x onerror="window.__pwned=1">'
    explorer = Explorer(hostile, standard="quality-2017", county="1", year=2017, lang="zh")
    html = explorer.schools_table().to_html()
    assert "<img" not in html and "&lt;img src=x" in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert "300" in cells and "300.0" not in cells  # pupils as integers
    assert "乡村" in cells and "rural" not in cells  # coded values in words
    assert "row_heading" not in html  # no row index
    plt.close("all")


def test_in_voila_follows_the_kernel_environment(monkeypatch):
    for key in ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_PREHEAT"):
        monkeypatch.delenv(key, raising=False)
    assert not eb.report.explore.in_voila()
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    assert eb.report.explore.in_voila()


def test_with_evidence_the_explorer_counts_the_official_verdict_and_says_so():
    from paths import SAMPLE_DIR

    schools = eb.data.load_schools(SAMPLE_DIR / "schools.csv")
    plain = Explorer(schools, "basic-2012", county="大武口区", year=2017)
    official = Explorer(schools, "basic-2012", county="大武口区", year=2017,
                        evidence=eb.evidence.load(SAMPLE_DIR / "counties.csv"))
    assert (plain.counted, official.counted) == ("school_data", "official")
    assert plain.cv_over_years().set_index("year").loc[2017, "county_verdict"] == "incomplete"
    assert official.cv_over_years().set_index("year").loc[2017, "county_verdict"] in ("pass", "fail")


def test_chinese_level_and_standard_names_are_accepted():
    from paths import SAMPLE_DIR

    schools = eb.data.load_schools(SAMPLE_DIR / "schools.csv")
    chinese = Explorer(schools, "优质均衡", county="大武口区", year=2017, level="初中")
    assert (chinese.standard.value, chinese.level.value) == ("quality-2017", "junior")
    with pytest.raises(ValueError, match="did you mean quality-2017"):
        Explorer(schools, "quality-2018")


def test_every_standard_is_offered_under_its_name_not_its_id():
    # A projector audience reads 宁夏评估（2010）, not ningxia-2010 (issue 26).
    from edubalance.core.standards import available_standards
    from edubalance.report.explore import _standard_label

    for lang in ("zh", "en"):
        for name in available_standards():
            assert _standard_label(name, lang) != name, (name, lang)
    assert _standard_label("ningxia-2010", "zh") == "宁夏评估（2010）"


def test_the_explanation_follows_the_chosen_standard():
    import edubalance as eb

    schools = eb.io.load.load_schools("data/sample/schools.csv")
    schools = schools[schools["county_name"].isin(["大武口区", "灵武市"])]
    explorer = eb.report.explore.Explorer(schools, standard="basic-2012", county="大武口区",
                                          year=2017)
    assert "基本均衡" in explorer.note.value and "0.65" in explorer.note.value
    explorer.standard.value = "quality-2017"
    assert "优质均衡" in explorer.note.value and "基本均衡" not in explorer.note.value
    explorer.standard.value = "ningxia-2010"
    assert "宁夏" in explorer.note.value


def test_figures_are_shown_at_their_size_one_a_row_on_a_1024_screen(explorer, monkeypatch):
    """At 1024x768 two figures side by side were shown at 60 % (school names 9 px): each
    figure is 640 px wide, shown at that size, and takes a row of its own below 2 x 560 px."""
    import io

    from PIL import Image

    from edubalance.report.explore import FIGURE_MIN_WIDTH_PX
    from edubalance.report.plotting import SMALLEST_FONT_KEY

    explorer.standard.value = "quality-2017"
    for name, fig in explorer.figures().items():
        image = explorer.figure_image(fig)
        with Image.open(io.BytesIO(image.data)) as png:
            width = png.size[0]
            points = float(png.info[SMALLEST_FONT_KEY])
        assert image.width == width <= 2 * FIGURE_MIN_WIDTH_PX - 200, name
        # Shown at 100 px an inch: the smallest text (school names included) >= 12 px.
        assert points * 100 / 72 >= 12, (name, points)
        assert width >= 0.8 * 640, name
    plt.close("all")
    # The view's layout, not its figures (drawn above): not drawn a second time.
    monkeypatch.setattr(Explorer, "figure", lambda self, name: None)
    view = explorer.view()
    figures = view.children[3]
    assert [child.layout.flex for child in figures.children] == \
        [f"1 1 {FIGURE_MIN_WIDTH_PX}px"] * 4
    assert figures.layout.flex_flow == "row wrap"
    # One row of the explorer's controls fits 1024 px (less the page's margins).
    for row in view.children[0].children:
        widths = sum(int(str(w.layout.width).removesuffix("px")) for w in row.children)
        assert widths + 10 * len(row.children) <= 960, row
    plt.close("all")


def _html_is_inert(html: str, where: str) -> str:
    """The text of ``html`` after checking, as a browser would parse it, that it holds no
    script, no event-handler attribute and no ``javascript:`` link or frame."""
    from html.parser import HTMLParser

    class Check(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            assert tag not in ("script", "iframe", "img", "svg", "math", "details", "body"), \
                (where, tag)
            for name, value in attrs:
                assert not name.lower().startswith("on"), (where, tag, name)
                assert not (value or "").strip().lower().startswith("javascript:"), (where, value)

        def handle_data(self, data):
            self.text.append(data)

    check = Check()
    check.feed(html)
    check.close()
    return "".join(check.text)


def test_hostile_names_stay_text_in_the_explorers_widgets(tmp_path, sample_dir):
    """What the Voila check (tests/browser/test_hostile_names.py, slow tier) sees in the
    page, at the widgets' level: the county dropdown offers the hostile county names as its
    labels (ipywidgets shows labels as text), and the school table, the status and every HTML
    widget of the view hold no markup of a name - the names are there as text (escaped, not
    dropped), for the default county (hostile school names) and for a county whose own name
    is hostile."""
    import ipywidgets as widgets

    from hostile_names import HOSTILE_NAMES, KEEP, hostile_sample

    data = hostile_sample(sample_dir, tmp_path / "hostile")
    frame = pd.read_csv(data / "schools.csv", dtype={"county_code": str, "school_id": str})
    explorer = Explorer(frame, standard="quality-2017", county=KEEP, lang="zh")
    explorer.figure = lambda name: None  # the figures are checked by the tests above

    def html_widgets(widget):
        if isinstance(widget, widgets.HTML):
            yield widget
        for child in getattr(widget, "children", ()):
            yield from html_widgets(child)

    def check(where: str) -> str:
        for widget in html_widgets(explorer.view()):
            _html_is_inert(widget.value, f"{where}: {widget.value[:40]}")
        return _html_is_inert(explorer.schools_table().to_html(), f"{where}: school table")

    shown = check("default county")
    assert all(name in shown for name in HOSTILE_NAMES), shown[:500]
    explorer.prefecture.value = ALL_PREFECTURES
    labels = [label for label, _code in explorer.county.options]
    hostile = [next(label for label in labels if label.startswith(name)) for name in HOSTILE_NAMES]
    explorer.county.value = dict(explorer.county.options)[hostile[0]]
    shown = check("hostile county")
    assert all(name in shown for name in HOSTILE_NAMES), shown[:500]
    assert KEEP not in shown
    plt.close("all")
