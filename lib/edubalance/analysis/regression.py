"""Outcomes regressed on inputs: OLS with robust, clustered and fixed-effects variants, logit.

Estimation is done by statsmodels (OLS, Logit, marginal effects) and, for absorbed fixed
effects, by pyfixest's demeaning (alternating projections in its Rust core; pyfixest is the
maintained port of R's fixest), with pyhdfe counting the degrees of freedom the fixed effects
use. This
module adds what a county-level analysis needs around them: a formula or column-list
interface, tidy tables, the small-sample corrections of Stata/R and diagnostics. What people
read is in the report layer: side-by-side tables for papers and the plain-language reading of
the main result in :mod:`edubalance.report.regression_text`, the coefficient and residual plots
in :mod:`edubalance.report.figures.regression` (the old names here still work, deprecated).

Small-sample corrections (what the standard errors are)
-------------------------------------------------------
``N`` observations, ``k`` estimated slopes (plus the intercept where there is one), ``G``
clusters. Without fixed effects ``K = k`` columns of the design (intercept included):

- ``nonrobust``: ``s² (X'X)⁻¹`` with ``s² = SSR / (N − K)``; inference with t(N − K).
- ``HC1``: ``N/(N − K) · (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹`` (Stata ``vce(robust)``, R
  ``sandwich::vcovHC(type = "HC1")``); inference with t(N − K).
- ``cluster`` (CR1): ``G/(G − 1) · (N − 1)/(N − K) · (X'X)⁻¹ Σ_g X_g'e_g e_g'X_g (X'X)⁻¹``
  (Stata ``vce(cluster)``, R ``sandwich::vcovCL(type = "HC1")``); inference with t(G − 1).

With absorbed fixed effects the slopes come from the regression on the demeaned data
(Frisch–Waugh–Lovell), so they equal OLS with dummy variables exactly. ``K`` then also counts
the parameters the fixed effects use, ``K = k + D``:

- ``fe_dof="nested"`` (default; the convention of Stata ``reghdfe`` and of R ``fixest``'s
  default ``ssc(fixef.K = "nested")``): fixed effects nested within the cluster variable
  (county effects with errors clustered by county) are not counted, since the cluster
  correction already accounts for them; ``D`` is the number of levels of the remaining
  fixed effects minus their redundancies (the constant counts once; two-way effects lose
  one level per connected component), at least 1 (the constant).
- ``fe_dof="all"`` (Stata ``areg``, and OLS with dummy variables): every fixed-effect
  level counts, ``D`` = rank of the dummy matrix. Standard errors then equal those of
  statsmodels OLS on ``C(county) + C(year)`` dummies exactly.

The two differ only with clustered errors: the nested standard errors are smaller by the
factor ``sqrt((N − K_all)/(N − K_nested))``. Outside of clustering (and for fixed effects
not nested in the cluster), both conventions count every level. The tests check both
against statsmodels OLS with dummy variables (equal, or off by exactly that factor); they do
not run Stata or R. R² and adjusted R² of
fixed-effects models are those of the dummy-variable regression; ``r2_within`` is the R² of
the demeaned regression. Singleton groups are kept (as in fixest; reghdfe drops them).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.8]})
>>> result = fit_ols(frame, "y", ["x"], cov_type="nonrobust")
>>> result.coefficients[["term", "estimate"]].round(2).values.tolist()
[['Intercept', 0.09], ['x', 1.97]]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .._compat import moved_names
from ..core.results import ResultDisplay
from ..errors import DataError, ParameterError
from ..io.load import read_table  # re-exported: the notebook's reader for any table

__all__ = [
    "COV_TYPES", "COEFFICIENT_COLUMNS", "RegressionResult", "read_table", "check_specification",
    "fit_ols", "fit_logit", "coefficient_table", "model_statistics", "variance_inflation",
    "residual_data", "breusch_pagan", "influential_observations", "diagnostics",
    "model_json", "is_binary",
]

# Tables, readings and figures moved to the report layer (issue 28); the old names still work.
__getattr__ = moved_names(__name__, {
    "models_table": "edubalance.report.regression_text:models_table",
    "describe_result": "edubalance.report.regression_text:describe_result",
    "headline": "edubalance.report.regression_text:headline",
    "coefficient_plot": "edubalance.report.figures.regression:plot_coefficients:_coefficient_plot",
    "residual_plot": "edubalance.report.figures.regression:plot_residuals:_residual_plot",
})

COV_TYPES = ("HC1", "cluster", "nonrobust")
"""Standard-error types: heteroskedasticity-robust (default), cluster-robust (CR1), classical."""

COEFFICIENT_COLUMNS = ["term", "estimate", "std_error", "t_value", "p_value", "ci_low", "ci_high"]
"""Columns of the tidy coefficient table (CONTRACTS.md)."""

FE_DOF_CONVENTIONS = ("nested", "all")
INTERCEPT = "Intercept"

def _as_list(value, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Iterable):
        raise ParameterError(f"{name} must be a list of column names, not {type(value).__name__}")
    return list(value)


def check_specification(frame: pd.DataFrame, outcome: str, inputs: Sequence[str],
                        fixed_effects: Sequence[str] = (), cov_type: str = "HC1",
                        cluster: str | None = None) -> None:
    """Check that a model can be fitted on ``frame``; raise one ``ValueError`` naming every problem.

    Parameters
    ----------
    frame : DataFrame
        The table the model would be fitted on.
    outcome : str
        Outcome column (numeric, not also an input).
    inputs : list of str
        Input columns (numeric, each once).
    fixed_effects : list of str
        Columns whose levels would be absorbed (not also inputs).
    cov_type : {"HC1", "cluster", "nonrobust"}
        Standard errors.
    cluster : str, optional
        Cluster column: required with ``cov_type="cluster"``, and used only with it.

    Raises
    ------
    ParameterError
        Every problem found, in one message.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2.0], "x": [0.5, 0.7], "county_code": ["1", "2"]})
    >>> check_specification(frame, "y", ["x"], cov_type="cluster", cluster="county_code")
    >>> check_specification(frame, "y", ["z"])
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: unknown column(s): z (available: y, x, county_code)
    """
    inputs = _as_list(inputs, "inputs")
    fixed_effects = _as_list(fixed_effects, "fixed_effects")
    problems = _cov_problems(cov_type, cluster)
    if not inputs:
        problems.append("inputs is empty: name at least one input column")
    wanted = [outcome, *inputs, *fixed_effects] + ([cluster] if cluster else [])
    unknown = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(map(str, unknown))} "
                        f"(available: {', '.join(map(str, frame.columns))})")
    if outcome in inputs:
        problems.append(f"outcome {outcome!r} is also listed among the inputs")
    overlap = sorted(set(inputs) & set(fixed_effects))
    if overlap:
        problems.append(f"column(s) {', '.join(overlap)} are both inputs and fixed effects")
    duplicates = sorted({c for c in inputs if inputs.count(c) > 1})
    if duplicates:
        problems.append(f"input(s) listed twice: {', '.join(duplicates)}")
    numeric = [c for c in [outcome, *inputs] if c in frame.columns and c not in unknown]
    not_numeric = [c for c in numeric if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numeric:
        problems.append(f"column(s) {', '.join(not_numeric)} are not numeric")
    if problems:
        raise ParameterError("; ".join(problems))


# --------------------------------------------------------------------------- the result object

@dataclass(frozen=True, repr=False)
class RegressionResult(ResultDisplay):
    """A fitted model: tidy coefficient table, model statistics and what diagnostics need.

    Parameters
    ----------
    model : {"ols", "logit"}
        The estimator.
    outcome : str
        The outcome column.
    inputs : list of str
        The estimated terms (the design's columns other than the intercept).
    fixed_effects : list of str
        Columns whose levels are absorbed (OLS only).
    cov_type : {"HC1", "cluster", "nonrobust"}
        The standard errors (see the module docstring).
    cluster : str or None
        The cluster column, with ``cov_type="cluster"``.
    coefficients, statistics, fit, marginal_effects
        See Attributes.
    data : DataFrame
        The rows estimated on (complete in every column used), as given.
    design : DataFrame
        The design matrix of the slopes (demeaned when fixed effects are absorbed).
    residuals, fitted : ndarray
        Residuals and fitted values, in the order of ``data``.

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate, std_error, t_value, p_value, ci_low, ci_high`` (plus
        ``std_estimate`` when standardised coefficients were asked for). For logit models
        ``t_value`` holds the z statistic.
    statistics : dict
        ``nobs, r2, adj_r2, cov_type`` and more (see :func:`model_statistics`).
    marginal_effects : DataFrame or None
        Logit only: average marginal effects in the same tidy columns.
    fit : statsmodels results
        The underlying statsmodels fit (on demeaned data when fixed effects are absorbed;
        its covariance then lacks the fixed-effect degrees-of-freedom correction, which
        ``coefficients`` includes).
    """

    model: str
    outcome: str
    inputs: list[str]
    fixed_effects: list[str]
    cov_type: str
    cluster: str | None
    coefficients: pd.DataFrame
    statistics: dict[str, Any]
    fit: Any
    data: pd.DataFrame = field(repr=False)
    design: pd.DataFrame = field(repr=False)
    residuals: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    marginal_effects: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """The tidy coefficient table (a copy): ``term, estimate, std_error, ...``."""
        return self.coefficients.copy()

    def __repr__(self) -> str:
        return (f"RegressionResult({self.model}: {self.outcome} ~ {' + '.join(self.inputs)}"
                f"{' | ' + ' + '.join(self.fixed_effects) if self.fixed_effects else ''}, "
                f"cov_type={self.cov_type!r}, nobs={self.statistics['nobs']})")


# --------------------------------------------------------------------------- design matrices

def _parse_formula(formula: str) -> tuple[str, str, list[str]]:
    """Split ``"y ~ x1 + x2 | fe1 + fe2"`` into the patsy part and fixed effects (fixest style)."""
    if "~" not in formula:
        raise ParameterError(f"formula {formula!r} needs '~' (e.g. 'y ~ x1 + x2 | county_code + year')")
    left, _, right = formula.partition("~")
    right, _, absorbed = right.partition("|")
    fixed_effects = [t.strip() for t in absorbed.split("+") if t.strip()]
    return left.strip(), f"{left.strip()} ~ {right.strip()}", fixed_effects


def _design(frame: pd.DataFrame, outcome: str | None, inputs, formula: str | None,
            required: list[str]) -> tuple[pd.Series, pd.DataFrame, str, list[str]]:
    """Outcome and design matrix (with ``Intercept``) on the rows complete in every used column."""
    if formula is not None:
        import patsy

        complete = frame.dropna(subset=required) if required else frame
        y, X = patsy.dmatrices(formula, complete, return_type="dataframe", NA_action="drop")
        y = y.iloc[:, 0]
        return y, X, str(y.name), [c for c in X.columns if c != INTERCEPT]
    used = [outcome, *inputs, *required]
    complete = frame.dropna(subset=list(dict.fromkeys(used)))
    X = complete[list(inputs)].astype(float)
    X.insert(0, INTERCEPT, 1.0)
    return complete[outcome].astype(float), X, outcome, list(inputs)


def _group_codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0]


# --------------------------------------------------------------------------- OLS

def fit_ols(data: pd.DataFrame, outcome: str | None = None, inputs: Sequence[str] | None = None,
            *, formula: str | None = None, fixed_effects: Sequence[str] = (),
            cov_type: str = "HC1", cluster: str | None = None, fe_dof: str = "nested",
            standardize: bool = False, alpha: float = 0.05) -> RegressionResult:
    """Fit OLS of ``outcome`` on ``inputs`` with optional absorbed fixed effects.

    Parameters
    ----------
    data : DataFrame
    outcome, inputs : str, list of str
        Column interface. Alternatively give ``formula``.
    formula : str, optional
        Patsy formula, optionally with absorbed fixed effects after ``|`` as in fixest:
        ``"mean_exam_score ~ spending_per_student_kcny + np.log(gdp_per_capita_kcny) |
        county_code + year"``.
    fixed_effects : list of str
        Columns whose levels are absorbed (county and year effects on a panel).
    cov_type : {"HC1", "cluster", "nonrobust"}
        See the module docstring for the exact small-sample corrections.
    cluster : str, optional
        Cluster column, required with ``cov_type="cluster"``.
    fe_dof : {"nested", "all"}
        How fixed effects count in ``K`` with clustered errors (reghdfe/fixest or areg).
    standardize : bool
        Add ``std_estimate`` = estimate · sd(input) / sd(outcome) (Stata's ``beta``).
    alpha : float
        1 − confidence level of ``ci_low``/``ci_high``.

    Returns
    -------
    RegressionResult

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6], "y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8],
    ...                       "g": list("aabbcc")})
    >>> fit_ols(frame, "y", ["x"], fixed_effects=["g"]).statistics["nobs"]
    6
    """
    import statsmodels.api as sm

    if fe_dof not in FE_DOF_CONVENTIONS:
        raise ParameterError(f"fe_dof={fe_dof!r} must be one of {', '.join(FE_DOF_CONVENTIONS)}")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} must lie between 0 and 1")
    fixed_effects = _as_list(fixed_effects, "fixed_effects")
    if formula is not None:
        outcome, patsy_formula, formula_effects = _parse_formula(formula)
        fixed_effects = list(dict.fromkeys(fixed_effects + formula_effects))
        missing = [c for c in fixed_effects + ([cluster] if cluster else []) if c not in data]
        if missing:
            raise ParameterError(f"unknown column(s): {', '.join(missing)} "
                             f"(available: {', '.join(map(str, data.columns))})")
        _check_cov(cov_type, cluster)
    else:
        inputs = _as_list(inputs, "inputs")
        check_specification(data, outcome, inputs, fixed_effects, cov_type, cluster)
        patsy_formula = None
    required = fixed_effects + ([cluster] if cluster else [])
    y, X, outcome, terms = _design(data, outcome, inputs, patsy_formula, required)
    rows = data.loc[y.index]
    if len(y) == 0:
        raise DataError("no complete rows: every row misses the outcome, an input or an id")
    groups = _group_codes(rows[cluster]) if cluster else None
    if fixed_effects:
        X = X.drop(columns=[INTERCEPT], errors="ignore")
        y_tilde, X_tilde, degrees_fe, degrees_all = _absorb(y, X, rows, fixed_effects, groups)
        _check_identified(X, X_tilde, fixed_effects)
        fit = sm.OLS(y_tilde, X_tilde).fit(**_statsmodels_cov(cov_type, groups))
        k = X.shape[1]
        K = k + (degrees_fe if fe_dof == "nested" else degrees_all)
        scale = (len(y) - k) / (len(y) - K)
        covariance = fit.cov_params() * scale
        residuals = np.asarray(fit.resid)
        fitted = y.to_numpy() - residuals
        ssr = float(residuals @ residuals)
        tss = float(((y - y.mean()) ** 2).sum())
        r2 = 1 - ssr / tss
        adj_r2 = 1 - (1 - r2) * (len(y) - 1) / (len(y) - k - degrees_all)
        r2_within = float(fit.rsquared)
        df_resid = len(y) - K
    else:
        _check_rank(X)
        fit = sm.OLS(y, X).fit(**_statsmodels_cov(cov_type, groups))
        covariance, K = fit.cov_params(), X.shape[1]
        residuals, fitted = np.asarray(fit.resid), np.asarray(fit.fittedvalues)
        r2, adj_r2, r2_within = float(fit.rsquared), float(fit.rsquared_adj), None
        df_resid = len(y) - K
        X_tilde = X
    n_clusters = int(groups.max() + 1) if groups is not None else None
    df_inference = n_clusters - 1 if cov_type == "cluster" else df_resid
    table = _tidy(fit.params, np.sqrt(np.diag(covariance)), df_inference, alpha)
    if standardize:
        table["std_estimate"] = _standardized(table, X, y)
    statistics = {
        "model": "ols", "outcome": outcome, "nobs": int(len(y)), "r2": r2, "adj_r2": adj_r2,
        "r2_within": r2_within, "cov_type": cov_type, "cluster": cluster,
        "n_clusters": n_clusters, "fixed_effects": list(fixed_effects), "k": int(K),
        "df_inference": int(df_inference), "fe_dof": fe_dof if fixed_effects else None,
        "rmse": float(np.sqrt(residuals @ residuals / len(y))), "confidence": 1 - alpha,
    }
    return RegressionResult(
        model="ols", outcome=outcome, inputs=list(terms), fixed_effects=list(fixed_effects),
        cov_type=cov_type, cluster=cluster, coefficients=table, statistics=statistics, fit=fit,
        data=rows, design=X_tilde, residuals=residuals, fitted=fitted)


def _cov_problems(cov_type: str, cluster: str | None) -> list[str]:
    problems = []
    if cov_type not in COV_TYPES:
        problems.append(f"cov_type={cov_type!r} must be one of {', '.join(COV_TYPES)}")
    if cov_type == "cluster" and not cluster:
        problems.append("cov_type='cluster' needs a cluster column (e.g. cluster='county_code')")
    if cluster and cov_type != "cluster":
        problems.append(f"cluster={cluster!r} is only used with cov_type='cluster' "
                        f"(got cov_type={cov_type!r}); set cluster to None or cov_type to 'cluster'")
    return problems


def _check_cov(cov_type: str, cluster: str | None) -> None:
    problems = _cov_problems(cov_type, cluster)
    if problems:
        raise ParameterError("; ".join(problems))


def _statsmodels_cov(cov_type: str, groups) -> dict[str, Any]:
    if cov_type == "cluster":
        # use_correction: G/(G-1)·(N-1)/(N-K); df_correction: t(G-1) for inference.
        return {"cov_type": "cluster", "use_t": True,
                "cov_kwds": {"groups": groups, "use_correction": True, "df_correction": True}}
    return {"cov_type": cov_type, "use_t": True}


def _absorb(y: pd.Series, X: pd.DataFrame, rows: pd.DataFrame, fixed_effects: list[str],
            groups) -> tuple[pd.Series, pd.DataFrame, int, int]:
    """Demean y and X by the fixed effects; degrees of freedom used (nested, all)."""
    import pyhdfe

    ids = np.column_stack([_group_codes(rows[c]) for c in fixed_effects])
    single = [c for c, column in zip(fixed_effects, ids.T, strict=True) if column.max() == 0]
    if single:
        raise DataError(f"fixed effect(s) {', '.join(single)} have a single level in the "
                         "estimation sample; drop them from fixed_effects")
    # pyhdfe counts the degrees of freedom the fixed effects use (connected components of
    # two-way effects, effects nested in the clusters); it does not residualize.
    degrees_all = int(pyhdfe.create(ids, drop_singletons=False).degrees)
    if groups is not None:
        nested = pyhdfe.create(ids, cluster_ids=groups[:, None], drop_singletons=False)
        # The constant always costs one degree of freedom, even when every effect is nested.
        degrees_fe = max(int(nested.degrees), 1)
    else:
        degrees_fe = degrees_all
    matrix = _demean(np.column_stack([y.to_numpy(), X.to_numpy(dtype=float)]), ids)
    y_tilde = pd.Series(matrix[:, 0], index=y.index, name=y.name)
    X_tilde = pd.DataFrame(matrix[:, 1:], index=X.index, columns=X.columns)
    return y_tilde, X_tilde, degrees_fe, degrees_all


def _demean(matrix: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Columns net of the fixed effects: pyfixest's alternating projections (Rust core).

    The tight tolerance keeps the slopes equal to the dummy-variable OLS to ~1e-12 on
    unbalanced panels (200 times faster than pyhdfe's accelerated MAP at that tolerance).
    """
    from pyfixest.estimation import demean

    result, converged = demean(np.ascontiguousarray(matrix, dtype=np.float64),
                               np.ascontiguousarray(ids, dtype=np.uint64),
                               np.ones(matrix.shape[0]), tol=1e-12, maxiter=100_000)
    if not converged:
        raise DataError("absorbing the fixed effects did not converge (100,000 iterations); "
                        "check for fixed effects with very many sparse levels")
    return result


def _check_identified(X: pd.DataFrame, X_tilde: pd.DataFrame, fixed_effects: list[str]) -> None:
    spread = X.std(ddof=0).replace(0, 1.0)
    absorbed = [c for c in X.columns if X_tilde[c].std(ddof=0) <= 1e-9 * spread[c]]
    if absorbed:
        raise DataError(f"input(s) {', '.join(absorbed)} do not vary within the fixed effects "
                         f"({', '.join(fixed_effects)}) and cannot be estimated; drop them")
    _check_rank(X_tilde)


def _check_rank(X: pd.DataFrame) -> None:
    if X.shape[0] <= X.shape[1]:
        raise DataError(f"{X.shape[0]} complete rows are too few for {X.shape[1]} coefficients")
    if np.linalg.matrix_rank(X.to_numpy(dtype=float)) < X.shape[1]:
        raise DataError(f"the inputs are perfectly collinear ({', '.join(map(str, X.columns))}); "
                         "drop one of them")


def _tidy(params: pd.Series, std_errors, df: float | None, alpha: float) -> pd.DataFrame:
    """Tidy table; t(df) inference, or the normal distribution when ``df`` is None."""
    from scipy import stats  # here: importing scipy.stats costs a second

    estimate = np.asarray(params, dtype=float)
    std_error = np.asarray(std_errors, dtype=float)
    t_value = estimate / std_error
    distribution = stats.norm if df is None else stats.t(df)
    p_value = 2 * distribution.sf(np.abs(t_value))
    critical = distribution.ppf(1 - alpha / 2)
    return pd.DataFrame({
        "term": [str(t) for t in params.index], "estimate": estimate, "std_error": std_error,
        "t_value": t_value, "p_value": p_value, "ci_low": estimate - critical * std_error,
        "ci_high": estimate + critical * std_error,
    })


def _standardized(table: pd.DataFrame, X: pd.DataFrame, y: pd.Series) -> np.ndarray:
    spread = X.std(ddof=1)
    return np.array([np.nan if term == INTERCEPT else estimate * spread[term] / y.std(ddof=1)
                     for term, estimate in zip(table["term"], table["estimate"], strict=True)])


# --------------------------------------------------------------------------- logit

def fit_logit(data: pd.DataFrame, outcome: str | None = None, inputs: Sequence[str] | None = None,
              *, formula: str | None = None, cov_type: str = "HC1", cluster: str | None = None,
              alpha: float = 0.05) -> RegressionResult:
    """Logit of a pass/fail (0/1) outcome with average marginal effects.

    Coefficients are log-odds; ``marginal_effects`` holds the average marginal effects
    (statsmodels ``get_margeff(at="overall", method="dydx")``, delta-method standard errors)
    in the tidy columns. Inference is normal (z), as in Stata's ``logit`` and R's ``glm``.
    ``HC1`` is the sandwich ``N/(N − K) · H⁻¹ (Σ sᵢsᵢ') H⁻¹`` (R ``sandwich::vcovHC(type =
    "HC1")``), ``cluster`` multiplies the cluster sandwich by ``G/(G − 1) · (N − 1)/(N − K)``
    (statsmodels; R ``sandwich::vcovCL(type = "HC1")``). Stata's ``logit, vce(robust)``
    uses ``N/(N − 1)`` and ``vce(cluster)`` ``G/(G − 1)`` instead: slightly smaller.

    Parameters
    ----------
    data : DataFrame
    outcome, inputs : str, list of str
        Column interface (a 0/1 outcome). Alternatively give ``formula``.
    formula : str, optional
        Patsy formula; no absorbed fixed effects (add ``C(year)`` to the formula instead).
    cov_type : {"HC1", "cluster", "nonrobust"}
        Standard errors, with the corrections above.
    cluster : str, optional
        Cluster column, required with ``cov_type="cluster"``.
    alpha : float
        1 − confidence level of ``ci_low``/``ci_high``.

    Returns
    -------
    RegressionResult
        Coefficients in log-odds, ``marginal_effects`` the average marginal effects.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [0.1, 0.4, 0.5, 0.9, 1.2, 1.4, 1.9, 2.2],
    ...                       "passed": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> result = fit_logit(frame, "passed", ["x"])
    >>> result.marginal_effects["term"].tolist()
    ['x']
    """
    import statsmodels.api as sm

    if formula is not None:
        outcome, patsy_formula, effects = _parse_formula(formula)
        if effects:
            raise ParameterError("absorbed fixed effects are not available for logit; "
                             "add C(year) to the formula instead")
        _check_cov(cov_type, cluster)
    else:
        inputs = _as_list(inputs, "inputs")
        check_specification(data, outcome, inputs, (), cov_type, cluster)
        patsy_formula = None
    y, X, outcome, terms = _design(data, outcome, inputs, patsy_formula,
                                   [cluster] if cluster else [])
    values = set(np.unique(y))
    if not values <= {0.0, 1.0} or len(values) < 2:
        raise DataError(f"logit needs a 0/1 outcome with both values; {outcome} has "
                         f"{sorted(values)[:5]}")
    _check_rank(X)
    rows = data.loc[y.index]
    groups = _group_codes(rows[cluster]) if cluster else None
    model = sm.Logit(y, X)
    if cov_type == "cluster":
        fit = model.fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups})
    elif cov_type == "HC1":
        fit = model.fit(disp=0, cov_type="HC0")
    else:
        fit = model.fit(disp=0)
    # statsmodels' discrete-model "HC1" omits the N/(N-K) factor; apply it as R's sandwich
    # does. Delta-method standard errors of the marginal effects scale by the same root.
    inflation = math.sqrt(len(y) / (len(y) - X.shape[1])) if cov_type == "HC1" else 1.0
    table = _tidy(fit.params, fit.bse * inflation, None, alpha)
    margins = fit.get_margeff(at="overall", method="dydx")
    effects = _tidy(pd.Series(margins.margeff, index=[c for c in X.columns if c != INTERCEPT]),
                    margins.margeff_se * inflation, None, alpha)
    statistics = {
        "model": "logit", "outcome": outcome, "nobs": int(fit.nobs), "r2": None, "adj_r2": None,
        "pseudo_r2": float(fit.prsquared), "log_likelihood": float(fit.llf),
        "cov_type": cov_type, "cluster": cluster,
        "n_clusters": int(groups.max() + 1) if groups is not None else None,
        "fixed_effects": [], "k": int(X.shape[1]), "confidence": 1 - alpha,
    }
    fitted = np.asarray(fit.predict())
    return RegressionResult(
        model="logit", outcome=outcome, inputs=list(terms), fixed_effects=[], cov_type=cov_type,
        cluster=cluster, coefficients=table, statistics=statistics, fit=fit, data=rows,
        design=X, residuals=y.to_numpy() - fitted, fitted=fitted, marginal_effects=effects)


# --------------------------------------------------------------------------- tidy accessors

def coefficient_table(result: RegressionResult, include_intercept: bool = True) -> pd.DataFrame:
    """The tidy coefficient table (a copy), optionally without the ``Intercept`` row.

    Parameters
    ----------
    result : RegressionResult
    include_intercept : bool
        Keep the ``Intercept`` row.

    Returns
    -------
    DataFrame
        :data:`COEFFICIENT_COLUMNS` (and ``std_estimate`` when asked for).
    """
    table = result.coefficients.copy()
    return table if include_intercept else table[table["term"] != INTERCEPT].reset_index(drop=True)


def model_statistics(result: RegressionResult) -> dict[str, Any]:
    """Model statistics as plain JSON-ready values (NaN -> None).

    Keys: ``nobs, r2, adj_r2, cov_type`` (CONTRACTS.md) plus ``outcome, inputs,
    fixed_effects, cluster, n_clusters, r2_within, k, df_inference, fe_dof, rmse`` (OLS) or
    ``pseudo_r2, log_likelihood`` (logit).

    Parameters
    ----------
    result : RegressionResult

    Returns
    -------
    dict
    """
    from ..io.write import to_jsonable

    return to_jsonable({**result.statistics, "inputs": list(result.inputs)})


# --------------------------------------------------------------------------- diagnostics

def variance_inflation(result: RegressionResult) -> pd.DataFrame:
    """Variance inflation factor of each input (``term, vif``), statsmodels' definition.

    With absorbed fixed effects it uses the demeaned inputs (the variation that identifies
    the slopes). Above about 10 an input is nearly a combination of the others.

    Parameters
    ----------
    result : RegressionResult

    Returns
    -------
    DataFrame
        ``term, vif``, one row per input.
    """
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    X = result.design.drop(columns=[INTERCEPT], errors="ignore")
    with_constant = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    values = [variance_inflation_factor(with_constant, i + 1) for i in range(X.shape[1])]
    return pd.DataFrame({"term": list(map(str, X.columns)), "vif": values})


def residual_data(result: RegressionResult) -> pd.DataFrame:
    """Fitted values and residuals for a residual plot (identifier columns kept).

    Parameters
    ----------
    result : RegressionResult

    Returns
    -------
    DataFrame
        The identifier columns, ``fitted``, ``residual`` and ``standardized_residual`` (residual
        over its standard deviation).
    """
    keep = [c for c in dict.fromkeys(result.fixed_effects + ([result.cluster] if result.cluster
                                                             else [])
                                     + [c for c in ("county_code", "county_name", "year")
                                        if c in result.data.columns])]
    frame = result.data[keep].copy()
    frame["fitted"] = result.fitted
    frame["residual"] = result.residuals
    spread = result.residuals.std(ddof=1)
    frame["standardized_residual"] = result.residuals / spread if spread > 0 else np.nan
    return frame.reset_index(drop=True)


def breusch_pagan(result: RegressionResult) -> dict[str, float]:
    """Breusch–Pagan test of heteroskedasticity (statsmodels ``het_breuschpagan``, studentized).

    Regresses the squared residuals on the inputs (demeaned with fixed effects).

    Parameters
    ----------
    result : RegressionResult

    Returns
    -------
    dict
        ``lm, lm_p_value, f, f_p_value``.
    """
    from statsmodels.stats.diagnostic import het_breuschpagan

    X = result.design.drop(columns=[INTERCEPT], errors="ignore").to_numpy(dtype=float)
    exog = np.column_stack([np.ones(len(X)), X])
    lm, lm_p, f, f_p = het_breuschpagan(result.residuals, exog)
    return {"lm": float(lm), "lm_p_value": float(lm_p), "f": float(f), "f_p_value": float(f_p)}


def influential_observations(result: RegressionResult, top: int | None = 10) -> pd.DataFrame:
    """Cook's distance per observation, largest first, flagged above the 4/N rule of thumb.

    With absorbed fixed effects the leverage is that of the demeaned regression.

    Parameters
    ----------
    result : RegressionResult
        An OLS model.
    top : int or None
        Rows returned (None: all).

    Returns
    -------
    DataFrame
        :func:`residual_data` with ``cooks_distance`` and ``influential``.
    """
    from statsmodels.stats.outliers_influence import OLSInfluence

    if result.model != "ols":
        raise ParameterError("Cook's distance is available for OLS models only")
    frame = residual_data(result)
    frame["cooks_distance"] = OLSInfluence(result.fit).cooks_distance[0]
    frame["influential"] = frame["cooks_distance"] > 4 / len(frame)
    frame = frame.sort_values("cooks_distance", ascending=False, kind="stable")
    return (frame if top is None else frame.head(top)).reset_index(drop=True)


def diagnostics(result: RegressionResult, top: int = 10) -> dict[str, Any]:
    """VIF table, Breusch–Pagan test, influential observations and residual data together.

    Parameters
    ----------
    result : RegressionResult
        An OLS model.
    top : int
        Influential observations listed.

    Returns
    -------
    dict
        ``vif, breusch_pagan, influential, residuals``.
    """
    return {"vif": variance_inflation(result), "breusch_pagan": breusch_pagan(result),
            "influential": influential_observations(result, top=top),
            "residuals": residual_data(result)}


# --------------------------------------------------------------------------- results files

def model_json(result: RegressionResult) -> str:
    """``model.json`` text: :func:`model_statistics` as JSON with ``null`` for missing values.

    Parameters
    ----------
    result : RegressionResult

    Returns
    -------
    str
    """
    import json

    return json.dumps(model_statistics(result), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def is_binary(values) -> bool:
    """True when ``values`` (ignoring missing ones) are all 0 or 1 and both occur.

    Parameters
    ----------
    values : array-like
        Numbers, missing ones allowed.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_binary([0, 1, 1, None]), is_binary([0.0, 0.5, 1.0])
    (True, False)
    """
    observed = pd.Series(values, dtype="float64").dropna().unique()
    return set(observed) == {0.0, 1.0}
