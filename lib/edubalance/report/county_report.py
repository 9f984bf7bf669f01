"""The county scoring report's content, built from package calls (the notebook only shows it).

:func:`build` turns a scored year (``eb.run.cache.scored_year``) into a :class:`CountyReport`:
the verdict box, the tables for people (:class:`edubalance.report.tables.Table`), the sheets of
``results.xlsx``, the machine-readable tables for ``write_results`` and the closing
数据与方法 lines, all in ``lang``. :func:`school_items_figure` and
:func:`comparison_figure` draw the report's figures with labels in ``lang``.

Examples
--------
>>> import edubalance as eb
>>> schools, result = eb.run.cache.scored_year("data/sample/schools.csv", "basic-2012", 2017)  # doctest: +SKIP
>>> report = build(schools, result, "大武口区", 2017, data_path="data/sample/schools.csv")  # doctest: +SKIP
>>> report.summary["passed"], sorted(report.sheets)  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import __version__
from ..core.gaps import county_gap_totals, cv_upgrade_plan, school_gaps
from ..core.scoring import county_summary, find_county
from ..schema import LEVELS
from .i18n import DEFAULT_LANG, check_lang, strip_unit, text
from .markup import html_heading
from .tables import Table
from .verdict import (
    MARKS,
    evidence_item,
    evidence_limit,
    evidence_value,
    is_qualified,
    item_name,
    level_label,
    rule_name,
    verdict_html,
)

__all__ = ["CountyReport", "build", "SHEETS", "school_items_table", "school_items_figure",
           "comparison_figure", "html_heading"]

SHEETS = ("结论", "差异系数", "各校达标情况", "缺口与改造", "佐证材料")


@dataclass(frozen=True)
class CountyReport:
    """Everything the county scoring report shows and writes.

    Made by :func:`build`.

    Parameters
    ----------
    summary, county_code, county_name, year, lang, title, subtitle, verdict_html, tables, sheets, results, methods, levels, n_counties
        The attributes below, in this order.

    Attributes
    ----------
    summary : dict
        :func:`edubalance.core.scoring.county_summary` (for ``summary.json``).
    county_code, county_name : str
        The county's code and name.
    year : int
        The school year reported on.
    lang : str
        The report's language.
    title, subtitle : str
        Plain text (escape before use in HTML; :func:`html_heading` does).
    verdict_html : str
        The verdict box, escaped HTML.
    tables : dict
        ``levels, cv, failing, gaps, plan, comparison`` -> :class:`Table`.
    sheets : dict
        Sheet name (:data:`SHEETS`) -> :class:`Table`, for ``results.xlsx``.
    results : dict
        File stem -> DataFrame for :func:`edubalance.io.write.write_results` (machine columns).
    methods : list of str
        The 数据与方法 lines (plain text).
    levels : list of str
        Levels the county has in ``year``.
    n_counties : int
        Counties in the data in ``year``: with one, there is nothing to compare the county
        with, and the report shows no comparison figure (the table says why).
    """

    summary: dict
    county_code: str
    county_name: str
    year: int
    lang: str
    title: str
    subtitle: str
    verdict_html: str
    tables: dict
    sheets: dict
    results: dict
    methods: list
    levels: list
    n_counties: int = 1


def _verdict_word(verdict, lang: str, qualified: bool = False) -> str:
    """通过 / 未通过 / 待定 for ``pass`` / ``fail`` / ``incomplete``.

    A pass that rests on anything assumed, approximated or not assessed (``qualified``) is
    按现有材料达标, not 通过.
    """
    passed = "verdict.passed_qualified" if qualified else "verdict.passed"
    key = {"pass": passed, "fail": "verdict.failed"}.get(verdict, "verdict.incomplete")
    return text(key, lang)


def _evidence_table(summary: dict, lang: str) -> Table:
    """Every evidence item of the standard: what it asks, the value given, the status."""
    rows = summary.get("evidence") or []
    status_word = {"passed": text("status.passed", lang), "failed": text("status.failed", lang),
                   "not_assessed": text("report.evidence_not_given", lang),
                   "assumed": text("report.evidence_assumed", lang)}
    frame = pd.DataFrame({
        _col("evidence_item", lang): [evidence_item(e, lang) for e in rows],
        _col("evidence_value", lang): [evidence_value(e, lang) for e in rows],
        _col("evidence_limit", lang): [
            text(f"report.relation.{e['kind']}", lang) + " " + evidence_limit(e, lang)
            if e["kind"] in ("at_least", "at_most") else evidence_limit(e, lang) for e in rows],
        _col("evidence_status", lang): [MARKS.get(e["status"], "") + " " + status_word[e["status"]]
                                        for e in rows],
    })
    return Table(frame, {_col("evidence_item", lang): "wrap"},
                 text("report.caption_evidence", lang, county=summary["county"]),
                 empty=text("report.empty_evidence", lang), lang=lang)


def _file_name(path) -> str:
    from pathlib import PurePath

    text_path = str(path or "")
    if not text_path:
        return "—"
    return PurePath(text_path.replace("\\", "/")).name or "—"


_INTERNAL = (
    re.compile(r"[;；,，]?\s*restated in DOMAIN\.md\s*§\s*[\d.]*\d\.?", re.I),
    re.compile(r"\bseed\s+\d+\s*,?\s*", re.I),
    re.compile(r"\bDOMAIN\.md\s*§\s*[\d.]*\d\.?\s*", re.I),
)


def reader_source(source) -> str:
    r"""A standard's source as a reader may see it.

    A standard's source as a reader may see it: the documents, without this project's
    internal references (``restated in DOMAIN.md §4.2``, ``seed 001``).

    Examples
    --------
    >>> reader_source("教育部《办法》(教督〔2017〕6号), 2017-04-26;\n  restated in DOMAIN.md §4.2.")
    '教育部《办法》(教督〔2017〕6号), 2017-04-26'
    >>> reader_source('附《指标体系》 (seed 001, "计算办法")')
    '附《指标体系》 ("计算办法")'
    """
    words = " ".join(str(source).split())
    for pattern in _INTERNAL:
        words = pattern.sub("", words)
    words = re.sub(r"\(\s*\)", "", words)
    return words.strip(" ;；,，")


def _col(name: str, lang: str) -> str:
    return text(f"col.{name}", lang)


def _levels_text(values: pd.Series, lang: str) -> list[str]:
    return [level_label(v, lang) if v in LEVELS else str(v) for v in values]


def _money_rows(frame: pd.DataFrame, amount: str = "amount", unit: str = "unit") -> pd.DataFrame:
    """Amounts in 元 shown in 万元 (the header or unit column says so)."""
    frame = frame.copy()
    yuan = (frame[unit].astype(object) == "元").to_numpy()
    value = frame[amount].to_numpy(dtype=float)
    # Money in 万元 to one decimal; areas (already whole for countable items) up to whole m².
    frame[amount] = np.where(yuan, np.ceil(np.round(value / 1_000, 6)) / 10,
                             np.ceil(np.round(value, 6)))
    frame[unit] = np.where(yuan, "万元", frame[unit].astype(object))
    if "level" in frame:
        order = frame["level"].map({lv: i for i, lv in enumerate(LEVELS)}).to_numpy()
        frame = frame.iloc[np.argsort(order, kind="stable")]
    return frame


def _unit_text(units, lang: str) -> list[str]:
    out = []
    for unit in units:
        try:
            shown = text(f"unit.{unit}", lang).strip()
        except KeyError:
            shown = str(unit)
        out.append(shown or {"人": "persons", "间": "rooms", "个": "classes", "台": "units",
                             "册": "volumes"}.get(str(unit), str(unit)))
    return out


def _resource_text(resources, lang: str) -> list[str]:
    out = []
    for resource in resources:
        try:
            out.append(text(f"resource.{resource}", lang).removeprefix("of "))
        except KeyError:
            out.append(str(resource))
    return out


def build(schools: pd.DataFrame, result, county, year: int, *, data_path: str = "",
          lang: str = DEFAULT_LANG) -> CountyReport:
    """The report of ``county`` in ``year`` from a scored year (see the module docstring).

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns (:func:`edubalance.io.load.load_schools`).
    result : edubalance.core.scoring.ScoringResult
        ``eb.core.scoring.score`` of ``schools`` (at least of ``year``).
    county : str or int
        County code or name.
    year : int
        The year reported on.
    data_path : str, optional
        The data file, named in the 数据与方法 lines.
    lang : {"zh", "en"}
        Language of the report.

    Returns
    -------
    CountyReport

    Raises
    ------
    ValueError
        From :func:`edubalance.core.scoring.find_county` and
        :func:`~edubalance.core.scoring.county_summary`, for an unknown county or a year it
        lacks.
    """
    check_lang(lang)
    code, name = find_county(schools, county)
    year = int(year)
    summary = county_summary(result, code, year)
    standard = result.standard
    std_title = standard.title_zh if lang == "zh" else standard.title
    sep = text("report.list_sep", lang)
    items = {item.name: item_name(item, lang) for item in standard.items}
    rules = {rule.id: rule_name(rule, lang) for rule in standard.rules}
    # A missed evidence item is named in failed_rules too: by its text, never its id.
    rules.update({item.id: item.text(lang) for item in standard.evidence})

    every_county = result.counties  # for the comparison with the other counties
    result = result.for_county(code, year)  # one pass over a (national) result's tables
    counties, cv, compliance, indicators = (result.counties, result.cv, result.compliance,
                                            result.indicators)
    cv = cv.iloc[np.argsort(cv["level"].map({lv: i for i, lv in enumerate(LEVELS)}).to_numpy(),
                            kind="stable")]
    gaps = school_gaps(result, code, year)
    gap_totals = county_gap_totals(gaps)
    plan = cv_upgrade_plan(result, code, year)
    levels = [lv for lv in LEVELS if lv in summary["levels"]]
    missing = [lv for lv in standard.levels if lv not in levels] if len(levels) < len(standard.levels) else []

    # ---------------------------------------------------------------- verdict box
    cv_over = {lv: [items.get(i, i) for i in cv.loc[(cv["level"] == lv) & (cv["passed"] == False),  # noqa: E712
                                                     "indicator"]] for lv in levels}
    context = {"county_rows": {row["level"]: row for row in counties.to_dict("records")},
               "cv_over": cv_over}
    if standard.scoring:
        bands = standard.scoring.get("bands", [])
        context["pass_min"] = next((b["min"] for b in bands
                                    if b.get("name") == standard.scoring.get("pass_band")), 85)
    box = verdict_html(summary, standard, school_totals=gap_totals, plan_counties=plan.counties,
                       plan_totals=plan.totals, context=context, missing_levels=missing, lang=lang,
                       school_counts=gaps.groupby("level")["school_id"].nunique().to_dict()
                       if len(gaps) else {})

    # ---------------------------------------------------------------- 结论 (levels)
    qualified = is_qualified(summary, standard)
    verdict_words = [_verdict_word(summary["levels"][lv].get("verdict"), lang, qualified)
                     for lv in levels]
    levels_frame = pd.DataFrame({
        _col("level", lang): [level_label(lv, lang) for lv in levels],
        _col("n_schools", lang): [summary["levels"][lv]["n_schools"] for lv in levels],
        _col("students", lang): [summary["levels"][lv]["students"] for lv in levels],
    })
    kinds = {_col("n_schools", lang): "int", _col("students", lang): "int"}
    if standard.composite:
        levels_frame[_col("composite_cv", lang)] = [summary["levels"][lv]["composite_cv"] for lv in levels]
        kinds[_col("composite_cv", lang)] = "cv"
    if standard.scoring:
        levels_frame[_col("score", lang)] = [summary["levels"][lv].get("score") for lv in levels]
        kinds[_col("score", lang)] = "num1"
    levels_frame[_col("verdict", lang)] = verdict_words
    levels_frame[_col("failed_rules", lang)] = [
        sep.join(rules.get(r, r) for r in summary["levels"][lv]["failed_rules"]) or "—"
        for lv in levels]
    kinds[_col("failed_rules", lang)] = "wrap"
    level_limits = {}
    composite_rule = standard.rule("composite_cv")
    if standard.composite and composite_rule is not None:
        level_limits[_col("composite_cv", lang)] = [composite_rule.params["limit"].get(lv, np.nan)
                                                    for lv in levels]
    if standard.scoring and "pass_min" in context:
        level_limits[_col("score", lang)] = [float(context["pass_min"])] * len(levels)
    levels_table = Table(levels_frame, kinds, text("report.caption_levels", lang, county=name),
                         lang=lang, limits=level_limits)
    verdict_sheet = levels_table

    # ---------------------------------------------------------------- 差异系数
    cv_frame = pd.DataFrame({
        _col("level", lang): _levels_text(cv["level"], lang),
        _col("indicator", lang): [items.get(i, i) for i in cv["indicator"]],
        _col("cv", lang): cv["cv"].to_numpy(dtype=float),
        _col("cv_limit", lang): cv["threshold"].to_numpy(dtype=float),
        _col("cv_ok", lang): cv["passed"].astype(object).to_numpy(),
    })
    cv_kinds = {_col("cv", lang): "cv", _col("cv_limit", lang): "num2", _col("cv_ok", lang): "bool"}
    if cv["threshold"].isna().all():  # the standard sets no CV limit (ningxia-2010)
        cv_frame = cv_frame.drop(columns=[_col("cv_limit", lang), _col("cv_ok", lang)])
    cv_caption = text("report.caption_cv", lang, county=name)
    if standard.composite and not cv["binding"].astype(bool).any():
        cv_caption += text("report.caption_cv_reference", lang)
    cv_table = Table(cv_frame, cv_kinds, cv_caption, lang=lang,
                     limits={_col("cv", lang): cv["threshold"].to_numpy(dtype=float)})

    # ---------------------------------------------------------------- 各校达标情况
    thresholded = [item for item in standard.items if item.threshold]
    # Item columns renamed so that none collides with a compliance column (class_size).
    per_item = indicators[["school_id", "level"]].copy()
    for item in standard.items:
        per_item[f"value::{item.name}"] = indicators[item.name].to_numpy()
    for item in thresholded:
        per_item[f"met::{item.name}"] = indicators[f"{item.name}_met"].to_numpy()
        per_item[f"threshold::{item.name}"] = indicators[f"{item.name}_threshold"].to_numpy()
    merged = compliance.merge(per_item, on=["school_id", "level"], how="left")
    unmet = np.full(len(merged), "", dtype=object)
    for item in thresholded:
        miss = ~merged[f"met::{item.name}"].to_numpy(dtype=bool, na_value=True)
        unmet = np.where(miss, np.where(unmet == "", items[item.name],
                                        unmet + sep + items[item.name]), unmet)
    has_school_rule = merged["passed"].notna().any()
    schools_frame = pd.DataFrame({
        _col("school", lang): merged["school_name"].astype(str).to_numpy(),
        _col("level", lang): _levels_text(merged["level"], lang),
        _col("students", lang): merged["students"].to_numpy(dtype=float),
        _col("classes", lang): merged["classes"].to_numpy(dtype=float),
        _col("class_size", lang): merged["class_size"].to_numpy(dtype=float),
    })
    school_kinds = {_col("students", lang): "int", _col("classes", lang): "int",
                    _col("class_size", lang): "num1", _col("unmet", lang): "wrap"}
    if thresholded:
        schools_frame[_col("indicators_met", lang)] = merged["indicators_met"].to_numpy(dtype=float)
        school_kinds[_col("indicators_met", lang)] = "int"
        schools_frame[_col("unmet", lang)] = np.where(unmet == "", "—", unmet)
    schools_frame[_col("passed", lang)] = merged["passed"].astype(object).to_numpy()
    school_kinds[_col("passed", lang)] = "bool"
    failing_mask = (merged["passed"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    failing_frame = schools_frame[failing_mask].drop(columns=[_col("passed", lang)])
    failing_table = Table(failing_frame.reset_index(drop=True), school_kinds,
                          # schools, not sections: a nine-year school failing at both
                          # levels is one school
                          text("report.caption_failing", lang,
                               n=int(merged.loc[failing_mask, "school_id"].nunique()))
                          if failing_mask.any() else text("report.caption_failing_none", lang),
                          empty=text("report.empty_failing" if has_school_rule
                                     else "report.empty_no_school_rule", lang), lang=lang)
    sheet_frame = schools_frame.copy()       # the workbook also lists every item's value
    for item in standard.items:
        sheet_frame[items[item.name]] = merged[f"value::{item.name}"].to_numpy(dtype=float)
    sheet_kinds = {**school_kinds, **{items[item.name]: "num2" for item in standard.items}}
    schools_sheet = Table(sheet_frame, sheet_kinds, text("report.section_schools", lang),
                          lang=lang, limits={items[item.name]: merged[f"threshold::{item.name}"]
                                             .to_numpy(dtype=float) for item in thresholded})

    # ---------------------------------------------------------------- 缺口与改造
    totals = _money_rows(gap_totals) if len(gap_totals) else gap_totals
    amount_header = _col("amount", lang)
    gaps_frame = pd.DataFrame({
        _col("level", lang): _levels_text(totals["level"], lang),
        _col("resource", lang): _resource_text(totals["resource"], lang),
        amount_header: pd.to_numeric(totals["amount"]).to_numpy(dtype=float),
        _col("unit", lang): _unit_text(totals["unit"], lang),
        _col("schools_needing", lang): pd.to_numeric(totals["schools"]).to_numpy(dtype=float),
    })
    gaps_table = Table(gaps_frame, {amount_header: "amount", _col("schools_needing", lang): "int"},
                       text("report.caption_gaps", lang), empty=text("report.empty_gaps", lang),
                       lang=lang)
    pc = plan.counties
    plan_frame = pd.DataFrame({
        _col("level", lang): _levels_text(pc["level"], lang) if len(pc) else [],
        _col("reached", lang): pc["reached"].astype(object).to_numpy() if len(pc) else [],
        _col("worst_before", lang): pc["worst_cv_before"].to_numpy(dtype=float) if len(pc) else [],
        _col("worst_after", lang): pc["worst_cv_after"].to_numpy(dtype=float) if len(pc) else [],
    })
    plan_table = Table(plan_frame, {_col("reached", lang): "bool",
                                    _col("worst_before", lang): "cv",
                                    _col("worst_after", lang): "cv"},
                       text("report.caption_plan", lang), empty=text("report.empty_plan", lang),
                       lang=lang)
    school_rows = _money_rows(gaps) if len(gaps) else gaps
    steps = _money_rows(plan.steps) if len(plan.steps) else plan.steps
    kind_col = {"zh": "类别", "en": "Kind"}[lang]
    sheet_gaps = pd.concat([
        pd.DataFrame({
            kind_col: [text("report.take_heading", lang)] * len(school_rows),
            _col("level", lang): _levels_text(school_rows["level"], lang) if len(school_rows) else [],
            _col("school", lang): school_rows["school_name"].astype(str).to_numpy() if len(school_rows) else [],
            _col("indicator", lang): [items.get(i, text("item.class_size", lang)) for i in school_rows["indicator"]] if len(school_rows) else [],
            _col("value", lang): pd.to_numeric(school_rows["value"]).to_numpy(dtype=float) if len(school_rows) else [],
            _col("threshold", lang): pd.to_numeric(school_rows["threshold"]).to_numpy(dtype=float) if len(school_rows) else [],
            _col("resource", lang): _resource_text(school_rows["resource"], lang) if len(school_rows) else [],
            amount_header: pd.to_numeric(school_rows["amount"]).to_numpy(dtype=float) if len(school_rows) else [],
            _col("unit", lang): _unit_text(school_rows["unit"], lang) if len(school_rows) else [],
        }),
        pd.DataFrame({
            kind_col: [text("report.caption_plan", lang).split("  ", 1)[-1]] * len(steps),
            _col("level", lang): _levels_text(steps["level"], lang) if len(steps) else [],
            _col("school", lang): steps["school_name"].astype(str).to_numpy() if len(steps) else [],
            _col("indicator", lang): [items.get(i, i) for i in steps["indicator"]] if len(steps) else [],
            _col("value", lang): pd.to_numeric(steps["value_before"]).to_numpy(dtype=float) if len(steps) else [],
            _col("threshold", lang): pd.to_numeric(steps["value_after"]).to_numpy(dtype=float) if len(steps) else [],
            _col("resource", lang): _resource_text(steps["resource"], lang) if len(steps) else [],
            amount_header: pd.to_numeric(steps["amount"]).to_numpy(dtype=float) if len(steps) else [],
            _col("unit", lang): _unit_text(steps["unit"], lang) if len(steps) else [],
        }),
    ], ignore_index=True)
    gaps_sheet = Table(sheet_gaps, {_col("value", lang): "num2", _col("threshold", lang): "num2",
                                    amount_header: "amount"}, text("report.section_gaps", lang),
                       lang=lang)

    # ---------------------------------------------------------------- comparison
    all_rows = every_county[every_county["year"] == year]
    all_rows = all_rows.iloc[np.argsort(all_rows["level"].map(
        {lv: i for i, lv in enumerate(LEVELS)}).to_numpy(), kind="stable")]
    ranks = all_rows.groupby("level")["mean_indicator_cv"].rank(method="min")
    n_counties = all_rows.groupby("level")["county_code"].transform("nunique")
    mine = (all_rows["county_code"].astype(str) == code).to_numpy()
    comparison_frame = pd.DataFrame({
        _col("level", lang): _levels_text(all_rows.loc[mine, "level"], lang),
        _col("mean_cv", lang): all_rows.loc[mine, "mean_indicator_cv"].to_numpy(dtype=float),
        _col("rank", lang): ranks[mine].to_numpy(dtype=float),
        _col("counties", lang): n_counties[mine].to_numpy(dtype=float),
        _col("verdict", lang): [_verdict_word(v, lang, qualified)
                                for v in all_rows.loc[mine, "verdict"]],
    })
    comparison_kinds = {_col("mean_cv", lang): "cv", _col("rank", lang): "int",
                        _col("counties", lang): "int"}
    if all_rows["county_code"].nunique() > 1:
        comparison_table = Table(comparison_frame, comparison_kinds,
                                 text("report.caption_comparison", lang, county=name,
                                      n=all_rows["county_code"].nunique()), lang=lang)
    else:   # a rank "1 of 1" and a distribution of no other county say nothing: say why
        comparison_table = Table(comparison_frame.iloc[0:0], comparison_kinds,
                                 text("report.caption_comparison_single", lang, county=name),
                                 empty=text("report.empty_comparison_single", lang, county=name),
                                 lang=lang)

    # ---------------------------------------------------------------- methods
    in_county = (schools["county_code"].astype(str) == code).to_numpy(dtype=bool)
    county_years = sorted(schools.loc[in_county, "year"].unique().tolist())
    in_year = in_county & (schools["year"] == year).to_numpy()
    methods = [
        # The file's name, not its path (a reader's page names no folder of the machine);
        # schools counted once (a nine-year school is one school).
        text("report.methods_data", lang, path=_file_name(data_path), county=name,
             schools=int(schools.loc[in_year, "school_id"].nunique()),
             years=(f"{county_years[0]}" if len(county_years) == 1 else
                    f"{county_years[0]}–{county_years[-1]}") if county_years else "—"),
        text("report.methods_standard", lang, title=std_title, name=standard.name),
        text("report.methods_source", lang, source=reader_source(standard.source)),
        text("report.methods_formula", lang),
        *[text(f"report.methods_{key}", lang) for key in summary.get("approximated") or []],
        *([text("report.methods_excluded", lang, schools=text("report.list_sep", lang).join(
            text(f"report.excluded.{e['reason']}", lang, name=e["school_name"])
            for e in summary["excluded"]))] if summary.get("excluded") else []),
        text("report.methods_evidence", lang) if summary.get("evidence") else "",
        text("report.methods_date", lang, date=_dt.date.today().isoformat()),
        text("report.methods_version", lang, version=__version__),
    ]
    methods = [line for line in methods if line]
    evidence_table = _evidence_table(summary, lang)
    first = ["level", "indicator", "cv", "threshold", "passed"]
    results = {
        "indicators": indicators,
        "cv": cv[first + [c for c in cv.columns if c not in first]],
        "compliance": compliance,
        "gaps": gaps,
        "gap_totals": gap_totals,
        "upgrade_plan": plan.steps,
    }
    return CountyReport(
        summary=summary, county_code=code, county_name=name, year=year, lang=lang,
        title=text("report.title", lang, county=name, year=year),
        subtitle=text("report.subtitle", lang, standard=std_title),
        verdict_html=box,
        tables={"levels": levels_table, "cv": cv_table, "failing": failing_table,
                "gaps": gaps_table, "plan": plan_table, "comparison": comparison_table,
                "evidence": evidence_table},
        sheets=_titled({"结论": verdict_sheet, "差异系数": cv_table, "各校达标情况": schools_sheet,
                        "缺口与改造": gaps_sheet, "佐证材料": evidence_table}, county=name,
                       code=code, year=year, standard=std_title, standard_id=standard.name,
                       lang=lang),
        results=results, methods=methods, levels=levels,
        n_counties=int(all_rows["county_code"].nunique()))


def _titled(sheets: dict, *, county: str, code: str, year: int, standard: str,
            standard_id: str, lang: str) -> dict:
    """The sheets of ``results.xlsx``, with title lines.

    The sheets of ``results.xlsx`` with title lines naming county, standard, year and date
    (every sheet: a sheet printed or e-mailed alone still says what it is about).
    """
    import dataclasses

    date = _dt.date.today().isoformat()
    facts = text("report.sheet_facts", lang, code=code, standard_id=standard_id, year=year,
                 date=date)
    return {name: dataclasses.replace(table, title=(
                text("report.sheet_title", lang, county=county, year=year, standard=standard,
                     sheet=name), facts))
            for name, table in sheets.items()}


# --------------------------------------------------------------------------- figures

def school_items_table(result, county_code: str, year: int, level: str, *,
                       county_name: str = "", lang: str = DEFAULT_LANG) -> Table:
    """Every school's items as a percentage of the reference, as a colour-coded table.

    The report's per-school view: one row per school (weakest first), one column per item,
    each cell the percentage of the threshold (or of the county's weighted mean where the
    standard sets none) and coloured like the heat map (red below 100 %, blue above). A
    table instead of an image: the numbers can be read, searched and printed, and it costs
    a few milliseconds where a heat map with a label per school costs half a second (issue
    16). :func:`school_items_figure` still draws the heat map.

    Parameters
    ----------
    result : edubalance.core.scoring.ScoringResult
        A scored year.
    county_code : str
        The county.
    year : int
        The year.
    level : str
        ``primary`` or ``junior``.
    county_name : str, optional
        Shown in the caption instead of the code.
    lang : {"zh", "en"}
        Language of headers and caption.

    Returns
    -------
    Table
        Percentages (kind ``pct``), shaded by :func:`edubalance.report.tables.percent_shading`.

    Examples
    --------
    >>> import edubalance as eb
    >>> schools = eb.io.load.load_schools("data/sample/schools.csv")
    >>> result = eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017")
    >>> table = school_items_table(result, "640202", 2017, "junior", county_name="大武口区")
    >>> table.caption, list(table.frame.columns[:2])
    ('大武口区 2017年 初中：各校指标', ['学校名称', '每百名学生拥有高于规定学历教师数'])
    >>> sorted(table.shading) == sorted(table.frame.columns[1:])
    True

    Printed, the table is split into parts of :data:`PRINT_ITEM_COLUMNS` indicators, each
    with the school names (:meth:`edubalance.report.tables.Table.print_parts`):

    >>> [len(part.frame.columns) for part in table.print_parts()]
    [5, 4]
    """
    from ..core.scoring import school_items_percent
    from .tables import percent_shading

    percent = school_items_percent(result, county_code, year, level)
    items = result.standard.items
    columns = {_col("school", lang): percent["school_name"].to_numpy()}
    shading = {}
    for item in items:
        # The unit of the item's value ("（人）", " (m²)") does not apply to a percentage.
        header = strip_unit(item_name(item, lang))
        columns[header] = percent[item.name].to_numpy(dtype=float)
        shading[header] = percent_shading(columns[header])
    frame = pd.DataFrame(columns)   # built once, not a column insert per item
    return Table(frame, {header: "pct" for header in shading},
                 text("figure.schools_title", lang, county=county_name or county_code,
                      year=year, level=level_label(level, lang)),
                 lang=lang, shading=shading, print_columns=PRINT_ITEM_COLUMNS)


PRINT_ITEM_COLUMNS = 4
"""Indicator columns of a printed per-school table part (the school's name repeated in each):
on A4 portrait a part fits in the body type, where the whole table needed 7.5 pt."""


def school_items_figure(result, county_code: str, year: int, level: str, *,
                        county_name: str = "", lang: str = DEFAULT_LANG):
    """The per-school heat map of the report, on a new figure.

    A Figure (hence ``<thing>_figure``, not ``plot_<thing>``): the report writes whole figures
    (:func:`edubalance.report.plotting.report_png`), and the heat map and its colour bar are
    two Axes. The drawing is :func:`edubalance.report.figures.scoring.plot_school_items`'s.

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`edubalance.core.scoring.score`).
    county_code : str
        The county.
    year : int
        The year.
    level : str
        ``primary`` or ``junior``.
    county_name : str, optional
        The county's name in the title (its code when empty).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.figure.Figure
        :func:`edubalance.report.figures.scoring.plot_school_items`'s figure.
    """
    from .figures.scoring import plot_school_items

    return plot_school_items(result, county_code, year, level, county_name=county_name,
                             lang=lang).figure


def comparison_figure(result, county_code: str, year: int, *, lang: str = DEFAULT_LANG):
    """The report's comparison with the other counties, with margins worked out once.

    A Figure of one panel per level (hence ``<thing>_figure``): the report writes whole
    figures (:func:`edubalance.report.plotting.report_png`). The drawing is
    :func:`edubalance.report.figures.scoring.plot_county_comparison`'s.

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`edubalance.core.scoring.score`).
    county_code : str
        The county.
    year : int
        The year.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    matplotlib.figure.Figure
        :func:`edubalance.report.figures.scoring.plot_county_comparison`'s figure, laid out
        without a layout pass.
    """
    from ..core.scoring import comparison_levels
    from .figures.scoring import plot_county_comparison

    fig = plot_county_comparison(result, county_code, year, lang=lang).figure
    panels = fig.axes[:len(comparison_levels(result, year))]
    _titles_in_place(panels)
    # The margins depend on the words, not on the counties' values: worked out once per set of
    # labels and style, then every county's figure is drawn once, with no layout pass.
    words = tuple((ax.get_title(), tuple(t.get_text() for t in ax.get_yticklabels()),
                   tuple(t.get_text() for t in ax.get_legend().get_texts()))
                  for ax in panels)
    margins = _comparison_margins(tuple(fig.get_size_inches()), words, _style_key())
    fig.set_layout_engine("none")   # a placeholder: report_png still draws the figure once
    fig.subplots_adjust(**margins)
    return fig


def _titles_in_place(panels) -> None:
    """Each panel's title placed on top of its panel, where matplotlib would put it.

    With the title's height left automatic, matplotlib measures every y tick label again at
    each draw to see whether the title must move up above a top x axis; the comparison
    panels' x axes are at the bottom, so it never moves. Placed once, the figure draws the
    same pixels without those measurements.
    """
    for panel in panels:
        panel.set_title(panel.get_title(), fontsize=panel.title.get_fontsize(), y=1.0)


def _style_key() -> tuple:
    import matplotlib

    return tuple(str(matplotlib.rcParams[key]) for key in (
        "font.family", "font.sans-serif", "font.size", "xtick.labelsize", "ytick.labelsize",
        "axes.titlesize", "axes.titlepad", "xtick.major.pad", "ytick.major.pad",
        "xtick.major.size", "ytick.major.size", "legend.fontsize", "figure.dpi"))


@functools.lru_cache(maxsize=32)
def _comparison_margins(figsize: tuple, panels: tuple, style: tuple) -> dict:
    """The margins matplotlib's tight layout gives a comparison figure with these words.

    The titles, item names and legend entries (``panels``) are laid out on a figure holding
    only those words (x axis 0–1, like a CV's); ``style`` keys the cache to the rc settings
    that size the words.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fig, axes = plt.subplots(1, len(panels), squeeze=False, figsize=figsize)
    for ax, (title, names, legend) in zip(axes[0], panels, strict=True):
        ax.set_xlim(0, 1)
        ax.set_title(title, fontsize=10)
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.legend([Line2D([], [])] * len(legend), list(legend), fontsize=8, loc="upper center",
                  ncol=2, bbox_to_anchor=(0.5, -0.12), frameon=False)
    fig.tight_layout()
    margins = {key: float(getattr(fig.subplotpars, key))
               for key in ("left", "right", "bottom", "top", "wspace", "hspace")}
    plt.close(fig)
    return margins
