"""edubalance.report.story: the research notebooks' text (headings, paragraphs, tables) from the
one message catalogue, with names escaped."""
from __future__ import annotations

import pandas as pd

from edubalance.report import i18n, story


def test_a_heading_is_the_catalogue_text_escaped_at_its_level():
    key = "explorer.control.county"
    html = story.heading(key, "en", level=3).data
    assert html.startswith("<h3") and html.rstrip().endswith("</h3>")
    assert i18n.text(key, "en") in html
    assert i18n.text(key, "zh") in story.heading(key).data


def test_a_paragraph_is_markdown_with_its_values_escaped():
    shown = story.paragraph("event.note_dropped_years", "en", years="2009 *bold*").data
    assert "2009" in shown and "*bold*" not in shown


def test_a_table_shows_its_kinds_columns_labelled_missing_as_a_dash_names_escaped():
    frame = pd.DataFrame({"county_name": ["甲县", "<b>乙</b>"], "cv": [0.41234, None],
                          "hidden": [1, 2]})
    table = story.table(frame, {"county_name": "text", "cv": "num2"},
                        "explorer.control.county", "en")
    shown = table.display_frame()
    assert shown.columns.tolist() == [i18n.label("county_name", "en"), i18n.label("cv", "en")]
    assert shown.iloc[:, 1].tolist() == ["0.41", "—"]
    assert table.caption == i18n.text("explorer.control.county", "en")
    page = table.to_html()
    assert "<b>乙</b>" not in page and "&lt;b&gt;乙&lt;/b&gt;" in page
