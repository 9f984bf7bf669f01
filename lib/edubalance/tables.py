"""Tables for people: one description of a table serves the HTML report and the workbook.

A :class:`Table` holds a frame of plain values (numbers stay numbers) with readable headers,
the kind of each column (how to show it) and a caption. In a notebook it shows as a pandas
Styler table without row index, with thousands separators, CVs to three places, ``是/否`` for
yes/no, a dash for a missing value, every cell escaped for HTML; an empty table shows as a
sentence instead. :func:`edubalance.xlsx.write_workbook` writes the same object as a sheet
with matching number formats.

Kinds of column: ``text`` (kept on one line), ``wrap`` (long text that may wrap), ``int``
(``12,345``), ``num1``/``num2`` (one or two decimals), ``cv`` (three decimals), ``money``
(already in 万元, one decimal), ``pct`` (one decimal and ``%``), ``amount`` (whole numbers
without decimals, others with one), ``bool`` (是/否, or yes/no).

Examples
--------
>>> import pandas as pd
>>> table = Table(pd.DataFrame({"学校": ["<b>甲</b>"], "学生（人）": [12345], "达标": [True]}),
...               kinds={"学生（人）": "int", "达标": "bool"}, caption="表 1")
>>> html = table.to_html()
>>> "12,345" in html and "是" in html and "&lt;b&gt;" in html and "<b>甲" not in html
True
>>> Table(pd.DataFrame({"a": []}), caption="表 2", empty="没有数据。").to_html()
'<p class="eb-empty"><strong>表 2</strong>：没有数据。</p>'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from .i18n import DEFAULT_LANG, text
from .markup import escape_html

__all__ = ["Table", "KINDS", "format_value", "EXCEL_FORMATS", "percent_shading"]

KINDS = ("text", "wrap", "int", "num1", "num2", "cv", "money", "pct", "amount", "bool")
EXCEL_FORMATS = {"int": "#,##0", "num1": "#,##0.0", "num2": "#,##0.00", "cv": "0.000",
                 "money": "#,##0.0", "pct": "0.0\"%\"", "amount": "General"}
_DIGITS = {"int": 0, "num1": 1, "num2": 2, "cv": 3, "money": 1, "pct": 1, "amount": 1}
MISSING = "—"


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return isinstance(value, float) and math.isnan(value) or bool(pd.isna(value) is True)
    except (TypeError, ValueError):
        return False


def format_value(value, kind: str = "text", lang: str = DEFAULT_LANG) -> str:
    """``value`` as a person reads it (not escaped).

    Examples
    --------
    >>> format_value(2209779.4, "money"), format_value(0.12345, "cv"), format_value(None, "int")
    ('2,209,779.4', '0.123', '—')
    >>> format_value(False, "bool"), format_value(True, "bool", lang="en"), format_value(1e-9, "num2")
    ('否', 'yes', '0.00')
    """
    if _missing(value):
        return MISSING
    if kind == "bool":
        return text("bool.yes" if bool(value) else "bool.no", lang)
    if kind in _DIGITS:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if not math.isfinite(number):
            return MISSING
        digits = _DIGITS[kind]
        if kind == "amount" and abs(number - round(number)) < 1e-9:
            digits = 0
        shown = f"{number:,.{digits}f}"
        if shown.lstrip("-").strip("0.,") == "":  # -0.00 -> 0.00
            shown = shown.lstrip("-")
        return shown + ("%" if kind == "pct" else "")
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table for people: values, column kinds, caption, and a sentence for when it is empty.

    Attributes
    ----------
    frame : DataFrame
        Plain values (numbers as numbers), headers already readable (with units).
    kinds : dict
        Header -> kind (see the module docstring); unlisted columns are ``text``.
    caption : str
        Shown above the table (plain text; escaped).
    empty : str
        Sentence shown instead of an empty table.
    lang : str
    shading : dict
        Header -> one CSS declaration per row (e.g. from :func:`percent_shading`), for
        tables whose cells are coloured by value; ``""`` leaves a cell plain.
    """

    frame: pd.DataFrame
    kinds: dict = field(default_factory=dict)
    caption: str = ""
    empty: str = ""
    lang: str = DEFAULT_LANG
    shading: dict = field(default_factory=dict)

    def __post_init__(self):
        unknown = {k for k in self.kinds.values() if k not in KINDS}
        if unknown:
            raise ValueError(f"unknown column kind(s) {sorted(unknown)}; use one of {KINDS}")
        for column, styles in self.shading.items():
            if column not in self.frame.columns or len(styles) != len(self.frame):
                raise ValueError(f"shading for {column!r} needs one style per row of a column "
                                 "of the table")

    def kind(self, column) -> str:
        return self.kinds.get(column, "text")

    def display_frame(self) -> pd.DataFrame:
        """Every cell as the text a reader sees (not escaped): for tests and plain output."""
        return pd.DataFrame({column: [format_value(v, self.kind(column), self.lang)
                                      for v in self.frame[column].tolist()]
                             for column in self.frame.columns}, columns=list(self.frame.columns))

    def styler(self):
        """The pandas Styler: no index, escaped cells and headers, numbers formatted."""
        frame = self.frame.reset_index(drop=True)
        formatters = {column: partial(format_value, kind=self.kind(column), lang=self.lang)
                      for column in frame.columns}
        styler = (frame.style.hide(axis="index")
                  .format(formatters, escape="html", na_rep=MISSING)
                  .format_index(escape="html", axis=1)
                  .set_caption(escape_html(self.caption))
                  .set_table_attributes('class="eb-table"'))
        numeric = [c for c in frame.columns if self.kind(c) not in ("text", "wrap", "bool")]
        if numeric:
            styler = styler.set_properties(subset=numeric, **{"text-align": "right",
                                                              "white-space": "nowrap"})
        wrapping = [c for c in frame.columns if self.kind(c) == "wrap"]
        if wrapping:
            styler = styler.set_properties(subset=wrapping, **{"white-space": "normal",
                                                               "min-width": "14em"})
        for column, styles in self.shading.items():
            styler = styler.apply(lambda _values, styles=list(styles): styles, subset=[column])
        return styler

    def to_html(self) -> str:
        if self.frame.empty:
            caption = escape_html(self.caption)
            lead = f"<strong>{caption}</strong>：" if caption and self.lang == "zh" else (
                f"<strong>{caption}</strong>: " if caption else "")
            return f'<p class="eb-empty">{lead}{escape_html(self.empty)}</p>'
        return self.styler().to_html()

    def _repr_html_(self) -> str:
        return self.to_html()


def percent_shading(values, *, reference: float = 100.0, span: float = 100.0) -> list[str]:
    """CSS cell styles colouring percentages of a reference: red below, blue above, white at it.

    The colours are matplotlib's ``RdBu`` map over ``reference ± span`` (values beyond are
    clipped), the same as the heat maps; the text turns white on the darkest cells. A
    missing value gets no style. Print stylesheets must keep background colours
    (``print-color-adjust: exact``), as the report template does.

    Examples
    --------
    The ends are ColorBrewer's RdBu ends (#67001f, #053061):

    >>> styles = percent_shading([0, 100, 250, float("nan")])
    >>> styles[0], styles[2]
    ('background-color: #67001f; color: #ffffff', 'background-color: #053061; color: #ffffff')
    >>> styles[1].endswith("color: #1a1a1a"), styles[3]
    (True, '')
    """
    import matplotlib
    import numpy as np

    numbers = np.asarray(values, dtype=float)
    position = np.clip((numbers - (reference - span)) / (2 * span), 0.0, 1.0)
    rgba = matplotlib.colormaps["RdBu"](np.nan_to_num(position, nan=0.5))
    luminance = rgba[:, :3] @ np.array([0.2126, 0.7152, 0.0722])
    styles = []
    for value, colour, light in zip(numbers, rgba, luminance > 0.45, strict=True):
        if not np.isfinite(value):
            styles.append("")
            continue
        styles.append(f"background-color: {matplotlib.colors.to_hex(colour)}; "
                      f"color: {'#1a1a1a' if light else '#ffffff'}")
    return styles
