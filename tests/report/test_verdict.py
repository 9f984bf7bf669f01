"""edubalance.report.verdict: the official verdict in words (levels, amounts, evidence items and their values against their limits)."""
from __future__ import annotations

import pytest


def test_english_reports_show_english_units_for_evidence():
    from edubalance.report.verdict import evidence_limit, evidence_value

    entry = {"kind": "at_least", "value": 84.9, "limit": 85.0, "unit": "分"}
    assert (evidence_value(entry, "zh"), evidence_limit(entry, "zh")) == ("84.9分", "85分")
    assert (evidence_value(entry, "en"), evidence_limit(entry, "en")) == ("84.9", "85")


def test_level_labels_in_both_languages_from_any_alias():
    from edubalance.report.verdict import level_label

    assert level_label("primary") == level_label("小学") == "小学"
    assert level_label("初中", "en") == level_label("junior", "en") == "junior secondary"


@pytest.mark.parametrize(("amount", "unit", "lang", "shown"), [
    (382000, "元", "zh", ("38.2", "万元")),
    (382001, "元", "zh", ("38.3", "万元")),   # rounded up: never smaller than it takes
    (9999, "元", "zh", ("9,999", "元")),
    (382000.2, "元", "en", ("CNY 382,001", "")),
    (61.2, "m²", "zh", ("62", "平方米")),
    (3.0, "人", "zh", ("3", "人")),
    (1234.0000001, "人", "zh", ("1,234", "人")),  # float noise is not a whole unit more
])
def test_amounts_are_rounded_up_and_yuan_shown_in_wan_from_ten_thousand(amount, unit, lang,
                                                                        shown):
    from edubalance.report.verdict import amount_text

    assert amount_text(amount, unit, lang) == shown
