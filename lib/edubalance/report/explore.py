"""Interactive explorer of school and county balance, for JupyterLab and Voila.

:class:`Explorer` holds ipywidgets controls (prefecture, county, level, year, indicator,
standard) as attributes and four views of the data behind them:

- :meth:`Explorer.schools_against_threshold` - each school of the county against the threshold
- :meth:`Explorer.cv_over_years` - the county's CV of the indicator over the years
- :meth:`Explorer.county_comparison` - the county against the other counties (same year, level)
- :meth:`Explorer.province_distribution` - the indicator's distribution across the province

Scoring runs once per standard over every county and year (``eb.core.scoring.score``) and is cached,
so a widget change only filters cached tables (milliseconds). Figures are drawn only once the
layout from :meth:`Explorer.view` is on screen, so the class is unit-tested without a browser:
change a widget value and assert on the DataFrames.

Examples
--------
>>> import edubalance as eb
>>> schools, _ = eb.io.sample.generate(scale="province", seed=2017)       # doctest: +SKIP
>>> explorer = eb.report.explore.Explorer(schools, standard="quality-2017")   # doctest: +SKIP
>>> explorer.view()                                                     # doctest: +SKIP
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ..schema import LEVELS
from .i18n import DEFAULT_LANG, check_lang, label, text
from .markup import escape_html, html_block
from .tables import MISSING, NO_MATH

__all__ = ["Explorer", "ALL_PREFECTURES", "LEVEL_LABELS", "FIGURES", "in_voila",
           "FIGURE_WIDTH", "FIGURE_DPI", "FIGURE_MIN_WIDTH_PX"]

ALL_PREFECTURES = "全部 all"
"""Prefecture dropdown value meaning "every prefecture" (its label follows ``lang``)."""

LEVEL_LABELS = {level: text(f"level.{level}") for level in LEVELS}
"""Chinese names of the levels (``eb.report.i18n.text("level.<level>", lang)`` for other languages)."""
FIGURES = ("schools", "trend", "comparison", "distribution")
"""Names of the explorer's figures, as accepted by :meth:`Explorer.figure`."""

_REQUIRED = ("county_code", "county_name", "year")
FIGURE_WIDTH = 6.4
"""Inches of an explorer figure: 640 px at :data:`FIGURE_DPI`, shown at that size (never
scaled down) wherever a figure has its own row or a column of that width."""
FIGURE_DPI = 100
FIGURE_MIN_WIDTH_PX = 560
"""Width below which a figure takes a row of its own (on a 1024-px screen every figure does:
two would be shown at 60 %, school names at 9 px)."""


def _standard_names() -> list[str]:
    from ..core.standards import available_standards

    return available_standards()


def _standard_label(name: str, lang: str) -> str:
    return label(name, lang, prefixes=("slides.standard",))


def in_voila() -> bool:
    """Whether this kernel was started by Voila (the explorer runs as an app without code).

    Returns
    -------
    bool

    Examples
    --------
    >>> import os
    >>> in_voila() == any(k.startswith("VOILA_") for k in os.environ)
    True
    """
    import os

    return any(key in os.environ for key in ("VOILA_KERNEL_ID", "VOILA_BASE_URL",
                                             "VOILA_SERVER_URL", "VOILA_PREHEAT"))


class Explorer:
    """Widgets and figure data for exploring one county, level, year, indicator and standard.

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns (``eb.io.load.load_schools``), any number of counties and years;
        an optional ``prefecture`` column feeds the prefecture dropdown.
    standard : str
        Initial standard (``eb.core.standards.available_standards()``).
    county : str, optional
        Initial county, code or name (default: the first county).
    year : int, optional
        Initial year (default: the county's latest).
    level : {"primary", "junior"}
        Initial level.
    indicator : str, optional
        Initial indicator, an item name of the standard (default: its first item).
    prefecture : str, optional
        Initial prefecture (default: the county's, or all).
    lang : {"zh", "en"}
        Language of the controls, messages, figure labels and the school table.
    evidence : DataFrame, optional
        Evidence per county and year (``eb.evidence.load``): county verdicts are then the
        official ones, else they count school data only.

    Attributes
    ----------
    prefecture, county, level, year, indicator, standard : ipywidgets.Dropdown
        The controls; set ``.value`` to drive the explorer from code.
    message : str
        Why a view is empty (e.g. no junior schools in that county and year), else "".

    Examples
    --------
    >>> import pandas as pd, edubalance as eb
    >>> rows = [dict(county_code=c, county_name=n, year=2017, school_id=f"{c}{i}",
    ...              school_name=f"{n}第{i}小学", school_type="primary", urban_rural="rural",
    ...              students_primary=100 * i, students_junior=0, classes_primary=3 * i,
    ...              classes_junior=0, teachers=6 * i, teachers_above_degree=5 * i,
    ...              teachers_mid_title=3 * i, teachers_backbone=i, teachers_pe_arts=i,
    ...              teaching_area_m2=400 * i + 100 * (c == "2"), sports_area_m2=800 * i,
    ...              equipment_value_cny=250000 * i, computers=12 * i,
    ...              multimedia_classrooms=3 * i, books=2500 * i)
    ...         for c, n in (("1", "甲县"), ("2", "乙县")) for i in (1, 2)]
    >>> explorer = Explorer(pd.DataFrame(rows), standard="quality-2017")
    >>> explorer.county.value, explorer.indicator.value
    ('1', 'above_degree_teachers_per_100_students')
    >>> explorer.indicator.value = "teaching_area_per_student"
    >>> explorer.schools_against_threshold()[["school_name", "value", "met"]].values.tolist()
    [['甲县第1小学', 4.0, False], ['甲县第2小学', 4.0, False]]
    >>> explorer.county.value = "2"
    >>> explorer.schools_against_threshold()["value"].tolist()
    [4.5, 5.0]
    """

    def __init__(self, schools: pd.DataFrame, standard: str = "basic-2012", *,
                 county: str | None = None, year: int | None = None, level: str = "primary",
                 indicator: str | None = None, prefecture: str | None = None,
                 lang: str = DEFAULT_LANG, evidence: pd.DataFrame | None = None):
        import ipywidgets as widgets

        self.lang = check_lang(lang)
        if not isinstance(schools, pd.DataFrame):
            raise DataError(f"schools must be a pandas DataFrame, not {type(schools).__name__}")
        missing = [c for c in _REQUIRED if c not in schools.columns]
        if missing:
            raise DataError(f"schools table lacks column(s): {', '.join(missing)}")
        if schools.empty:
            raise DataError("schools table is empty: nothing to explore")
        from ..core.standards import standard_name
        from ..schema import level_name

        level = level_name(level)          # 小学 / 初中 too
        standard = standard_name(standard)  # 基本均衡 / 优质均衡 too, "did you mean" otherwise
        standards = _standard_names()
        if standard not in standards:
            raise ParameterError(f"standard {standard!r} is not offered by the explorer "
                                 f"(available: {', '.join(standards)})")

        self.schools = schools
        # Evidence per county and year (eb.evidence.load): county verdicts are then the
        # official ones; without it they cover what school data can decide.
        self.evidence = evidence
        self.counted = "official" if evidence is not None else "school_data"
        self._results: dict[str, Any] = {}
        self._counties = self._county_table(schools)
        self._rendering = False
        self._drawn: dict[str, tuple] = {}
        self._holding = False
        self.message = ""

        layout = widgets.Layout(width="260px")
        style = {"description_width": "90px"}
        prefectures = sorted(self._counties["prefecture"].dropna().unique().tolist())
        def control(name: str, **kwargs):
            return widgets.Dropdown(description=text(f"explorer.control.{name}", lang),
                                    style=style, **{"layout": layout, **kwargs})

        self.prefecture = control(
            "prefecture", disabled=not prefectures,
            options=[(text("explorer.all_prefectures", lang), ALL_PREFECTURES),
                     *[(name, name) for name in prefectures]])
        self.county = control("county")
        self.level = control("level", value=level,
                             options=[(text(f"level.{lv}", lang), lv) for lv in LEVELS])
        self.year = control("year")
        self.standard = control("standard", value=standard,
                                options=[(_standard_label(name, lang), name)
                                         for name in standards])
        self.indicator = control("indicator", layout=widgets.Layout(width="530px"))
        self.status = widgets.HTML()
        # What the chosen standard asks: follows the standard dropdown.
        self.note = widgets.HTML(self.standard_note())
        self.outputs = {name: widgets.Output() for name in FIGURES}
        self.table = widgets.Output()

        with self._hold():
            code = self._resolve_county(county) if county is not None else None
            if prefecture is None and code is not None:
                found = self._counties.loc[self._counties["county_code"] == code, "prefecture"]
                prefecture = found.iloc[0] if found.notna().any() else None
            if prefecture is not None:
                if prefecture not in [value for _label, value in self.prefecture.options]:
                    raise ParameterError(f"unknown prefecture {prefecture!r} "
                                     f"(known: {', '.join(prefectures) or 'none'})")
                self.prefecture.value = prefecture
            self._refresh_counties()
            if code is not None:
                self.county.value = code
            self._refresh_years()
            if year is not None:
                if int(year) not in self.year.options:
                    raise ParameterError(f"no schools of {self._county_name(self.county.value)} in "
                                     f"{year}; years present: {list(self.year.options)}")
                self.year.value = int(year)
            self._refresh_indicators()
            if indicator is not None:
                names = [value for _label, value in self.indicator.options]
                if indicator not in names:
                    raise ParameterError(f"indicator {indicator!r} is not an item of {standard} "
                                     f"(items: {', '.join(names)})")
                self.indicator.value = indicator

        self.prefecture.observe(self._on_prefecture, names="value")
        self.county.observe(self._on_county, names="value")
        self.standard.observe(self._on_standard, names="value")
        for control in (self.level, self.year, self.indicator):
            control.observe(self._on_change, names="value")
        self.update()

    # ----------------------------------------------------------------------- set-up helpers

    @staticmethod
    def _county_table(schools: pd.DataFrame) -> pd.DataFrame:
        """One row per county: code, name, prefecture (NaN when unknown), sorted by code."""
        columns = ["county_code", "county_name"] + (["prefecture"] if "prefecture" in schools
                                                    else [])
        table = schools[columns].drop_duplicates("county_code").copy()
        table["county_code"] = table["county_code"].astype(str)
        if "prefecture" not in table:
            table["prefecture"] = np.nan
        return table.sort_values("county_code").reset_index(drop=True)

    def _county_name(self, code) -> str:
        names = self._counties.loc[self._counties["county_code"] == str(code), "county_name"]
        return str(names.iloc[0]) if len(names) else str(code)

    def _resolve_county(self, county) -> str:
        from ..core.scoring import find_county

        return find_county(self._counties, county)[0]

    @contextmanager
    def _hold(self):
        """Suspend updates while several widgets change; update once at the end."""
        previous, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = previous

    def _refresh_counties(self) -> None:
        table = self._counties
        if self.prefecture.value != ALL_PREFECTURES:
            table = table[table["prefecture"] == self.prefecture.value]
        options = [(f"{name} ({code})", code)
                   for code, name in zip(table["county_code"], table["county_name"], strict=True)]
        current = self.county.value
        self.county.options = options
        codes = [code for _label, code in options]
        self.county.value = current if current in codes else (codes[0] if codes else None)

    def _refresh_years(self) -> None:
        code = self.county.value
        years = self.schools.loc[self.schools["county_code"].astype(str) == str(code), "year"]
        options = sorted(int(y) for y in years.unique())
        current = self.year.value
        self.year.options = options
        # Keep the year when the new county has it; otherwise show the latest.
        self.year.value = current if current in options else (options[-1] if options else None)

    def _refresh_indicators(self) -> None:
        items = self.result.standard.items
        options = [(self._item_label(item), item.name) for item in items]
        current = self.indicator.value
        self.indicator.options = options
        names = [name for _label, name in options]
        self.indicator.value = current if current in names else names[0]

    def _item_label(self, item) -> str:
        """Readable name of an indicator: its catalogue label, else the standard's Chinese one."""
        return label(item.name, self.lang, fallback=item.label_zh or item.name)

    @property
    def _level_name(self) -> str:
        return text(f"level.{self.level.value}", self.lang)

    # ----------------------------------------------------------------------- widget handlers

    def _on_prefecture(self, _change) -> None:
        with self._hold():
            self._refresh_counties()
            self._refresh_years()
        self.update()

    def _on_county(self, _change) -> None:
        if self._holding:
            return
        with self._hold():
            self._refresh_years()
        self.update()

    def _on_standard(self, _change) -> None:
        self.note.value = self.standard_note()
        with self._hold():
            self._refresh_indicators()
        self.update()

    def standard_note(self) -> str:
        """One sentence on what the selected standard asks (escaped HTML), in ``lang``.

        Returns
        -------
        str
            A ``<p class="eb-standard-note">``.

        Examples
        --------
        >>> import edubalance as eb
        >>> schools = eb.io.load.load_schools("data/sample/schools.csv")  # doctest: +SKIP
        >>> Explorer(schools, standard="quality-2017").standard_note()  # doctest: +SKIP
        '<p class="eb-standard-note">优质均衡（2017）规定每所学校7项指标的达标值（虚线）…</p>'
        """
        name = self.standard.value
        try:
            words = text(f"explorer.standard_note.{name}", self.lang)
        except KeyError:
            words = _standard_label(name, self.lang)
        return html_block("p", words, "eb-standard-note")

    def _on_change(self, _change) -> None:
        if not self._holding:
            self.update()

    # ----------------------------------------------------------------------- cached scoring

    @property
    def result(self):
        """Scoring result of the selected standard (all counties and years), cached."""
        name = self.standard.value
        if name not in self._results:
            from ..core.scoring import score

            self._results[name] = score(self.schools, name, evidence=self.evidence)
        return self._results[name]

    @property
    def item(self):
        """The selected indicator as an item of the selected standard."""
        return next(i for i in self.result.standard.items if i.name == self.indicator.value)

    def _threshold(self) -> float:
        return self.result.standard.threshold(self.indicator.value, self.level.value)

    def _cv_limit(self) -> float:
        """The CV limit the standard sets for the level (per-item or composite), else NaN."""
        standard, level = self.result.standard, self.level.value
        for kind in ("each_cv", "composite_cv"):
            rule = standard.rule(kind)
            if rule is not None and "limit" in rule.params:
                return float(rule.params["limit"][level])
        return float("nan")

    # ----------------------------------------------------------------------- figure data

    def update(self) -> None:
        """Recompute the data behind the figures for the current widget values; redraw if shown.

        Sets :attr:`message` when the combination has no data (e.g. a county without junior
        schools that year); the views then return empty tables instead of raising.

        Returns
        -------
        None
        """
        self._data = {
            "schools": self._schools_frame(),
            "trend": self._trend_frame(),
            "comparison": self._comparison_frame(),
            "distribution": self._distribution_frame(),
        }
        if self.county.value is None:
            self.message = text("explorer.no_county", self.lang)
        elif self._data["schools"].empty:
            self.message = text("explorer.no_schools", self.lang,
                                county=self._county_name(self.county.value),
                                year=self.year.value, level=self._level_name)
        else:
            self.message = ""
        self.status.value = (f"<b class='{NO_MATH}' style='color:#c23b3b'>"
                             f"{escape_html(self.message)}</b>" if self.message else "")
        if self._rendering:
            self.render()

    def _sections(self) -> pd.DataFrame:
        frame = self.result.indicators
        return frame[(frame["year"] == self.year.value) & (frame["level"] == self.level.value)]

    def _schools_frame(self) -> pd.DataFrame:
        name = self.indicator.value
        sections = self._sections()
        sections = sections[sections["county_code"].astype(str) == str(self.county.value)]
        frame = pd.DataFrame({
            "school_id": sections["school_id"], "school_name": sections["school_name"],
            "school_type": sections["school_type"], "urban_rural": sections["urban_rural"],
            "students": sections["students"], "value": sections[name],
            "threshold": sections[f"{name}_threshold"], "met": sections[f"{name}_met"],
            "pct_of_threshold": sections[f"{name}_pct_of_threshold"],
        })
        return frame.sort_values("value", kind="stable").reset_index(drop=True)

    def _trend_frame(self) -> pd.DataFrame:
        cv = self.result.cv
        mine = cv[(cv["county_code"].astype(str) == str(self.county.value))
                  & (cv["level"] == self.level.value)]
        item = mine[mine["indicator"] == self.indicator.value]
        counties = self.result.counties
        verdict = counties[(counties["county_code"].astype(str) == str(self.county.value))
                           & (counties["level"] == self.level.value)]
        frame = item[["year", "cv", "threshold", "passed"]].merge(
            verdict[["year", "composite_cv", "passed", "verdict"]].rename(
                columns={"passed": "county_passed", "verdict": "county_verdict"}),
            on="year", how="left")
        return frame.rename(columns={"threshold": "cv_limit"}).sort_values("year") \
            .reset_index(drop=True)

    def _comparison_frame(self) -> pd.DataFrame:
        cv = self.result.cv
        part = cv[(cv["year"] == self.year.value) & (cv["level"] == self.level.value)
                  & (cv["indicator"] == self.indicator.value)]
        frame = part[["county_code", "county_name", "cv", "threshold", "passed"]].rename(
            columns={"threshold": "cv_limit"}).copy()
        frame["county_code"] = frame["county_code"].astype(str)
        frame = frame.merge(self._counties[["county_code", "prefecture"]], on="county_code",
                            how="left")
        frame["selected"] = frame["county_code"] == str(self.county.value)
        frame["rank"] = frame["cv"].rank(method="min").astype("Int64")  # 1 = most even
        return frame.sort_values("cv", kind="stable").reset_index(drop=True)

    def _distribution_frame(self) -> pd.DataFrame:
        sections = self._sections()
        frame = pd.DataFrame({
            "county_code": sections["county_code"].astype(str),
            "county_name": sections["county_name"], "school_name": sections["school_name"],
            "students": sections["students"], "value": sections[self.indicator.value],
        })
        frame = frame.merge(self._counties[["county_code", "prefecture"]], on="county_code",
                            how="left")
        if self.prefecture.value != ALL_PREFECTURES:
            frame = frame[frame["prefecture"] == self.prefecture.value]
        frame["selected"] = frame["county_code"] == str(self.county.value)
        return frame.reset_index(drop=True)

    def schools_against_threshold(self) -> pd.DataFrame:
        """Each school (section) of the selected county, year and level, weakest first.

        Returns
        -------
        DataFrame
            ``school_id, school_name, school_type, urban_rural, students, value, threshold,
            met, pct_of_threshold``, sorted by value.
        """
        return self._data["schools"].copy()

    def cv_over_years(self) -> pd.DataFrame:
        """The county's CV of the indicator per year.

        Returns
        -------
        DataFrame
            ``year, cv, cv_limit, passed, composite_cv, county_passed`` (every rule school data
            decide passes, at this level) and ``county_verdict`` (``pass``/``fail``/
            ``incomplete``: the official verdict, which needs evidence).
        """
        return self._data["trend"].copy()

    def county_comparison(self) -> pd.DataFrame:
        """Every county's CV of the indicator in the selected year and level.

        Returns
        -------
        DataFrame
            ``county_code, county_name, cv, cv_limit, passed, prefecture, selected, rank``
            (1 = most even).
        """
        return self._data["comparison"].copy()

    def province_distribution(self) -> pd.DataFrame:
        """Indicator value of every school in the year and level (in the prefecture if selected).

        Returns
        -------
        DataFrame
            ``county_code, county_name, school_name, students, value, prefecture, selected``.
        """
        return self._data["distribution"].copy()

    def summary(self) -> dict[str, Any]:
        """Deprecated name of :meth:`to_dict` (``summary()`` of a result is a table to read).

        Returns
        -------
        dict
            :meth:`to_dict`, with a :class:`DeprecationWarning`.
        """
        import warnings

        warnings.warn("Explorer.summary() is now Explorer.to_dict() (what summary.json holds, as "
                      "for every result)", DeprecationWarning, stacklevel=2)
        return self.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The current selection and its headline numbers, ready for ``summary.json``.

        Returns
        -------
        dict
        """
        schools, trend = self._data["schools"], self._data["trend"]
        comparison = self._data["comparison"]
        this_year = trend[trend["year"] == self.year.value]
        mine = comparison[comparison["selected"]]
        met = schools["met"].dropna()
        # The batch index shows the first few scalars: the selection and its CV come first.
        return {
            "county": self._county_name(self.county.value),
            "year": self.year.value, "indicator": self.indicator.value,
            "cv": float(this_year["cv"].iloc[0]) if len(this_year) else None,
            "level": self.level.value, "standard": self.standard.value,
            "county_code": self.county.value, "prefecture": self.prefecture.value,
            "indicator_label": self._item_label(self.item), "threshold": self._threshold(),
            "n_schools": int(len(schools)),
            "schools_meeting_threshold": int(met.astype(bool).sum()) if len(met) else None,
            "cv_limit": self._cv_limit(),
            "composite_cv": (float(this_year["composite_cv"].iloc[0])
                             if len(this_year) else None),
            "rank": int(mine["rank"].iloc[0]) if len(mine) and pd.notna(mine["rank"].iloc[0])
            else None,
            "n_counties": int(comparison["cv"].notna().sum()),
            "verdict": (str(this_year["county_verdict"].iloc[0]) if len(this_year)
                        and "county_verdict" in this_year else None),
            "counted": self.counted,
            "message": self.message,
        }

    # ----------------------------------------------------------------------- figures

    def figure(self, name: str):
        """Draw one figure of the current selection.

        Labels follow :attr:`lang`; legends sit beside the plot, never over the data.

        Parameters
        ----------
        name : {"schools", "trend", "comparison", "distribution"}
            The figure (:data:`FIGURES`).

        Returns
        -------
        matplotlib.figure.Figure or None
            None when its data are empty.
        """
        from . import plotting
        from .display import bare_label
        from .slides import fit_names, legend_outside, plain_text

        if name not in FIGURES:
            raise ParameterError(f"unknown figure {name!r} (choose from {', '.join(FIGURES)})")
        data = self._data[name]
        if data.empty or data.select_dtypes("number").dropna(how="all").empty:
            return None
        # Names are user text: a "$" must not start matplotlib's mathtext.
        # Long names are cut ("…", in full in the table) so the bars keep their width.
        data = data.assign(**{column: [plain_text(name) for name in fit_names(data[column])]
                              for column in ("school_name", "county_name") if column in data})
        plotting.use_style()
        lang = self.lang
        full = self._item_label(self.item)
        short = bare_label(self.indicator.value, lang) if full != self.item.label_zh else full
        county = plain_text(fit_names([self._county_name(self.county.value)])[0])
        words = {"county": county, "year": self.year.value,
                 "level": self._level_name, "indicator": short}
        title = text(f"explorer.title.{name}", lang, **words)
        cv = text("explorer.cv", lang)
        if name == "schools":
            ax = plotting.plot_threshold_bars(
                data, "value", self._threshold(), "school_name", direction=self.item.direction,
                title=title, xlabel=full, lang=lang)
        elif name == "trend":
            # basic-2012 judges the composite CV: draw it next to the indicator's own CV.
            long = pd.concat([
                data.assign(series=short, shown=data["cv"]),
                data.assign(series=text("explorer.composite", lang), shown=data["composite_cv"]),
            ]).dropna(subset=["shown"])
            ax = plotting.plot_over_years(long, "shown", hue="series", limit=self._cv_limit(),
                                          ylabel=cv, title=title, lang=lang)
            ax.set_xlabel(label("year", lang))
        elif name == "comparison":
            ax = plotting.plot_rank_intervals(
                data, "county_name", "cv", reference=self._cv_limit(),
                highlight=county, xlabel=cv, title=title)
        else:
            ax = plotting.plot_distribution(
                data, "value", "county_name", highlight=county,
                threshold=self._threshold(), xlabel=full, title=title)
        if ax.get_legend() is not None:   # drawn again beside the plot, below
            ax.get_legend().remove()
        figure = ax.figure
        figure.set_dpi(FIGURE_DPI)
        figure.set_size_inches(FIGURE_WIDTH, figure.get_size_inches()[1])
        figure.tight_layout()
        legend_outside(ax)
        return figure

    @staticmethod
    def figure_image(figure):
        """``figure`` as an ``IPython.display.Image`` shown at :data:`FIGURE_DPI` pixels an inch.

        The PNG records its smallest text size
        (:data:`edubalance.report.plotting.SMALLEST_FONT_KEY`), so that a browser test can
        measure the text on the screen.

        Parameters
        ----------
        figure : matplotlib Figure

        Returns
        -------
        IPython.display.Image
            Its ``width`` is the PNG's width: shown at that size, not scaled.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots(figsize=(6.4, 3))
        >>> Explorer.figure_image(fig).width <= 640
        True
        >>> plt.close(fig)
        """
        import io

        from IPython.display import Image

        from .plotting import SMALLEST_FONT_KEY, smallest_font_pt

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight",
                       metadata={SMALLEST_FONT_KEY: f"{smallest_font_pt(figure):g}"})
        data = buffer.getvalue()
        return Image(data=data, width=int.from_bytes(data[16:20], "big"))

    def figures(self) -> dict[str, Any]:
        """Every figure with data, by name (see :data:`FIGURES`).

        Returns
        -------
        dict
            Name -> matplotlib Figure.
        """
        drawn = {name: self.figure(name) for name in FIGURES}
        return {name: fig for name, fig in drawn.items() if fig is not None}

    def _signature(self, name: str) -> tuple:
        data = self._data[name]
        content = int(pd.util.hash_pandas_object(data, index=False).sum()) if len(data) else 0
        # What the figure shows besides its data (titles, threshold lines).
        context = {"trend": (self.county.value,)}.get(name, (self.county.value, self.year.value))
        return (content, tuple(data.columns), self.indicator.value, self.standard.value,
                self.level.value, *context)

    def render(self) -> None:
        """Redraw the figures and the table into the layout's output widgets.

        Only figures whose data or labels changed are drawn again.

        Returns
        -------
        None
        """
        import matplotlib.pyplot as plt
        from IPython.display import display

        for name, output in self.outputs.items():
            # Drawing dominates a widget change (~0.2-0.5 s a figure, the data take ~20 ms):
            # redraw only the figures whose data or labels changed.
            signature = self._signature(name)
            if self._drawn.get(name) == signature:
                continue
            self._drawn[name] = signature
            with output:
                output.clear_output(wait=True)
                fig = self.figure(name)
                if fig is not None:
                    display(self.figure_image(fig))
                    plt.close(fig)
        with self.table:
            self.table.clear_output(wait=True)
            if not self._data["schools"].empty:
                display(self.schools_table())

    def schools_table(self):
        """The selected county's schools as a table for people.

        Labelled headers in :attr:`lang`, school types and areas in words, no row index, every
        name HTML-escaped (:func:`edubalance.report.slides.table`).

        Returns
        -------
        pandas.io.formats.style.Styler
        """
        from .slides import table

        frame = self._data["schools"].drop(columns=["school_id"])
        for column in ("school_type", "urban_rural"):
            frame[column] = frame[column].map(
                lambda value, column=column: _value_label(column, value, self.lang))
        if frame["threshold"].isna().all():  # basic-2012: no per-school thresholds
            frame = frame.drop(columns=["threshold", "met", "pct_of_threshold"])
        caption = text("explorer.static.caption", self.lang,
                       county=self._county_name(self.county.value), year=self.year.value,
                       level=self._level_name, indicator=self._item_label(self.item))
        return table(frame, self.lang, caption=caption)

    def _repr_mimebundle_(self, **kwargs):
        # Displaying the explorer shows its live layout; where widgets cannot run (a static
        # HTML export) the plain-text fallback says where to open it instead of a widget repr.
        bundle = self.view()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = text("explorer.fallback", self.lang)
        return bundle

    def view(self):
        """The ipywidgets layout: controls, a status line, four figures and the school table.

        Controls and figures wrap to the width of the window: on a 1024-px screen each figure
        has a row of its own and is shown at its size (school names at 15 px).

        Display it as the last expression of a cell (JupyterLab) or of the notebook (Voila).

        Returns
        -------
        ipywidgets.VBox
        """
        import ipywidgets as widgets

        self._rendering = True
        self.render()
        wrap = {"flex_flow": "row wrap", "max_width": "100%"}
        controls = widgets.VBox([
            widgets.HBox([self.standard, self.prefecture, self.county],
                         layout=widgets.Layout(**wrap)),
            widgets.HBox([self.level, self.year], layout=widgets.Layout(**wrap)),
            widgets.HBox([self.indicator], layout=widgets.Layout(**wrap)),
        ])
        # Two figures side by side only where each gets FIGURE_MIN_WIDTH_PX; else one a row.
        for output in self.outputs.values():
            output.layout = widgets.Layout(flex=f"1 1 {FIGURE_MIN_WIDTH_PX}px", min_width="0",
                                           max_width="100%")
        figures = widgets.HBox([self.outputs[name] for name in FIGURES],
                               layout=widgets.Layout(width="100%", **wrap))
        return widgets.VBox([controls, self.note, self.status, figures,
                             widgets.HTML(f"<b>{escape_html(text('explorer.schools', self.lang))}"
                                          "</b>"), self.table])


def _value_label(column: str, value, lang: str) -> str:
    """``primary`` -> 小学 etc. for the coded columns school_type and urban_rural."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return MISSING
    return label(str(value), lang, prefixes=(f"slides.{column}",))
