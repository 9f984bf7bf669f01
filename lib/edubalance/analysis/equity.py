"""The county equity analysis of ``notebooks/equity_index.ipynb``, as one call.

For one school level and year: every inequality measure of every indicator within every county
(:func:`edubalance.core.disparity.indicator_summary`), the Theil decomposition by urban / town /
rural over all schools, a composite index of the county-level values and its Monte-Carlo
uncertainty and sensitivity (:mod:`edubalance.core.composite`). The default indicators are the
per-school items of the 2017 quality standard, read from the standard itself
(:func:`default_indicators`), not a list kept in the notebook.

The figures are in :mod:`edubalance.report.figures.equity`; their old names here
(``plot_lorenz``, ...) still work, with a :class:`DeprecationWarning`.

Examples
--------
>>> default_indicators()[:2]
['above_degree_teachers_per_100_students', 'backbone_teachers_per_100_students']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from .._compat import moved_names as _moved_names
from ..core import composite, disparity
from ..core.indicators import INDICATORS, compute_indicators
from ..core.numeric import resolve_random_state
from ..core.results import ResultDisplay
from ..core.standards import load_standard
from ..errors import DataError, ParameterError
from ..schema import check_lang

__all__ = ["PARAMETERS", "MC_WEIGHTINGS", "DEFAULT_STANDARD", "default_indicators",
           "check_equity_parameters", "EquityAnalysis", "equity_analysis"]

# The figures and their labels moved to report (issue 28): the layers forbid importing them here.
__getattr__ = _moved_names(__name__, {
    **{name: f"edubalance.report.figures.equity:{name}"
       for name in ("plot_lorenz", "plot_theil_decomposition", "plot_rank_uncertainty",
                    "plot_sensitivity", "factor_label")},
    # renamed: run.notebook.check_notebook_parameters checks a notebook's globals
    "check_parameters": "edubalance.analysis.equity:check_equity_parameters",
})

PARAMETERS = {
    "data_path": str, "level": str, "year": int, "indicators": list, "weighting": str,
    "aggregation": str, "n_draws": int, "seed": int, "output_dir": str, "lang": str,
}
"""Types of the notebook's parameters (for ``eb.run.notebook.check_notebook_parameters``)."""

MC_WEIGHTINGS = ("equal", "entropy", "critic", "pca")
"""Weightings drawn from in the Monte-Carlo analysis (and allowed for the nominal index)."""

DEFAULT_STANDARD = "quality-2017"
COUNTY_KEYS = ["county_code", "county_name"]


def default_indicators(standard: str = DEFAULT_STANDARD) -> list[str]:
    """The per-school indicators of ``standard`` (items that are a plain indicator).

    Parameters
    ----------
    standard : str
        A standard's name (``eb.core.standards.available_standards()``).

    Returns
    -------
    list of str
    """
    return [item.name for item in load_standard(standard).items if item.formula in INDICATORS]


def check_equity_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check the values of the notebook's parameters; return them with ``indicator_names``.

    Parameters
    ----------
    params : mapping
        The notebook's parameters, by name (missing ones take the notebook's defaults).

    Returns
    -------
    dict
        The parameters, the level by its canonical name, plus ``indicator_names``.

    Raises
    ------
    ParameterError
        For an unknown level, indicator, weighting or aggregation, fewer than two distinct
        indicators, ``n_draws < 1``, an empty ``output_dir`` or an unknown ``lang``.

    Examples
    --------
    >>> check_equity_parameters({"level": "junior", "indicators": []})["indicator_names"][-1]
    'multimedia_classrooms_per_100_students'
    >>> check_equity_parameters({"indicators": ["books_per_pupil", "books_per_student"]})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: unknown indicator(s): ['books_per_pupil']; choose from ...
    """
    checked = dict(params)
    from ..schema import level_name

    checked["level"] = level_name(checked.get("level", "junior"))
    names = list(checked.get("indicators") or []) or default_indicators()
    unknown = [name for name in names if name not in INDICATORS]
    if unknown:
        raise ParameterError(f"unknown indicator(s): {unknown}; choose from {list(INDICATORS)}")
    if len(set(names)) != len(names) or len(names) < 2:
        raise ParameterError("indicators must name at least two different indicators")
    weighting = checked.get("weighting", "equal")
    if weighting not in MC_WEIGHTINGS:
        raise ParameterError(f"weighting must be one of {MC_WEIGHTINGS}, not {weighting!r}")
    aggregation = checked.get("aggregation", "arithmetic")
    if aggregation not in composite.AGGREGATIONS:
        raise ParameterError(f"aggregation must be one of {composite.AGGREGATIONS}, "
                             f"not {aggregation!r}")
    n_draws = checked.get("n_draws", 1000)
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or n_draws < 1:
        raise ParameterError(f"n_draws must be at least 1, not {n_draws!r}")
    if "output_dir" in checked and not str(checked["output_dir"]).strip():
        raise ParameterError("output_dir must not be empty")
    check_lang(checked.get("lang", "zh"))
    checked["indicator_names"] = names
    return checked


@dataclass(frozen=True, repr=False)
class EquityAnalysis(ResultDisplay):
    """Everything the equity notebook shows and writes, from :func:`equity_analysis`.

    Data only: the figures are in :mod:`edubalance.report.figures.equity`.

    Parameters
    ----------
    level : str
        ``primary`` or ``junior``.
    year : int
        The year.
    indicators : list of str
        The indicators compared.
    weighting, aggregation : str
        The nominal index's weighting and aggregation.
    n_draws : int
        Monte-Carlo draws.
    random_state : int
        The seed.
    sections : DataFrame
        One row per school section of the level and year, with its indicators.
    measures : DataFrame
        Every inequality measure of every indicator within every county.
    decomposition : DataFrame
        The Theil decomposition by urban / town / rural over all schools, per indicator.
    county_values : DataFrame
        County-level values of the indicators (total resource / total pupils).
    nominal : CompositeResult
        The nominal composite index.
    uncertainty : UncertaintyResult
        Its Monte-Carlo uncertainty and sensitivity.
    ranking : DataFrame
        One row per county: nominal rank and the simulated rank's distribution.
    """

    level: str
    year: int
    indicators: list
    weighting: str
    aggregation: str
    n_draws: int
    random_state: int
    sections: pd.DataFrame
    measures: pd.DataFrame
    decomposition: pd.DataFrame
    county_values: pd.DataFrame
    nominal: composite.CompositeResult
    uncertainty: composite.UncertaintyResult
    ranking: pd.DataFrame

    @property
    def sensitivity(self) -> pd.DataFrame:
        """First-order sensitivity of the ranks to each factor (``uncertainty.sensitivity``)."""
        return self.uncertainty.sensitivity

    def to_frame(self) -> pd.DataFrame:
        """The ranking (one row per county)."""
        return self.ranking.copy()

    def summary(self) -> pd.DataFrame:
        """The counties by nominal rank with their 90 % rank interval (a table to read).

        Returns
        -------
        DataFrame
            ``county_code, county_name, score, nominal_rank, median_rank, rank_p05,
            rank_p95`` (the columns :attr:`ranking` has), best first, fresh index.
        """
        columns = [c for c in (*COUNTY_KEYS, "score", "nominal_rank", "median_rank", "rank_p05",
                               "rank_p95") if c in self.ranking]
        return self.ranking.sort_values("nominal_rank", kind="stable")[columns].reset_index(
            drop=True)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``summary.json`` (what :meth:`summary` returned before issue 28).

        Returns
        -------
        dict
            ``level, year, n_counties, indicators, weighting, aggregation, n_draws, seed``,
            the top county and its rank interval, the nominal weights, the first-order
            sensitivity per factor, ``quantile_method`` and ``counties_without_pupils``.
        """
        top = self.ranking.iloc[0]
        return {
            "level": self.level, "year": self.year, "n_counties": int(len(self.ranking)),
            "indicators": list(self.indicators), "weighting": self.weighting,
            "aggregation": self.aggregation, "n_draws": self.n_draws, "seed": self.random_state,
            "top_county": top["county_name"], "top_county_code": top["county_code"],
            "top_county_rank_interval": [top["rank_p05"], top["rank_p95"]],
            "weights": self.nominal.weights.to_dict(),
            "first_order_sensitivity": self.sensitivity.set_index("factor")[
                "first_order"].to_dict(),
            "quantile_method": disparity.QUANTILE_METHOD,
            "counties_without_pupils": self.measures.loc[
                self.measures["n_schools"] == 0, "county_name"].drop_duplicates().tolist(),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The results tables, by file stem."""
        return {"measures": self.measures, "ranking": self.ranking,
                "sensitivity": self.sensitivity}


def equity_analysis(schools: pd.DataFrame, *, level: str = "junior", year: int = 2017,
                    indicators=(), weighting: str = "equal", aggregation: str = "arithmetic",
                    n_draws: int = 1000, random_state: int | None = None,
                    seed: int | None = None) -> EquityAnalysis:
    """Inequality per county and indicator, and the composite ranking with its uncertainty.

    The nominal index min-max normalises the county-level values (total resource / total
    pupils) and uses ``weighting`` and ``aggregation``; the Monte-Carlo analysis draws
    normalisation, weighting and aggregation and perturbs the weights.

    Parameters
    ----------
    schools : DataFrame
        Canonical school table (``eb.io.load.load_schools``); combined schools are split into
        sections.
    level : str
        ``primary`` or ``junior`` (or 小学 / 初中).
    year : int
        The year.
    indicators : sequence of str
        The indicators (empty: :func:`default_indicators`).
    weighting : {"equal", "entropy", "critic", "pca"}
        The nominal index's weighting.
    aggregation : str
        The nominal index's aggregation (``edubalance.core.composite.AGGREGATIONS``).
    n_draws : int
        Monte-Carlo draws.
    random_state : int, optional
        The seed (``seed`` is its former name).
    seed : int, optional
        Former name of ``random_state``.

    Returns
    -------
    EquityAnalysis
    """
    random_state = resolve_random_state(random_state, seed, where="equity_analysis")
    params = check_equity_parameters({"level": level, "indicators": list(indicators or []),
                                      "weighting": weighting, "aggregation": aggregation,
                                      "n_draws": n_draws})
    names, level = params["indicator_names"], params["level"]  # 初中 -> junior
    all_sections = compute_indicators(schools)
    sections = all_sections[(all_sections["year"] == year)
                            & (all_sections["level"] == level)].reset_index(drop=True)
    if sections.empty:
        raise DataError(f"no {level} schools in {year}; years present: "
                        f"{sorted(all_sections['year'].unique().tolist())}")
    measures = disparity.indicator_summary(sections, names, "students", COUNTY_KEYS,
                                           decompose_by="urban_rural")
    decomposition = disparity.indicator_summary(sections, names, "students", None,
                                                decompose_by="urban_rural")
    county_values = measures.pivot(index=COUNTY_KEYS, columns="indicator",
                                   values="mean")[names].reset_index()
    nominal = composite.composite_index(county_values, names, normalisation="minmax",
                                        weighting=weighting, aggregation=aggregation,
                                        id_columns=COUNTY_KEYS)
    uncertainty = composite.uncertainty_analysis(
        county_values, names, n_draws=n_draws, random_state=random_state,
        weightings=MC_WEIGHTINGS, id_columns=COUNTY_KEYS,
        nominal={"normalisation": "minmax", "weighting": weighting, "aggregation": aggregation})
    ranking = nominal.table.rename(columns={"rank": "nominal_rank"}).merge(
        uncertainty.ranks.drop(columns="nominal_rank"), on=COUNTY_KEYS).sort_values(
        "nominal_rank").reset_index(drop=True)
    return EquityAnalysis(level=level, year=int(year), indicators=names, weighting=weighting,
                          aggregation=aggregation, n_draws=int(n_draws),
                          random_state=random_state, sections=sections, measures=measures,
                          decomposition=decomposition, county_values=county_values,
                          nominal=nominal, uncertainty=uncertainty, ranking=ranking)
