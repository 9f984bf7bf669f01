"""Tables for people: the one number formatter and the one Styler builder of the package.

Every table a person reads (the county report, the analysis notebooks, the slides, the
explorer) goes through :func:`styler`; every number shown as text goes through
:func:`format_value`. Shown like this: no row index, headers and cells HTML-escaped (county
and school names are user text), the MathJax-skip classes on the table (``$...$`` in a name
is not typeset), thousands separators, integers as integers, never scientific notation,
``是/否`` (yes/no) for booleans, :data:`MISSING` ("—") for a missing value (never ``nan``,
``None``, ``True``/``False``). Numbers end in :func:`edubalance.io.number_text.plain_number`,
which the loaders' messages share.

A :class:`Table` holds a frame of plain values (numbers stay numbers) with readable headers,
the kind of each column (how to show it) and a caption; an empty table shows as a sentence
instead. :func:`edubalance.report.xlsx.write_workbook` writes the same object as a sheet with
matching number formats. ``edubalance.report.display.styled`` (analysis notebooks),
``edubalance.report.slides.table`` (slides) and ``edubalance.report.story.table`` (research
notebooks, a :class:`Table`) are thin calls into these two with their audience's headers and
defaults, and the same words: ``digits`` for decimals, "—" for a missing value.

Kinds of column: ``text`` (kept on one line), ``wrap`` (long text that may wrap), ``int``
(``12,345``), ``num`` (``digits`` decimals, 2 unless told), ``num1``/``num2`` (one or two
decimals), ``cv`` (three decimals), ``money`` (already in 万元, one decimal), ``pct`` (already
in percent: one decimal and ``%``), ``share`` (a fraction shown in percent: ``0.25`` ->
``25%``), ``amount`` (whole numbers without decimals, others with one), ``year`` (``2017``),
``pvalue`` (``< 0.001`` or three decimals), ``bool`` (是/否, or yes/no). :func:`infer_kind`
chooses one from a column's dtype and name where none is given.

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
>>> frame = pd.DataFrame({"county_name": ["甲县"], "schools": [12.0], "share": [0.25],
...                       "gini": [0.41234]})
>>> html = styler(frame, percent=["share"], digits=3, headers={"county_name": "县"}).to_html()
>>> [s in html for s in (">县<", ">12<", ">25%<", ">0.412<", "mathjax_ignore")]
[True, True, True, True, True]
"""
from __future__ import annotations

import functools
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from .._compat import moved_names as _moved_names
from ..errors import ParameterError
from ..io.number_text import MISSING, plain_number
from .i18n import DEFAULT_LANG, check_lang, text
from .markup import SCREEN_ONLY, escape_html

__all__ = ["Table", "COLUMN_KINDS", "MISSING", "NO_MATH", "LAYOUTS", "format_value", "infer_kind",
           "styler", "EXCEL_FORMATS", "percent_shading"]

COLUMN_KINDS = ("text", "wrap", "int", "num", "num1", "num2", "cv", "money", "pct", "share", "amount",
         "year", "pvalue", "bool")
EXCEL_FORMATS = {"int": "#,##0", "num": "#,##0.00", "num1": "#,##0.0", "num2": "#,##0.00",
                 "cv": "0.000", "money": "#,##0.0", "pct": "0.0\"%\"", "share": "0%",
                 "amount": "General", "year": "0", "pvalue": "0.000"}
_DIGITS = {"int": 0, "num": 2, "num1": 1, "num2": 2, "cv": 3, "money": 1, "pct": 1, "share": 0,
           "amount": 1, "year": 0, "pvalue": 3}
# ``KINDS`` was COLUMN_KINDS's name, as it is io.load's for the kinds of input table.
__getattr__ = _moved_names(__name__, {"KINDS": f"{__name__}:COLUMN_KINDS"})


_TEXT_KINDS = ("text", "wrap", "bool")
NO_MATH = "tex2jax_ignore mathjax_ignore"
"""HTML classes MathJax 2 and 3 skip: user text inside is never read as TeX."""
LAYOUTS = ("report", "slides")


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return isinstance(value, float) and math.isnan(value) or bool(pd.isna(value) is True)
    except (TypeError, ValueError):
        return False


def format_value(value, kind: str = "text", lang: str = DEFAULT_LANG, *,
                 digits: int | None = None, missing: str = MISSING) -> str:
    """``value`` as a person reads it (not escaped): the package's one number format.

    Parameters
    ----------
    value : object
        A number, boolean, text or missing value.
    kind : str
        One of :data:`COLUMN_KINDS` (see the module docstring).
    lang : {"zh", "en"}
        Language of yes/no.
    digits : int, optional
        Decimals, instead of the kind's own (``num`` 2, ``cv`` 3, ``amount`` 1 ...).
    missing : str
        Shown for None, NaN, NA and infinities.

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(2209779.4, "money"), format_value(0.12345, "cv"), format_value(None, "int")
    ('2,209,779.4', '0.123', '—')
    >>> format_value(False, "bool"), format_value(True, "bool", lang="en"), format_value(1e-9, "num2")
    ('否', 'yes', '0.00')
    >>> format_value(2000.0, "amount"), format_value(4.24, "amount"), format_value(1e21, "int")
    ('2,000', '4.2', '1,000,000,000,000,000,000,000')
    >>> format_value(0.125, "share"), format_value(0.0004, "pvalue"), format_value(2017.0, "year")
    ('12%', '< 0.001', '2017')
    >>> format_value(float("nan"), "num", missing="–"), format_value(1.23456, "num", digits=3)
    ('–', '1.235')
    >>> format_value(1e-9), format_value(2017.0), format_value(True), format_value("x")
    ('0.000000001', '2017', '是', 'x')
    """
    if _missing(value):
        return missing
    if kind == "bool" or isinstance(value, (bool, np.bool_)):
        return text("bool.yes" if bool(value) else "bool.no", lang)
    places = _DIGITS.get(kind) if digits is None else int(digits)
    if places is None:  # text: a stray float shows without scientific notation
        if isinstance(value, (float, np.floating)):
            return plain_number(value, grouping=False, missing=missing)
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return missing
    return _format_numbers(np.array([number]), kind, places)[0]


def _all_bool(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and bool(present.map(type).isin([bool, np.bool_]).all())


def _all_whole(values: pd.Series) -> bool:
    finite = values.dropna().to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    return bool(finite.size) and bool(np.all(finite == np.round(finite))) \
        and bool(np.all(np.abs(finite) < 1e15))


def infer_kind(values: pd.Series, percent: Sequence[str] = ()) -> str:
    """The kind a column is shown as when none is given, from its dtype and name.

    Booleans -> ``bool``; numbers: ``p_value`` -> ``pvalue``, a column in ``percent`` ->
    ``share``, ``pct_*``/``*_pct`` -> ``pct``, ``year``/``*_year`` -> ``year``, integers and
    whole-number floats (counts after a pivot) -> ``int``, other numbers -> ``num``;
    anything else -> ``text``.

    Parameters
    ----------
    values : Series
        The column (its name counts).
    percent : sequence of str
        Names of columns holding fractions shown as percentages.

    Returns
    -------
    str
        One of :data:`COLUMN_KINDS`.

    Examples
    --------
    >>> [infer_kind(pd.Series(v, name=n)) for n, v in [("n", [3.0, 4.0]), ("cv", [0.5]),
    ...     ("year", [2017]), ("ok", [True, None]), ("name", ["甲"]), ("p_value", [0.2])]]
    ['int', 'num', 'year', 'bool', 'text', 'pvalue']
    """
    name = str(values.name)
    if pd.api.types.is_bool_dtype(values.dtype) or (values.dtype == object and _all_bool(values)):
        return "bool"
    if not pd.api.types.is_numeric_dtype(values.dtype):
        return "text"
    if name == "p_value":
        return "pvalue"
    if name in percent:
        return "share"
    if name.startswith("pct_") or name.endswith("_pct"):
        return "pct"
    if name == "year" or name.endswith("_year"):
        return "year"
    if pd.api.types.is_integer_dtype(values.dtype) or _all_whole(values):
        return "int"
    return "num"


def _html_cell(value, **options) -> str:
    # The Styler escapes string values before formatting (escape="html"); what the formatter
    # adds itself ("< 0.001") is escaped here.
    return format_value(value, **options).replace("<", "&lt;")


def _header_function(headers) -> Callable[[object], str]:
    if headers is None:
        return str
    if isinstance(headers, Mapping):
        return lambda name: str(headers.get(name, name))
    return lambda name: str(headers(name))


_COLUMN_CSS = {kind: "" if kind in _TEXT_KINDS else "text-align: right; white-space: nowrap"
               for kind in COLUMN_KINDS}
_COLUMN_CSS["wrap"] = "white-space: normal; min-width: 14em"
"""The CSS of a cell of each kind (:func:`styler`'s ``report`` layout)."""
_HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"))


def _escape_cells(values: pd.Series) -> pd.Series:
    # As the Styler's escape="html" (markupsafe): & < > " ' , on the whole column at once.
    if not values.str.contains("[&<>\"']", regex=True).any():
        return values
    for character, entity in _HTML_ESCAPES:
        values = values.str.replace(character, entity, regex=False)
    return values


def _escape_header(name) -> str:
    # The Styler's format_index(str, escape="html"): text escaped, other labels as str().
    if not isinstance(name, str):
        return str(name)
    for character, entity in _HTML_ESCAPES:
        name = name.replace(character, entity)
    return name


def _html_column(values: pd.Series, kind: str, lang: str) -> list[str]:
    """The cells of one column as the Styler of :func:`styler` writes them (escaped).

    Numbers are formatted a column at a time (NumPy masks for the missing, percent, p-value
    and negative-zero cases; Python's number format, as :func:`format_value`); text columns
    are escaped as one string operation; columns of mixed objects go cell by cell.
    """
    dtype = values.dtype
    places = _DIGITS.get(kind)
    if places is not None and pd.api.types.is_numeric_dtype(dtype) \
            and not pd.api.types.is_bool_dtype(dtype):
        return _number_column(values.to_numpy(dtype=float, na_value=np.nan), kind, places)
    if kind in ("text", "wrap") and pd.api.types.is_string_dtype(dtype) \
            and not pd.api.types.is_object_dtype(dtype):
        missing = values.isna().to_numpy()
        shown = _escape_cells(values.fillna("")).to_numpy(dtype=object)
        shown[missing] = MISSING
        return shown.tolist()
    return [MISSING if _styler_missing(value) else _html_cell(_escape_styler(value), kind=kind,
                                                              lang=lang)
            for value in values.tolist()]


def _styler_missing(value) -> bool:
    try:
        return pd.isna(value) is True
    except (TypeError, ValueError):
        return False


def _escape_styler(value):
    return _escape_header(value) if isinstance(value, str) else value


def _format_numbers(numbers: np.ndarray, kind: str, places: int) -> np.ndarray:
    """The text of finite numbers of a numeric kind, all at once (not escaped).

    The rules of :func:`format_value` (which calls this for one number) in one place:
    shares times 100, years without decimals or separators, whole amounts without decimals,
    p-values below 0.001 as "< 0.001", ``%`` for percentages and shares, no "-0.00".
    """
    values = numbers * (100.0 if kind == "share" else 1.0)
    if kind == "year":
        places = 0
    grouping = "" if kind == "year" else ","
    magnitude = np.abs(values)
    if kind == "amount":
        whole = np.abs(values - np.round(values)) < 1e-9
        text = np.empty(values.shape, dtype=object)
        text[whole] = list(map(f"{{:{grouping}.0f}}".format, magnitude[whole].tolist()))
        text[~whole] = list(map(f"{{:{grouping}.{places}f}}".format,
                                magnitude[~whole].tolist()))
    else:
        text = np.array(list(map(f"{{:{grouping}.{places}f}}".format, magnitude.tolist())),
                        dtype=object)
    # A negative number keeps its sign unless it shows as zero (plain_number: no "-0.00").
    zero = np.char.strip(text.astype(str), "0.,") == ""
    text = np.where((values < 0) & ~zero, "-" + text, text)
    if kind in ("pct", "share"):
        text = text + "%"
    if kind == "pvalue":
        text = np.where(values < 0.001, "< 0.001", text)
    return text


def _number_column(numbers: np.ndarray, kind: str, places: int) -> list[str]:
    """:func:`format_value` of a float column of a numeric kind, escaped, all at once."""
    shown = np.full(numbers.shape, MISSING, dtype=object)
    finite = np.isfinite(numbers)
    if finite.any():
        text = _format_numbers(numbers[finite], kind, places)
        shown[finite] = np.where(text == "< 0.001", "&lt; 0.001", text) \
            if kind == "pvalue" else text
    return shown.tolist()


@functools.lru_cache(maxsize=1024)
def _css_props(declarations: str) -> str:
    # As the Styler's maybe_convert_css_to_tuples, written as its template writes them.
    return "".join(f"  {part.split(':')[0].strip()}: {':'.join(part.split(':')[1:]).strip()};\n"
                   for part in declarations.split(";") if part.strip())


def _table_html(table_id: str, classes: str, caption: str, headers: list[str],
                texts: np.ndarray, base: np.ndarray, shades: np.ndarray) -> str:
    """The HTML pandas' Styler writes (its html.tpl, index hidden) for these cells.

    ``texts`` are the escaped cell texts (rows x columns), ``base`` the per-column CSS and
    ``shades`` the per-cell CSS.
    """
    rows, width = texts.shape
    row = np.array([str(r) for r in range(rows)], dtype=object)[:, None]
    col = np.array([str(c) for c in range(width)], dtype=object)[None, :]
    cell = "row" + row + "_col" + col
    # The rules: cells of the same declarations share one, in the order the cells come.
    style = np.broadcast_to(base[None, :], texts.shape) + "\x1f" + shades
    flat = style.ravel()
    styled = np.flatnonzero(flat != "\x1f")
    rules = []
    if styled.size:
        # np.unique's keys renumbered in the order of their first cell
        keys, first, codes = np.unique(flat[styled], return_index=True, return_inverse=True)
        rank = np.empty(len(keys), dtype=np.intp)
        rank[np.argsort(first, kind="stable")] = np.arange(len(keys))
        codes, uniques = rank[codes.ravel()], keys[np.argsort(first, kind="stable")]
        order = np.argsort(codes, kind="stable")
        selectors = (f"#T_{table_id}_" + cell.ravel()[styled])[order]
        bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
        for key, group in zip(uniques, np.split(selectors, bounds), strict=True):
            own, shade = key.split("\x1f")
            rules.append(", ".join(group.tolist()) + " {\n" + _css_props(own)
                         + _css_props(shade) + "}\n")
    head = "".join(f'      <th id="T_{table_id}_level0_col{c}" class="col_heading level0 col{c}" '
                   f">{header}</th>\n" for c, header in enumerate(headers))
    cells = ('      <td id="T_' + table_id + "_" + cell + '" class="data row' + row + " col"
             + col + '" >' + texts + "</td>\n")
    if rows and width:
        cells[:, 0] = "    <tr>\n" + cells[:, 0]
        cells[:, -1] = cells[:, -1] + "    </tr>\n"
    caption = f"  <caption>{caption}</caption>\n" if caption else ""
    return ('<style type="text/css">\n' + "".join(rules) + "</style>\n"
            f'<table id="T_{table_id}" class="{classes}">\n{caption}  <thead>\n    <tr>\n'
            f"{head}    </tr>\n  </thead>\n  <tbody>\n" + "".join(cells.ravel().tolist())
            + "  </tbody>\n</table>\n")


def styler(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None,
           lang: str = DEFAULT_LANG, *, caption: str | None = None,
           headers: Mapping | Callable | None = None, digits: int = 2,
           decimals: Mapping[str, int] | None = None, percent: Sequence[str] = (),
           missing: str = MISSING, layout: str = "report"):
    """The pandas Styler of ``frame`` for people: the one table builder of the package.

    Parameters
    ----------
    frame : DataFrame
        Plain values; the index is dropped.
    kinds : mapping, optional
        Column -> kind (:data:`COLUMN_KINDS`); other columns get :func:`infer_kind`.
    lang : {"zh", "en"}
        Language of yes/no.
    caption : str, optional
        Plain text shown above the table (escaped).
    headers : mapping or callable, optional
        Column -> header shown (e.g. ``eb.report.i18n.label``); columns keep their names otherwise.
    digits : int
        Decimals of ``num`` columns.
    decimals : mapping, optional
        Column -> decimals, overriding ``digits`` and the kind's own.
    percent : sequence of str
        Columns holding fractions (0-1) shown as percentages, when their kind is inferred.
    missing : str
        What a missing value shows as.
    layout : {"report", "slides"}
        ``report`` (the reports and analysis notebooks): numbers right-aligned on one line,
        ``wrap`` columns may wrap, headers as the page styles them; ``slides``: everything
        left-aligned, headers and short cells on one line.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    check_lang(lang)
    if layout not in LAYOUTS:
        raise ParameterError(f"layout={layout!r}; use one of {', '.join(LAYOUTS)}")
    unknown = {k for k in (kinds or {}).values() if k not in COLUMN_KINDS}
    if unknown:
        raise ParameterError(f"unknown column kind(s) {sorted(unknown)}; use one of {COLUMN_KINDS}")
    frame = frame.reset_index(drop=True)
    decimals = dict(decimals or {})
    shown, formats = {}, {}
    for column in frame.columns:
        kind = (kinds or {}).get(column)
        places = decimals.get(column)
        if kind is None:
            kind = infer_kind(frame[column], percent)
            if places is None and kind == "pct":
                places = 0  # a computed percentage: whole percent
        if places is None and kind == "num":
            places = digits
        shown[column] = kind
        formats[column] = partial(_html_cell, kind=kind, lang=lang, digits=places,
                                  missing=missing)
    result = (frame.style.hide(axis="index")
              .format(formats, escape="html", na_rep=missing)
              .format_index(_header_function(headers), axis=1, escape="html")
              .set_table_attributes(f'class="eb-table {NO_MATH}"'))
    if caption:
        result = result.set_caption(escape_html(caption))
    if layout == "slides":
        result = result.set_table_styles([
            {"selector": "th", "props": "text-align: left; white-space: nowrap;"},
            {"selector": "td", "props": "text-align: left;"}])
        short = [c for c in frame.columns if frame[c].astype(str).str.len().max() <= 12]
        if short:  # short cells (numbers, group names) never wrap
            result = result.set_properties(subset=short, **{"white-space": "nowrap"})
        return result
    numeric = [c for c in frame.columns if shown[c] not in _TEXT_KINDS]
    if numeric:
        result = result.set_properties(subset=numeric, **{"text-align": "right",
                                                          "white-space": "nowrap"})
    wrapping = [c for c in frame.columns if shown[c] == "wrap"]
    if wrapping:
        result = result.set_properties(subset=wrapping, **{"white-space": "normal",
                                                           "min-width": "14em"})
    return result


@dataclass(frozen=True)
class Table:
    """A table for people: values, column kinds, caption, and a sentence for when it is empty.

    Parameters
    ----------
    frame, kinds, caption, empty, lang, shading, limits, title, print_columns
        The attributes below, in this order.

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
        Language of yes/no and of captions the table adds.
    shading : dict
        Header -> one CSS declaration per row (e.g. from :func:`percent_shading`), for
        tables whose cells are coloured by value; ``""`` leaves a cell plain.
    limits : dict
        Header -> the limit each row's value is compared with (a sequence, one per row, NaN
        where none): such a cell shows as many decimals as it takes to tell the value from its
        limit (0.4504 against 0.45 is "0.4504", not "0.450"; :func:`cell_digits`).
    title : tuple of str
        Lines a workbook writes above the table (what the sheet is about: county, standard,
        year, date), so a sheet printed or e-mailed alone still says so; not shown in HTML.
    print_columns : int
        For printing, tables of more columns than this besides the first are split into
        parts of at most this many, each repeating the first column (the school's name):
        the HTML holds the whole table for the screen and the parts for print (the report
        template's print stylesheet shows one or the other). 0: never split.
    """

    frame: pd.DataFrame
    kinds: dict = field(default_factory=dict)
    caption: str = ""
    empty: str = ""
    lang: str = DEFAULT_LANG
    shading: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)
    title: tuple = ()
    print_columns: int = 0

    def __post_init__(self):
        unknown = {k for k in self.kinds.values() if k not in COLUMN_KINDS}
        if unknown:
            raise ParameterError(f"unknown column kind(s) {sorted(unknown)}; use one of {COLUMN_KINDS}")
        for column, styles in self.shading.items():
            if column not in self.frame.columns or len(styles) != len(self.frame):
                raise ParameterError(f"shading for {column!r} needs one style per row of a "
                                     "column of the table")
        for column, limits in self.limits.items():
            if column not in self.frame.columns or len(limits) != len(self.frame):
                raise ParameterError(f"limits for {column!r} need one value per row of a "
                                     "column of the table")

    def kind(self, column) -> str:
        """The kind of ``column`` (``text`` unless :attr:`kinds` names another).

        Parameters
        ----------
        column : str
            A header of :attr:`frame`.

        Returns
        -------
        str
        """
        return self.kinds.get(column, "text")

    def cell_digits(self, column) -> list[int | None]:
        """Per row of ``column``: the decimals to show (None: the kind's own).

        More than the kind's own only where the value would otherwise look equal to its limit
        (:attr:`limits`; :func:`edubalance.core.numeric.digits_apart`).

        Parameters
        ----------
        column : str
            A header of :attr:`frame`.

        Returns
        -------
        list of int or None
        """
        from ..core.numeric import digits_apart

        kind = self.kind(column)
        if column not in self.limits or kind not in _DIGITS:
            return [None] * len(self.frame)
        base = _DIGITS[kind]
        out = []
        for value, limit in zip(self.frame[column].tolist(), list(self.limits[column]),
                                strict=True):
            try:
                shown = digits_apart(float(value), float(limit), base)
            except (TypeError, ValueError):
                shown = base
            out.append(None if shown == base else shown)
        return out

    def display_frame(self) -> pd.DataFrame:
        """Every cell as the text a reader sees (not escaped): for tests and plain output.

        Returns
        -------
        DataFrame
            The same headers, every cell a string.
        """
        return pd.DataFrame({column: [format_value(v, self.kind(column), self.lang, digits=d)
                                      for v, d in zip(self.frame[column].tolist(),
                                                      self.cell_digits(column), strict=True)]
                             for column in self.frame.columns}, columns=list(self.frame.columns))

    def styler(self, *, extra_class: str = ""):
        """The pandas Styler: :func:`styler` with this table's kinds and caption.

        Cells of :attr:`shading` columns are coloured; values next to their :attr:`limits` get
        the decimals that tell them apart.

        Parameters
        ----------
        extra_class : str, optional
            One more class of the ``<table>`` (``eb-screen``, ``eb-print-part``).

        Returns
        -------
        pandas.io.formats.style.Styler
        """
        result = styler(self.frame, {c: self.kind(c) for c in self.frame.columns}, self.lang,
                        caption=self.caption)
        result = result.set_table_attributes(f'class="{self._classes(extra_class)}"')
        for column, styles in self.shading.items():
            result = result.apply(lambda _values, styles=list(styles): styles, subset=[column])
        for column in self.limits:
            for row, places in enumerate(self.cell_digits(column)):
                if places is not None:   # a value that would look equal to its limit
                    result = result.format(
                        partial(_html_cell, kind=self.kind(column), lang=self.lang,
                                digits=places), subset=pd.IndexSlice[[row], [column]])
        return result

    def to_html(self) -> str:
        """The table as HTML, or its :attr:`empty` sentence (with the caption) when it is empty.

        A table split for print (:attr:`print_columns`) carries its parts and their CSS.

        Returns
        -------
        str
        """
        if self.frame.empty:
            caption = escape_html(self.caption)
            lead = f"<strong>{caption}</strong>：" if caption and self.lang == "zh" else (
                f"<strong>{caption}</strong>: " if caption else "")
            return f'<p class="eb-empty">{lead}{escape_html(self.empty)}</p>'
        parts = self.print_parts()
        if len(parts) < 2:
            return self._html()
        return (PRINT_PARTS_CSS + SCREEN_ONLY[0] + self._html(extra_class="eb-screen")
                + SCREEN_ONLY[1]
                + "".join(part._html(extra_class="eb-print-part") for part in parts))

    def _classes(self, extra_class: str = "") -> str:
        classes = ["eb-table"] + ([extra_class] if extra_class else [])
        if len(self.frame) <= SHORT_TABLE_ROWS:   # printed whole, with its caption, on one page
            classes.append("eb-short")
        if len(self.frame.columns) >= WIDE_TABLE_COLUMNS:   # printed in a smaller type
            classes.append("eb-wide")
        return f'{" ".join(classes)} {NO_MATH}'

    def _html(self, extra_class: str = "") -> str:
        """:meth:`styler`'s HTML, written directly.

        The same markup, ids and CSS rules as pandas' Styler, without its per-cell jinja
        rendering (a county report's tables took a fifth of its job); tables the Styler would
        trim or cannot match go through it.
        """
        frame = self.frame
        limit = pd.get_option("styler.render.max_elements")
        if (isinstance(frame.columns, pd.MultiIndex) or not frame.columns.is_unique
                or frame.size > limit or pd.get_option("styler.render.max_rows") is not None
                or pd.get_option("styler.render.max_columns") is not None):
            return self.styler(extra_class=extra_class).to_html()
        columns = list(frame.columns)
        texts = np.empty(frame.shape, dtype=object)
        base = np.empty(len(columns), dtype=object)
        shades = np.full(frame.shape, "", dtype=object)
        for j, column in enumerate(columns):
            kind = self.kind(column)
            values = frame.iloc[:, j]
            texts[:, j] = _html_column(values, kind, self.lang)
            if column in self.limits:   # values that would look equal to their limit
                for row, places in enumerate(self.cell_digits(column)):
                    if places is not None:
                        texts[row, j] = _html_cell(_escape_styler(values.iloc[row]), kind=kind,
                                                   lang=self.lang, digits=places)
            base[j] = _COLUMN_CSS.get(kind, "")
            if column in self.shading:
                shades[:, j] = [style if isinstance(style, str) else ""
                                for style in self.shading[column]]
        return _table_html(uuid.uuid4().hex[:5], self._classes(extra_class),
                           escape_html(self.caption) if self.caption else "",
                           [_escape_header(column) for column in columns], texts, base, shades)

    def print_parts(self) -> list:
        """The tables printed instead of this one.

        The tables printed instead of this one (:attr:`print_columns`): column groups of at
        most ``print_columns`` columns, each after the first column, captioned part k of n;
        ``[self]`` when the table is not split.

        Returns
        -------
        list of Table

        Examples
        --------
        >>> frame = pd.DataFrame({"学校": ["甲校"], **{f"指标{i}": [1.0] for i in range(5)}})
        >>> parts = Table(frame, caption="表 X", print_columns=3).print_parts()
        >>> [list(part.frame.columns) for part in parts]
        [['学校', '指标0', '指标1', '指标2'], ['学校', '指标3', '指标4']]
        >>> parts[1].caption
        '表 X（第 2/2 部分）'
        """
        from .i18n import text

        first, *rest = list(self.frame.columns)
        size = self.print_columns
        if size <= 0 or len(rest) <= size:
            return [self]
        groups = [rest[start:start + size] for start in range(0, len(rest), size)]
        return [Table(self.frame[[first, *group]],
                      {c: k for c, k in self.kinds.items() if c in group or c == first},
                      text("report.caption_part", self.lang, caption=self.caption,
                           part=number, parts=len(groups)),
                      self.empty, self.lang,
                      {c: v for c, v in self.shading.items() if c in group},
                      {c: v for c, v in self.limits.items() if c in group}, self.title)
                for number, group in enumerate(groups, start=1)]

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # What a notebook shows: the HTML, and a one-line text/plain instead of IPython's
        # repr of the dataclass (the whole frame printed, in every output of every report).
        rows, columns = self.frame.shape
        return {"text/html": self.to_html(),
                "text/plain": f"Table({self.caption!r}, {rows} x {columns})"}


PRINT_PARTS_CSS = (
    "<style>table.eb-print-part{display:none}"
    "@media print{table.eb-table.eb-screen{display:none!important}"
    "table.eb-table.eb-print-part{display:table!important;font-size:9pt!important}"
    "table.eb-print-part+table.eb-print-part{margin-top:1em}}</style>")
"""What a split table (:attr:`Table.print_columns`) carries with it, wherever it is shown
(JupyterLab, the HTML report, its PDF): the whole table on the screen, the parts on paper."""
SHORT_TABLE_ROWS = 20
"""Tables of at most this many rows carry the class ``eb-short``: the print stylesheet keeps
them whole on one page with their caption."""
WIDE_TABLE_COLUMNS = 8
"""Tables of at least this many columns (the per-school tables) carry the class ``eb-wide``:
the print stylesheet sets them in a smaller type, so no column is cut off."""


def percent_shading(values, *, reference: float = 100.0, span: float = 100.0) -> list[str]:
    """CSS cell styles colouring percentages of a reference: red below, blue above, white at it.

    The colours are matplotlib's ``RdBu`` map over ``reference ± span`` (values beyond are
    clipped), the same as the heat maps; the text turns white on the darkest cells. Cells
    below the reference are also bold and underlined, so a black-and-white printout still
    shows them (the report's legend says so). A missing value gets no style. Print stylesheets must keep background colours
    (``print-color-adjust: exact``), as the report template does.

    Parameters
    ----------
    values : sequence of float
        Percentages of the reference (NaN for none).
    reference : float, default 100
        The value shown white.
    span : float, default 100
        Distance from the reference to the darkest colour.

    Returns
    -------
    list of str
        One CSS declaration list per value (``""`` for a missing one).

    Examples
    --------
    The ends are ColorBrewer's RdBu ends (#67001f, #053061):

    >>> styles = percent_shading([0, 100, 250, float("nan")])
    >>> styles[0], styles[2]
    ('background-color: #67001f; color: #ffffff; font-weight: bold; text-decoration: underline', 'background-color: #053061; color: #ffffff')
    >>> styles[1].endswith("color: #1a1a1a"), styles[3]
    (True, '')
    """
    import numpy as np

    numbers = np.asarray(values, dtype=float)
    position = np.clip((numbers - (reference - span)) / (2 * span), 0.0, 1.0)
    rgba = _red_blue()(np.nan_to_num(position, nan=0.5))
    light = rgba[:, :3] @ np.array([0.2126, 0.7152, 0.0722]) > 0.45
    channels = np.round(rgba[:, :3] * 255).astype(int)   # as matplotlib.colors.to_hex
    return [f"background-color: #{r:02x}{g:02x}{b:02x}; color: {'#1a1a1a' if bright else '#ffffff'}"
            + ("; font-weight: bold; text-decoration: underline" if value < reference else "")
            if np.isfinite(value) else ""
            for value, (r, g, b), bright in zip(numbers, channels, light, strict=True)]


@functools.lru_cache(maxsize=1)
def _red_blue():
    """Matplotlib's ``RdBu`` colour map, once per process.

    ``matplotlib.colormaps[name]`` hands out a new copy each time, which builds its colour
    table again on first use: that was most of a per-school table's shading (20 tables'
    columns per county report).
    """
    import matplotlib

    return matplotlib.colormaps["RdBu"]
