"""The index page of a reports folder, rendered from ``templates/index.html.j2`` (Jinja2).

Built from ``manifest.json`` and the reports found in the folder: Chinese by default
(``lang="en"`` for English; texts in ``messages/run.yaml``), one table per notebook that can
be sorted (click a header) and filtered (type any text) with a few lines of inline script
(no CDN: the page opens offline), verdict badges from each job's ``summary.json``
(``levels[level].verdict``: 通过 / 未通过 / 待定; ``passed`` for older summaries), one number format, names that do not wrap. Every piece of user
text goes through Jinja2's autoescaping.

Examples
--------
>>> import tempfile
>>> write_index(tempfile.mkdtemp()).name
'index.html'
>>> format_number(12345.6789), format_number(3), format_number(0.41234)
('12,345.679', '3', '0.412')
"""
from __future__ import annotations

import functools
import json
import os
import time
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from ..report.i18n import check_lang, label, text
from ..report.tables import MISSING, format_value
from .manifest import MANIFEST, Manifest

__all__ = ["write_index", "render_index", "headline_figures", "format_number", "register_cli",
           "TEMPLATE",
           "value_label", "notebook_rank", "NOTEBOOK_ORDER"]

TEMPLATE = "index.html.j2"
TEMPLATES = Path(__file__).resolve().parents[1] / "report" / "templates"


def format_number(value: Any, digits: int = 3) -> str:
    """The index's number format (:func:`edubalance.report.tables.format_value`).

    Thousands separators; integers as integers, other numbers with ``digits`` decimals; never
    scientific notation; ``nan`` or ``None`` show as every table shows a missing value ("—").

    Parameters
    ----------
    value : object
        A number; ``None``, a bool, NaN and infinities show as "—", text as it is.
    digits : int, default 3
        Decimals of a number that is not an ``int``.

    Returns
    -------
    str
        The formatted number.
    """
    if value is None or isinstance(value, bool):
        return MISSING
    if isinstance(value, int):
        return format_value(value, "int")
    return format_value(value, "num", digits=digits)


def headline_figures(summary: Mapping[str, Any] | None, limit: int = 4) -> list[tuple[str, Any]]:
    """A few figures worth showing in the index, from a job's ``summary.json``.

    Scoring summaries (with ``levels``) give ``composite_cv`` and ``passed`` per level;
    otherwise the first ``limit`` scalar values.

    Parameters
    ----------
    summary : mapping or None
        A job's ``summary.json``, read; anything that is not a mapping gives ``[]``.
    limit : int, default 4
        How many scalar values to take from a summary without ``levels``.

    Returns
    -------
    list of tuple of (str, object)
        ``(name, value)`` pairs, values as the summary holds them (not formatted).

    Examples
    --------
    >>> headline_figures({"levels": {"primary": {"composite_cv": 0.41, "passed": True}}})
    [('primary composite_cv', 0.41), ('primary passed', True)]
    >>> headline_figures({"k": 3, "method": "ward", "rows": [1, 2]})
    [('k', 3), ('method', 'ward')]
    """
    if not isinstance(summary, Mapping):
        return []
    levels = summary.get("levels")
    if isinstance(levels, Mapping) and levels:
        figures = []
        for level, values in levels.items():
            if isinstance(values, Mapping):
                for key in ("composite_cv", "passed"):
                    if key in values:
                        figures.append((f"{level} {key}", values[key]))
        if figures:
            return figures
    scalars = [(str(key), value) for key, value in summary.items()
               if value is None or isinstance(value, (str, int, float, bool))]
    return scalars[:limit]


# Notebooks in the order a reader looks for them: the county assessments first, then the
# province's view, then the research notebooks; others after them, by name.
NOTEBOOK_ORDER = ("county_scoring", "equity_index", "province_progress", "county_clustering",
                  "teacher_structure", "outcome_regression", "assessment_effect")


def notebook_rank(stem: str) -> tuple[int, str]:
    """Where a notebook's jobs appear on the index page (:data:`NOTEBOOK_ORDER`).

    Parameters
    ----------
    stem : str
        The notebook's file name without ``.ipynb`` (``county_scoring``).

    Returns
    -------
    tuple of (int, str)
        A sort key: the position in :data:`NOTEBOOK_ORDER` and ``""``, or, for a notebook
        not listed there, a position after all of them and ``stem`` (listed by name).

    Examples
    --------
    >>> sorted(["assessment_effect", "my_notebook", "county_scoring"], key=notebook_rank)
    ['county_scoring', 'assessment_effect', 'my_notebook']
    """
    try:
        return NOTEBOOK_ORDER.index(stem), ""
    except ValueError:
        return len(NOTEBOOK_ORDER), stem


def value_label(value: str, lang: str = "zh") -> str:
    """A parameter value as a reader names it.

    A standard, a level, a method or a variable by its label in the catalogue
    (``basic-2012`` -> 基本均衡, ``primary`` -> 小学, ``kmeans`` -> K均值聚类); anything else
    (a county, a file name) as it is.

    Parameters
    ----------
    value : str
        A parameter's value.
    lang : {"zh", "en"}, default "zh"
        Language of the label.

    Returns
    -------
    str
        The label, or ``value`` itself when the catalogue has none.

    Examples
    --------
    >>> value_label("basic-2012"), value_label("primary"), value_label("kmeans")
    ('基本均衡', '小学', 'K均值聚类')
    >>> value_label("quality-2017", "en"), value_label("灵武市")
    ('quality balance', '灵武市')
    """
    for key in (f"run.standard.{value}", f"level.{value}", f"run.value.{value}"):
        found = _text_or(key, lang, "")
        if found:
            return found
    return label(value, lang)


def _href(relative: str) -> str:
    return "/".join(quote(part) for part in relative.split("/"))


def _text_or(key: str, lang: str, fallback: str) -> str:
    try:
        return text(key, lang)
    except KeyError:
        return fallback


def _param_label(name: str, lang: str) -> str:
    found = _text_or(f"run.param.{name}", lang, "")
    return found or label(name, lang)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value) if isinstance(value, int) else format_number(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _found_reports(output: Path) -> list[dict[str, str]]:
    found = []
    for folder in (output, output / "presentation"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.html")):
                if path.name != "index.html" and path.is_file():
                    found.append(path.relative_to(output).as_posix())
    # Slides first: they are what a meeting opens.
    found.sort(key=lambda name: (not name.endswith(".slides.html"), name))
    return [{"name": name, "href": _href(name)} for name in found]


def _read_summary(output: Path, job: Mapping[str, Any]) -> Mapping[str, Any] | None:
    relative = job.get("summary")
    if not relative or not (output / relative).is_file():
        return None
    try:
        summary = json.loads((output / relative).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, Mapping) else None


def _badges(summary: Mapping[str, Any] | None, lang: str) -> list[dict[str, str]]:
    levels = summary.get("levels") if summary else None
    if not isinstance(levels, Mapping):
        return []
    badges = []
    qualified = bool(summary.get("assumed") or summary.get("approximated") or any(
        isinstance(values, Mapping) and values.get("not_assessed") for values in levels.values()))
    for level, values in levels.items():
        if not isinstance(values, Mapping):
            continue
        passed = values.get("passed")
        name = _text_or(f"level.{level}", lang, str(level))
        # The official verdict where the summary has one: 通过 only for ``pass``.
        official = values.get("verdict")
        if official == "pass" or (official is None and passed is True):
            # A pass resting on anything assumed, approximated or not assessed is not 通过.
            kind, verdict = "pass", text("verdict.passed_qualified" if qualified
                                         else "verdict.passed", lang)
        elif official == "fail" or (official is None and passed is False):
            kind, verdict = "fail", text("verdict.failed", lang)
        elif official == "incomplete":
            kind, verdict = "open", text("verdict.incomplete", lang)
        else:
            kind, verdict = "none", text("run.verdict.not_assessed", lang)
        badges.append({"kind": kind, "text": f"{name} {verdict}"})
    return badges


def _figures(summary: Mapping[str, Any] | None, lang: str) -> list[dict[str, str]]:
    if not summary:
        return []
    levels = summary.get("levels")
    if isinstance(levels, Mapping) and levels:
        figures = []
        for level, values in levels.items():
            # A standard without a composite CV (quality-2017) shows none, not a dash.
            if isinstance(values, Mapping) and values.get("composite_cv") is not None:
                name = (_text_or(f"level.{level}", lang, str(level)) + " "
                        + text("run.figure.composite_cv", lang))
                figures.append({"name": name, "value": format_number(values["composite_cv"])})
        return figures
    # Only figures a reader can name: numbers and yes/no values whose key has a label in the
    # catalogue or is a plain word (identifiers, variable names and settings stay in
    # summary.json).
    figures = []
    for key, value in summary.items():
        name = _text_or(f"run.figure.{key}", lang, "") or label(str(key), lang)
        if str(key) in ("seed", "random_state"):
            continue  # a setting, not a result
        if (name == key and "_" in str(key)) or not isinstance(value, (bool, int, float)):
            continue  # a snake_case name without a label says nothing to a reader
        if isinstance(value, bool):
            shown = text("bool.yes" if value else "bool.no", lang)
        elif str(key) == "year" or str(key).endswith("_year"):
            shown = str(int(value))  # 2017, not 2,017
        else:
            shown = format_number(value)
        figures.append({"name": name, "value": shown})
        if len(figures) == 4:
            break
    return figures


def _group(stem: str, group: list[Mapping[str, Any]], output: Path, lang: str) -> dict:
    all_keys = list(dict.fromkeys(key for job in group for key in (job.get("parameters") or {})))
    varying = [key for key in all_keys
               if len({json.dumps((job.get("parameters") or {}).get(key), sort_keys=True,
                                  ensure_ascii=False, default=str) for job in group}) > 1]
    shown = varying or all_keys[:1]
    if "county" in all_keys and "county" not in shown:
        shown = ["county", *shown]
    shared = {key: (group[0].get("parameters") or {}).get(key) for key in all_keys
              if key not in shown}
    # Rows of one county together, counties in the order the batch ran them.
    first_seen: dict[str, int] = {}
    for job in group:
        first_seen.setdefault(str((job.get("parameters") or {}).get("county", "")),
                              len(first_seen))
    ordered = sorted(group, key=lambda job: first_seen[str((job.get("parameters") or {})
                                                           .get("county", ""))])
    rows = []
    for job in ordered:
        parameters = job.get("parameters") or {}
        summary = _read_summary(output, job)
        status = str(job.get("status") or "failed")
        badges = _badges(summary, lang)
        cells = []
        for key in shown:
            value = parameters.get(key)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if key == "county":  # a name or a code: text either way
                cells.append({"text": _value(value), "kind": "name", "sort": None})
                continue
            # A variable or standard named by a parameter shows as its label (mean_exam_score
            # -> 平均成绩); file paths and other values as they are.
            cell_text = value_label(value, lang) if isinstance(value, str) else _value(value)
            cells.append({"text": cell_text, "kind": "num" if number else "param",
                          "sort": value if number else None})
        links = []
        for key, label_key in (("report", "run.index.report"), ("pdf", "run.index.pdf"),
                               ("notebook_output", "run.index.executed"),
                               ("summary", "run.index.summary")):
            relative = job.get(key)
            if relative and (output / relative).is_file():
                links.append({"href": _href(relative), "label": text(label_key, lang)})
        seconds = job.get("seconds")
        rows.append({
            "cells": cells, "status": status.replace(" ", "_"),
            "status_text": _text_or(f"run.status.{status.replace(' ', '_')}", lang, status),
            "badges": badges,
            "verdict_sort": "".join("1" if b["kind"] == "pass" else "0" for b in badges),
            "figures": _figures(summary, lang), "error": job.get("error"),
            "seconds": "" if seconds is None else format_number(seconds, 1),
            "seconds_sort": "" if seconds is None else seconds, "links": links})
    title = _text_or(f"run.notebook.{stem}", lang, stem)
    # The reader sees the title; the notebook's file name stays in a tooltip and in the
    # collapsed technical details (parameter names are for analysts, not county heads).
    return {"title": title, "stem": stem,
            "notebook": str(group[0].get("notebook") or stem),
            "shared": "; ".join(f"{_param_label(key, lang)} = {_value(value)}"
                                for key, value in shared.items()),
            "columns": [_param_label(key, lang) for key in shown], "rows": rows,
            "has_verdict": any(row["badges"] for row in rows)}


@functools.cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    # auto_reload (Jinja2's default): a template file changed since it was compiled is
    # compiled again at the next get_template.
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def _index_template():
    """The index page's Jinja2 template, compiled once per process.

    A new Jinja2 environment per page compiled the template at every index (40 ms of CPU at
    the very end of each batch, after the last job); the batch runner asks for it while the
    workers stop (``runner._prepare_index``), so the index is written without compiling.

    Returns
    -------
    jinja2.Template
        ``index.html.j2``, with HTML autoescaping; compiled again if its file changed.

    Examples
    --------
    >>> _index_template() is _index_template()
    True
    """
    return _environment().get_template(TEMPLATE)


def render_index(output: str | os.PathLike, jobs: list[Mapping[str, Any]],
                 lang: str = "zh") -> str:
    """The index page (HTML text) for a reports folder and its manifest entries.

    Parameters
    ----------
    output : str or path-like
        The reports folder; links, the jobs' ``summary.json`` files and the presentations
        shown (``*.html`` in it and in ``presentation/``) are found there.
    jobs : list of mapping
        Manifest entries (:func:`edubalance.run.manifest.job_entry`), one row each.
    lang : {"zh", "en"}, default "zh"
        Language of the page.

    Returns
    -------
    str
        The HTML page; every piece of user text is escaped.

    Raises
    ------
    ParameterError
        ``lang`` is not a supported language.
    """
    check_lang(lang)
    output = Path(output)
    counts = {status: sum(job.get("status") == status for job in jobs)
              for status in ("ok", "skipped", "failed")}
    t = {key.split(".")[-1]: text(key, lang) for key in (
        "run.index.title", "run.index.heading", "run.index.presentations", "run.index.shared",
        "run.index.notebook", "run.index.none", "run.index.filter", "run.index.sort_hint",
        "run.index.status", "run.index.verdict", "run.index.figures", "run.index.seconds",
        "run.index.files", "run.index.error", "run.index.no_jobs", "run.index.empty_filter",
        "run.index.technical")}
    t["counts"] = text("run.index.counts", lang, total=f"{len(jobs):,}",
                       ok=f"{counts['ok']:,}", skipped=f"{counts['skipped']:,}",
                       failed=f"{counts['failed']:,}")
    t["built"] = text("run.index.built", lang, when=time.strftime("%Y-%m-%d %H:%M"))
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for job in jobs:
        groups.setdefault(str(job.get("notebook_stem") or job.get("notebook")), []).append(job)
    page = _index_template().render(
        t=t, html_lang="zh-CN" if lang == "zh" else "en",
        manifest_link=MANIFEST if (output / MANIFEST).is_file() else None,
        found=_found_reports(output),
        groups=[_group(stem, groups[stem], output, lang)
                for stem in sorted(groups, key=notebook_rank)])
    return page


def write_index(output: str | os.PathLike, lang: str = "zh") -> Path:
    """(Re)build ``output/index.html`` from ``manifest.json`` and the reports found there.

    Parameters
    ----------
    output : str or path-like
        The reports folder.
    lang : {"zh", "en"}, default "zh"
        Language of the page.

    Returns
    -------
    Path
        The ``index.html`` written (atomically).

    Raises
    ------
    FileNotFoundError
        ``output`` is not a folder.
    ParameterError
        The folder holds an ``index.html`` edubalance did not write
        (:func:`edubalance.run.manifest.check_ownership`), or ``lang`` is not supported.
    ValueError
        ``manifest.json`` is not valid JSON.
    """
    from ..io.write import atomic_write_text

    output = Path(output)
    if not output.is_dir():
        raise FileNotFoundError(f"reports folder not found: {output}")
    from .manifest import check_ownership

    check_ownership(output, ("index.html",))  # someone else's index.html is never replaced
    manifest = output / MANIFEST
    if manifest.is_file():
        try:
            json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{manifest}: not valid JSON: {error}") from None
    jobs = Manifest.read(output).entries
    return atomic_write_text(output / "index.html", render_index(output, jobs, lang=lang))


def _handle_index(args) -> int:
    print(write_index(args.folder, lang=args.lang))
    return 0


def register_cli(subparsers) -> None:
    """Add ``edubalance index`` to the command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``edubalance`` command's sub-parsers (``add_subparsers()``); the ``index`` parser
        is added to them, with ``func`` set to the handler that rebuilds the index.
    """
    index = subparsers.add_parser(
        "index", help="rebuild DIR/index.html from DIR/manifest.json and the reports found",
        description="Rebuild the browsable index of a reports folder.")
    index.add_argument("folder", metavar="DIR")
    index.add_argument("--lang", choices=("zh", "en"), default="zh",
                       help="language of the index page (default zh)")
    index.set_defaults(func=_handle_index)
