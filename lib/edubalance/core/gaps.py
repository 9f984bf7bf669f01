"""Gap to standard: what failing schools need, and the cheapest upgrades that fix a county's CVs.

Two questions, both answered from a :class:`edubalance.core.scoring.ScoringResult`:

1. **School gaps** (:func:`school_gaps`, totals by :func:`county_gap_totals`). For every school
   section that fails the standard's school-level rules, the resources that bring each unmet
   indicator up to its threshold: ``(threshold - value) * students / multiplier`` in the unit of
   the indicator's numerator (m² of teaching space or sports ground, yuan of equipment, teachers
   of each kind, multimedia classrooms, computers, books), rounded up for countable items.
   Sections over the class-size limit also get the extra classes needed
   (``ceil(students / limit) - classes``). The gap is the full distance to every unmet
   threshold, which is more than the 6-of-7 rule strictly asks for; it is what a school needs
   to meet the standard outright. Items whose formula is not a plain indicator (the Ningxia
   shares and ratios) are skipped: they have no single resource to add.

2. **CV upgrade plan** (:func:`cv_upgrade_plan`). A greedy heuristic, not an optimum: while a
   county-level's CV rule fails (every indicator CV under its limit for ``each_cv``; the mean of
   the CVs under its limit for ``composite_cv``), take the indicator with the worst CV, raise
   its lowest-value school to the current enrolment-weighted county mean, and charge the
   resources added. Raising a below-mean school toward the mean lowers the spread and lifts the
   mean, so the CV falls at every step. The iterations are a Python loop (each step depends on
   the one before), but every iteration handles all county-levels at once with NumPy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import numeric
from .indicators import INDICATORS
from .numeric import at_most
from .results import ResultDisplay
from .scoring import ScoringResult
from .standards import level_index, per_level_values

__all__ = ["COUNTABLE_RESOURCES", "school_gaps", "county_gap_totals", "UpgradePlan",
           "cv_upgrade_plan"]

COUNTABLE_RESOURCES = {"teachers", "teachers_above_degree", "teachers_mid_title",
                       "teachers_backbone", "teachers_pe_arts", "computers",
                       "multimedia_classrooms", "books", "classes"}
"""Resources counted in whole units (amounts are rounded up)."""

_KEYS = ["county_code", "county_name", "year", "level"]
_BASE = ["county_code", "county_name", "year", "school_id", "school_name", "level", "students"]
_GAP_COLUMNS = _BASE + ["indicator", "value", "threshold", "resource", "unit", "amount"]


def _plain_items(result: ScoringResult, need_threshold: bool):
    """Items computed directly from one indicator (so one resource column can close the gap)."""
    return [item for item in result.standard.items
            if item.formula in INDICATORS and item.direction == "higher"
            and (item.threshold or not need_threshold)]


def _round_up_countable(amount: np.ndarray, resource: np.ndarray) -> np.ndarray:
    countable = np.isin(resource, list(COUNTABLE_RESOURCES))
    # Tiny float noise (2.0000000001 teachers) must not become an extra teacher.
    return np.where(countable, np.ceil(np.round(amount, 6)), amount)


def _selected(indicators: pd.DataFrame, county_code=None, year=None) -> np.ndarray:
    """Rows of ``indicators`` of ``county_code`` and ``year`` (every row for None)."""
    mask = np.ones(len(indicators), dtype=bool)
    if county_code is not None:
        mask &= (indicators["county_code"].astype(str) == str(county_code)).to_numpy()
    if year is not None:
        mask &= (indicators["year"] == int(year)).to_numpy()
    return mask


def school_gaps(result: ScoringResult, county_code=None, year=None) -> pd.DataFrame:
    """Resources each failing school section needs, one row per section x unmet item.

    Parameters
    ----------
    result : ScoringResult
    county_code, year : optional
        Restrict to one county and/or year.

    Returns
    -------
    DataFrame
        ``county_code, county_name, year, school_id, school_name, level, students, indicator,
        value, threshold, resource, unit, amount`` (``amount`` in ``unit`` of ``resource``).

    Examples
    --------
    >>> import edubalance as eb
    >>> rows = [dict(county_code="1", county_name="甲县", year=2017, school_id="s1",
    ...     school_name="甲小学", school_type="primary", urban_rural="rural", students_primary=200,
    ...     students_junior=0, classes_primary=5, classes_junior=0, teachers=12,
    ...     teachers_above_degree=10, teachers_mid_title=6, teachers_backbone=2,
    ...     teachers_pe_arts=2, teaching_area_m2=900, sports_area_m2=1000,
    ...     equipment_value_cny=400000, computers=20, multimedia_classrooms=2, books=4000)]
    >>> gaps = school_gaps(eb.core.scoring.score(pd.DataFrame(rows), "quality-2017"))
    >>> gaps[["resource", "amount"]].values.tolist()
    [['sports_area_m2', 500.0], ['multimedia_classrooms', 3.0]]
    """
    ind, comp = result.indicators, result.compliance
    mask = (comp["passed"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    mask &= _selected(ind, county_code, year)
    failing = np.flatnonzero(mask)  # positions of the failing sections
    parts = []
    items = _plain_items(result, need_threshold=True)
    if items and failing.size:
        # Every unmet item of every failing section at once, item by item as in the standard
        # (the sort below keeps that order within a school): columns are read for the failing
        # rows only, and the table is built once rather than per item.
        def columns(suffix: str, **to_numpy) -> np.ndarray:  # failing rows x items
            return np.column_stack([ind[item.name + suffix].to_numpy(**to_numpy)[failing]
                                    for item in items])

        item_of, local = np.nonzero(~columns("_met", dtype=bool, na_value=True).T)
        at = failing[local]
        value = columns("", dtype=float)[local, item_of]
        threshold = columns("_threshold", dtype=float)[local, item_of]
        specs = [INDICATORS[item.formula] for item in items]
        multiplier = np.array([spec.multiplier for spec in specs], dtype=float)[item_of]
        part = ind.iloc[at, ind.columns.get_indexer(_BASE)].reset_index(drop=True)
        part["indicator"] = np.array([item.name for item in items], dtype=object)[item_of]
        part["value"] = value
        part["threshold"] = threshold
        part["resource"] = np.array([spec.numerator for spec in specs], dtype=object)[item_of]
        part["unit"] = np.array([spec.unit for spec in specs], dtype=object)[item_of]
        part["amount"] = (np.clip(threshold - value, 0, None)
                          * part["students"].to_numpy(dtype=float) / multiplier)
        parts.append(part)
    # Failed only: a class size that could not be judged (averages only) asks for nothing.
    class_size_fail = (comp.loc[mask, "class_size_ok"] == False).to_numpy(  # noqa: E712
        dtype=bool, na_value=False)
    if result.standard.rule("class_size") is not None and class_size_fail.any():
        rows = comp.loc[mask][class_size_fail]
        part = rows[_BASE].copy()
        part["indicator"] = "class_size"
        part["value"] = rows["class_size"].to_numpy()
        part["threshold"] = rows["class_size_limit"].to_numpy()
        part["resource"] = "classes"
        part["unit"] = "个"
        part["amount"] = (np.ceil(rows["students"] / rows["class_size_limit"])
                          - rows["classes"]).to_numpy(dtype=float)
        parts.append(part)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _GAP_COLUMNS})
    gaps = pd.concat(parts, ignore_index=True)
    gaps["amount"] = _round_up_countable(gaps["amount"].to_numpy(dtype=float),
                                         gaps["resource"].to_numpy(dtype=object))
    gaps = gaps[gaps["amount"] > 0]
    return gaps.sort_values(["county_code", "year", "level", "school_id"],
                            kind="stable").reset_index(drop=True)[_GAP_COLUMNS]


def county_gap_totals(gaps: pd.DataFrame) -> pd.DataFrame:
    """Total of each resource needed per county, year and level (and the schools needing it).

    Works on :func:`school_gaps` output and on the ``steps`` of :func:`cv_upgrade_plan`.

    Parameters
    ----------
    gaps : DataFrame
        :func:`school_gaps` (or the steps of an :class:`UpgradePlan`).
    """
    columns = _KEYS + ["resource", "unit", "amount", "schools"]
    if gaps.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    grouped = gaps.groupby(_KEYS + ["resource", "unit"], sort=True, observed=True)
    # Two column reductions, not .agg(amount=..., schools=...): the same table in half the time.
    totals = pd.DataFrame({"amount": grouped["amount"].sum(),
                           "schools": grouped["school_id"].nunique()}).reset_index()
    return totals[columns]


@dataclass(frozen=True, repr=False)
class UpgradePlan(ResultDisplay):
    """Result of :func:`cv_upgrade_plan`.

    ``steps``: one row per upgrade (``county_code, county_name, year, level, step, indicator,
    school_id, school_name, students, value_before, value_after, resource, unit, amount,
    cv_before, cv_after`` where the CVs are of the upgraded indicator).
    ``counties``: one row per county-level that failed its CV rule: ``steps``, ``reached``
    (CV rule met within ``max_steps``), ``worst_cv_before``, ``worst_cv_after``,
    ``composite_before``, ``composite_after``.
    ``totals``: resources per county-level (:func:`county_gap_totals` of the steps).

    Parameters
    ----------
    steps, counties, totals : DataFrame
        As described above.
    """

    steps: pd.DataFrame
    counties: pd.DataFrame
    totals: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The upgrade steps (one row per upgrade)."""
        return self.steps.copy()

    def summary(self) -> pd.DataFrame:
        """One row per failing county-level: steps taken, whether the CV rule was reached.

        Returns
        -------
        DataFrame
            :attr:`counties` (a copy).
        """
        return self.counties.reset_index(drop=True)


def _group_moments(codes, weights, values, n_groups):
    """Weighted mean and official CV per group and item (:mod:`edubalance.core.numeric`)."""
    result = numeric.grouped_weighted_cv(values, codes, weights=weights, n_groups=n_groups)
    return result.mean, result.cv


def cv_upgrade_plan(result: ScoringResult, county_code=None, year=None,
                    max_steps: int = 1000) -> UpgradePlan:
    """Greedy plan of school upgrades that brings every failing CV rule under its limit.

    Parameters
    ----------
    result : ScoringResult
    county_code, year : optional
        Restrict to one county and/or year (the plan of a county does not depend on others).
    max_steps : int
        Upper bound on upgrades per county-level; ``reached`` says whether it sufficed.

    Returns
    -------
    UpgradePlan
        Empty tables when the standard has no CV rule or every county passes it.
    """
    if not isinstance(max_steps, int) or max_steps < 1:
        raise ParameterError(f"max_steps must be a positive integer, got {max_steps!r}")
    std = result.standard
    rule = std.rule("each_cv") or std.rule("composite_cv")
    items = _plain_items(result, need_threshold=False)
    ind = result.indicators
    ind = ind[_selected(ind, county_code, year)].reset_index(drop=True)
    empty = UpgradePlan(pd.DataFrame(), pd.DataFrame(), county_gap_totals(pd.DataFrame()))
    if rule is None or not items or ind.empty:
        return empty
    each = rule.kind == "each_cv"
    codes = ind.groupby(["county_code", "year", "level"], sort=True, observed=True).ngroup()
    codes = codes.to_numpy()
    n_groups = int(codes.max()) + 1
    first = np.unique(codes, return_index=True)[1]
    groups = ind.iloc[first][_KEYS].reset_index(drop=True)
    limit = per_level_values(level_index(groups["level"]), rule.params["limit"])
    weights = ind["students"].to_numpy(dtype=float)
    values = np.column_stack([ind[item.name].to_numpy(dtype=float) for item in items])
    multiplier = np.array([INDICATORS[item.formula].multiplier for item in items])

    def failing(cv):
        # A CV equal to its limit up to floating-point error meets it (core.numeric.at_most).
        with np.errstate(invalid="ignore"):
            over = ~at_most(cv, limit[:, None]) & ~np.isnan(cv)
            if each:
                return over.any(axis=1)
            composite = cv.mean(axis=1)
            return ~at_most(composite, limit) & ~np.isnan(composite)

    mean, cv = _group_moments(codes, weights, values, n_groups)
    cv_start = cv.copy()
    ever_failed = failing(cv)
    records, steps_done = [], np.zeros(n_groups, dtype=int)
    stuck = np.zeros(n_groups, dtype=bool)
    previous = None
    for _ in range(max_steps):
        if previous is not None:
            records[-1]["cv_after"] = cv[previous[0], previous[1]]
        active = failing(cv) & ~stuck
        if not active.any():
            break
        worst = np.argmax(np.nan_to_num(cv, nan=-1.0), axis=1)
        in_active = active[codes]
        rows = np.flatnonzero(in_active)
        chosen_value = values[rows, worst[codes[rows]]]
        order = np.lexsort((chosen_value, codes[rows]))
        group_of = codes[rows][order]
        lowest = rows[order][np.unique(group_of, return_index=True)[1]]
        g, k = codes[lowest], worst[codes[lowest]]
        before, target = values[lowest, k], mean[g, k]
        # A group whose lowest school is already at the mean cannot improve (zero or undefined
        # mean): stop planning for it rather than loop.
        movable = np.isfinite(target) & (target > before)
        stuck[g[~movable]] = True
        lowest, g, k, before, target = (a[movable] for a in (lowest, g, k, before, target))
        if not len(lowest):
            previous = None
            continue
        values[lowest, k] = target
        steps_done[g] += 1
        records.append({"_row": lowest, "_group": g, "_item": k, "step": steps_done[g].copy(),
                        "value_before": before, "value_after": target,
                        "amount": (target - before) * weights[lowest] / multiplier[k],
                        "cv_before": cv[g, k]})
        previous = (g, k)
        mean, cv = _group_moments(codes, weights, values, n_groups)
    if previous is not None and "cv_after" not in records[-1]:
        records[-1]["cv_after"] = cv[previous[0], previous[1]]
    counties = groups[ever_failed].copy()
    counties["steps"] = steps_done[ever_failed]
    counties["reached"] = ~failing(cv)[ever_failed]
    counties["worst_cv_before"] = np.nanmax(cv_start, axis=1)[ever_failed]
    counties["worst_cv_after"] = np.nanmax(cv, axis=1)[ever_failed]
    counties["composite_before"] = cv_start.mean(axis=1)[ever_failed]
    counties["composite_after"] = cv.mean(axis=1)[ever_failed]
    counties = counties.reset_index(drop=True)
    if not records:
        return UpgradePlan(pd.DataFrame(), counties, county_gap_totals(pd.DataFrame()))
    flat = {key: np.concatenate([r[key] for r in records]) for key in records[0]}
    rows = flat.pop("_row")
    steps = ind.loc[rows, ["county_code", "county_name", "year", "level"]].reset_index(drop=True)
    steps["step"] = flat["step"]
    steps["indicator"] = np.array([item.name for item in items])[flat["_item"]]
    steps["school_id"] = ind.loc[rows, "school_id"].to_numpy()
    steps["school_name"] = ind.loc[rows, "school_name"].to_numpy()
    steps["students"] = weights[rows]
    steps["value_before"] = flat["value_before"]
    steps["value_after"] = flat["value_after"]
    resource = np.array([INDICATORS[item.formula].numerator for item in items])[flat["_item"]]
    steps["resource"] = resource
    steps["unit"] = np.array([INDICATORS[item.formula].unit for item in items])[flat["_item"]]
    steps["amount"] = _round_up_countable(flat["amount"], resource.astype(object))
    steps["cv_before"] = flat["cv_before"]
    steps["cv_after"] = flat["cv_after"]
    steps = steps.sort_values(["county_code", "year", "level", "step"],
                              kind="stable").reset_index(drop=True)
    return UpgradePlan(steps, counties, county_gap_totals(steps))
