"""The effect of reaching balance: a staggered-adoption event study, robust to effects that grow.

Counties reach basic balance in different years (``year_basic_balance``): a staggered adoption
design. The usual two-way fixed-effects (TWFE) regression of the outcome on a treated dummy
with county and year effects is biased when effects change with time since treatment or differ
between cohorts: it uses already-treated counties as controls for later ones, so their growing
effects enter with negative weights (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille
2020). This module estimates the effects with a heterogeneity-robust estimator and shows the
naive TWFE beside it.

Method
------
**did2s**, the two-stage difference-in-differences of Gardner (2021, "Two-stage differences in
differences", arXiv:2207.05943), numerically the imputation estimator of Borusyak, Jaravel &
Spiess (2024, "Revisiting event-study designs: robust and efficient estimation", Review of
Economic Studies 91(6)): (1) county and year fixed effects are estimated on the untreated
county-years only; (2) the outcome net of them is regressed on event-time dummies (reference
``event_time = −1``; never-treated county-years in the reference) for the event study, or on
the treated dummy for the overall ATT (the mean effect over treated county-years). Standard
errors are clustered by unit and account for the first stage (Gardner's GMM correction), as
computed by :func:`pyfixest.did2s` (pyfixest, a maintained port of R's fixest/did2s).

Lead coefficients (event time ≤ −2) compare untreated county-years with each other. The
pre-trend test is Borusyak, Jaravel & Spiess's Test 1 (:func:`pretrend_test`): on untreated
county-years, dummies for the last years before balance added to the county and year effects,
tested jointly (cluster-robust Wald F); it should not reject when counties were not already
on different paths before balance.

Anticipation
------------
Counties run a 创建 campaign in the years before they are recognised, so the outcome may move
before ``year_basic_balance``. With ``anticipation=a`` the unit-years from ``a`` years before
adoption on are treated as possibly affected: left out of the first stage (the model of
untreated outcomes), reported as event-time estimates, with the reference period at −1 − a
and the pre-trend test on the leads before it (the anticipation approach of Callaway &
Sant'Anna 2021 and Borusyak, Jaravel & Spiess 2024). The ATT stays the mean effect over the
unit-years from adoption on.

Sensitivity and cross-check
---------------------------
:func:`relative_magnitudes` asks how far the ATT (and each event time) survives violations of
parallel trends bounded, as in Rambachan & Roth (2023, Δ^RM(m̄)), by ``m`` times the largest
year-to-year change of the pre-period estimates (the ``pretrend_leads`` event times before the
reference). Its confidence sets are a conservative Bonferroni projection, not HonestDiD's
conditional test: they contain HonestDiD's intervals (checked on HonestDiD's own example) and
equal the conventional interval at ``m = 0``. The did2s pre-period estimates are imputation
residuals of observations the first stage was fitted on, so they tend to understate pre-period
movements; treat the sensitivity sets as a guide, not a guarantee. :func:`callaway_santanna`
gives a second heterogeneity-robust estimate (Callaway & Sant'Anna 2021) as a cross-check.

Years in which no unit is untreated (the year effect cannot be told apart from the treatment
effect) and units treated in every year they are observed (no untreated year to learn the unit
effect from) are dropped before estimating, and listed in ``notes``.

Examples
--------
>>> import edubalance as eb
>>> panel = eb.io.sample.generate_assessment_panel()
>>> result = estimate(panel, "mean_exam_score")
>>> round(result.att, 1), round(result.twfe, 1)  # truth: 2.2 (sample.STAGGERED_EFFECT)
(2.1, 1.2)
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._compat import moved_names
from ..core.results import ResultDisplay
from ..errors import DataError, ParameterError

__all__ = ["EventStudyResult", "METHOD", "CROSS_CHECK_METHOD", "EVENT_STUDY_COLUMNS",
           "SENSITIVITY_COLUMNS", "SENSITIVITY_M", "prepare_panel", "estimate", "pretrend_test",
           "relative_magnitudes", "rm_identified_set_lp", "callaway_santanna"]

# The figures moved to the report layer (issue 28); the old names still work.
__getattr__ = moved_names(__name__, {
    "event_study_plot": "edubalance.report.figures.event_study:plot_event_study",
    "plot_sensitivity": "edubalance.report.figures.event_study:plot_event_study_sensitivity",
})

METHOD = ("did2s: two-stage DiD (Gardner 2021) = imputation estimator (Borusyak, Jaravel & "
          "Spiess 2024), via pyfixest; SEs clustered by unit")
CROSS_CHECK_METHOD = ("Callaway & Sant'Anna (2021) ATT(g,t), never-treated and not-yet-treated "
                      "comparison units, simple aggregation")
EVENT_STUDY_COLUMNS = ["event_time", "estimate", "std_error", "ci_low", "ci_high"]
_REFERENCE = -1


def _note_text(key: str, lang: str, values: dict) -> str:
    """The catalogue text of a note (what was dropped before estimating) in ``lang``.

    The message catalogue sits in the report layer, above analysis: it is imported by name
    (:func:`importlib.import_module`), which import-linter does not follow, when a note is
    written; the estimation itself imports nothing from report.
    """
    import importlib

    return importlib.import_module("edubalance.report.i18n").text(key, lang, **values)


@dataclass(frozen=True, repr=False)
class EventStudyResult(ResultDisplay):
    """Result of :func:`estimate`.

    Parameters
    ----------
    outcome : str
        The outcome column.
    method : str
        The estimator (:data:`METHOD`).
    event_study, att, att_std_error, att_ci_low, att_ci_high, twfe, twfe_std_error
        See Attributes.
    pretrend_f, pretrend_df, pretrend_p_value, anticipation, sensitivity
        See Attributes.
    sensitivity_by_period, cross_check, cross_check_cells, cross_check_std_error
        See Attributes.
    n_units, n_obs, n_treated_obs : int
        Units, unit-years and treated unit-years estimated on.
    notes : tuple of str
        What was dropped before estimating, in English.
    note_messages : tuple
        The same notes as ``(catalogue key, values)`` pairs, for :meth:`notes_in`.
    panel : DataFrame
        The estimation panel (:func:`prepare_panel`).

    Attributes
    ----------
    event_study : DataFrame
        ``event_time, estimate, std_error, ci_low, ci_high, n_obs`` (the reference period
        −1 is 0 by construction, with no standard error).
    att, att_std_error, att_ci_low, att_ci_high : float
        Average effect over the treated unit-years (did2s).
    twfe, twfe_std_error : float
        Naive two-way fixed effects on the treated dummy (clustered by unit).
    pretrend_f, pretrend_df, pretrend_p_value : float, int, float
        Pre-trend F test (:func:`pretrend_test`) and its numerator degrees of freedom.
    anticipation : int
        Years before adoption treated as possibly affected.
    sensitivity : DataFrame
        ``m, ci_low, ci_high``: the ATT's confidence set when parallel trends may fail by up
        to ``m`` times the largest pre-period change (:func:`relative_magnitudes`).
    sensitivity_by_period : DataFrame
        ``event_time, m, ci_low, ci_high`` for each event time after the reference.
    cross_check : float
        Callaway & Sant'Anna's ATT (:func:`callaway_santanna`), cells in ``cross_check_cells``.
    """

    outcome: str
    method: str
    event_study: pd.DataFrame
    att: float
    att_std_error: float
    att_ci_low: float
    att_ci_high: float
    twfe: float
    twfe_std_error: float
    pretrend_f: float
    pretrend_df: int
    pretrend_p_value: float
    n_units: int
    n_obs: int
    n_treated_obs: int
    notes: tuple[str, ...] = ()
    panel: pd.DataFrame = field(default=None, repr=False)
    note_messages: tuple = field(default=(), repr=False)
    anticipation: int = 0
    sensitivity: pd.DataFrame = field(default=None, repr=False)
    sensitivity_by_period: pd.DataFrame = field(default=None, repr=False)
    cross_check: float = float("nan")
    cross_check_cells: pd.DataFrame = field(default=None, repr=False)
    cross_check_std_error: float = float("nan")

    def notes_in(self, lang: str = "zh") -> list[str]:
        """The notes (what was dropped before estimating) in ``lang``; ``notes`` is English.

        Parameters
        ----------
        lang : {"zh", "en"}
            Language of the notes.

        Returns
        -------
        list of str
        """
        if not self.note_messages:
            return list(self.notes)
        return [_note_text(key, lang, values) for key, values in self.note_messages]

    @property
    def reference_event_time(self) -> int:
        """The event time all estimates are relative to: −1 − ``anticipation``."""
        return _reference(self.anticipation)

    def to_frame(self) -> pd.DataFrame:
        """The event-study table (``event_study.csv``)."""
        return self.event_study.copy()

    def summary(self) -> pd.DataFrame:
        """The effect by each estimator (a table to read).

        Returns
        -------
        DataFrame
            ``estimator, method, estimate, std_error, ci_low, ci_high``: the average effect
            on the treated (:attr:`method`), the naive two-way fixed effects and the
            Callaway & Sant'Anna cross-check (NaN where not computed or not given).
        """
        nan = float("nan")
        return pd.DataFrame({
            "estimator": ["att", "twfe", "cross_check"],
            "method": [self.method, "two-way fixed effects", CROSS_CHECK_METHOD],
            "estimate": [self.att, self.twfe, self.cross_check],
            "std_error": [self.att_std_error, self.twfe_std_error, self.cross_check_std_error],
            "ci_low": [self.att_ci_low, nan, nan],
            "ci_high": [self.att_ci_high, nan, nan],
        })

    def to_dict(self) -> dict[str, Any]:
        """The content of ``summary.json`` (what :meth:`summary` returned before issue 28).

        Returns
        -------
        dict
            ``outcome, att, att_std_error, att_ci_low, att_ci_high, method, twfe,
            twfe_std_error``, the pre-trend test, the sample sizes, ``anticipation``,
            ``reference_event_time``, ``cross_check``, ``sensitivity`` and ``notes``.
        """
        return {"outcome": self.outcome, "att": self.att, "att_std_error": self.att_std_error,
                "att_ci_low": self.att_ci_low, "att_ci_high": self.att_ci_high,
                "method": self.method, "twfe": self.twfe, "twfe_std_error": self.twfe_std_error,
                "pretrend_f": self.pretrend_f, "pretrend_df": self.pretrend_df,
                "pretrend_p_value": self.pretrend_p_value, "n_units": self.n_units,
                "n_obs": self.n_obs, "n_treated_obs": self.n_treated_obs,
                "anticipation": self.anticipation,
                "reference_event_time": _reference(self.anticipation),
                "cross_check": {"method": CROSS_CHECK_METHOD, "att": self.cross_check,
                                "std_error": self.cross_check_std_error,
                                "cells": 0 if self.cross_check_cells is None
                                else len(self.cross_check_cells)},
                "sensitivity": ([] if self.sensitivity is None
                                else self.sensitivity.to_dict("records")),
                "notes": list(self.notes)}


def _check_anticipation(anticipation) -> int:
    if isinstance(anticipation, bool) or not isinstance(anticipation, (int, np.integer)) \
            or anticipation < 0:
        raise ParameterError(f"anticipation must be an integer >= 0, not {anticipation!r}")
    return int(anticipation)


def _prepare(data: pd.DataFrame, outcome: str, *, cohort_column: str, unit_column: str,
             time_column: str, anticipation: int = 0
             ) -> tuple[pd.DataFrame, tuple[tuple[str, dict], ...]]:
    """:func:`prepare_panel` with its notes as (catalogue key, values) pairs."""
    anticipation = _check_anticipation(anticipation)
    wanted = {"outcome": outcome, "cohort_column": cohort_column, "unit_column": unit_column,
              "time_column": time_column}
    missing = [f"{name}={column!r}" for name, column in wanted.items() if column not in data]
    if missing:
        raise ParameterError(f"unknown column(s): {', '.join(missing)} (available: "
                             f"{', '.join(map(str, data.columns))})")
    frame = pd.DataFrame({"_unit": data[unit_column].astype(str).to_numpy()}, index=data.index)
    for source, target in ((outcome, "_y"), (time_column, "_time"), (cohort_column, "_cohort")):
        values = pd.to_numeric(data[source], errors="coerce")
        bad = values.isna() & data[source].notna() & (data[source].astype(str).str.strip() != "")
        if target != "_cohort":
            bad = values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"column {source!r}: {int(bad.sum())} value(s) not numeric, e.g. "
                            f"{data[source].iloc[row]!r} at row {row + 2}")
        frame[target] = values.to_numpy(dtype=float)
    if frame.duplicated(["_unit", "_time"]).any():
        dup = frame[frame.duplicated(["_unit", "_time"], keep=False)].iloc[0]
        raise DataError(f"duplicate {unit_column}-{time_column} rows, e.g. {dup['_unit']} "
                        f"in {int(dup['_time'])}")
    spread = frame.groupby("_unit")["_cohort"].agg(lambda c: c.nunique(dropna=False))
    if (spread > 1).any():
        raise DataError(f"{cohort_column} differs between the rows of {unit_column} "
                        f"{spread[spread > 1].index[0]}: one cohort per unit")
    frame["_event_time"] = frame["_time"] - frame["_cohort"]
    frame["_treated"] = (frame["_event_time"] >= 0).astype(int)  # NaN (never) -> 0
    # Possibly affected: from `anticipation` years before adoption on (= treated when 0).
    frame["_affected"] = (frame["_event_time"] >= -anticipation).astype(int)
    notes = []   # (catalogue key, values): shown in any language by EventStudyResult.notes_in
    untreated_years = frame.loc[frame["_affected"] == 0, "_time"].unique()
    keep = frame["_time"].isin(untreated_years)
    dropped_years = sorted(int(y) for y in set(frame["_time"]) - set(untreated_years))
    if dropped_years:
        notes.append(("event.note_dropped_years", {"years": ", ".join(map(str, dropped_years))}))
    frame = frame[keep]
    has_untreated = frame.groupby("_unit")["_affected"].transform("min") == 0
    always = sorted(frame.loc[~has_untreated, "_unit"].unique())
    if always:
        notes.append(("event.note_always_treated", {
            "n": len(always), "units": f"{', '.join(always[:10])}{' ...' if len(always) > 10 else ''}"}))
    frame = frame[has_untreated]
    if frame.empty or frame["_treated"].sum() == 0:
        raise DataError("no treated unit-year with an untreated year to compare: nothing to "
                        "estimate")
    frame = pd.concat([frame, data.loc[frame.index].drop(
        columns=[c for c in frame.columns if c in data])], axis=1)
    frame["_rel"] = frame["_event_time"].fillna(_reference(anticipation)).astype(int)
    return frame.reset_index(drop=True), tuple(notes)


def _reference(anticipation: int) -> int:
    """The reference event time: the last year before any effect is allowed (−1 − a)."""
    return _REFERENCE - int(anticipation)


def prepare_panel(data: pd.DataFrame, outcome: str, *, cohort_column: str = "year_basic_balance",
                  unit_column: str = "county_code", time_column: str = "year",
                  anticipation: int = 0) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Check the panel and add ``_unit, _time, _cohort, _event_time, _treated, _affected, _y``.

    Returns the estimation panel (unidentified years and always-treated units dropped) and
    notes (English) saying what was dropped. A blank cohort means never treated.
    ``_affected`` marks unit-years from ``anticipation`` years before adoption on (those
    are left out of the model of untreated outcomes).

    Parameters
    ----------
    data : DataFrame
        One row per unit and year.
    outcome : str
        The outcome column.
    cohort_column : str
        The year each unit was first treated (blank: never).
    unit_column, time_column : str
        The unit and year columns.
    anticipation : int
        Years before adoption treated as possibly affected (>= 0).

    Returns
    -------
    (DataFrame, tuple of str)
        The panel and the notes.

    Raises
    ------
    ParameterError
        A named column is not in the table.
    DataError
        Non-numeric values, a unit in two cohorts, duplicate unit-years, no treated or no
        untreated unit-years.
    """
    frame, notes = _prepare(data, outcome, cohort_column=cohort_column, unit_column=unit_column,
                            time_column=time_column, anticipation=anticipation)
    return frame, tuple(_note_text(key, "en", values) for key, values in notes)


@contextmanager
def _quiet_pyfixest():
    """Silence pyfixest 0.60 passing ``inplace=`` to pandas 3 (the results are right)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        yield


def pretrend_test(panel: pd.DataFrame, *, leads: int = 3, anticipation: int = 0
                  ) -> tuple[float, int, float]:
    """Pre-trend test of Borusyak, Jaravel & Spiess (2024, Test 1): ``(F, q, p_value)``.

    On the not-yet-affected unit-years only (``_affected == 0``), regress the outcome on unit
    and year effects and dummies for the last ``leads`` years before any effect is allowed
    (event time −1−a .. −a−leads, a = ``anticipation``; earlier years and never-treated
    units are the reference), and test the ``q`` dummies jointly: cluster-robust Wald
    statistic / q against F(q, G − 1), G = clusters. (With 22 clusters this holds its size
    at 3 leads; more leads over-reject. The did2s lead coefficients are not used for this:
    they are residuals of the very observations the first stage was fitted on.) ``panel``
    comes from :func:`prepare_panel` with the same ``anticipation``.

    Parameters
    ----------
    panel : DataFrame
        From :func:`prepare_panel`.
    leads : int
        Years before the reference tested.
    anticipation : int
        As given to :func:`prepare_panel`.

    Returns
    -------
    (float, int, float)
        ``F``, its numerator degrees of freedom ``q`` and the p-value.
    """
    import pyfixest as pf

    anticipation = _check_anticipation(anticipation)
    affected = panel["_affected"] if "_affected" in panel else panel["_treated"]
    untreated = panel[affected == 0].copy()
    available = sorted(-untreated["_event_time"].dropna().unique().astype(int))
    names = []
    for k in range(anticipation + 1, anticipation + int(leads) + 1):
        if k in available:
            untreated[f"_lead_{k}"] = (untreated["_event_time"] == -k).astype(float)
            names.append(f"_lead_{k}")
    if not names or untreated["_unit"].nunique() < 3:
        return float("nan"), 0, float("nan")
    with _quiet_pyfixest():
        fit = pf.feols(f"_y ~ {' + '.join(names)} | _unit + _time", data=untreated,
                       vcov={"CRV1": "_unit"})
    kept = [name for name in fit.coef().index if name in names]
    test = fit.wald_test(R=np.eye(len(fit.coef()))[[list(fit.coef().index).index(n)
                                                     for n in kept]], distribution="F")
    return float(test["statistic"]), len(kept), float(test["pvalue"])  # F(q, G - 1)


def _critical(alpha: float, clusters: int | None) -> float:
    """Two-sided critical value: t(clusters − 1), or the normal when ``clusters`` is None."""
    from scipy import stats  # here: importing scipy.stats costs a second

    if clusters is None:
        return float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.t.ppf(1 - alpha / 2, clusters - 1))


# --------------------------------------------------------------------------- sensitivity
SENSITIVITY_M = (0.0, 0.5, 1.0, 1.5, 2.0)
"""Default bounds ``m`` (HonestDiD's Mbar) of the relative-magnitudes sensitivity analysis."""
SENSITIVITY_COLUMNS = ["m", "ci_low", "ci_high"]


def relative_magnitudes(betahat, sigma, num_pre: int, num_post: int, *, l_vec=None,
                        m_values=SENSITIVITY_M, alpha: float = 0.05, df: int | None = None,
                        theta: float | None = None, theta_se: float | None = None
                        ) -> pd.DataFrame:
    """Confidence sets for ``θ = l'τ_post`` when parallel trends may fail by relative magnitudes.

    The restriction of Rambachan & Roth (2023, "A more credible approach to parallel
    trends", Review of Economic Studies 90(5)), Δ^RM(m̄), as HonestDiD's
    ``createSensitivityResults_relativeMagnitudes``: after the reference period, no
    period-to-period change of the trend difference δ exceeds ``m̄`` times the largest such
    change before it (the pre-period δ are the pre-period coefficients; the reference
    period is 0). Arguments follow HonestDiD: ``betahat`` holds the ``num_pre``
    pre-period coefficients (earliest first, reference left out) and then the ``num_post``
    coefficients after the reference; ``sigma`` is their covariance.

    **Identified set** (exact, in closed form): with ``D = max_s |δ_{s+1} − δ_s|`` over the
    pre-periods (including the step into the reference) and ``L_k = Σ_{t≥k} l_t``,
    ``θ ∈ l'β_post ± m̄·D·Σ_k |L_k|`` (each post-period step may move by at most m̄·D either
    way; the sum is the largest effect of such steps on l'δ_post).

    **Confidence set**: a conservative Bonferroni projection, not HonestDiD's conditional
    (C-LF) test. At ``m = 0`` it is the conventional interval l'β̂ ± c_{α}·se(l'β̂), as
    HonestDiD's "original" interval under exact parallel trends. For ``m > 0``, α is split
    in two: l'β̂ ± c_{α/2}·se(l'β̂), widened on each side by ``m̄·Σ_k|L_k|·D̄``, where
    ``D̄ = max_s (|Δβ̂_s| + c_{α/(4S)}·se(Δβ̂_s))`` bounds D with probability ≥ 1 − α/2 over the S
    pre-period steps. So the coverage is at least 1 − α whenever Δ^RM(m̄) holds; the
    interval contains HonestDiD's and widens with ``m``. Critical values c are normal, or
    t(``df``) when ``df`` is given.

    Parameters
    ----------
    betahat : array (num_pre + num_post,)
    sigma : array (num_pre + num_post, num_pre + num_post)
    num_pre, num_post : int
        ``num_pre`` ≥ 1.
    l_vec : array (num_post,), optional
        Weights of the parameter on the post coefficients; default the first (HonestDiD's
        default ``basisVector(1, numPostPeriods)``).
    m_values : sequence of float
        The bounds m̄ ≥ 0.
    alpha : float
    df : int, optional
        Degrees of freedom of t critical values (e.g. clusters − 1); normal when None.
    theta, theta_se : float, optional
        The estimate of l'τ_post and its standard error when known from the estimator itself
        (default l'β̂ and sqrt(l'Σl)).

    Returns
    -------
    DataFrame
        ``m, ci_low, ci_high, id_low, id_high`` (``id_*``: the identified set at β̂), one
        row per ``m``.

    Examples
    --------
    >>> out = relative_magnitudes([0.1, 0.0, 1.0], np.diag([0.01, 0.01, 0.04]), 2, 1,
    ...                           m_values=[0, 1])
    >>> out.round(3).values.tolist()  # m = 1: 1 ± (2.241·0.2 + (0.1 + 2.498·√0.02))
    [[0.0, 0.608, 1.392, 1.0, 1.0], [1.0, 0.098, 1.902, 0.9, 1.1]]
    """
    from scipy import stats

    beta = np.asarray(betahat, dtype=float)
    cov = np.asarray(sigma, dtype=float)
    num_pre, num_post = int(num_pre), int(num_post)
    if num_pre < 1 or num_post < 1 or beta.shape != (num_pre + num_post,) \
            or cov.shape != (beta.size, beta.size):
        raise ParameterError("betahat must hold num_pre (>= 1) + num_post values and sigma "
                             "their covariance")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1), not {alpha!r}")
    m_values = np.asarray(list(m_values), dtype=float)
    if (m_values < 0).any() or not np.isfinite(m_values).all():
        raise ParameterError(f"m values must be finite and >= 0, not {m_values.tolist()}")
    weights = np.zeros(num_post)
    weights[0] = 1.0
    if l_vec is not None:
        weights = np.asarray(l_vec, dtype=float).reshape(-1)
        if weights.size != num_post:
            raise ParameterError(f"l_vec needs {num_post} values, not {weights.size}")
    l_full = np.concatenate([np.zeros(num_pre), weights])
    theta = float(l_full @ beta) if theta is None else float(theta)
    theta_se = float(np.sqrt(l_full @ cov @ l_full)) if theta_se is None else float(theta_se)
    # Pre-period steps δ_{s+1} − δ_s, the last into the reference period (δ = 0 there).
    steps = np.zeros((num_pre, beta.size))
    for s in range(num_pre):
        steps[s, s] = -1.0
        if s + 1 < num_pre:
            steps[s, s + 1] = 1.0
    step_hat = steps @ beta
    step_se = np.sqrt(np.einsum("ij,jk,ik->i", steps, cov, steps))
    reach = float(np.abs(np.cumsum(weights[::-1])[::-1]).sum())   # Σ_k |L_k|

    def quantile(p):
        return float(stats.norm.ppf(p) if df is None else stats.t.ppf(p, df))

    largest_step = float(np.abs(step_hat).max())
    bound = float((np.abs(step_hat) + quantile(1 - alpha / (4 * num_pre)) * step_se).max())
    rows = []
    for m in m_values:
        if m == 0:
            half = quantile(1 - alpha / 2) * theta_se
        else:
            half = quantile(1 - alpha / 4) * theta_se + m * reach * bound
        rows.append((m, theta - half, theta + half, theta - m * reach * largest_step,
                     theta + m * reach * largest_step))
    return pd.DataFrame(rows, columns=[*SENSITIVITY_COLUMNS, "id_low", "id_high"])


def rm_identified_set_lp(betahat, num_pre: int, num_post: int, l_vec, m: float
                         ) -> tuple[float, float]:
    """The Δ^RM(m̄) identified set of ``l'τ_post`` by linear programming (a check).

    HonestDiD's construction: the set is the union, over the pre-period step s that
    attains the maximum and its sign, of ``l'(β_post − δ_post)`` optimised over the
    polyhedron ``{δ: δ_pre = β_pre, |δ_{t+1} − δ_t| ≤ m̄·|δ_{s+1} − δ_s| (post steps),
    |δ_{r+1} − δ_r| ≤ |δ_{s+1} − δ_s| (pre steps)}``. With δ_pre fixed the pre constraints
    only decide which s is the maximum; :func:`relative_magnitudes` uses the closed form.

    Parameters
    ----------
    betahat : array (num_pre + num_post,)
        As for :func:`relative_magnitudes`.
    num_pre, num_post : int
    l_vec : array (num_post,)
    m : float
        The bound m̄ ≥ 0.

    Returns
    -------
    (float, float)
        The identified set's lower and upper end.

    Examples
    --------
    >>> rm_identified_set_lp([0.1, 0.0, 1.0], 2, 1, [1.0], 1.0)  # 1 ± 1·0.1
    (0.9, 1.1)
    """
    from scipy.optimize import linprog

    beta = np.asarray(betahat, dtype=float)
    weights = np.asarray(l_vec, dtype=float)
    pre = np.append(beta[:num_pre], 0.0)
    largest = float(np.abs(np.diff(pre)).max())
    # Variables: δ_1..δ_T after the reference (δ_0 = 0); steps d_t = δ_t − δ_{t−1}.
    n = num_post
    diff = np.eye(n) - np.eye(n, k=-1)
    a_ub = np.vstack([diff, -diff])
    b_ub = np.full(2 * n, m * largest)
    bounds = [(None, None)] * n
    low = linprog(weights, A_ub=a_ub, b_ub=b_ub, bounds=bounds)   # min l'δ
    high = linprog(-weights, A_ub=a_ub, b_ub=b_ub, bounds=bounds)  # max l'δ
    theta = float(weights @ beta[num_pre:])
    return theta - float(-high.fun), theta - float(low.fun)


# --------------------------------------------------------------------------- cross-check
def callaway_santanna(panel: pd.DataFrame, *, anticipation: int = 0, n_bootstrap: int = 0,
                      random_state: int = 2017):
    """Callaway & Sant'Anna (2021) ATT(g, t) and their simple aggregate, as a cross-check.

    For each cohort g (first treated year) and year t ≥ g: the change of the outcome from
    the base year b = g − 1 − ``anticipation`` to t among the cohort's units, minus the
    same change among the comparison units: never-treated units and cohorts not yet
    affected at t (g' − ``anticipation`` > t). Units need both years. The overall ATT
    weights each ATT(g, t) by the number of its cohort's units (the "simple" aggregation,
    the same weights as the imputation estimator's mean over treated unit-years). Cells
    with no comparison unit are skipped. No covariates; outcome regression-free (the
    unconditional ``did`` estimator). ``panel`` comes from :func:`prepare_panel`.

    Parameters
    ----------
    panel : DataFrame
        ``_unit, _time, _cohort, _y``.
    anticipation : int
    n_bootstrap : int
        Unit (cluster) bootstrap replicates for the aggregate's standard error; 0: none.
    random_state : int

    Returns
    -------
    (float, DataFrame) or (float, DataFrame, float)
        The aggregate ATT (NaN when no cell can be estimated) and the cells ``cohort,
        time, att, n_treated, n_control``; with ``n_bootstrap`` also the bootstrap standard
        error.

    Examples
    --------
    >>> frame = pd.DataFrame({"_unit": list("aabbcc"), "_time": [1, 2] * 3,
    ...     "_cohort": [2, 2, np.nan, np.nan, np.nan, np.nan], "_y": [1, 4, 1, 2, 2, 3]})
    >>> att, cells = callaway_santanna(frame)
    >>> att  # (4 − 1) − mean(2 − 1, 3 − 2)
    2.0
    """
    anticipation = _check_anticipation(anticipation)
    wide = panel.pivot_table(index="_unit", columns="_time", values="_y", aggfunc="first")
    cohorts = panel.groupby("_unit")["_cohort"].first().reindex(wide.index).to_numpy(dtype=float)
    values = wide.to_numpy(dtype=float)
    times = wide.columns.to_numpy()
    units = values.shape[0]
    weights = np.ones((1, units))      # row 0: the estimate; further rows: bootstrap draws
    if n_bootstrap:
        rng = np.random.default_rng(random_state)
        draws = rng.integers(0, units, size=(int(n_bootstrap), units))
        counts = np.zeros((int(n_bootstrap), units))
        np.add.at(counts, (np.repeat(np.arange(int(n_bootstrap)), units), draws.ravel()), 1)
        weights = np.vstack([weights, counts])
    column = {t: i for i, t in enumerate(times)}
    never = ~np.isfinite(cohorts)
    rows, atts, sizes = [], [], []
    for g in np.unique(cohorts[~never]):
        base = g - 1 - anticipation
        if base not in column:
            continue
        members = cohorts == g
        for t in times[times >= g]:
            change = values[:, column[t]] - values[:, column[base]]
            have = np.isfinite(change)
            treated = members & have
            control = (never | (cohorts - anticipation > t)) & have
            if not treated.any() or not control.any():
                continue
            w_treated, w_control = weights[:, treated], weights[:, control]
            n_t, n_c = w_treated.sum(axis=1), w_control.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                att = w_treated @ change[treated] / n_t - w_control @ change[control] / n_c
            att[(n_t == 0) | (n_c == 0)] = np.nan
            rows.append((int(g), int(t), int(treated.sum()), int(control.sum())))
            atts.append(att)
            sizes.append(n_t)
    cells = pd.DataFrame(rows, columns=["cohort", "time", "n_treated", "n_control"])
    cells.insert(2, "att", [a[0] for a in atts])
    if not rows:
        overall = np.full(weights.shape[0], np.nan)
    else:
        att, size = np.column_stack(atts), np.column_stack(sizes)
        size = np.where(np.isfinite(att), size, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            overall = np.nansum(att * size, axis=1) / size.sum(axis=1)
    if not n_bootstrap:
        return float(overall[0]), cells
    return float(overall[0]), cells, float(np.nanstd(overall[1:], ddof=1))


def estimate(data: pd.DataFrame, outcome: str, *, cohort_column: str = "year_basic_balance",
             unit_column: str = "county_code", time_column: str = "year",
             anticipation: int = 0, alpha: float = 0.05, pretrend_leads: int = 3,
             sensitivity_m=SENSITIVITY_M, cross_check_bootstrap: int = 199,
             random_state: int = 2017) -> EventStudyResult:
    """Event study and overall effect by did2s, beside naive TWFE (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        One row per unit and time.
    outcome : str
    cohort_column : str
        First treated time of the unit (blank = never treated).
    unit_column, time_column : str
    anticipation : int
        Years before adoption in which the outcome may already respond (a 创建 campaign):
        unit-years with event time ≥ −``anticipation`` are left out of the first stage
        (the model of untreated outcomes) and reported as event-time estimates; the
        reference period becomes −1 − ``anticipation`` and the pre-trend test uses the
        years before it. The ATT stays the mean effect over unit-years from adoption on.
    alpha : float
        Confidence intervals at ``1 − alpha`` with t(G − 1) critical values, G = clusters.
    pretrend_leads : int
        Leads in the pre-trend test (:func:`pretrend_test`), also the pre-periods the
        sensitivity analysis learns the size of violations from.
    sensitivity_m : sequence of float
        Bounds m̄ of the relative-magnitudes sensitivity analysis (:func:`relative_magnitudes`).
    cross_check_bootstrap : int
        County bootstrap replicates for the standard error of the Callaway–Sant'Anna
        cross-check (:func:`callaway_santanna`).
    random_state : int
        Seed of that bootstrap.

    Returns
    -------
    EventStudyResult

    Examples
    --------
    >>> import edubalance as eb
    >>> panel = eb.io.sample.generate_assessment_panel()
    >>> result = estimate(panel, "mean_exam_score", anticipation=1)
    >>> result.anticipation, int(result.event_study["event_time"].iloc[0])
    (1, -13)
    """
    import pyfixest as pf

    from .regression import fit_ols

    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1), not {alpha!r}")
    anticipation = _check_anticipation(anticipation)
    reference = _reference(anticipation)
    panel, messages = _prepare(data, outcome, cohort_column=cohort_column,
                               unit_column=unit_column, time_column=time_column,
                               anticipation=anticipation)
    notes = tuple(_note_text(key, "en", values) for key, values in messages)
    clusters = panel["_unit"].nunique()
    if clusters < 3:
        raise DataError(f"{clusters} unit(s): too few clusters for clustered standard errors")
    critical = _critical(alpha, clusters)
    first = "~ 0 | _unit + _time"
    with _quiet_pyfixest():
        dynamic = pf.did2s(panel, yname="_y", first_stage=first,
                           second_stage=f"~ i(_rel, ref={reference})", treatment="_affected",
                           cluster="_unit")
        static = pf.did2s(panel, yname="_y", first_stage=first,
                          second_stage="~ i(_treated, ref=0)", treatment="_affected",
                          cluster="_unit")
    coef, se = dynamic.coef(), dynamic.se()
    event_time = np.array([int(float(name.split("::")[1].rstrip("]"))) for name in coef.index])
    table = pd.DataFrame({"event_time": event_time, "estimate": coef.to_numpy(),
                          "std_error": se.to_numpy()})
    table = pd.concat([table, pd.DataFrame({"event_time": [reference], "estimate": [0.0],
                                            "std_error": [np.nan]})], ignore_index=True)
    table = table.sort_values("event_time", kind="stable").reset_index(drop=True)
    table["ci_low"] = table["estimate"] - critical * table["std_error"]
    table["ci_high"] = table["estimate"] + critical * table["std_error"]
    counts = panel.loc[panel["_event_time"].notna()].groupby("_rel").size()
    table["n_obs"] = table["event_time"].map(counts).fillna(0).astype(int)

    f_stat, df, p_value = pretrend_test(panel, leads=pretrend_leads, anticipation=anticipation)

    att, att_se = float(static.coef().iloc[0]), float(static.se().iloc[0])
    sensitivity, by_period = _sensitivity(dynamic, event_time, counts, reference, att, att_se,
                                          pretrend_leads, sensitivity_m, alpha, clusters)
    cs_att, cs_cells, *cs_se = callaway_santanna(panel, anticipation=anticipation,
                                                 n_bootstrap=cross_check_bootstrap,
                                                 random_state=random_state)
    cs_se = cs_se[0] if cs_se else float("nan")
    twfe = fit_ols(panel, "_y", ["_treated"], fixed_effects=["_unit", "_time"],
                   cov_type="cluster", cluster="_unit")
    twfe_row = twfe.coefficients.set_index("term").loc["_treated"]
    return EventStudyResult(
        outcome=outcome, method=METHOD, event_study=table, att=att, att_std_error=att_se,
        att_ci_low=att - critical * att_se, att_ci_high=att + critical * att_se,
        twfe=float(twfe_row["estimate"]), twfe_std_error=float(twfe_row["std_error"]),
        pretrend_f=f_stat, pretrend_df=df, pretrend_p_value=p_value, n_units=int(clusters),
        n_obs=len(panel), n_treated_obs=int(panel["_treated"].sum()), notes=notes, panel=panel,
        note_messages=messages, anticipation=anticipation, sensitivity=sensitivity,
        sensitivity_by_period=by_period, cross_check=cs_att, cross_check_cells=cs_cells,
        cross_check_std_error=cs_se)


def _sensitivity(dynamic, event_time, counts, reference, att, att_se, leads, m_values, alpha,
                 clusters):
    """Relative-magnitudes sensitivity of the ATT and of each event time from the reference on.

    Pre-periods: the ``leads`` event times before the reference; post: every event time after
    it (anticipation years included, weight 0 in the ATT). The ATT's row at m = 0 is its
    conventional interval.
    """
    empty = pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    if m_values is None or len(list(m_values)) == 0:
        return empty, pd.DataFrame(columns=["event_time", *SENSITIVITY_COLUMNS])
    order = np.argsort(event_time)
    pre = [i for i in order if reference - int(leads) <= event_time[i] < reference]
    post = [i for i in order if event_time[i] > reference]
    if not pre or not post:
        return empty, pd.DataFrame(columns=["event_time", *SENSITIVITY_COLUMNS])
    index = [*pre, *post]
    beta = dynamic.coef().to_numpy()[index]
    cov = np.asarray(dynamic._vcov)[np.ix_(index, index)]
    post_times = event_time[post]
    weights = np.where(post_times >= 0, pd.Series(post_times).map(counts).fillna(0).to_numpy(),
                       0.0).astype(float)
    weights = weights / weights.sum()
    # The ATT of did2s is l'β of the event-time estimates (equal up to the solver's
    # tolerance): its own centre and standard error make m = 0 its reported interval.
    overall = relative_magnitudes(beta, cov, len(pre), len(post), l_vec=weights,
                                  m_values=m_values, alpha=alpha, df=clusters - 1, theta=att,
                                  theta_se=att_se)
    parts = []
    for position, when in enumerate(post_times):
        unit = np.zeros(len(post))
        unit[position] = 1.0
        part = relative_magnitudes(beta, cov, len(pre), len(post), l_vec=unit,
                                   m_values=m_values, alpha=alpha, df=clusters - 1)
        parts.append(part.assign(event_time=int(when)))
    by_period = pd.concat(parts, ignore_index=True)[["event_time", *SENSITIVITY_COLUMNS]]
    return overall[SENSITIVITY_COLUMNS].reset_index(drop=True), by_period
