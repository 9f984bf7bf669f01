"""edubalance.report.markup: the one escaping path, and the one builder of headings, paragraphs
and list items of the reports (html_block)."""
from __future__ import annotations

import pytest

from edubalance.report import county_report, story, verdict
from edubalance.report.markup import html_block, html_heading

HOSTILE = '<img src=x onerror="alert(1)">'


def test_html_block_escapes_words_class_and_mark():
    assert html_block("p", HOSTILE) == \
        "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>"
    assert html_block("li", "ok", "eb-passed", mark="✓") == \
        '<li class="eb-passed"><span class="eb-mark">✓</span> ok</li>'
    assert html_block("p", "x", 'a" onclick="y') == '<p class="a&quot; onclick=&quot;y">x</p>'
    with pytest.raises(ValueError, match="tag"):
        html_block("script", "x")


def test_one_heading_helper_for_the_county_report_and_the_research_notebooks():
    assert county_report.html_heading is html_heading
    assert html_heading("a<b", 3) == '<h3 class="eb-section">a&lt;b</h3>'
    assert story.heading("progress.h_shares", "en").data == html_heading(
        "Share of counties passing, year by year")


def test_the_evidence_box_is_built_from_escaped_blocks():
    evidence = [
        {"item": "score", "text": "政府工作<得分>", "kind": "at_least", "value": 80.0,
         "limit": 85.0, "status": "failed", "unit": "分"},
        {"item": "plan", "text": "规划", "kind": "yes", "value": 1, "limit": None,
         "status": "passed", "unit": ""},
        {"item": "survey", "text": "满意度<调查>", "kind": "at_least", "value": None,
         "limit": 85.0, "status": "not_assessed", "unit": "%"}]
    page = verdict.evidence_html({"evidence": evidence}, "zh")
    assert page.startswith('<div class="eb-evidence"><p class="eb-label">')
    assert '<li class="eb-failed"><span class="eb-mark">✗</span> 政府工作&lt;得分&gt;' in page
    assert '<p class="eb-passed"><span class="eb-mark">✓</span> ' in page
    assert '<p class="eb-missing"><span class="eb-mark">？</span> ' in page
    assert "满意度&lt;调查&gt;" in page and "<得分>" not in page and "<调查>" not in page
