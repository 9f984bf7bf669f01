r"""What a research notebook shows a reader, in ``lang``: headings, paragraphs, tables.

The research notebooks (province_progress, teacher_structure, assessment_effect,
outcome_regression) keep no Markdown cells: a report is exported without code, so every
heading and sentence a reader sees is a cell output drawn from the message catalogue
(:mod:`edubalance.report.i18n`) and follows the notebook's ``lang``. This module only joins the
existing pieces: headings are :func:`edubalance.report.markup.html_heading` (the report's
``eb-section`` headings: print page breaks, and the first ``<h1>`` is the page title),
paragraphs are :func:`edubalance.report.slides.say` (Markdown, values escaped) and tables are
:class:`edubalance.report.tables.Table` with the catalogue labels of their columns.

Examples
--------
>>> heading("progress.h_shares", "en").data
'<h2 class="eb-section">Share of counties passing, year by year</h2>'
>>> paragraph("progress.no_cv", "zh", standard="quality-2017").data
'quality\\-2017没有综合差异系数，不绘制变化曲线。'
>>> import pandas as pd
>>> shown = table(pd.DataFrame({"year": [2017], "share": [0.5], "passing": [3.0]}),
...               {"year": "text", "share": "cv", "passing": "int"}, "progress.shares_caption",
...               "zh")
>>> shown.caption, shown.display_frame().to_dict("records")
('表：历年达标县比例', [{'年份': '2017', '达标比例': '0.500', '达标县数': '3'}])
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from .i18n import DEFAULT_LANG, label, text
from .markup import html_heading
from .slides import say
from .tables import Table

__all__ = ["heading", "paragraph", "table"]


def heading(key: str, lang: str = DEFAULT_LANG, level: int = 2, **values: Any):
    """The catalogue text ``key`` as an escaped HTML heading (IPython ``HTML``).

    Parameters
    ----------
    key : str
        Catalogue key of the heading.
    lang : {"zh", "en"}
        Language of the heading.
    level : int, default 2
        Heading level (1: the page's title).
    **values
        Values of the text's placeholders.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    return HTML(html_heading(text(key, lang, **values), level))


def paragraph(key: str, lang: str = DEFAULT_LANG, **values: Any):
    """The catalogue text ``key`` as a Markdown paragraph (string values escaped).

    :func:`edubalance.report.slides.say` under the research notebooks' name.

    Parameters
    ----------
    key : str
        Catalogue key of the paragraph.
    lang : {"zh", "en"}
        Language of the paragraph.
    **values
        Values of the text's placeholders (strings are Markdown-escaped).

    Returns
    -------
    IPython.display.Markdown
    """
    return say(key, lang, **values)


def table(frame: pd.DataFrame, kinds: dict, caption: str, lang: str = DEFAULT_LANG, *,
          empty: str = "", **values: Any) -> Table:
    """``frame`` as a :class:`~edubalance.report.tables.Table` for people.

    Parameters
    ----------
    frame : DataFrame
        Machine column names; shown with their labels (``eb.report.i18n.label``), without index.
    kinds : dict
        Machine column name -> kind (:data:`edubalance.report.tables.COLUMN_KINDS`); only these columns
        are shown, in this order.
    caption : str
        Catalogue key of the caption, filled from ``values``.
    lang : {"zh", "en"}
        Language of the headers, caption and yes/no.
    empty : str
        Catalogue key of the sentence shown instead of an empty table ("" for none).
    **values
        Values of the caption's placeholders.

    Returns
    -------
    Table
        Missing values show as "—", numbers with their kind's decimals.
    """
    columns = [c for c in kinds if c in frame.columns]
    headers = {c: label(c, lang) for c in columns}
    shown = frame[columns].reset_index(drop=True).rename(columns=headers)
    return Table(shown, kinds={headers[c]: kinds[c] for c in columns},
                 caption=text(caption, lang, **values),
                 empty=text(empty, lang) if empty else "", lang=lang)
