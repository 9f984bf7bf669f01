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

from .._compat import moved_names as _moved_names
from ..core.numeric import format_against_limit
from ..schema import level_name as _canonical_level
from .i18n import DEFAULT_LANG, label, strip_unit, text
from .markup import escape_html, html_block
from .tables import MISSING, format_value

__all__ = ["level_label", "rule_name", "item_name", "amount_text", "resource_phrase",
           "rule_lines", "take_sentences", "evidence_item", "evidence_value", "evidence_limit",
           "evidence_html", "basis_lines", "verdict_html", "QUALIFYING_BASIS", "is_qualified",
           "MARKS"]

# Renamed (issue 28): schema.level_name turns any spelling into primary/junior.
__getattr__ = _moved_names(__name__, {"level_name": f"{__name__}:level_label"})


def level_label(level: str, lang: str = DEFAULT_LANG) -> str:
    """小学 / 初中 (``primary`` / ``junior`` in the catalogue).

    Was ``level_name`` until issue 28; :func:`edubalance.schema.level_name` is the other way
    round (any spelling of a level to ``primary`` / ``junior``).

    Parameters
    ----------
    level : str
        ``primary`` or ``junior`` (or any spelling :func:`edubalance.schema.level_name` knows).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str

    Examples
    --------
    >>> level_label("junior"), level_label("初中", "en")
    ('初中', 'junior secondary')
    """
    return text(f"level.{_canonical_level(level)}", lang)


def rule_name(rule, lang: str = DEFAULT_LANG) -> str:
    """The readable name of a standard's rule (its own text when the catalogue has none).

    Parameters
    ----------
    rule : edubalance.core.standards.Rule
        A rule of a standard.
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
    """
    return label(rule.id, lang, prefixes=("rule",), fallback=rule.text or rule.id)


def item_name(item, lang: str = DEFAULT_LANG) -> str:
    """The readable name of a standard's item, with its unit.

    The catalogue's ``item.<name>``, else the standard's Chinese label without its unit.

    Parameters
    ----------
    item : edubalance.core.standards.Item
        An item of a standard.
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
    """
    return label(item.name, lang, prefixes=("item",),
                 fallback=strip_unit(item.label_zh or item.name))


def amount_text(amount: float, unit: str, lang: str = DEFAULT_LANG) -> tuple[str, str]:
    """``(number, unit)`` as shown: yuan from 10,000 up in 万元, whole units as integers.

    Amounts are rounded up: what it takes is never shown smaller than it is.

    Parameters
    ----------
    amount : float
        The amount in ``unit``.
    unit : str
        The unit as the gaps name it (``元``, ``m²``, ``人`` ...).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    tuple of str
        The number as shown and its unit (``""`` where the number carries it: ``CNY 382,000``).

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
    return number, label(unit, lang, prefixes=("unit",), fallback=unit)


def resource_phrase(totals: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """``资源 数量 单位`` for each row of a gap-totals table (``resource, unit, amount``).

    Parameters
    ----------
    totals : DataFrame
        Columns ``resource, unit, amount``; rows without a positive amount are left out.
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
        The resources joined by the language's list separator.
    """
    parts = []
    for resource, unit, amount in totals[["resource", "unit", "amount"]].itertuples(index=False):
        if not amount or not math.isfinite(float(amount)) or float(amount) <= 0:
            continue
        number, shown_unit = amount_text(amount, unit, lang)
        noun = label(resource, lang, prefixes=("resource",), fallback=resource)
        if lang == "zh":
            parts.append(f"{noun} {number} {shown_unit}".strip())
        else:
            parts.append(" ".join(p for p in (number, shown_unit.strip(), noun) if p))
    return text("report.list_sep", lang).join(parts)


def _limit(rule, level):
    limit = rule.params.get("limit")
    return limit.get(level) if isinstance(limit, dict) else limit


def _detail(rule, level: str, info: dict, context: dict, lang: str) -> str:
    """Why ``rule`` fails for ``level``: numbers from the scoring, words from the catalogue."""
    county_row = context.get("county_rows", {}).get(level, {})
    if rule.kind == "composite_cv":
        if info.get("composite_cv") is None or not math.isfinite(float(info["composite_cv"])):
            return text("report.detail_undefined", lang)
        limit = _limit(rule, level)
        return text("report.detail_composite", lang,
                    value=format_against_limit(info["composite_cv"], limit, 3),
                    limit=format_value(limit, "num", lang, digits=2))
    if rule.kind == "each_cv":
        over = context.get("cv_over", {}).get(level, [])
        limit = _limit(rule, level)
        return text("report.detail_each_cv", lang,
                    limit=format_value(limit, "num", lang, digits=2),
                    items=text("report.list_sep", lang).join(over) or MISSING)
    if rule.kind in ("school_thresholds", "school_size", "class_size"):
        n = county_row.get(f"{rule.id}_failing_schools")
        if rule.kind == "class_size" and info["rules"].get(rule.id) == "not_assessed":
            unknown = county_row.get(f"{rule.id}_unassessed_schools")
            return "" if unknown is None else text("report.detail_class_unassessed", lang,
                                                   n=int(unknown))
        return "" if n is None else text("report.detail_schools", lang, n=int(n))
    if rule.kind == "points":
        pass_min = context.get("pass_min", 85)
        return text("report.detail_points", lang,
                    value=format_against_limit(info.get("score"), pass_min, 1),
                    limit=f"{pass_min:g}")
    return ""


def rule_lines(summary: dict, standard, context: dict | None = None,
               lang: str = DEFAULT_LANG) -> dict[str, list[tuple[str, str]]]:
    """Return, per level, ``(status, sentence)`` for every rule school data decided.

    Passed and failed rules, the class-size rule where only averages were given
    (``not_assessed``), and every missed evidence item (``failed``).

    Parameters
    ----------
    summary : dict
        The county's ``summary.json`` (:func:`edubalance.core.scoring.county_summary`).
    standard : edubalance.core.standards.Standard
        The standard it was scored against.
    context : dict, optional
        Numbers the failure details quote: ``county_rows`` (level -> the county's row of
        ``result.counties``), ``cv_over`` (level -> names of indicators over their CV limit),
        ``pass_min`` (the points needed).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    dict
        Level -> list of ``(status, sentence)``.
    """
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
            elif status == "not_assessed" and rule.kind == "class_size":
                detail = _detail(rule, level, info, context, lang)
                rows.append(("not_assessed", text("report.not_assessed", lang,
                                                  rules=f"{rule_name(rule, lang)}（{detail}）"
                                                  if lang == "zh" else
                                                  f"{rule_name(rule, lang)} ({detail})")))
        # A missed evidence item decides every level's verdict: named here too.
        for entry in summary.get("evidence") or []:
            if entry["status"] == "failed":
                rows.append(("failed", text("report.rule_failed_plain", lang,
                                            rule=_evidence_line(entry, lang))))
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

    Parameters
    ----------
    summary : dict
        The county's ``summary.json``.
    school_totals : DataFrame
        Resources every school needs, per level (with ``schools``).
    plan_counties : DataFrame
        The CV upgrade plan per level (``steps``, ``reached``).
    plan_totals : DataFrame
        The plan's resources per level.
    lang : {"zh", "en"}
        Language of the text.
    school_counts : dict, optional
        Level -> number of schools needing something.

    Returns
    -------
    dict
        Level -> list of sentences.
    """
    out = {}
    for level, info in summary["levels"].items():
        name = level_label(level, lang)
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


MARKS = {"passed": "✓", "failed": "✗", "not_assessed": "？", "assumed": "≈"}
"""A mark beside every status, so that a black-and-white print still tells them apart."""


def evidence_item(entry: dict, lang: str = DEFAULT_LANG) -> str:
    """The evidence item (a ``summary["evidence"]`` entry) in the reader's language.

    Parameters
    ----------
    entry : dict
        An entry of ``summary["evidence"]`` (``text``, and ``text_en`` where there is one).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
    """
    return entry["text_en"] if lang == "en" and entry.get("text_en") else entry["text"]


_UNITS_EN = {"分": "", "元": " CNY", "年": " years"}
"""Units of the standards' evidence items (written in Chinese in the YAML) as English text."""


def _unit(entry: dict, lang: str) -> str:
    unit = entry.get("unit") or ""
    return _UNITS_EN.get(unit, unit) if lang == "en" else unit


def evidence_value(entry: dict, lang: str = DEFAULT_LANG) -> str:
    """Show the value given for an evidence item as a reader sees it.

    是/否, or the number with its unit and the decimals that tell it from the limit; "—" when
    not given.

    Parameters
    ----------
    entry : dict
        An entry of ``summary["evidence"]`` (``value``, ``kind``, ``limit``, ``unit``).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
    """
    if entry["value"] is None:
        return MISSING
    if entry["kind"] in ("yes", "no"):
        return text("verdict.yes" if entry["value"] == 1 else "verdict.no", lang)
    return format_against_limit(entry["value"], entry["limit"], 1) + _unit(entry, lang)


def evidence_limit(entry: dict, lang: str = DEFAULT_LANG) -> str:
    """What an evidence item requires: the limit with its unit, or the answer 是/否 needed.

    Parameters
    ----------
    entry : dict
        An entry of ``summary["evidence"]`` (``kind``, ``limit``, ``unit``).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
    """
    if entry["kind"] in ("at_least", "at_most"):
        return f"{entry['limit']:g}{_unit(entry, lang)}"
    return text("verdict.yes" if entry["kind"] == "yes" else "verdict.no", lang)


def _evidence_line(entry: dict, lang: str) -> str:
    if entry["kind"] in ("at_least", "at_most"):
        return text("report.evidence_value", lang, text=evidence_item(entry, lang),
                    value=evidence_value(entry, lang),
                    relation=text(f"report.relation.{entry['kind']}", lang),
                    limit=evidence_limit(entry, lang))
    return text("report.evidence_yes_no", lang, text=evidence_item(entry, lang),
                value=evidence_value(entry, lang))


def evidence_html(summary: dict, lang: str = DEFAULT_LANG) -> str:
    """Return the evidence part of the verdict box (HTML).

    Failed items with value and limit, a count of those met, the items not given (every one
    named); ``""`` for a standard without evidence.

    Parameters
    ----------
    summary : dict
        The county's ``summary.json`` (its ``evidence`` entries).
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
        HTML, every piece of text escaped.
    """
    evidence = summary.get("evidence") or []
    if not evidence:
        return ""
    sep = text("report.list_sep", lang)
    failed = [e for e in evidence if e["status"] == "failed"]
    passed = [e for e in evidence if e["status"] == "passed"]
    missing = [e for e in evidence if e["status"] == "not_assessed"]
    parts = ['<div class="eb-evidence">' + html_block("p", text("report.evidence_heading", lang),
                                                      "eb-label")]
    if failed:
        parts.append(html_block("p", text("report.evidence_failed", lang), "eb-failed") + "<ul>")
        parts.extend(html_block("li", _evidence_line(e, lang), "eb-failed", mark=MARKS["failed"])
                     for e in failed)
        parts.append("</ul>")
    if passed:
        parts.append(html_block("p", text("report.evidence_passed", lang, n=len(passed)),
                                "eb-passed", mark=MARKS["passed"]))
    if missing:
        names = sep.join(evidence_item(e, lang) for e in missing)
        parts.append(html_block("p", text("report.evidence_missing", lang, n=len(missing),
                                          items=names),
                                "eb-missing", mark=MARKS["not_assessed"]))
    parts.append("</div>")
    return "\n".join(parts)


def basis_lines(summary: dict, standard, lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    """Return what the verdict rests on, in the reader's language.

    ``(kind, sentence)`` with kind ``assumed``, ``approximated``, ``not_assessed`` (school rules
    only; missing evidence is listed with the evidence) or ``excluded``.

    Parameters
    ----------
    summary : dict
        The county's ``summary.json``.
    standard : edubalance.core.standards.Standard
        The standard it was scored against.
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    list of tuple of str
    """
    sep = text("report.list_sep", lang)
    lines = []
    evidence = {e["item"]: e for e in summary.get("evidence") or []}
    assumed = []
    for key in summary.get("assumed") or []:
        if key in evidence:
            assumed.append(text("report.assumed.item", lang, text=evidence_item(evidence[key],
                                                                                lang)))
        else:
            assumed.append(text(f"report.assumed.{key}", lang))
    if assumed:
        lines.append(("assumed", text("report.label_assumed", lang, items=sep.join(assumed))))
    approximated = [text(f"report.approximated.{key}", lang)
                    for key in summary.get("approximated") or []]
    if approximated:
        lines.append(("approximated", text("report.label_approximated", lang,
                                           items=sep.join(approximated))))
    rule_ids = {r.id: r for r in standard.rules}
    open_rules = []
    for info in summary["levels"].values():
        for rule_id in info["not_assessed"]:
            if rule_id in rule_ids and rule_ids[rule_id].kind != "class_size" \
                    and rule_id not in open_rules:
                open_rules.append(rule_id)
    if open_rules:
        lines.append(("not_assessed", text("report.label_not_assessed", lang, items=sep.join(
            rule_name(rule_ids[r], lang) for r in open_rules))))
    excluded = [text(f"report.excluded.{e['reason']}", lang, name=e["school_name"])
                for e in summary.get("excluded") or []]
    if excluded:
        lines.append(("excluded", text("report.label_excluded", lang, items=sep.join(excluded))))
    return lines


QUALIFYING_BASIS = ("assumed", "approximated", "not_assessed")
"""Kinds of :func:`basis_lines` that keep a passing verdict from reading "every rule judged and
met": its overall line then names them (``report.overall_passed_qualified``). Schools left out
(``excluded``) are left out by the standard's own rules and do not qualify it."""


def is_qualified(summary: dict, standard) -> bool:
    """Whether a verdict rests on anything assumed, approximated or not assessed.

    Such a pass is not 通过 without reserve: the verdict box, the levels table and the
    workbook say "按现有材料达标" (met as far as judged) instead.

    Parameters
    ----------
    summary : dict
        A county's summary (``CountyReport.summary``).
    standard : Standard
        Its standard.

    Returns
    -------
    bool

    Examples
    --------
    >>> from edubalance.core.standards import load_standard
    >>> is_qualified({"assumed": [], "approximated": [], "evidence": [],
    ...               "levels": {"primary": {"not_assessed": []}}}, load_standard("basic-2012"))
    False
    """
    return any(kind in QUALIFYING_BASIS for kind, _ in basis_lines(summary, standard, "en"))


def verdict_html(summary: dict, standard, *, school_totals: pd.DataFrame,
                 plan_counties: pd.DataFrame, plan_totals: pd.DataFrame,
                 context: dict | None = None, missing_levels=(), lang: str = DEFAULT_LANG,
                 school_counts: dict | None = None) -> str:
    """The verdict box (HTML, every piece of text escaped).

    The overall line follows ``summary["verdict"]``: 通过 only for ``pass`` (every rule of the
    standard judged and met; where anything was assumed, approximated or not assessed the line
    says so, :data:`QUALIFYING_BASIS`); ``incomplete`` says that the school data comply as far
    as they go and lists the evidence not given; ``fail`` names what failed. Each level has its own
    badge, the rules that decide it, what it would take; then the evidence, and what the
    verdict rests on (assumed, approximated, not assessed, left out).

    Parameters
    ----------
    summary : dict
        The county's ``summary.json``.
    standard : edubalance.core.standards.Standard
        The standard it was scored against.
    school_totals, plan_counties, plan_totals : DataFrame
        What it would take (see :func:`take_sentences`).
    context : dict, optional
        Numbers the failure details quote (see :func:`rule_lines`).
    missing_levels : sequence of str
        Levels the standard judges that the county has no schools of (a note each).
    lang : {"zh", "en"}
        Language of the text.
    school_counts : dict, optional
        Level -> number of schools needing something.

    Returns
    -------
    str
        HTML, every piece of text escaped.
    """
    county, year = summary["county"], summary["year"]
    standard_title = standard.title_zh if lang == "zh" else standard.title
    verdict = summary.get("verdict", "pass" if summary["passed"] else "fail")
    basis = basis_lines(summary, standard, lang)
    # 通过 without reserve only when every rule was judged and met: anything assumed,
    # approximated or not assessed is named in the overall line itself.
    qualifiers = [text(f"report.qualifier.{kind}", lang) for kind in QUALIFYING_BASIS
                  if any(k == kind for k, _ in basis)]
    if verdict == "pass" and qualifiers:
        overall_key = "report.overall_passed_qualified"
    elif verdict == "pass":
        overall_key = "report.overall_passed"
    elif verdict == "fail":
        overall_key = "report.overall_failed"
    elif any(e["status"] == "not_assessed" for e in summary.get("evidence") or []):
        overall_key = "report.overall_incomplete"
    else:
        overall_key = "report.overall_incomplete_schools"
    state = {"pass": "passed", "fail": "failed"}.get(verdict, "incomplete")
    parts = [f'<div class="eb-verdict eb-{state}">',
             html_block("p", text("report.verdict_heading", lang), "eb-verdict-title"),
             html_block("p", text(overall_key, lang, county=county, year=year,
                                  standard=standard_title,
                                  qualifiers=text("report.list_sep", lang).join(qualifiers)),
                        "eb-overall")]
    present = [level_label(lv, lang) for lv in summary["levels"]]
    for level in missing_levels:
        parts.append(html_block("p", text(
            "report.level_missing", lang, level=level_label(level, lang),
            levels=text("report.list_sep", lang).join(present)), "eb-note"))
    rules = rule_lines(summary, standard, context, lang)
    takes = take_sentences(summary, school_totals, plan_counties, plan_totals, lang, school_counts)
    for level, info in summary["levels"].items():
        level_verdict = info.get("verdict", "pass" if info["passed"] else "fail")
        lstate = {"pass": "passed", "fail": "failed"}.get(level_verdict, "incomplete")
        # A level passed on what could be judged is not 通过 while anything was assumed,
        # approximated or not assessed (the overall line says what).
        badge = text("verdict.passed_qualified" if lstate == "passed" and qualifiers
                     else f"verdict.{lstate}", lang)
        mark = {"passed": MARKS["passed"], "failed": MARKS["failed"]}.get(lstate,
                                                                          MARKS["not_assessed"])
        parts.append(f'<div class="eb-level"><p class="eb-level-title">'
                     f'{escape_html(level_label(level, lang))}'
                     f'<span class="eb-badge eb-{lstate}">{mark} {escape_html(badge)}</span></p>')
        parts.append(html_block("p", text("report.deciding_rules", lang), "eb-label") + "<ul>")
        parts.extend(html_block("li", sentence, f"eb-{status}", mark=MARKS[status])
                     for status, sentence in rules[level])
        parts.append("</ul>")
        parts.append(html_block("p", text("report.take_heading", lang), "eb-label"))
        parts.extend(html_block("p", sentence, "eb-take") for sentence in takes[level])
        parts.append("</div>")
    parts.append(evidence_html(summary, lang))
    if basis:
        parts.append('<div class="eb-basis">'
                     + html_block("p", text("report.labels_heading", lang), "eb-label") + "<ul>")
        parts.extend(html_block("li", sentence, f"eb-{kind}") for kind, sentence in basis)
        parts.append("</ul></div>")
    parts.append("</div>")
    return "\n".join(p for p in parts if p)
