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

from ..errors import DataError, ParameterError
from ..report.i18n import text

__all__ = ["EventStudyResult", "METHOD", "EVENT_STUDY_COLUMNS", "prepare_panel", "estimate",
           "pretrend_test", "event_study_plot"]

METHOD = ("did2s: two-stage DiD (Gardner 2021) = imputation estimator (Borusyak, Jaravel & "
          "Spiess 2024), via pyfixest; SEs clustered by unit")
EVENT_STUDY_COLUMNS = ["event_time", "estimate", "std_error", "ci_low", "ci_high"]
_REFERENCE = -1


@dataclass(frozen=True)
class EventStudyResult:
    """Result of :func:`estimate`.

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

    def notes_in(self, lang: str = "zh") -> list[str]:
        """The notes (what was dropped before estimating) in ``lang``; ``notes`` is English."""
        if not self.note_messages:
            return list(self.notes)
        return [text(key, lang, **values) for key, values in self.note_messages]

    def to_frame(self) -> pd.DataFrame:
        """The event-study table (``event_study.csv``)."""
        return self.event_study.copy()

    def summary(self) -> dict[str, Any]:
        """``summary.json``: ``att, att_std_error, method, twfe`` and the rest."""
        return {"outcome": self.outcome, "att": self.att, "att_std_error": self.att_std_error,
                "att_ci_low": self.att_ci_low, "att_ci_high": self.att_ci_high,
                "method": self.method, "twfe": self.twfe, "twfe_std_error": self.twfe_std_error,
                "pretrend_f": self.pretrend_f, "pretrend_df": self.pretrend_df,
                "pretrend_p_value": self.pretrend_p_value, "n_units": self.n_units,
                "n_obs": self.n_obs, "n_treated_obs": self.n_treated_obs,
                "notes": list(self.notes)}


def _prepare(data: pd.DataFrame, outcome: str, *, cohort_column: str, unit_column: str,
             time_column: str) -> tuple[pd.DataFrame, tuple[tuple[str, dict], ...]]:
    """:func:`prepare_panel` with its notes as (catalogue key, values) pairs."""
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
    notes = []   # (catalogue key, values): shown in any language by EventStudyResult.notes_in
    untreated_years = frame.loc[frame["_treated"] == 0, "_time"].unique()
    keep = frame["_time"].isin(untreated_years)
    dropped_years = sorted(int(y) for y in set(frame["_time"]) - set(untreated_years))
    if dropped_years:
        notes.append(("event.note_dropped_years", {"years": ", ".join(map(str, dropped_years))}))
    frame = frame[keep]
    has_untreated = frame.groupby("_unit")["_treated"].transform("min") == 0
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
    frame["_rel"] = frame["_event_time"].fillna(_REFERENCE).astype(int)
    return frame.reset_index(drop=True), tuple(notes)


def prepare_panel(data: pd.DataFrame, outcome: str, *, cohort_column: str = "year_basic_balance",
                  unit_column: str = "county_code", time_column: str = "year"
                  ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Check the panel and add ``_unit, _time, _cohort, _event_time, _treated, _y``.

    Returns the estimation panel (unidentified years and always-treated units dropped) and
    notes (English) saying what was dropped. A blank cohort means never treated.

    Raises
    ------
    ParameterError
        A named column is not in the table.
    DataError
        Non-numeric values, a unit in two cohorts, duplicate unit-years, no treated or no
        untreated unit-years.
    """
    frame, notes = _prepare(data, outcome, cohort_column=cohort_column, unit_column=unit_column,
                            time_column=time_column)
    return frame, tuple(text(key, "en", **values) for key, values in notes)


@contextmanager
def _quiet_pyfixest():
    """pyfixest 0.60 still passes ``inplace=`` to pandas 3, which warns; the results are right."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        yield


def pretrend_test(panel: pd.DataFrame, *, leads: int = 3) -> tuple[float, int, float]:
    """Pre-trend test of Borusyak, Jaravel & Spiess (2024, Test 1): ``(F, q, p_value)``.

    On the untreated unit-years only, regress the outcome on unit and year effects and
    dummies for the last ``leads`` years before treatment (event time −1 .. −leads; earlier
    years and never-treated units are the reference), and test the ``q`` dummies jointly:
    cluster-robust Wald statistic / q against F(q, G − 1), G = clusters. (With 22 clusters
    this holds its size at 3 leads; more leads over-reject. The did2s lead coefficients are not used for this: they are
    residuals of the very observations the first stage was fitted on.) ``panel`` comes from
    :func:`prepare_panel`.
    """
    import pyfixest as pf

    untreated = panel[panel["_treated"] == 0].copy()
    available = sorted(-untreated["_event_time"].dropna().unique().astype(int))
    names = []
    for k in range(1, int(leads) + 1):
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


def _critical(alpha: float, clusters: int) -> float:
    from scipy import stats  # here: importing scipy.stats costs a second

    return float(stats.t.ppf(1 - alpha / 2, clusters - 1))


def estimate(data: pd.DataFrame, outcome: str, *, cohort_column: str = "year_basic_balance",
             unit_column: str = "county_code", time_column: str = "year",
             alpha: float = 0.05, pretrend_leads: int = 3) -> EventStudyResult:
    """Event study and overall effect by did2s, beside naive TWFE (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        One row per unit and time.
    outcome : str
    cohort_column : str
        First treated time of the unit (blank = never treated).
    unit_column, time_column : str
    alpha : float
        Confidence intervals at ``1 − alpha`` with t(G − 1) critical values, G = clusters.
    pretrend_leads : int
        Leads in the pre-trend test (:func:`pretrend_test`).

    Returns
    -------
    EventStudyResult
    """
    import pyfixest as pf

    from .regression import fit_ols

    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1), not {alpha!r}")
    panel, messages = _prepare(data, outcome, cohort_column=cohort_column,
                               unit_column=unit_column, time_column=time_column)
    notes = tuple(text(key, "en", **values) for key, values in messages)
    clusters = panel["_unit"].nunique()
    if clusters < 3:
        raise DataError(f"{clusters} unit(s): too few clusters for clustered standard errors")
    critical = _critical(alpha, clusters)
    first = "~ 0 | _unit + _time"
    with _quiet_pyfixest():
        dynamic = pf.did2s(panel, yname="_y", first_stage=first,
                           second_stage=f"~ i(_rel, ref={_REFERENCE})", treatment="_treated",
                           cluster="_unit")
        static = pf.did2s(panel, yname="_y", first_stage=first,
                          second_stage="~ i(_treated, ref=0)", treatment="_treated",
                          cluster="_unit")
    coef, se = dynamic.coef(), dynamic.se()
    event_time = np.array([int(float(name.split("::")[1].rstrip("]"))) for name in coef.index])
    table = pd.DataFrame({"event_time": event_time, "estimate": coef.to_numpy(),
                          "std_error": se.to_numpy()})
    table = pd.concat([table, pd.DataFrame({"event_time": [_REFERENCE], "estimate": [0.0],
                                            "std_error": [np.nan]})], ignore_index=True)
    table = table.sort_values("event_time", kind="stable").reset_index(drop=True)
    table["ci_low"] = table["estimate"] - critical * table["std_error"]
    table["ci_high"] = table["estimate"] + critical * table["std_error"]
    counts = panel.loc[panel["_event_time"].notna()].groupby("_rel").size()
    table["n_obs"] = table["event_time"].map(counts).fillna(0).astype(int)

    f_stat, df, p_value = pretrend_test(panel, leads=pretrend_leads)

    att, att_se = float(static.coef().iloc[0]), float(static.se().iloc[0])
    twfe = fit_ols(panel, "_y", ["_treated"], fixed_effects=["_unit", "_time"],
                   cov_type="cluster", cluster="_unit")
    twfe_row = twfe.coefficients.set_index("term").loc["_treated"]
    return EventStudyResult(
        outcome=outcome, method=METHOD, event_study=table, att=att, att_std_error=att_se,
        att_ci_low=att - critical * att_se, att_ci_high=att + critical * att_se,
        twfe=float(twfe_row["estimate"]), twfe_std_error=float(twfe_row["std_error"]),
        pretrend_f=f_stat, pretrend_df=df, pretrend_p_value=p_value, n_units=int(clusters),
        n_obs=len(panel), n_treated_obs=int(panel["_treated"].sum()), notes=notes, panel=panel,
        note_messages=messages)


def event_study_plot(result: EventStudyResult, *, truth: pd.DataFrame | None = None, ax=None,
                     lang: str = "zh"):
    """Estimates by event time with their confidence intervals, the naive TWFE as a line.

    ``truth`` (optional): ``event_time, true_effect`` to draw the known effect of simulated
    data. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from ..report.plotting import PALETTE

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    table = result.event_study
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(_REFERENCE + 0.5, color="grey", linestyle=":", linewidth=1)
    ax.errorbar(table["event_time"], table["estimate"],
                yerr=[table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]],
                fmt="o", color=PALETTE[0], capsize=3, label=text("event.estimate_label", lang))
    post = table["event_time"] >= 0
    ax.hlines(result.twfe, table.loc[post, "event_time"].min() - 0.4,
              table.loc[post, "event_time"].max() + 0.4, color=PALETTE[3], linestyle="--",
              label=text("event.twfe_label", lang))
    if truth is not None:
        truth = truth.sort_values("event_time")
        ax.plot(truth["event_time"], truth["true_effect"], color=PALETTE[2], marker="x",
                linestyle="-", label=text("event.truth_label", lang))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(text("event.x_axis", lang))
    ax.set_ylabel(text("event.y_axis", lang))
    ax.set_title(text("event.plot_title", lang))
    ax.legend(loc="upper left", fontsize="small")
    return ax
