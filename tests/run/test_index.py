"""edubalance.run.index: the index page of a report folder (escaped, grouped, linked, sortable offline, in both languages) and its headline figures."""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

import edubalance as eb
from edubalance.run import index
from edubalance.run.index import _param_label
from helpers import Links


def test_headline_figures():
    summary = {"county": "灵武市", "year": 2017, "standard": "basic-2012", "levels": {
        "primary": {"composite_cv": 0.412, "passed": False, "failed_rules": ["cv"]},
        "junior": {"composite_cv": None, "passed": True}}}
    assert index.headline_figures(summary) == [
        ("primary composite_cv", 0.412), ("primary passed", False),
        ("junior composite_cv", None), ("junior passed", True)]
    generic = {"k": 3, "method": "ward", "profile": {"a": 1}, "silhouette": 0.5,
               "total_within_ss": 10.0, "extra": "not shown"}
    assert [name for name, _ in index.headline_figures(generic)] == [
        "k", "method", "silhouette", "total_within_ss"]
    assert index.headline_figures(None) == []


def make_reports(folder: Path) -> Path:
    jobs = []
    for stem, county, status in [("county_scoring", "<b>大武口区</b>", "ok"),
                                 ("county_scoring", "\"&' 灵武市", "failed"),
                                 ("county_clustering", None, "skipped")]:
        slug = f"job{len(jobs)}"
        job_folder = folder / stem / slug
        job_folder.mkdir(parents=True)
        (job_folder / f"{stem}.html").write_text("<html></html>")
        summary = None
        if status != "failed":
            summary = f"{stem}/{slug}/summary.json"
            levels = {"primary": {"composite_cv": 0.61234, "passed": False}}
            (folder / summary).write_text(json.dumps(
                {"levels": levels} if county else {"k": 4, "silhouette": 0.3}))
        parameters = {"year": 2017, **({"county": county} if county else {})}
        jobs.append({"notebook": f"notebooks/{stem}.ipynb", "notebook_stem": stem,
                     "slug": slug, "parameters": parameters, "status": status,
                     "seconds": 2.5, "error": "ValueError: <img src=x onerror=alert(1)>"
                     if status == "failed" else None, "folder": f"{stem}/{slug}",
                     "report": f"{stem}/{slug}/{stem}.html",
                     "notebook_output": f"{stem}/{slug}/{stem}.ipynb",  # missing: no link
                     "summary": summary})
    (folder / "manifest.json").write_text(json.dumps({"jobs": jobs}, ensure_ascii=False))
    (folder / "presentation").mkdir()
    (folder / "presentation.slides.html").write_text("<html></html>")
    (folder / "presentation" / "extra report.html").write_text("<html></html>")
    return folder


def _visible_text(page: str) -> str:
    body = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_index_page_escapes_groups_and_links_existing_files(tmp_path):
    page = index.write_index(make_reports(tmp_path)).read_text(encoding="utf-8")
    assert "<b>大武口区</b>" not in page and "&lt;b&gt;大武口区&lt;/b&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#34;&amp;&#39; 灵武市" in page  # Jinja2 autoescape
    # Chinese by default: headings, verdict badges, one number format.
    assert '<html lang="zh-CN">' in page and "报告索引" in page
    assert page.index('<h2 title="county_scoring">县域均衡评估</h2>') < page.index(
        '<h2 title="county_clustering">县域聚类</h2>')
    assert '<span class="badge fail">小学 未通过</span>' in page
    assert "小学 综合差异系数: <b>0.612</b>" in page and "轮廓系数: <b>0.300</b>" in page
    assert ">2.5<" in page  # seconds
    visible = _visible_text(page)
    for word in ("NaN", "None", "True", "False", "null", "e+0"):
        assert word not in visible, word
    # Sortable and filterable offline: inline script, nothing loaded.
    assert 'class="filter"' in page and "aria-sort" in page
    assert not re.search(r"<script\b[^>]*\bsrc|<link\b", page)
    parser = Links()
    parser.feed(page)
    targets = [unquote(href) for href in parser.hrefs]
    assert "presentation.slides.html" in targets and "presentation/extra report.html" in targets
    assert not any(t.endswith(".ipynb") for t in targets)  # missing files are not linked
    assert sum(t.endswith("summary.json") for t in targets) == 2
    for target in targets:
        assert (tmp_path / target).is_file(), target


def test_index_page_in_english(tmp_path):
    page = index.write_index(make_reports(tmp_path), lang="en").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h1>Balanced compulsory education - reports</h1>" in page
    assert '<span class="badge fail">primary not passed</span>' in page
    assert "primary composite CV: <b>0.612</b>" in page
    assert "报告" not in _visible_text(page).replace("大武口区", "").replace("灵武市", "")


def test_index_number_format():
    from edubalance.run.index import format_number

    assert [format_number(v) for v in (1234567, 0.61234, 2.0, None, float("nan"), 1e-7)] == [
        "1,234,567", "0.612", "2.000", "—", "—", "0.000"]


def test_index_cli(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    index.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["index", str(make_reports(tmp_path)), "--lang", "en"])
    assert args.func(args) == 0
    assert (tmp_path / "index.html").is_file()
    with pytest.raises(FileNotFoundError):
        index.write_index(tmp_path / "missing")


def _eventually(check, seconds: float = 15.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the page did not get there in time"
        time.sleep(0.05)


@pytest.mark.browser
def test_index_sorts_and_filters_in_a_browser(tmp_path, browser):
    page_path = index.write_index(make_reports(tmp_path))
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_path.as_uri())
    table = page.locator("table#jobs-1")
    rows = table.locator("tbody tr:visible")
    # Each check is retried for a while: a loaded machine may be slow to run the page's script.
    _eventually(lambda: rows.count() == 2)
    page.locator("input[data-table=jobs-1]").fill("灵武")
    _eventually(lambda: rows.count() == 1)
    assert "灵武市" in rows.inner_text()
    page.locator("input[data-table=jobs-1]").fill("")
    _eventually(lambda: rows.count() == 2)
    header = table.locator("thead th").first
    header.click()
    _eventually(lambda: header.get_attribute("aria-sort") == "ascending")
    first = table.locator("tbody tr").first.inner_text()
    header.click()
    _eventually(lambda: header.get_attribute("aria-sort") == "descending")
    assert table.locator("tbody tr").first.inner_text() != first
    assert not errors, errors
    page.close()


def test_index_columns_are_the_labels_of_the_varying_parameters(tmp_path):
    # Several jobs of one notebook differing in one parameter: that parameter is the column,
    # its values shown by their labels; years are not given thousands separators.
    folder = tmp_path / "reports"
    jobs = []
    for outcome in ("mean_exam_score", "progression_rate_pct"):
        job_folder = folder / "outcome_regression" / outcome
        job_folder.mkdir(parents=True)
        (job_folder / "summary.json").write_text(json.dumps({"year": 2017, "nobs": 286}))
        jobs.append({"notebook": "notebooks/outcome_regression.ipynb",
                     "notebook_stem": "outcome_regression", "slug": outcome,
                     "parameters": {"data_path": "data/sample/counties.csv", "outcome": outcome},
                     "status": "ok", "seconds": 1.0, "error": None,
                     "folder": f"outcome_regression/{outcome}",
                     "summary": f"outcome_regression/{outcome}/summary.json"})
    (folder / "manifest.json").write_text(json.dumps({"jobs": jobs}, ensure_ascii=False))
    page = index.write_index(folder).read_text(encoding="utf-8")
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert headers[0] == _param_label("outcome", "zh"), headers  # the varying parameter
    assert all(len(h) > 1 for h in headers), headers
    assert eb.report.i18n.label("mean_exam_score") in page and ">mean_exam_score<" not in page
    assert "<b>2017</b>" in page and "2,017" not in page


def test_index_names_ids_in_chinese_and_puts_county_assessments_first(tmp_path):
    # A projector audience reads 基本均衡 and 小学, not basic-2012 and primary; the county
    # assessments come before the research notebooks, whatever order the manifest has.
    folder = tmp_path / "reports"
    folder.mkdir()
    jobs = []
    for stem, parameters in (("assessment_effect", {"outcome": "retention_rate"}),
                             ("county_clustering", {"method": "kmeans"}),
                             ("county_clustering", {"method": "ward"}),
                             ("county_scoring", {"county": "灵武市", "standard": "basic-2012"}),
                             ("county_scoring", {"county": "灵武市", "standard": "quality-2017"})):
        slug = "-".join(str(v) for v in parameters.values())
        jobs.append({"notebook": f"notebooks/{stem}.ipynb", "notebook_stem": stem, "slug": slug,
                     "parameters": parameters, "status": "ok", "seconds": 1.0, "error": None,
                     "folder": f"{stem}/{slug}"})
    (folder / "manifest.json").write_text(json.dumps({"jobs": jobs}, ensure_ascii=False))
    page = index.write_index(folder).read_text(encoding="utf-8")
    visible = _visible_text(page)
    for raw, shown in (("basic-2012", "基本均衡"), ("quality-2017", "优质均衡"),
                       ("kmeans", "K均值聚类"), ("ward", "Ward层次聚类")):
        assert shown in visible and f">{raw}<" not in page, raw
    titles = re.findall(r'<h2 title="([^"]+)">', page)
    assert titles == ["county_scoring", "county_clustering", "assessment_effect"]
    english = index.write_index(folder, lang="en").read_text(encoding="utf-8")
    assert "basic balance" in _visible_text(english)


def test_index_shows_no_composite_cv_where_the_standard_has_none(tmp_path):
    folder = tmp_path / "reports"
    job_folder = folder / "county_scoring" / "q"
    job_folder.mkdir(parents=True)
    (job_folder / "summary.json").write_text(json.dumps(
        {"levels": {"primary": {"composite_cv": None, "passed": False}}}))
    jobs = [{"notebook": "notebooks/county_scoring.ipynb", "notebook_stem": "county_scoring",
             "slug": "q", "parameters": {"county": "甲县", "standard": "quality-2017"},
             "status": "ok", "seconds": 1.0, "error": None, "folder": "county_scoring/q",
             "summary": "county_scoring/q/summary.json"}]
    (folder / "manifest.json").write_text(json.dumps({"jobs": jobs}, ensure_ascii=False))
    page = index.write_index(folder).read_text(encoding="utf-8")
    assert "综合差异系数" not in _visible_text(page) and "小学 未通过" in page


def test_index_badges_follow_the_official_verdict(tmp_path):
    """Issue 25: a level whose school data pass but whose evidence is missing is 待定 on the
    index, not 通过."""
    from edubalance.run.index import _badges

    summary = {"levels": {"primary": {"passed": True, "verdict": "incomplete"},
                          "junior": {"passed": True, "verdict": "pass"},
                          "senior": {"passed": False}}}
    kinds = [(b["kind"], b["text"]) for b in _badges(summary, "zh")]
    assert kinds[0] == ("open", "小学 待定") and kinds[1][0] == "pass" and kinds[2][0] == "fail"


def test_index_badges_say_passed_only_when_every_rule_was_judged():
    from edubalance.run.index import _badges

    judged = {"assumed": [], "approximated": [],
              "levels": {"primary": {"passed": True, "verdict": "pass", "not_assessed": []}}}
    assert _badges(judged, "zh")[0]["text"] == "小学 通过"
    for reserve in ({"assumed": ["provincial_running_standard"]},
                    {"approximated": ["teachers_split"]}):
        badge = _badges({**judged, **reserve}, "zh")[0]
        assert badge == {"kind": "pass", "text": "小学 按现有材料达标"}
    open_rule = {"levels": {"primary": {"passed": True, "verdict": "pass",
                                        "not_assessed": ["class_size"]}}}
    assert _badges(open_rule, "en")[0]["text"].endswith("met as far as judged")


def test_the_index_template_is_compiled_once_and_again_when_its_file_changes(tmp_path,
                                                                             monkeypatch):
    import shutil

    from edubalance.run import index

    assert index._index_template() is index._index_template()
    copy = tmp_path / "templates"
    shutil.copytree(index.TEMPLATES, copy)
    monkeypatch.setattr(index, "TEMPLATES", copy)
    index._environment.cache_clear()
    try:
        first = index._index_template()
        assert index._index_template() is first
        page = copy / index.TEMPLATE
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<!-- x --></body>"),
                        encoding="utf-8")
        import os
        os.utime(page, (os.stat(page).st_atime + 5, os.stat(page).st_mtime + 5))
        assert index._index_template() is not first
        assert "<!-- x -->" in index.render_index(tmp_path, [], lang="en")
    finally:
        index._environment.cache_clear()
