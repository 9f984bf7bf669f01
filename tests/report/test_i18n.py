"""edubalance.report.i18n: the one message catalogue and the one label function."""
from __future__ import annotations

import pytest

from edubalance.report import explore, i18n, slides, verdict


def test_label_searches_the_prefixes_in_order_then_falls_back():
    assert i18n.label("members", prefixes=("slides.col", "label")) == i18n.text("slides.col.members")
    assert i18n.label("county_name", prefixes=("slides.col", "label")) == i18n.label("county_name")
    assert i18n.label("nowhere", prefixes=("slides.col", "label")) == "nowhere"
    assert i18n.label("nowhere", fallback="别处") == "别处"
    assert i18n.label("books_per_student", "en", unit=False) == \
        i18n.strip_unit(i18n.label("books_per_student", "en"))
    with pytest.raises(ValueError):
        i18n.label("teachers", "fr")


@pytest.mark.parametrize(("shown", "bare"), [
    ("生均图书册数（册）", "生均图书册数"), ("books (volumes)", "books"),
    ("计算机 (台/百生)", "计算机"), ("人均GDP", "人均GDP"), ("（册）在前", "（册）在前"),
    ("a (b) (c)", "a (b)")])
def test_one_unit_stripping_rule(shown, bare):
    assert i18n.strip_unit(shown) == bare


def test_the_other_label_helpers_are_the_one_label_function():
    for lang in i18n.LANGS:
        assert slides.column_label("members", lang) == i18n.label(
            "members", lang, prefixes=("slides.col", "label"))
        assert explore._standard_label("quality-2017", lang) == i18n.text(
            "slides.standard.quality-2017", lang)
    assert explore._standard_label("no-such-standard", "en") == "no-such-standard"
    assert not hasattr(verdict, "_lookup")


def test_item_name_falls_back_to_the_standards_label_without_its_unit():
    class Item:
        name = "not_in_the_catalogue"
        label_zh = "某指标 (m²)"

    assert verdict.item_name(Item()) == "某指标"


def test_the_explorers_coded_values_are_labels_and_missing_is_the_dash():
    assert explore._value_label("school_type", "primary", "zh") == i18n.text(
        "slides.school_type.primary", "zh")
    assert explore._value_label("urban_rural", "elsewhere", "en") == "elsewhere"
    assert explore._value_label("urban_rural", None, "en") == "—"
    assert explore._value_label("urban_rural", float("nan"), "zh") == "—"
