"""Offline HTML reports, reveal.js slides and the index page."""
from __future__ import annotations

import argparse
import base64
import json
import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from edubalance import report
from helpers import Links

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A 1x1 PNG.
PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2d6a3"
    "a30000000049454e44ae426082")).decode()
REMOTE = re.compile(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", re.I)
REMOTE_IMPORT = re.compile(r"import[^;\n]*[\"'](https?:)?//")




def executed_notebook(path: Path) -> Path:
    """A notebook with outputs as papermill would leave it, built without a kernel."""
    code = nbformat.v4.new_code_cell("SECRET_CODE = compute_the_thing()", execution_count=1)
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="composite CV 0.412\n"),
        nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "fig"}),
    ]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 灵武市 balance report\n\n```mermaid\ngraph TD; A-->B\n```"),
        code,
        nbformat.v4.new_markdown_cell("$x^2$ and a [link](https://example.org)"),
    ])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}
    nbformat.write(notebook, path)
    return path


def test_strip_remote_resources():
    page = ('<head><script src="https://cdn.x/require.js"></script>'
            '<link rel="stylesheet" href="//cdn.x/a.css"><script src="local.js"></script>'
            '<script type="module">import m from "https://cdn.x/m.mjs";</script>'
            '<script>var keep = 1;</script></head>')
    assert report.strip_remote_resources(page) == (
        '<head><script src="local.js"></script><script>var keep = 1;</script></head>')


def test_export_html_has_no_code_embeds_images_and_loads_nothing_remote(tmp_path):
    target = report.export_html(executed_notebook(tmp_path / "nb.ipynb"), tmp_path / "r.html")
    page = target.read_text(encoding="utf-8")
    assert "SECRET_CODE" not in page and "compute_the_thing" not in page
    assert "composite CV 0.412" in page and "灵武市 balance report" in page
    assert f"data:image/png;base64,{PIXEL}" in page
    assert not REMOTE.search(page) and not REMOTE_IMPORT.search(page)
    assert "https://example.org" in page  # links in the text are fine: they load nothing
    with_code = report.export_html(tmp_path / "nb.ipynb", tmp_path / "c.html", no_input=False)
    assert "SECRET_CODE" in with_code.read_text(encoding="utf-8")


def test_headline_figures():
    summary = {"county": "灵武市", "year": 2017, "standard": "basic-2012", "levels": {
        "primary": {"composite_cv": 0.412, "passed": False, "failed_rules": ["cv"]},
        "junior": {"composite_cv": None, "passed": True}}}
    assert report.headline_figures(summary) == [
        ("primary composite_cv", 0.412), ("primary passed", False),
        ("junior composite_cv", None), ("junior passed", True)]
    generic = {"k": 3, "method": "ward", "profile": {"a": 1}, "silhouette": 0.5,
               "total_within_ss": 10.0, "extra": "not shown"}
    assert [name for name, _ in report.headline_figures(generic)] == [
        "k", "method", "silhouette", "total_within_ss"]
    assert report.headline_figures(None) == []


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


def test_index_page_escapes_groups_and_links_existing_files(tmp_path):
    page = report.write_index(make_reports(tmp_path)).read_text(encoding="utf-8")
    assert "<b>大武口区</b>" not in page and "&lt;b&gt;大武口区&lt;/b&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&quot;&amp;&#x27; 灵武市" in page
    assert page.index("<h2>county_scoring</h2>") < page.index("<h2>county_clustering</h2>")
    assert "primary composite_cv: <b>0.6123</b>" in page and "silhouette: <b>0.3</b>" in page
    assert not re.search(r"<(script|link)\b", page)
    parser = Links()
    parser.feed(page)
    targets = [unquote(href) for href in parser.hrefs]
    assert "presentation.slides.html" in targets and "presentation/extra report.html" in targets
    assert not any(t.endswith(".ipynb") for t in targets)  # missing files are not linked
    assert sum(t.endswith("summary.json") for t in targets) == 2
    for target in targets:
        assert (tmp_path / target).is_file(), target


def test_index_cli(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    report.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["index", str(make_reports(tmp_path))])
    assert args.func(args) == 0
    assert (tmp_path / "index.html").is_file()
    with pytest.raises(FileNotFoundError):
        report.write_index(tmp_path / "missing")
