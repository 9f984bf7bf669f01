"""edubalance.report.verdict: the official verdict in words (levels, amounts, evidence items and their values against their limits)."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest

import edubalance as eb
from edubalance.core import evidence as ev
from edubalance.core import scoring
from helpers import county_frame


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


# The overall line: "every rule judged and met" only when nothing was assumed, approximated or
# not assessed; otherwise the line itself says so, in the reader's language.
ALL_JUDGED = {"zh": "均已评估并达到", "en": "was judged and met"}
QUALIFIED = {"zh": "并非每一项都经完整评估", "en": "not everything was judged in full"}
EVIDENCE = {"government_work_score": 90, "satisfaction_pct": 90}


def _overall(page: str) -> str:
    line = re.search(r'<p class="eb-overall">(.*?)</p>', page, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", line))


def _box(frame: pd.DataFrame, evidence: dict, lang: str) -> tuple[dict, str]:
    given = pd.DataFrame({"county_code": "640999", "year": 2017, "item": list(evidence),
                          "value": list(evidence.values())})
    result = scoring.score(frame, "basic-2012", evidence=ev.normalise(given, "basic-2012"))
    report = eb.report.county_report.build(frame, result, "甲县", 2017, lang=lang)
    return report.summary, report.verdict_html


def _schools(school_type: str = "primary") -> pd.DataFrame:
    return county_frame([(school_type, 900, 30, 1.0), (school_type, 880, 30, 1.0),
                         ("junior", 900, 30, 1.0), ("junior", 850, 30, 1.0)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pass_resting_on_an_assumption_says_so_in_the_overall_line(lang):
    summary, page = _box(_schools(), EVIDENCE, lang)   # the precondition is not given: assumed
    assert summary["verdict"] == "pass" and summary["assumed"] == ["provincial_running_standard"]
    line = _overall(page)
    assert QUALIFIED[lang] in line and ALL_JUDGED[lang] not in line
    assert eb.report.i18n.text("report.qualifier.assumed", lang) in line
    assert eb.report.i18n.text("report.qualifier.approximated", lang) not in line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pass_with_every_rule_judged_says_every_rule_was_judged_and_met(lang):
    summary, page = _box(_schools(), {**EVIDENCE, "provincial_running_standard": "是"}, lang)
    assert summary["verdict"] == "pass" and not summary["assumed"] and not summary["approximated"]
    line = _overall(page)
    assert ALL_JUDGED[lang] in line and QUALIFIED[lang] not in line


def test_an_approximation_qualifies_a_pass_too():
    # Teachers of nine-year schools not given per section are split by enrolment.
    summary, page = _box(_schools("nine_year"), {**EVIDENCE, "provincial_running_standard": "是"},
                         "zh")
    assert summary["verdict"] == "pass" and "teachers_split" in summary["approximated"]
    line = _overall(page)
    assert "有数据为近似值" in line and "有内容按假定处理" not in line
    assert ALL_JUDGED["zh"] not in line


def _badges(page: str) -> list[str]:
    return [html.unescape(b) for b in re.findall(r'<span class="eb-badge[^"]*">[^ ]* ([^<]*)</span>',
                                                 page)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_level_badges_say_passed_only_when_every_rule_was_judged(lang):
    passed = eb.report.i18n.text("verdict.passed", lang)
    _, assumed = _box(_schools(), EVIDENCE, lang)
    assert _badges(assumed) and passed not in _badges(assumed)
    assert set(_badges(assumed)) == {eb.report.i18n.text("verdict.passed_qualified", lang)}
    if lang == "zh":
        assert "通过" not in re.sub(r"<[^>]+>", "", assumed.split('<div class="eb-basis">')[0])
    _, judged = _box(_schools(), {**EVIDENCE, "provincial_running_standard": "是"}, lang)
    assert set(_badges(judged)) == {passed}


def test_the_levels_table_and_workbook_say_passed_only_when_every_rule_was_judged():
    frame = _schools()
    tables = {}
    for name, evidence in (("assumed", EVIDENCE),
                           ("judged", {**EVIDENCE, "provincial_running_standard": "是"})):
        given = pd.DataFrame({"county_code": "640999", "year": 2017, "item": list(evidence),
                              "value": list(evidence.values())})
        result = scoring.score(frame, "basic-2012", evidence=ev.normalise(given, "basic-2012"))
        report = eb.report.county_report.build(frame, result, "甲县", 2017, lang="zh")
        tables[name] = report.tables["levels"].frame
    column = eb.report.i18n.text("col.verdict", "zh")
    assert set(tables["assumed"][column]) == {"按现有材料达标"}
    assert set(tables["judged"][column]) == {"通过"}
