"""Score counties against a standard: official CVs, per-school compliance, county verdicts.

Everything is computed for all counties, years and levels at once (group codes, ``groupby`` and
NumPy), so scoring a whole country costs about as much as a few pandas passes over its schools.

Verdicts use the three statuses ``passed``, ``failed`` and ``not_assessed``. A county-level
``passed`` judges every rule school data can decide (plus evidence rules whose values are
supplied); rules needing other evidence are listed as not assessed and do not count.
"""
from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._compat import moved_names as _moved_names
from ..errors import DataError, ParameterError
from ..io.clean import texts_at
from ..io.number_text import plain_numbers
from ..schema import LEVELS, level_name
from . import numeric
from .indicators import (
    OUTPUT_ID_COLUMNS,
    add_indicator_columns,
    excluded_schools,
    split_sections,
)
from .numeric import at_least, at_most, reason_numbers
from .standards import Standard, evaluate_formula, level_index, load_standard, per_level_values

__all__ = ["ScoringResult", "score", "with_evidence", "county_summary", "VERDICTS", "summary_markdown", "find_county",
           "school_items_long", "school_items_percent", "comparison_levels",
           "PASSED", "FAILED", "NOT_ASSESSED"]

# The figures moved to edubalance.report.figures.scoring (issue 28): the layers forbid
# importing them here, so the former names are served on access, with a DeprecationWarning.
__getattr__ = _moved_names(__name__, {
    "school_items_heatmap": "edubalance.report.figures.scoring:plot_school_items",
    "plot_school_items": "edubalance.report.figures.scoring:plot_school_items:_school_items_figure",
    "county_comparison": "edubalance.report.figures.scoring:plot_county_comparison:_county_comparison_panels",
    "plot_county_comparison": "edubalance.report.figures.scoring:plot_county_comparison:_county_comparison_figure",
})

PASSED, FAILED, NOT_ASSESSED = "passed", "failed", "not_assessed"
VERDICTS = ("pass", "fail", "incomplete")
"""The official verdict: ``pass`` only when every rule of the standard (school data and
evidence) is judged and met, ``fail`` when any judged rule fails, ``incomplete`` otherwise."""
GROUP_COLUMNS = ["county_code", "county_name", "year", "level"]
RULE_SEPARATOR = " | "
"""Separates the rules' reasons in ``counties.failed_rules`` (one rule's text may hold "; ")."""


@dataclass(frozen=True)
class ScoringResult:
    """Result of :func:`score`.

    Parameters
    ----------
    standard : Standard
        The standard scored against.
    indicators, cv, compliance, counties, evidence, excluded : DataFrame
        The tables described under Attributes.

    Attributes
    ----------
    standard : Standard
    indicators : DataFrame
        One row per school section: ids, ``level, students, classes``, and per item of the
        standard ``<item>``, ``<item>_threshold``, ``<item>_met``, ``<item>_pct_of_threshold``
        (percent of the threshold reached; for lower-is-better items threshold / value).
    cv : DataFrame
        One row per county x year x level x item: ``county_code, county_name, year, level,
        indicator, cv, threshold, passed, binding``. ``threshold`` is the CV limit the standard
        sets (for basic-2012 the composite limit, shown for reference: ``binding`` is False
        because only the composite CV decides).
    compliance : DataFrame
        One row per school section with the school-level checks, ``passed`` (NA when the
        standard has no school-level rule) and ``failed_reasons``.
    counties : DataFrame
        One row per county x year x level: ``county_code, county_name, year, level,
        composite_cv, passed``, then ``n_schools, students, mean_indicator_cv`` (plain mean of
        the item CVs, for every standard), ``rule_<id>`` status per rule, ``reason_<id>`` (why
        the rule failed, empty otherwise), ``failed_rules`` (the reasons, ``" | "``-joined, each
        ``rule_id: text``), ``not_assessed`` (rule ids and evidence items not given), and
        ``verdict`` (:data:`VERDICTS`) with ``evidence_failed``, ``evidence_missing`` and
        ``evidence_assumed`` (item ids, ``"; "``-joined).
    evidence : DataFrame
        One row per county x year x evidence item of the standard
        (:func:`edubalance.core.evidence.judge`): ``value``, ``limit`` and ``status``.
    excluded : DataFrame
        Schools not scored as schools of their own (:func:`edubalance.core.indicators.excluded_schools`):
        special-education schools, teaching points merged into or missing their central school.
    """

    standard: Standard
    indicators: pd.DataFrame
    cv: pd.DataFrame
    compliance: pd.DataFrame
    counties: pd.DataFrame
    evidence: pd.DataFrame = None
    excluded: pd.DataFrame = None

    def __repr__(self) -> str:
        counties = self.counties
        verdicts = counties["verdict"].value_counts().to_dict() if "verdict" in counties else {}
        years = sorted(counties["year"].unique().tolist()) if len(counties) else []
        return (f"ScoringResult(standard={self.standard.name!r}, "
                f"counties={counties['county_code'].nunique()}, years={years}, "
                f"sections={len(self.indicators)}, "
                f"verdicts={ {k: int(v) for k, v in sorted(verdicts.items())} })")

    def summary(self) -> pd.DataFrame:
        """One row per county, year and level: the verdict and why (a table to read).

        Returns
        -------
        DataFrame
            ``county_name, year, level, composite_cv, mean_indicator_cv, passed, verdict,
            failed_rules, not_assessed``.
        """
        columns = ["county_name", "year", "level", "composite_cv", "mean_indicator_cv",
                   "passed", "verdict", "failed_rules", "not_assessed"]
        return self.counties[[c for c in columns if c in self.counties]].reset_index(drop=True)

    def _repr_html_(self) -> str:
        import html

        return (f"<p><code>{html.escape(repr(self))}</code></p>"
                + self.summary().head(20).to_html(index=False, escape=True))

    def for_county(self, county_code, year: int | None = None) -> "ScoringResult":
        """The same result with only the rows of one county (and ``year``) in every table.

        What a county report reads: one pass over each table of a national result, instead
        of one per table the report builds from it. Rows keep their index and order.

        Parameters
        ----------
        county_code : str
            The county's code.
        year : int, optional
            Only this year (default: every year of the result).

        Examples
        --------
        >>> import pandas as pd, edubalance as eb
        >>> schools = pd.read_csv("data/sample/schools.csv", dtype={"county_code": str})
        >>> result = eb.core.scoring.score(schools[schools["year"] == 2017], "basic-2012")
        >>> one = result.for_county("640181", 2017)
        >>> sorted(set(one.counties["county_name"])), len(one.cv) == len(result.cv) // 22
        (['灵武市'], True)
        """
        import dataclasses

        code = str(county_code)

        def rows(frame: pd.DataFrame) -> pd.DataFrame:
            # Compared as (Arrow) strings, then to NumPy: no Python object per row.
            mask = (frame["county_code"].astype(str) == code).to_numpy(dtype=bool)
            if year is not None:
                mask = mask & (frame["year"].to_numpy() == int(year))
            return frame[mask]

        return dataclasses.replace(self, indicators=rows(self.indicators), cv=rows(self.cv),
                                   compliance=rows(self.compliance), counties=rows(self.counties),
                                   evidence=rows(self.evidence), excluded=rows(self.excluded))


# --------------------------------------------------------------------------- helpers

def _join(parts: list[np.ndarray], n: int, sep: str = "; ") -> np.ndarray:
    """Join per-row text pieces with ``sep``, skipping empty ones (vectorised over rows)."""
    out = np.full(n, "", dtype=object)
    for piece in parts:
        piece = np.asarray(piece, dtype=object)
        has = piece != ""
        # NumPy's object loops concatenate the Python strings row by row (no pandas per piece).
        out = np.where(has & (out != ""), out + sep + piece, np.where(has, piece, out))
    return out


def _text_at(n: int, rows: np.ndarray, texts) -> np.ndarray:
    """``n`` texts: ``texts`` at the positions ``rows``, ``""`` elsewhere (object array).

    A rule's reason is built only for the rows that show it (the counties whose rule
    failed): its numbers are formatted one Python call per value, so not for every county
    and level of a national file only to be replaced by ``""``.
    """
    out = np.full(n, "", dtype=object)
    out[rows] = texts
    return out


def _group_codes(sections: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code per section (county x year x level) and the table of groups."""
    codes = sections.groupby(["county_code", "year", "level"], sort=True, observed=True).ngroup()
    codes = codes.to_numpy()
    first = np.unique(codes, return_index=True)[1]
    groups = sections.iloc[first][GROUP_COLUMNS].reset_index(drop=True)
    groups["n_schools"] = np.bincount(codes, minlength=len(groups))
    groups["students"] = np.bincount(codes, weights=sections["students"].to_numpy(dtype=float),
                                     minlength=len(groups)).astype(np.int64)
    return codes, groups


def _check_evidence(evidence: pd.DataFrame | None) -> pd.DataFrame | None:
    if evidence is None:
        return None
    if not isinstance(evidence, pd.DataFrame) or not {"county_code", "year"} <= set(evidence):
        raise DataError("evidence must be a DataFrame with columns county_code and year")
    long_form = {"item", "value"} <= set(evidence)
    if not long_form and evidence.duplicated(["county_code", "year"]).any():
        raise DataError("evidence has more than one row for some county_code and year")
    return evidence.assign(county_code=evidence["county_code"].astype(str))


# --------------------------------------------------------------------------- items

def _item_table(sections: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Item values, thresholds, met flags and percent of threshold per section."""
    levels = level_index(sections["level"])
    columns = {}
    for item in standard.items:
        value = evaluate_formula(item.formula, sections)
        threshold = per_level_values(levels, item.threshold)
        with np.errstate(divide="ignore", invalid="ignore"):
            if item.direction == "higher":
                met, pct = at_least(value, threshold), 100 * value / threshold
            else:
                met, pct = at_most(value, threshold), 100 * threshold / value
        has_threshold = ~np.isnan(threshold)
        columns[item.name] = value
        columns[f"{item.name}_threshold"] = threshold
        columns[f"{item.name}_met"] = pd.array(np.where(has_threshold, met, False),
                                               dtype="boolean")
        if not has_threshold.all():
            columns[f"{item.name}_met"][~has_threshold] = pd.NA
        columns[f"{item.name}_pct_of_threshold"] = np.where(np.isfinite(pct), pct,
                                                            np.where(has_threshold, 0.0, np.nan))
    # copy=False: the new arrays as they are, not stacked into blocks (a copy of every value).
    return pd.DataFrame(columns, index=sections.index, copy=False)


# --------------------------------------------------------------------------- CVs

def _cv_table(sections, items, codes, groups, standard) -> pd.DataFrame:
    # One call of the numeric core for every item at once. An item value that is not finite
    # (a ratio over zero computers) is undefined for that school: it counts as missing.
    names = standard.item_names
    matrix = (np.column_stack([items[name].to_numpy(dtype=float) for name in names])
              if names else np.zeros((len(sections), 0)))
    matrix = np.where(np.isfinite(matrix), matrix, np.nan)
    grouped = numeric.grouped_weighted_cv(matrix, codes,
                                          weights=sections["students"].to_numpy(dtype=float),
                                          n_groups=len(groups))
    cvs = {name: grouped.cv[:, j] for j, name in enumerate(names)}
    n_items = len(standard.items)
    cv = groups.loc[np.tile(np.arange(len(groups)), n_items), GROUP_COLUMNS].reset_index(drop=True)
    cv["indicator"] = (texts_at(standard.item_names, np.repeat(np.arange(n_items), len(groups)))
                       if n_items else np.repeat(standard.item_names, len(groups)))
    cv["cv"] = np.concatenate([cvs[name] for name in standard.item_names]) if n_items else []
    each, composite = standard.rule("each_cv"), standard.rule("composite_cv")
    limit_rule = each or composite
    cv["threshold"] = per_level_values(level_index(cv["level"]),
                                    limit_rule.params["limit"] if limit_rule else None)
    passed = pd.array(at_most(cv["cv"].to_numpy(), cv["threshold"].to_numpy()), dtype="boolean")
    passed[cv["threshold"].isna().to_numpy()] = pd.NA
    cv["passed"] = passed
    cv["binding"] = each is not None
    # One block per item is easy to build; users read one county at a time, so sort by group.
    order = np.lexsort((np.repeat(np.arange(n_items), len(groups)),
                        np.tile(np.arange(len(groups)), n_items)))
    return cv.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- school checks

@dataclass(frozen=True)
class SchoolOutcomes:
    """Which school-level checks each section failed: one boolean per section and check.

    ``unmet`` and ``under_share`` have one column per thresholded item (``items``): the item's
    threshold is missed, and missed by more than the rule's share. The four rule columns say
    whether the section fails that rule. Reasons are written from this table (see
    :func:`_school_reasons`); the numbers behind them are in the compliance table.
    """

    items: tuple
    unmet: np.ndarray
    under_share: np.ndarray
    thresholds_failed: np.ndarray
    school_size_failed: np.ndarray
    class_size_failed: np.ndarray
    points_failed: np.ndarray
    junior: np.ndarray

    @property
    def failed(self) -> np.ndarray:
        return (self.thresholds_failed | self.school_size_failed | self.class_size_failed
                | self.points_failed)


def _school_checks(sections, items, standard) -> pd.DataFrame:
    """Per-section school rules (thresholds, school size, class size, points) and reasons."""
    n = len(sections)
    out = sections[OUTPUT_ID_COLUMNS + ["school_students"]].copy()
    out["teachers_split"] = (sections["teachers_split"].to_numpy(dtype=bool)
                             if "teachers_split" in sections else np.zeros(n, dtype=bool))
    levels = level_index(sections["level"])
    thresholded = [item for item in standard.items if item.threshold]
    k = len(thresholded)
    met = (np.column_stack([items[f"{i.name}_met"].to_numpy(dtype=bool, na_value=False)
                            for i in thresholded]) if k else np.zeros((n, 0), bool))
    pct = (np.column_stack([items[f"{i.name}_pct_of_threshold"].to_numpy(dtype=float)
                            for i in thresholded]) if k else np.zeros((n, 0)))
    out["indicators_met"] = met.sum(axis=1) if k else np.nan
    out["indicators_assessed"] = k if k else np.nan
    lowest = np.where(met, np.inf, pct).min(axis=1, initial=np.inf)
    out["lowest_pct_unmet"] = np.where(np.isfinite(lowest), lowest, np.nan)
    na_flags = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    no = np.zeros(n, dtype=bool)
    thresholds_failed, size_failed, class_failed, points_failed = no, no, no, no
    under = np.zeros((n, k), dtype=bool)
    any_rule = False

    rule = standard.rule("school_thresholds")
    if rule is not None:
        any_rule = True
        min_met, min_share = rule.params["min_met"], rule.params["min_share_of_threshold"]
        under = ~met & ~at_least(pct, 100 * min_share)
        enough_met = met.sum(axis=1) >= min_met
        out["meets_min_indicators"] = enough_met
        out["unmet_within_share"] = ~under.any(axis=1)
        thresholds_failed = ~(enough_met & ~under.any(axis=1))
    else:
        out["meets_min_indicators"] = na_flags
        out["unmet_within_share"] = na_flags.copy()

    rule = standard.rule("school_size")
    if rule is not None:
        any_rule = True
        limit = sections["school_type"].map(rule.params.get("max_by_type") or {}).fillna(
            rule.params["max"]).to_numpy(dtype=float)
        size_failed = ~at_most(sections["school_students"].to_numpy(dtype=float), limit)
        out["school_size_limit"] = limit
        out["school_size_ok"] = ~size_failed
    else:
        out["school_size_limit"] = np.nan
        out["school_size_ok"] = na_flags.copy()

    with np.errstate(divide="ignore", invalid="ignore"):
        class_size = sections["students"].to_numpy(dtype=float) / sections["classes"].to_numpy(
            dtype=float)
    out["class_size"] = np.where(np.isfinite(class_size), class_size, np.nan)
    largest = (sections["max_class_size"].to_numpy(dtype=float) if "max_class_size" in sections
               else np.full(n, np.nan))
    out["max_class_size"] = largest
    rule = standard.rule("class_size")
    if rule is not None:
        any_rule = True
        limit = per_level_values(levels, rule.params["max"])
        # Every class must be within the limit: the largest class decides where the data give
        # it. With only the average, an average above the limit fails (some class is larger)
        # and anything else is not assessed. No classes recorded: the size is unknown, so it
        # cannot pass.
        exact = np.isfinite(largest)
        over_average = ~at_most(class_size, limit)
        class_failed = np.where(exact, ~at_most(largest, limit), over_average)
        ok = pd.array(~class_failed, dtype="boolean")
        ok[~exact & ~over_average] = pd.NA
        out["class_size_limit"] = limit
        out["class_size_ok"] = ok
        out["class_size_assessed"] = exact | over_average
    else:
        out["class_size_limit"] = np.nan
        out["class_size_ok"] = na_flags.copy()
        out["class_size_assessed"] = np.zeros(n, dtype=bool)

    if standard.rule("points") is not None:
        any_rule = True
        score, band = _points(items, standard, levels)
        out["score"] = score
        out["band"] = band
        points_failed = ~at_least(score, _pass_min(standard))

    outcomes = SchoolOutcomes(items=tuple(thresholded), unmet=~met, under_share=under,
                              thresholds_failed=thresholds_failed,
                              school_size_failed=size_failed, class_size_failed=class_failed,
                              points_failed=points_failed, junior=levels == 1)
    out["passed"] = pd.array(~outcomes.failed, dtype="boolean") if any_rule else na_flags.copy()
    out["failed_reasons"] = _school_reasons(outcomes, standard)
    return out


def _school_reasons(outcomes: SchoolOutcomes, standard) -> pd.array:
    """Reason text per section, written once per distinct failure pattern.

    A pattern is the row of :class:`SchoolOutcomes` that matters for the text (the unmet items
    only where a rule names them, the level only where the class-size limit depends on it).
    The distinct patterns are found with ``numpy.unique`` over the boolean table, their text
    written in Python (a handful of patterns), and gathered back per section by Arrow.
    """
    o = outcomes
    names_unmet = (o.thresholds_failed | o.points_failed)[:, None]
    pattern = np.column_stack([
        o.thresholds_failed, o.school_size_failed, o.class_size_failed, o.points_failed,
        o.junior & o.class_size_failed, o.unmet & names_unmet,
        o.under_share & o.thresholds_failed[:, None]])
    if not len(pattern):
        return _take_text(np.array([""], dtype=object), np.zeros(0, dtype=np.int64))
    # Distinct rows of the boolean table: each row's bytes (eight flags a byte) are its key,
    # which numpy sorts as one opaque value, much faster than ``unique(axis=0)``.
    packed = np.ascontiguousarray(np.packbits(pattern, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    k = len(o.items)
    texts = [_pattern_text(row[:5], row[5:5 + k], row[5 + k:], o.items, standard)
             for row in pattern[first]]
    return _take_text(np.array(texts, dtype=object), inverse.ravel())


def _pattern_text(flags, unmet, under, items, standard) -> str:
    """The reasons of one failure pattern, rules joined by :data:`RULE_SEPARATOR`."""
    thresholds, school_size, class_size, points, junior = (bool(f) for f in flags)
    names = [item.name for item, miss in zip(items, unmet, strict=True) if miss]
    parts = []
    if thresholds:
        rule, k = standard.rule("school_thresholds"), len(items)
        text = (f"school_indicators: meets {k - len(names)} of {k} (needs "
                f"{rule.params['min_met']}); below threshold: {', '.join(names)}")
        below = [item.name for item, flag in zip(items, under, strict=True) if flag]
        if below:
            share = 100 * rule.params["min_share_of_threshold"]
            text += f"; below {share:g}% of threshold: {', '.join(below)}"
        parts.append(text)
    if school_size:
        rule = standard.rule("school_size")
        parts.append(f"school_size: above {rule.params['max']:g} pupils"
                     + (" (nine-year limit where it applies)" if rule.params.get("max_by_type")
                        else ""))
    if class_size:
        limit = standard.rule("class_size").params["max"][LEVELS[int(junior)]]
        parts.append(f"class_size: a class above {limit:g} pupils (the largest class where given, "
                     "else the average; or no classes recorded)")
    if points:
        text = f"points_score: score below {_pass_min(standard):g}"
        if names:
            text += f"; below target: {', '.join(names)}"
        parts.append(text)
    return RULE_SEPARATOR.join(parts)


def _take_text(texts: np.ndarray, codes: np.ndarray) -> pd.array:
    """Plain string column ``texts[codes]``, gathered by Arrow (no Python object per row)."""
    import pyarrow as pa

    gathered = pa.array(np.asarray(texts, dtype=object), type=pa.string()).take(
        pa.array(np.asarray(codes, dtype=np.int64)))
    return pd.array(gathered, dtype="str")


def _pass_min(standard: Standard) -> float:
    bands = standard.scoring["bands"]
    return float(next(b["min"] for b in bands if b["name"] == standard.scoring["pass_band"]))


def _band(score: np.ndarray, standard: Standard) -> pd.array:
    bands = sorted(standard.scoring["bands"], key=lambda b: b["min"])
    code = np.zeros(len(score), dtype=np.int64)
    for position, spec in enumerate(bands, start=1):
        code[at_least(score, spec["min"])] = position
    return _take_text(np.array(["below"] + [b["name"] for b in bands], dtype=object), code)


def _points(items, standard, levels) -> tuple[np.ndarray, np.ndarray]:
    """100-point score per section: points-weighted attainment (value vs target, capped at 1)."""
    total = sum(float(item.points) for item in standard.items)
    earned = np.zeros(len(items))
    for item in standard.items:
        attainment = np.nan_to_num(items[f"{item.name}_pct_of_threshold"].to_numpy(dtype=float)
                                   / 100, nan=0.0)
        earned += float(item.points) * np.clip(attainment, 0, 1)
    score = 100 * earned / total
    return score, _band(score, standard)


# --------------------------------------------------------------------------- county rules

def _county_rules(groups, cv, compliance, codes, standard, evidence) -> pd.DataFrame:
    """Rule statuses and reasons per county, year and level.

    Per county x year x level: the status (``rule_<id>``) and reason (``reason_<id>``) of
    every school-data rule, then the summary columns (:func:`_finish`).
    """
    g = len(groups)
    out = groups.copy()
    levels = level_index(groups["level"])
    n_items = len(standard.items)
    # cv is sorted by group then item: reshape to (groups, items).
    cv_matrix = cv["cv"].to_numpy(dtype=float).reshape(g, n_items) if n_items else np.zeros((g, 0))
    with np.errstate(invalid="ignore"):
        mean_cv = cv_matrix.mean(axis=1) if n_items else np.full(g, np.nan)
    out["composite_cv"] = mean_cv if standard.composite == "mean" else np.nan
    # Same plain mean for every standard, for comparing counties where no composite is defined.
    out["mean_indicator_cv"] = mean_cv
    for rule in standard.rules:
        status = np.full(g, NOT_ASSESSED, dtype=object)
        reason = np.full(g, "", dtype=object)
        if rule.kind == "composite_cv":
            limit = per_level_values(levels, rule.params["limit"])
            composite = out["composite_cv"].to_numpy()
            ok = at_most(composite, limit)
            status = np.where(ok, PASSED, FAILED).astype(object)
            r = np.flatnonzero(~ok & ~np.isnan(composite))
            reason = np.where(ok, "", np.where(np.isnan(composite), "composite CV undefined",
                                               _text_at(g, r, "composite CV "
                                                        + reason_numbers(composite[r], limit[r], 3)
                                                        + " > " + plain_numbers(limit[r], 2))))
        elif rule.kind == "each_cv":
            limit = per_level_values(levels, rule.params["limit"])[:, None]
            bad = ~at_most(cv_matrix, limit)
            status = np.where(bad.any(axis=1), FAILED, PASSED).astype(object)
            texts = []
            for j in range(n_items):
                r = np.flatnonzero(bad[:, j])
                texts.append(_text_at(g, r, standard.items[j].name + " CV "
                                      + reason_numbers(cv_matrix[r, j], limit[r, 0], 3) + " > "
                                      + plain_numbers(limit[r, 0], 2)))
            reason = _join(texts, g)
        elif rule.kind == "points":
            weights = compliance["students"].to_numpy(dtype=float)
            total = np.bincount(codes, weights=weights, minlength=g)
            score_ = np.bincount(codes, weights=weights * compliance["score"].to_numpy(),
                                 minlength=g) / total
            out["score"] = score_
            out["band"] = _band(score_, standard)
            pass_min = _pass_min(standard)
            ok = at_least(score_, pass_min)
            status = np.where(ok, PASSED, FAILED).astype(object)
            r = np.flatnonzero(~ok)
            reason = _text_at(g, r, "score " + reason_numbers(score_[r], pass_min, 1) + " < "
                              + f"{pass_min:g}")
        elif rule.kind in ("school_thresholds", "school_size", "class_size"):
            if rule.kind == "school_thresholds":
                fails = ~(compliance["meets_min_indicators"].to_numpy(dtype=bool)
                          & compliance["unmet_within_share"].to_numpy(dtype=bool))
            else:
                column = {"school_size": "school_size_ok", "class_size": "class_size_ok"}[rule.kind]
                fails = ~compliance[column].to_numpy(dtype=bool, na_value=True)
            n_fail = np.bincount(codes, weights=fails, minlength=g).astype(int)
            out[f"{rule.id}_failing_schools"] = n_fail
            status = np.where(n_fail > 0, FAILED, PASSED).astype(object)
            reason = np.where(n_fail > 0, n_fail.astype(str).astype(object)
                              + f" school(s) fail: {rule.text}", "")
            if rule.kind == "class_size":
                unknown = ~compliance["class_size_assessed"].to_numpy(dtype=bool)
                n_unknown = np.bincount(codes, weights=unknown, minlength=g).astype(int)
                out[f"{rule.id}_unassessed_schools"] = n_unknown
                status = np.where((n_fail == 0) & (n_unknown > 0), NOT_ASSESSED, status)
                reason = np.where((n_fail == 0) & (n_unknown > 0),
                                  n_unknown.astype(str).astype(object) + " school(s) with the "
                                  "average class size only (最大班额 not given)", reason)
        elif rule.kind == "evidence":   # older standard files: one column of the evidence table
            column = rule.params["column"]
            value = np.full(g, np.nan)
            if evidence is not None and column in evidence:
                keyed = evidence.set_index(["county_code", "year"])[column].astype(float)
                value = keyed.reindex(pd.MultiIndex.from_arrays(
                    [groups["county_code"].astype(str), groups["year"]])).to_numpy()
            known = ~np.isnan(value)
            ok = at_least(value, float(rule.params["min"]))
            status = np.where(known, np.where(ok, PASSED, FAILED), NOT_ASSESSED).astype(object)
            r = np.flatnonzero(known & ~ok)
            reason = _text_at(g, r, f"{column} " + reason_numbers(value[r], rule.params["min"], 1)
                              + " < " + f"{rule.params['min']:g}")
        out[f"rule_{rule.id}"] = status
        out[f"reason_{rule.id}"] = np.asarray(reason, dtype=object)
    return out


def _evidence_columns(counties: pd.DataFrame, standard: Standard, evidence
                      ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Judge the evidence items for every county-year of ``counties``.

    The evidence items judged for every county-year of ``counties``, and per row of
    ``counties`` the failed / missing / assumed items and the reasons of the failed ones.
    """
    from .evidence import judge

    judged = judge(evidence, standard, counties[["county_code", "year"]])
    g, ids = len(counties), [e.id for e in standard.evidence]
    empty = np.full(g, "", dtype=object)
    if not ids:
        return judged, {"failed": empty, "missing": empty.copy(), "assumed": empty.copy(),
                        "reasons": empty.copy(), "any_failed": np.zeros(g, bool),
                        "any_missing": np.zeros(g, bool)}
    keys = judged[["county_code", "year"]].iloc[::len(ids)].reset_index(drop=True)
    position = pd.MultiIndex.from_frame(keys).get_indexer(pd.MultiIndex.from_arrays(
        [counties["county_code"].astype(str), counties["year"].astype("int64")]))
    status = judged["status"].to_numpy(dtype=object).reshape(-1, len(ids))[position]
    reason = judged["reason"].to_numpy(dtype=object).reshape(-1, len(ids))[position]
    failed, missing, assumed, reasons = [], [], [], []
    for j, item in enumerate(standard.evidence):
        st = status[:, j]
        failed.append(np.where(st == FAILED, item.id, ""))
        missing.append(np.where(st == NOT_ASSESSED, item.id, ""))
        assumed.append(np.where(st == "assumed", item.id, ""))
        reasons.append(np.where(st == FAILED, f"{item.id}: " + reason[:, j], ""))
    return judged, {"failed": _join(failed, g), "missing": _join(missing, g),
                    "assumed": _join(assumed, g), "reasons": _join(reasons, g, RULE_SEPARATOR),
                    "any_failed": (status == FAILED).any(axis=1),
                    "any_missing": (status == NOT_ASSESSED).any(axis=1)}


def _finish(counties: pd.DataFrame, standard: Standard, evidence) -> tuple[pd.DataFrame,
                                                                         pd.DataFrame]:
    """The verdict columns, from the rule statuses and the evidence.

    ``passed``, ``verdict``, ``failed_rules``, ``not_assessed`` and the evidence columns
    from the rule statuses of :func:`_county_rules` and the evidence (None = none given).
    """
    out = counties.copy()
    g = len(out)
    judged, ev = _evidence_columns(out, standard, evidence)
    failed = ev["any_failed"].copy()
    official_failed, official_open = ev["any_failed"].copy(), ev["any_missing"].copy()
    reasons, not_assessed = [], []
    for rule in standard.rules:
        status = out[f"rule_{rule.id}"].to_numpy(dtype=object)
        reason = out[f"reason_{rule.id}"].to_numpy(dtype=object)
        failed |= status == FAILED
        if rule.params.get("estimate"):
            # Computed on assumed points and targets: shown, never the official verdict. The
            # standard's evidence (the province's own total) decides instead; a standard with
            # no evidence to decide stays open.
            if not standard.evidence:
                official_open[:] = True
        else:
            official_failed |= status == FAILED
            official_open |= status == NOT_ASSESSED
        reasons.append(np.where(reason != "", f"{rule.id}: " + reason, ""))
        not_assessed.append(np.where(status == NOT_ASSESSED, rule.id, ""))
    if any(r.params.get("estimate") for r in standard.rules) and standard.evidence:
            official_open |= ev["any_missing"]
    out["passed"] = ~failed
    out["verdict"] = np.where(official_failed, "fail",
                              np.where(official_open, "incomplete", "pass"))
    out["failed_rules"] = _join(reasons + [ev["reasons"]], g, sep=RULE_SEPARATOR)
    out["not_assessed"] = _join(not_assessed + [ev["missing"]], g)
    out["evidence_failed"] = ev["failed"]
    out["evidence_missing"] = ev["missing"]
    out["evidence_assumed"] = ev["assumed"]
    first = ["county_code", "county_name", "year", "level", "composite_cv", "passed", "verdict"]
    return out[first + [c for c in out.columns if c not in first]], judged


def with_evidence(result: ScoringResult, evidence) -> ScoringResult:
    """Judge the verdicts of ``result`` again with ``evidence``.

    ``result`` with the verdicts judged again with ``evidence`` (long or wide form,
    :mod:`edubalance.core.evidence`; None = none given). The school-data rules are not recomputed:
    a cached scoring takes evidence in milliseconds.

    Parameters
    ----------
    result : ScoringResult
        A scoring of school data (:func:`score`).
    evidence : DataFrame or None
        Evidence values per county and year (:func:`edubalance.core.evidence.load`).

    Returns
    -------
    ScoringResult
        The same tables with ``counties`` (verdicts, failed and open items) and ``evidence``
        judged again.

    Examples
    --------
    >>> import edubalance as eb
    >>> schools = eb.data.load_schools("data/sample/schools.csv")
    >>> result = score(schools[schools["year"] == 2017], "basic-2012")
    >>> judged = with_evidence(result, eb.core.evidence.load("data/sample/counties.csv",
    ...                                                      "basic-2012"))
    >>> def passing(r):
    ...     return int(r.counties.groupby("county_code")["verdict"].agg(
    ...         lambda v: (v == "pass").all()).sum())
    >>> passing(result), passing(judged)
    (0, 17)
    """
    import dataclasses

    counties, judged = _finish(result.counties, result.standard, evidence)
    return dataclasses.replace(result, counties=counties, evidence=judged)


# --------------------------------------------------------------------------- public API

def check_school_numbers(schools: pd.DataFrame, *, max_problems: int = 50) -> None:
    """Raise ``DataError`` if a numeric school column holds a blank, infinite or negative value.

    :func:`score` calls it on its input, so that a table built in memory (not loaded through
    :func:`edubalance.io.load.load_schools`, which checks far more) cannot turn a NaN, an
    infinity or a negative count into a wrong CV. Rows are numbered as a spreadsheet of the
    table would show them (header = row 1).

    Examples
    --------
    >>> check_school_numbers(pd.DataFrame({"school_id": ["a", "b"], "books": [10.0, -1.0]}))
    Traceback (most recent call last):
    ...
    edubalance.errors.DataError: <DataFrame>: 1 problem
      - row 3, column 'books', school b: negative value (value '-1.0')
    """
    from ..errors import Problem
    from ..schema import NUMERIC_SCHOOL_COLUMNS

    problems, total = [], 0
    for column in (c for c in NUMERIC_SCHOOL_COLUMNS if c in schools.columns):
        values = pd.to_numeric(schools[column], errors="coerce").to_numpy(dtype=float)
        for mask, what in ((np.isnan(values), "blank or non-numeric value"),
                           (np.isinf(values), "infinite value"),
                           (values < 0, "negative value")):
            rows = np.flatnonzero(mask)
            total += rows.size
            for row in rows[:max(0, max_problems - len(problems))]:
                raw = schools[column].iloc[row]
                problems.append(Problem(file="<DataFrame>", message=what, row=int(row) + 2,
                                        column=column, value=raw,
                                        school_id=str(schools["school_id"].iloc[row])
                                        if "school_id" in schools else None))
    if problems:
        raise DataError(problems, total=total)


def score(schools: pd.DataFrame, standard: str | Standard = "basic-2012",
          evidence: pd.DataFrame | None = None) -> ScoringResult:
    """Score every county, year and level of ``schools`` against a standard.

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns (``eb.io.load.load_schools``); any number of counties and years.
    standard : str or Standard
        A name from ``eb.core.standards.available_standards()`` or a loaded standard.
    evidence : DataFrame, optional
        County facts school data cannot give, keyed by ``county_code, year``
        (e.g. ``government_work_score``, ``satisfaction_pct``); rules needing them are
        reported as not assessed when absent.

    Returns
    -------
    ScoringResult

    Raises
    ------
    DataError
        If a numeric column holds a blank, infinite or negative value
        (:func:`check_school_numbers`); load files with :func:`edubalance.io.load.load_schools`
        for the full validation.

    Examples
    --------
    >>> rows = [dict(county_code="1", county_name="甲县", year=2017, school_id=f"s{i}",
    ...              school_name=f"第{i}小学", school_type="primary", urban_rural="rural",
    ...              students_primary=100 * i, students_junior=0, classes_primary=3 * i,
    ...              classes_junior=0, teachers=6 * i, teachers_above_degree=5 * i,
    ...              teachers_mid_title=3 * i, teachers_backbone=i, teachers_pe_arts=i,
    ...              teaching_area_m2=500 * i, sports_area_m2=800 * i, equipment_value_cny=250000 * i,
    ...              computers=12 * i, multimedia_classrooms=3 * i, books=2500 * i)
    ...         for i in (1, 2)]
    >>> result = score(pd.DataFrame(rows), "basic-2012")
    >>> result.counties[["level", "composite_cv", "passed"]].values.tolist()
    [['primary', 0.0, True]]
    """
    std = load_standard(standard)
    evidence = _check_evidence(evidence)
    check_school_numbers(schools)
    excluded = excluded_schools(schools)
    sections = split_sections(schools)
    if set(std.levels) != set(LEVELS):
        sections = sections[sections["level"].isin(std.levels)].reset_index(drop=True)
    if sections.empty:
        raise DataError("no school sections with pupils to score (empty table, or every "
                         f"enrolment is zero for levels {', '.join(std.levels)})")
    sections = add_indicator_columns(sections)
    items = _item_table(sections, std)
    indicators = pd.concat([sections[OUTPUT_ID_COLUMNS], items], axis=1)
    codes, groups = _group_codes(sections)
    cv = _cv_table(sections, items, codes, groups, std)
    compliance = _school_checks(sections, items, std)
    counties, judged = _finish(_county_rules(groups, cv, compliance, codes, std, evidence), std,
                               evidence)
    return ScoringResult(standard=std, indicators=indicators, cv=cv, compliance=compliance,
                         counties=counties, evidence=judged, excluded=excluded)


def find_county(schools: pd.DataFrame, county) -> tuple[str, str]:
    """Resolve a county given by code or name (Chinese names work) to ``(code, name)``.

    Parameters
    ----------
    schools : DataFrame
        Any table with ``county_code`` and ``county_name``.
    county : str or int
        Code or name.

    Raises
    ------
    ParameterError (a ValueError)
        For an unknown county, naming the closest matches; for a name shared by several codes.

    Examples
    --------
    >>> frame = pd.DataFrame({"county_code": ["640202", "640181"], "county_name": ["大武口区", "灵武市"]})
    >>> find_county(frame, "灵武市"), find_county(frame, 640202)
    (('640181', '灵武市'), ('640202', '大武口区'))
    >>> find_county(frame, "大武口")
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: unknown county '大武口'; close matches: 大武口区 (640202)
    """
    pairs = schools[["county_code", "county_name"]].drop_duplicates()
    codes = pairs["county_code"].astype(str)
    text = str(county).strip()
    by_code = pairs[codes == text]
    if len(by_code):
        return str(by_code.iloc[0]["county_code"]), str(by_code.iloc[0]["county_name"])
    by_name = pairs[pairs["county_name"] == text]
    if len(by_name) == 1:
        return str(by_name.iloc[0]["county_code"]), text
    if len(by_name) > 1:
        raise ParameterError(f"county name {text!r} is shared by codes "
                         f"{', '.join(by_name['county_code'].astype(str))}; give the code")
    labels = {str(name): f"{name} ({code})" for code, name in zip(codes, pairs["county_name"], strict=True)}
    labels.update({code: f"{name} ({code})" for code, name in zip(codes, pairs["county_name"], strict=True)})
    close = difflib.get_close_matches(text, list(labels), n=5, cutoff=0.5)
    if not close:  # short Chinese names: fall back to containment either way
        close = [k for k in labels if text and (text in k or k in text)][:5]
    hint = (", ".join(dict.fromkeys(labels[c] for c in close)) if close
            else "none (known: " + ", ".join(list(dict.fromkeys(labels.values()))[:10]) + ", ...)")
    raise ParameterError(f"unknown county {text!r}; close matches: {hint}")


def _combine_verdicts(verdicts) -> str:
    verdicts = list(verdicts)
    if "fail" in verdicts:
        return "fail"
    return "pass" if verdicts and all(v == "pass" for v in verdicts) else "incomplete"


def county_summary(result: ScoringResult, county, year: int) -> dict:
    """The verdict of one county and year as plain data, ready for ``summary.json``.

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`score`).
    county : str or int
        Code or name (Chinese names work).
    year : int
        The year.

    Returns
    -------
    dict
        ``county`` (name), ``county_code``, ``year``, ``standard``, ``standard_title``,
        ``source``, ``verdict`` (``pass`` only when every rule of the standard, school data and
        evidence, is judged and met; ``fail`` when any judged rule fails; else ``incomplete``),
        ``passed`` (every rule school data and the given evidence decide passes, all levels),
        ``n_schools`` (schools, a nine-year school once), ``evidence`` (one dict per evidence
        item: ``item, text, text_en, kind, limit, unit, part, veto, value, status``),
        ``assumed`` (what the verdict takes as given: evidence items marked assumed, assumed
        points), ``approximated`` (``teachers_split``, ``average_class_size`` where they apply),
        ``excluded`` (schools not scored: id, name, reason), and ``levels[level]`` with
        ``verdict``, ``composite_cv``, ``passed``, ``failed_rules`` (rule ids and missed
        evidence items), ``reasons`` (id -> text), ``not_assessed`` (rule ids and evidence items
        not given), ``rules`` (rule id -> status), ``n_schools``, ``students`` and, for point
        schemes, ``score`` and ``band``; ``levels_missing``: the levels of the standard at which
        the county has no school sections (the verdict covers only the levels present), and
        ``note``: a sentence saying so (``""`` when every level is present).
    """
    code, name = find_county(result.counties, county)
    rows = result.counties[(result.counties["county_code"].astype(str) == code)
                           & (result.counties["year"] == int(year))]
    if rows.empty:
        years = sorted(result.counties.loc[result.counties["county_code"].astype(str) == code,
                                           "year"].unique().tolist())
        raise ParameterError(f"no schools of {name} ({code}) in {year}; years present: {years}")
    evidence, evidence_reasons = [], {}
    if result.evidence is not None:
        mine = result.evidence[(result.evidence["county_code"].astype(str) == code)
                               & (result.evidence["year"] == int(year))]
        ids = {e.id: e for e in result.standard.evidence}
        for row in mine.itertuples(index=False):  # a few dozen items at most
            value = None if pd.isna(row.value) else float(row.value)
            limit = None if pd.isna(row.limit) else float(row.limit)
            evidence.append({"item": row.item, "text": row.text,
                             "text_en": ids[row.item].text_en if row.item in ids else "",
                             "kind": row.kind, "limit": limit, "unit": row.unit,
                             "part": row.part, "veto": bool(row.veto), "value": value,
                             "status": row.status})
            if row.status == FAILED:
                evidence_reasons[row.item] = row.reason
    failed_items = [e["item"] for e in evidence if e["status"] == FAILED]
    missing_items = [e["item"] for e in evidence if e["status"] == NOT_ASSESSED]
    levels = {}
    for row in rows.itertuples(index=False):  # at most two rows (primary, junior)
        record = row._asdict()
        rules = {r.id: record[f"rule_{r.id}"] for r in result.standard.rules}
        reasons = {r.id: str(record[f"reason_{r.id}"]) for r in result.standard.rules
                   if rules[r.id] in (FAILED, NOT_ASSESSED) and record[f"reason_{r.id}"]}
        reasons.update(evidence_reasons)
        level = {"verdict": record.get("verdict", "incomplete"),
                 "composite_cv": record["composite_cv"], "passed": bool(record["passed"]),
                 "failed_rules": [r for r, s in rules.items() if s == FAILED] + failed_items,
                 "reasons": reasons,
                 "not_assessed": [r for r, s in rules.items() if s == NOT_ASSESSED]
                 + missing_items,
                 "rules": rules, "n_schools": int(record["n_schools"]),
                 "students": int(record["students"])}
        if "score" in record:
            level.update(score=record["score"], band=record["band"])
        levels[record["level"]] = level
    ordered = {lv: levels[lv] for lv in LEVELS if lv in levels}
    missing = [lv for lv in LEVELS if lv in result.standard.levels and lv not in levels]
    note = (f"no {' or '.join(missing)} schools: the verdict covers "
            f"{' and '.join(ordered)} only" if missing else "")
    compliance = result.compliance[(result.compliance["county_code"].astype(str) == code)
                                   & (result.compliance["year"] == int(year))]
    approximated = []
    if "teachers_split" in compliance and compliance["teachers_split"].to_numpy(dtype=bool).any():
        approximated.append("teachers_split")
    if any(info["rules"].get("class_size") == NOT_ASSESSED for info in ordered.values()):
        approximated.append("average_class_size")
    assumed = [e["item"] for e in evidence if e["status"] == "assumed"]
    if any(item.assumed for item in result.standard.items):
        assumed.append("assumed_points")
    excluded = []
    if result.excluded is not None and len(result.excluded):
        mine = result.excluded[(result.excluded["county_code"].astype(str) == code)
                               & (result.excluded["year"] == int(year))]
        excluded = [{"school_id": r.school_id, "school_name": r.school_name, "reason": r.reason,
                     "parent_school_id": None if pd.isna(r.parent_school_id)
                     else str(r.parent_school_id)} for r in mine.itertuples(index=False)]
    return {"county": name, "county_code": code, "year": int(year),
            "standard": result.standard.name, "standard_title": result.standard.title,
            "source": result.standard.source,
            "verdict": _combine_verdicts(v["verdict"] for v in ordered.values()),
            "passed": all(v["passed"] for v in ordered.values()), "levels": ordered,
            "n_schools": int(compliance["school_id"].nunique()),
            "evidence": evidence, "assumed": assumed, "approximated": approximated,
            "excluded": excluded, "levels_missing": missing, "note": note}


def school_items_long(result: ScoringResult, county_code: str | None = None,
                      year: int | None = None) -> pd.DataFrame:
    """Per-school item values in long form (one row per section x item), for tables and plots.

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`score`).
    county_code : str, optional
        Only this county.
    year : int, optional
        Only this year.

    """
    frame = result.indicators
    if county_code is not None:
        frame = frame[frame["county_code"].astype(str) == str(county_code)]
    if year is not None:
        frame = frame[frame["year"] == int(year)]
    parts = []
    for item in result.standard.items:
        part = frame[["county_code", "county_name", "year", "school_id", "school_name", "level",
                      "students"]].copy()
        part["indicator"] = item.name
        part["label_zh"] = item.label_zh
        part["value"] = frame[item.name].to_numpy()
        part["threshold"] = frame[f"{item.name}_threshold"].to_numpy()
        part["met"] = frame[f"{item.name}_met"].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def school_items_percent(result: ScoringResult, county_code: str, year: int,
                         level: str) -> pd.DataFrame:
    """Every school's items as a percentage of the reference, weakest school first.

    The reference is the item's threshold where the standard sets one, otherwise the
    enrolment-weighted county mean of the level (around which the CV measures dispersion);
    lower-is-better items are inverted (``<item>_pct_of_threshold``) so that 100 % or more is
    always good. Used by :func:`edubalance.report.figures.scoring.plot_school_items` and the
    county report's per-school table.

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`score`).
    county_code : str
        The county.
    year : int
        The year.
    level : str
        ``primary`` or ``junior``.

    Returns
    -------
    DataFrame
        ``school_id, school_name`` and one column per item of the standard (percent), sorted by
        the school's mean percentage, ascending (stable).

    Examples
    --------
    >>> import edubalance as eb
    >>> schools = eb.io.load.load_schools("data/sample/schools.csv")
    >>> result = eb.core.scoring.score(schools[schools["year"] == 2017], "basic-2012")
    >>> table = school_items_percent(result, "640202", 2017, "primary")
    >>> list(table.columns[:2]), len(table.columns) - 2 == len(result.standard.items)
    (['school_id', 'school_name'], True)
    """
    level = level_name(level)  # 初中 / 小学 too
    frame = result.indicators
    frame = frame[(frame["county_code"].astype(str) == str(county_code))
                  & (frame["year"] == int(year)) & (frame["level"] == level)]
    if frame.empty:
        raise ParameterError(f"no {level} schools for county {county_code} in {year}")
    columns = {}
    for item in result.standard.items:
        if item.threshold:
            columns[item.name] = frame[f"{item.name}_pct_of_threshold"].to_numpy(dtype=float)
        else:
            values = frame[item.name].to_numpy(dtype=float)
            ok = np.isfinite(values)
            mean = np.average(values[ok], weights=frame["students"].to_numpy(dtype=float)[ok])
            columns[item.name] = 100 * values / mean
    matrix = np.column_stack(list(columns.values()))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # a school with every item missing
        order = np.argsort(np.nanmean(matrix, axis=1), kind="stable")
    table = pd.DataFrame({"school_id": frame["school_id"].astype(str).to_numpy(),
                          "school_name": frame["school_name"].astype(str).to_numpy(),
                          **columns})
    return table.iloc[order].reset_index(drop=True)


def comparison_levels(result: ScoringResult, year: int) -> list[str]:
    """The levels with CVs in ``year``, in :data:`~edubalance.schema.LEVELS` order.

    One panel each in :func:`edubalance.report.figures.scoring.plot_county_comparison`.

    Parameters
    ----------
    result : ScoringResult
        A scoring (:func:`score`).
    year : int
        The year.

    Returns
    -------
    list of str
    """
    present = set(result.cv.loc[result.cv["year"] == int(year), "level"].unique())
    return [level for level in LEVELS if level in present]


_LEVEL_ZH = {"primary": "小学", "junior": "初中"}


def summary_markdown(summary: dict) -> str:
    """A short Markdown verdict for a :func:`county_summary` (county names escaped for HTML).

    Parameters
    ----------
    summary : dict
        :func:`county_summary`.

    Examples
    --------
    >>> text = summary_markdown({"county": "甲县", "county_code": "1", "year": 2017,
    ...     "standard": "basic-2012", "standard_title": "Basic", "passed": True,
    ...     "levels": {"primary": {"composite_cv": 0.3, "passed": True, "failed_rules": [],
    ...                            "reasons": {}, "not_assessed": ["satisfaction"]}}})
    >>> text.splitlines()[0]
    '### 甲县 (1), 2017, basic-2012: **passed** on every rule school data can decide'
    """
    import html

    def esc(value) -> str:
        return html.escape(str(value))

    verdict = ("**passed** on every rule school data can decide" if summary["passed"]
               else "**failed**")
    lines = [f"### {esc(summary['county'])} ({esc(summary['county_code'])}), {summary['year']}, "
             f"{esc(summary['standard'])}: {verdict}", ""]
    if summary.get("levels_missing"):
        lines += [f"*Not assessed: {esc(summary.get('note'))}.*", ""]
    for level, info in summary["levels"].items():
        cv = info.get("composite_cv")
        cv_text = f"composite CV {cv:.3f}; " if isinstance(cv, float) and np.isfinite(cv) else ""
        score_text = (f"score {info['score']:.1f} ({esc(info['band'])}); "
                      if info.get("score") is not None else "")
        status = "passed" if info["passed"] else "failed"
        lines.append(f"- **{_LEVEL_ZH.get(level, level)} ({level})**: {status}. {cv_text}"
                     f"{score_text}")
        for rule_id, reason in info.get("reasons", {}).items():
            lines.append(f"    - failed `{esc(rule_id)}`: {esc(reason)}")
        if info["not_assessed"]:
            lines.append("    - not assessed (needs other evidence): "
                         + ", ".join(f"`{esc(r)}`" for r in info["not_assessed"]))
    return "\n".join(lines)
