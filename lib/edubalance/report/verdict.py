"""The verdict box at the top of a county report, and "what it would take" in sentences.

Everything here turns the scoring of one county (``eb.core.scoring.county_summary``) and its gaps
(``eb.core.gaps``) into text a county head reads: per level 通过/未通过, the rules that decide it,
the rules that need other evidence, and the resources to add, with amounts and units
(需新增体育艺术专任教师 12 人、教学仪器设备 38.2 万元). Texts come from the message
catalogue (``messages/report.yaml``); user text (county names) is escaped.

Examples
--------
>>> import pandas as pd
>>> totals = pd.DataFrame({"level": ["primary", "primary"],
...     "resource": ["teachers_pe_arts", "equipment_value_cny"], "unit": ["人", "元"],
...     "amount": [12.0, 382000.0], "schools": [3, 2]})
>>> resource_phrase(totals)
'体育艺术专任教师 12 人、教学仪器设备 38.2 万元'
>>> resource_phrase(totals, lang="en")
'12 PE and arts teachers, CNY 382,000 of teaching equipment'
"""
from __future__ import annotations

import math

import pandas as pd

from .i18n import DEFAULT_LANG, text
from .markup import escape_html

__all__ = ["level_name", "rule_name", "item_name", "amount_text", "resource_phrase",
           "rule_lines", "take_sentences", "verdict_html"]


def level_name(level: str, lang: str = DEFAULT_LANG) -> str:
    """小学 / 初中 (``primary`` / ``junior`` in the catalogue)."""
    return text(f"level.{level}", lang)


def _lookup(prefix: str, name: str, lang: str, fallback: str) -> str:
    try:
        return text(f"{prefix}.{name}", lang)
    except KeyError:
        return fallback


def rule_name(rule, lang: str = DEFAULT_LANG) -> str:
    """The readable name of a standard's rule (its own text when the catalogue has none)."""
    return _lookup("rule", rule.id, lang, rule.text or rule.id)


def item_name(item, lang: str = DEFAULT_LANG) -> str:
    """The readable name of a standard's item, with its unit."""
    return _lookup("item", item.name, lang, (item.label_zh or item.name).split(" (")[0])


def amount_text(amount: float, unit: str, lang: str = DEFAULT_LANG) -> tuple[str, str]:
    """``(number, unit)`` as shown: yuan from 10,000 up in 万元, whole units as integers.

    Examples
    --------
    >>> amount_text(382000, "元"), amount_text(61.2, "m²"), amount_text(3.0, "人")
    (('38.2', '万元'), ('62', '平方米'), ('3', '人'))
    >>> amount_text(382000, "元", lang="en")
    ('CNY 382,000', '')
    """
    amount = float(amount)
    if unit == "元":
        if lang == "en":
            return f"CNY {math.ceil(round(amount, 6)):,}", ""
        if amount >= 10_000:  # up to the next 0.1 万元, as the tables show it
            return f"{math.ceil(round(amount / 1_000, 6)) / 10:,.1f}", text("unit.万元", lang)
    number = f"{math.ceil(round(amount, 6)):,}"
    return number, _lookup("unit", unit, lang, unit)


def resource_phrase(totals: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """``资源 数量 单位`` for each row of a gap-totals table (``resource, unit, amount``)."""
    parts = []
    for resource, unit, amount in totals[["resource", "unit", "amount"]].itertuples(index=False):
        if not amount or not math.isfinite(float(amount)) or float(amount) <= 0:
            continue
        number, shown_unit = amount_text(amount, unit, lang)
        noun = _lookup("resource", resource, lang, resource)
        if lang == "zh":
            parts.append(f"{noun} {number} {shown_unit}".strip())
        else:
            parts.append(" ".join(p for p in (number, shown_unit.strip(), noun) if p))
    return text("report.list_sep", lang).join(parts)


def _limit(rule, level):
    limit = rule.params.get("limit")
    return limit.get(level) if isinstance(limit, dict) else limit


def _fmt(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{float(value):.{digits}f}"


def _detail(rule, level: str, info: dict, context: dict, lang: str) -> str:
    """Why ``rule`` fails for ``level``: numbers from the scoring, words from the catalogue."""
    county_row = context.get("county_rows", {}).get(level, {})
    if rule.kind == "composite_cv":
        if info.get("composite_cv") is None or not math.isfinite(float(info["composite_cv"])):
            return text("report.detail_undefined", lang)
        return text("report.detail_composite", lang, value=_fmt(info["composite_cv"], 3),
                    limit=_fmt(_limit(rule, level), 2))
    if rule.kind == "each_cv":
        over = context.get("cv_over", {}).get(level, [])
        return text("report.detail_each_cv", lang, limit=_fmt(_limit(rule, level), 2),
                    items=text("report.list_sep", lang).join(over) or "—")
    if rule.kind in ("school_thresholds", "school_size", "class_size"):
        n = county_row.get(f"{rule.id}_failing_schools")
        return "" if n is None else text("report.detail_schools", lang, n=int(n))
    if rule.kind == "points":
        return text("report.detail_points", lang, value=_fmt(info.get("score"), 1),
                    limit=f"{context.get('pass_min', 85):g}")
    return ""


def rule_lines(summary: dict, standard, context: dict | None = None,
               lang: str = DEFAULT_LANG) -> dict[str, list[tuple[str, str]]]:
    """Per level, ``(status, sentence)`` for every rule school data decided (passed/failed)."""
    context = context or {}
    lines = {}
    for level, info in summary["levels"].items():
        rows = []
        for rule in standard.rules:
            status = info["rules"].get(rule.id)
            if status == "passed":
                rows.append(("passed", text("report.rule_passed", lang, rule=rule_name(rule, lang))))
            elif status == "failed":
                detail = _detail(rule, level, info, context, lang)
                key = "report.rule_failed" if detail else "report.rule_failed_plain"
                rows.append(("failed", text(key, lang, rule=rule_name(rule, lang), detail=detail)))
        lines[level] = rows
    return lines


def take_sentences(summary: dict, school_totals: pd.DataFrame, plan_counties: pd.DataFrame,
                   plan_totals: pd.DataFrame, lang: str = DEFAULT_LANG,
                   school_counts: dict | None = None) -> dict[str, list[str]]:
    """Per level, what it would take to pass, in sentences with amounts and units.

    ``school_totals`` is ``eb.core.gaps.county_gap_totals(eb.core.gaps.school_gaps(...))`` with a
    ``schools`` column; ``plan_*`` are the ``counties`` and ``totals`` of
    ``eb.core.gaps.cv_upgrade_plan``. All may be empty. ``school_counts`` (level -> number of
    schools needing something) defaults to the largest ``schools`` of a resource.
    """
    out = {}
    for level, info in summary["levels"].items():
        name = level_name(level, lang)
        if info["passed"]:
            out[level] = [text("report.take_none", lang, level=name)]
            continue
        sentences = []
        part = school_totals[school_totals["level"] == level] if len(school_totals) else school_totals
        phrase = resource_phrase(part, lang) if len(part) else ""
        if phrase:
            schools = (school_counts or {}).get(level, int(pd.to_numeric(part["schools"]).max()))
            sentences.append(text("report.take_schools", lang, level=name, items=phrase,
                                  schools=schools))
        plan_row = plan_counties[plan_counties["level"] == level] if len(plan_counties) else plan_counties
        if len(plan_row):
            steps = int(plan_row["steps"].iloc[0])
            if bool(plan_row["reached"].iloc[0]):
                ptotals = plan_totals[plan_totals["level"] == level]
                phrase = resource_phrase(ptotals, lang)
                if phrase:
                    sentences.append(text("report.take_cv", lang, level=name, items=phrase,
                                          steps=steps))
            else:
                sentences.append(text("report.take_cv_unreached", lang, level=name, steps=steps))
        out[level] = sentences or [text("report.take_unknown", lang, level=name)]
    return out


def verdict_html(summary: dict, standard, *, school_totals: pd.DataFrame,
                 plan_counties: pd.DataFrame, plan_totals: pd.DataFrame,
                 context: dict | None = None, missing_levels=(), lang: str = DEFAULT_LANG,
                 school_counts: dict | None = None) -> str:
    """The verdict box (HTML, every piece of text escaped)."""
    county, year = summary["county"], summary["year"]
    standard_title = standard.title_zh if lang == "zh" else standard.title
    overall_key = "report.overall_passed" if summary["passed"] else "report.overall_failed"
    state = "passed" if summary["passed"] else "failed"
    parts = [f'<div class="eb-verdict eb-{state}">',
             f'<p class="eb-verdict-title">{escape_html(text("report.verdict_heading", lang))}</p>',
             f'<p class="eb-overall">{escape_html(text(overall_key, lang, county=county, year=year, standard=standard_title))}</p>']
    present = [level_name(lv, lang) for lv in summary["levels"]]
    for level in missing_levels:
        parts.append("<p class=\"eb-note\">" + escape_html(text(
            "report.level_missing", lang, level=level_name(level, lang),
            levels=text("report.list_sep", lang).join(present))) + "</p>")
    rules = rule_lines(summary, standard, context, lang)
    takes = take_sentences(summary, school_totals, plan_counties, plan_totals, lang, school_counts)
    for level, info in summary["levels"].items():
        lstate = "passed" if info["passed"] else "failed"
        badge = text(f"verdict.{lstate}", lang)
        parts.append(f'<div class="eb-level"><p class="eb-level-title">'
                     f'{escape_html(level_name(level, lang))}'
                     f'<span class="eb-badge eb-{lstate}">{escape_html(badge)}</span></p>')
        parts.append(f'<p class="eb-label">{escape_html(text("report.deciding_rules", lang))}</p><ul>')
        for status, sentence in rules[level]:
            mark = "✓" if status == "passed" else "✗"
            parts.append(f'<li class="eb-{status}"><span class="eb-mark">{mark}</span> '
                         f'{escape_html(sentence)}</li>')
        parts.append("</ul>")
        parts.append(f'<p class="eb-label">{escape_html(text("report.take_heading", lang))}</p>')
        parts.extend(f'<p class="eb-take">{escape_html(s)}</p>' for s in takes[level])
        if info["not_assessed"]:
            names = {r.id: rule_name(r, lang) for r in standard.rules}
            listed = text("report.list_sep", lang).join(names.get(r, r) for r in info["not_assessed"])
            parts.append(f'<p class="eb-note">{escape_html(text("report.not_assessed", lang, rules=listed))}</p>')
        parts.append("</div>")
    parts.append("</div>")
    return "\n".join(parts)
