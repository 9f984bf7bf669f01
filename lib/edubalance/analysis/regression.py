"""Outcomes regressed on inputs: OLS with robust, clustered and fixed-effects variants, logit.

Estimation is done by statsmodels (OLS, Logit, marginal effects) and, for absorbed fixed
effects, by pyfixest's demeaning (alternating projections in its Rust core; pyfixest is the
maintained port of R's fixest), with pyhdfe counting the degrees of freedom the fixed effects
use. This
module adds what a county-level analysis needs around them: a formula or column-list
interface, tidy tables, the small-sample corrections of Stata/R, diagnostics, side-by-side
tables for papers, a coefficient plot and a plain-language reading of the main result.

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

import html
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ..io.load import read_table  # re-exported: the notebook's reader for any table

__all__ = [
    "COV_TYPES", "COEFFICIENT_COLUMNS", "RegressionResult", "read_table", "check_specification",
    "fit_ols", "fit_logit", "coefficient_table", "model_statistics", "variance_inflation",
    "residual_data", "breusch_pagan", "influential_observations", "diagnostics",
    "models_table", "coefficient_plot", "residual_plot", "describe_result", "headline",
    "model_json", "is_binary",
]

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

@dataclass(frozen=True)
class RegressionResult:
    """A fitted model: tidy coefficient table, model statistics and what diagnostics need.

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
    """The tidy coefficient table (a copy), optionally without the ``Intercept`` row."""
    table = result.coefficients.copy()
    return table if include_intercept else table[table["term"] != INTERCEPT].reset_index(drop=True)


def model_statistics(result: RegressionResult) -> dict[str, Any]:
    """Model statistics as plain JSON-ready values (NaN -> None).

    Keys: ``nobs, r2, adj_r2, cov_type`` (CONTRACTS.md) plus ``outcome, inputs,
    fixed_effects, cluster, n_clusters, r2_within, k, df_inference, fe_dof, rmse`` (OLS) or
    ``pseudo_r2, log_likelihood`` (logit).
    """
    from ..io.write import to_jsonable

    return to_jsonable({**result.statistics, "inputs": list(result.inputs)})


# --------------------------------------------------------------------------- diagnostics

def variance_inflation(result: RegressionResult) -> pd.DataFrame:
    """Variance inflation factor of each input (``term, vif``), statsmodels' definition.

    With absorbed fixed effects it uses the demeaned inputs (the variation that identifies
    the slopes). Above about 10 an input is nearly a combination of the others.
    """
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    X = result.design.drop(columns=[INTERCEPT], errors="ignore")
    with_constant = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    values = [variance_inflation_factor(with_constant, i + 1) for i in range(X.shape[1])]
    return pd.DataFrame({"term": list(map(str, X.columns)), "vif": values})


def residual_data(result: RegressionResult) -> pd.DataFrame:
    """Fitted values and residuals for a residual plot (identifier columns kept)."""
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
    """
    from statsmodels.stats.diagnostic import het_breuschpagan

    X = result.design.drop(columns=[INTERCEPT], errors="ignore").to_numpy(dtype=float)
    exog = np.column_stack([np.ones(len(X)), X])
    lm, lm_p, f, f_p = het_breuschpagan(result.residuals, exog)
    return {"lm": float(lm), "lm_p_value": float(lm_p), "f": float(f), "f_p_value": float(f_p)}


def influential_observations(result: RegressionResult, top: int | None = 10) -> pd.DataFrame:
    """Cook's distance per observation, largest first, flagged above the 4/N rule of thumb.

    With absorbed fixed effects the leverage is that of the demeaned regression.
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
    """VIF table, Breusch–Pagan test, influential observations and residual data together."""
    return {"vif": variance_inflation(result), "breusch_pagan": breusch_pagan(result),
            "influential": influential_observations(result, top=top),
            "residuals": residual_data(result)}


# --------------------------------------------------------------------------- side-by-side tables

_STARS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))


def _stars(p_value: float) -> str:
    return next((mark for level, mark in _STARS if p_value < level), "")


def _term_label(term: str, lang: str | None, names: bool = True) -> str:
    """``term`` itself (lang None), else its catalogue label, with the column name if ``names``."""
    if lang is None:
        return term
    from ..report.i18n import label, text

    shown = label(term, lang)
    return shown if shown == term or not names else text("regression.term", lang, label=shown,
                                                         name=term)


def _models_frame(results, names, stars: bool, digits: int, lang: str | None = None,
                  show_columns: bool = True) -> tuple[list[str], list[list[str]]]:
    names = list(names) if names is not None else [f"({i + 1})" for i in range(len(results))]
    if len(names) != len(results):
        raise ParameterError(f"{len(names)} names given for {len(results)} models")
    terms = list(dict.fromkeys(t for r in results for t in r.coefficients["term"]))
    rows = []
    for term in terms:
        estimates, errors = [_term_label(term, lang, show_columns)], [""]
        for result in results:
            row = result.coefficients[result.coefficients["term"] == term]
            if row.empty:
                estimates.append("")
                errors.append("")
                continue
            row = row.iloc[0]
            mark = _stars(row["p_value"]) if stars else ""
            estimates.append(f"{row['estimate']:.{digits}f}{mark}")
            errors.append(f"({row['std_error']:.{digits}f})")
        rows += [estimates, errors]
    if lang is None:
        rows.append(["Fixed effects"] + [", ".join(r.fixed_effects) or "none" for r in results])
        rows.append(["Standard errors"] + [_cov_label(r) for r in results])
        rows.append(["Observations"] + [f"{r.statistics['nobs']:,}" for r in results])
        shown = {"r2": "R²", "adj_r2": "Adjusted R²", "r2_within": "Within R²",
                 "pseudo_r2": "Pseudo R²"}
    else:
        from ..report.i18n import label, text

        def column(name):
            return name if show_columns else label(name, lang)

        rows.append([text("regression.row_fixed_effects", lang)]
                    + [", ".join(map(column, r.fixed_effects)) or text("regression.none", lang)
                       for r in results])
        rows.append([text("regression.row_errors", lang)] + [
            text("regression.errors_cluster_short", lang, cluster=column(r.cluster))
            if r.cov_type == "cluster" else text(f"regression.errors_{r.cov_type}", lang)
            for r in results])
        rows.append([text("regression.row_observations", lang)]
                    + [f"{r.statistics['nobs']:,}" for r in results])
        shown = {key: text(f"regression.row_{key}", lang)
                 for key in ("r2", "adj_r2", "r2_within", "pseudo_r2")}
    for key, row_label in shown.items():
        values = [r.statistics.get(key) for r in results]
        if any(v is not None for v in values):
            rows.append([row_label] + ["" if v is None else f"{v:.{digits}f}" for v in values])
    return ["", *names], rows


def _cov_label(result: RegressionResult) -> str:
    if result.cov_type == "cluster":
        return f"clustered by {result.cluster}"
    return {"HC1": "robust (HC1)", "nonrobust": "classical"}[result.cov_type]


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_escape(text: str) -> str:
    text = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))
    return text.replace("R²", "$R^2$")


def models_table(results, names: Sequence[str] | None = None, fmt: str = "markdown",
                 stars: bool = True, digits: int = 3, *, lang: str | None = None,
                 show_columns: bool = True) -> str:
    """Several models side by side, standard errors in parentheses below each estimate.

    Parameters
    ----------
    results : RegressionResult or list of them
    names : list of str, optional
        Column headers (default ``(1)``, ``(2)``, ...).
    fmt : {"markdown", "html", "latex"}
        HTML text is escaped; LaTeX special characters are escaped (booktabs rules).
    stars : bool
        ``* p<0.1, ** p<0.05, *** p<0.01``, noted below the table.
    lang : {None, "zh", "en"}
        None: terms as column names; else their catalogue labels (``edubalance.report.i18n``) and
        the rows below the estimates in ``lang``.
    show_columns : bool
        With ``lang``: the column name beside each label (False: labels only, for a report).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.8]})
    >>> print(models_table(fit_ols(frame, "y", ["x"]), digits=2).splitlines()[4])
    | x | 1.97*** |
    """
    if isinstance(results, RegressionResult):
        results = [results]
    if not results:
        raise ParameterError("no models given")
    header, rows = _models_frame(results, names, stars, digits, lang, show_columns)
    note = "* p<0.1, ** p<0.05, *** p<0.01" if stars else ""
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in row) + " |" for row in rows]
        return "\n".join(lines + ([f"\n{note}"] if note else []))
    if fmt == "html":
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows)
        foot = f"<caption style=\"caption-side: bottom\">{html.escape(note)}</caption>" if note else ""
        return (f"<table class=\"regression-table\">{foot}<thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")
    if fmt == "latex":
        spec = "l" + "c" * (len(header) - 1)
        lines = [f"\\begin{{tabular}}{{{spec}}}", r"\toprule",
                 " & ".join(_latex_escape(h) for h in header) + r" \\", r"\midrule"]
        lines += [" & ".join(_latex_escape(c) for c in row) + r" \\" for row in rows]
        lines += [r"\bottomrule", r"\end{tabular}"]
        if note:
            lines.append(r"\par\footnotesize{" + _latex_escape(note).replace(r"\textasciicircum{}", "^")
                         + "}")
        return "\n".join(lines)
    raise ParameterError(f"fmt={fmt!r} must be markdown, html or latex")


# --------------------------------------------------------------------------- plot and words

def coefficient_plot(results, names: Sequence[str] | None = None, include_intercept: bool = False,
                     ax=None, title: str | None = None, *, lang: str | None = None):
    """Point estimates with confidence intervals, one colour per model; returns the figure.

    ``lang`` None shows column names in English; ``"zh"``/``"en"`` the catalogue labels.
    """
    import matplotlib.pyplot as plt

    from ..report.plotting import PALETTE, use_style

    if isinstance(results, RegressionResult):
        results = [results]
    names = list(names) if names is not None else [f"({i + 1})" for i in range(len(results))]
    use_style()
    tables = [coefficient_table(r, include_intercept) for r in results]
    terms = list(dict.fromkeys(t for table in tables for t in table["term"]))
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.55 * len(terms) * max(1, len(results)) ** 0.5))
    else:
        fig = ax.figure
    offsets = np.linspace(-0.2, 0.2, len(results)) if len(results) > 1 else [0.0]
    positions = {term: i for i, term in enumerate(terms)}
    for table, name, offset, colour in zip(tables, names, offsets, PALETTE * 10, strict=False):
        y = np.array([positions[t] for t in table["term"]]) + offset
        ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["ci_low"],
                                                table["ci_high"] - table["estimate"]],
                    fmt="o", color=colour, capsize=3, label=name)
    ax.axvline(0, color="#6b6b6b", linewidth=1, linestyle="--")
    ax.set_yticks(range(len(terms)), [_term_label(t, lang, names=False) for t in terms])
    ax.invert_yaxis()
    confidence = round(100 * results[0].statistics.get("confidence", 0.95))
    if lang is None:
        ax.set_xlabel(f"estimate with {confidence}% confidence interval")
    else:
        from ..report.i18n import text

        ax.set_xlabel(text("regression.ci_axis", lang, confidence=confidence))
    if title:
        ax.set_title(title)
    if len(results) > 1:
        ax.legend(loc="best")
    return fig


def residual_plot(result: RegressionResult, label: int = 3, ax=None, *, lang: str | None = None):
    """Residuals against fitted values; the ``label`` largest residuals named (county, year)."""
    import matplotlib.pyplot as plt

    from ..report.plotting import PALETTE, use_style

    use_style()
    frame = residual_data(result)
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    ax.scatter(frame["fitted"], frame["residual"], s=14, alpha=0.7, color=PALETTE[0])
    ax.axhline(0, color="#6b6b6b", linewidth=1, linestyle="--")
    names = [c for c in ("county_name", "county_code", "year") if c in frame.columns]
    for _, row in frame.reindex(frame["residual"].abs().sort_values(ascending=False)
                                .index[:label]).iterrows():
        text = " ".join(str(row[c]) for c in names[:1] + (["year"] if "year" in names else []))
        ax.annotate(text, (row["fitted"], row["residual"]), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    if lang is None:
        ax.set_xlabel(f"fitted {result.outcome}")
        ax.set_ylabel("residual")
    else:
        from ..report.i18n import label as _label
        from ..report.i18n import text

        ax.set_xlabel(text("regression.fitted_axis", lang, outcome=_label(result.outcome, lang)))
        ax.set_ylabel(text("regression.residual_axis", lang))
    return fig


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def describe_result(result: RegressionResult, term: str | None = None, *,
                    lang: str | None = None, names: bool = True) -> str:
    """A plain-language reading of one coefficient (the first input by default).

    ``lang`` None: English with column names; ``"zh"``/``"en"``: from the message catalogue,
    variables shown by their labels, followed by the column name unless ``names`` is False
    (a report for people: labels only, fixed effects and clusters by their labels too).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.8]})
    >>> describe_result(fit_ols(frame, "y", ["x"])).split(" (")[0]
    'One more unit of x goes with a higher y, by 1.97'
    """
    term = term or result.inputs[0]
    source = result.marginal_effects if result.model == "logit" else result.coefficients
    rows = source[source["term"] == term]
    if rows.empty:
        raise ParameterError(f"term {term!r} is not in the model (terms: {', '.join(source['term'])})")
    row = rows.iloc[0]
    if lang is not None:
        return _describe_localised(result, term, row, lang, names)
    stats_ = result.statistics
    confidence = round(100 * stats_.get("confidence", 0.95))
    direction = "higher" if row["estimate"] > 0 else "lower"
    size = _fmt(abs(row["estimate"]))
    if result.model == "logit":
        effect = (f"One more unit of {term} goes with a {direction} probability of "
                  f"{result.outcome} = 1, by {_fmt(abs(100 * row['estimate']))} percentage points "
                  "on average (average marginal effect)")
        scale = 100
    else:
        effect = f"One more unit of {term} goes with a {direction} {result.outcome}, by {size}"
        scale = 1
    interval = (f"{confidence}% confidence interval {_fmt(scale * row['ci_low'])} to "
                f"{_fmt(scale * row['ci_high'])}")
    held = (f", holding the {' and '.join(result.fixed_effects)} fixed effects constant"
            if result.fixed_effects else "")
    significant = row["p_value"] < 1 - confidence / 100
    verdict = ("This is statistically significant" if significant else
               "This is not statistically significant")
    p_text = "p < 0.001" if row["p_value"] < 0.001 else f"p = {row['p_value']:.3f}"
    verdict += f" at the {100 - confidence}% level ({p_text})"
    errors = _cov_label(result)
    if result.cov_type == "cluster":
        errors += f", {stats_['n_clusters']} clusters"
    fit_text = (f"R² = {stats_['r2']:.3f}" if stats_.get("r2") is not None
                else f"pseudo R² = {stats_['pseudo_r2']:.3f}")
    return (f"{effect}{held} ({interval}). {verdict}; standard errors {errors}. "
            f"N = {stats_['nobs']:,}, {fit_text}. This describes an association in these data; "
            "it is a causal effect only if nothing left out of the model drives both.")


def _describe_localised(result: RegressionResult, term: str, row, lang: str,
                        names: bool = True) -> str:
    from ..report.i18n import label, text

    def shown(column):
        return column if names else label(column, lang)

    stats_ = result.statistics
    confidence = round(100 * stats_.get("confidence", 0.95))
    scale = 100 if result.model == "logit" else 1
    values = {"term": _term_label(term, lang, names),
              "outcome": _term_label(result.outcome, lang, names),
              "direction": text("regression.higher" if row["estimate"] > 0 else
                                "regression.lower", lang),
              "size": _fmt(abs(scale * row["estimate"]))}
    effect = text("regression.effect_logit" if result.model == "logit" else "regression.effect",
                  lang, **values)
    held = (text("regression.held", lang, effects=" + ".join(map(shown, result.fixed_effects)))
            if result.fixed_effects else "")
    interval = text("regression.interval", lang, confidence=confidence,
                    low=_fmt(scale * row["ci_low"]), high=_fmt(scale * row["ci_high"]))
    p_text = "p < 0.001" if row["p_value"] < 0.001 else f"p = {row['p_value']:.3f}"
    key = ("regression.significant" if row["p_value"] < 1 - confidence / 100
           else "regression.not_significant")
    verdict = text(key, lang, level=100 - confidence, p=p_text)
    errors = (text("regression.errors_cluster", lang, cluster=shown(result.cluster),
                   n=stats_["n_clusters"]) if result.cov_type == "cluster"
              else text(f"regression.errors_{result.cov_type}", lang))
    fit_text = (f"R² = {stats_['r2']:.3f}" if stats_.get("r2") is not None
                else f"pseudo R² = {stats_['pseudo_r2']:.3f}")
    return text("regression.sentence", lang, effect=effect, held=held, interval=interval,
                verdict=verdict, errors=errors, n=f"{stats_['nobs']:,}", fit=fit_text)


def headline(result: RegressionResult, term: str | None = None, *,
             lang: str | None = None) -> dict[str, Any]:
    """The main result as a JSON-ready dict (for ``summary.json`` and the batch index)."""
    from ..io.write import to_jsonable

    term = term or result.inputs[0]
    source = result.marginal_effects if result.model == "logit" else result.coefficients
    row = source[source["term"] == term].iloc[0]
    return to_jsonable({
        "outcome": result.outcome, "term": term, "estimate": row["estimate"],
        "std_error": row["std_error"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
        "p_value": row["p_value"], "nobs": result.statistics["nobs"],
        "cov_type": result.cov_type, "fixed_effects": result.fixed_effects,
        "text": describe_result(result, term, lang=lang),
    })


def model_json(result: RegressionResult) -> str:
    """``model.json`` text: :func:`model_statistics` as JSON with ``null`` for missing values."""
    import json

    return json.dumps(model_statistics(result), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def is_binary(values) -> bool:
    """True when ``values`` (ignoring missing ones) are all 0 or 1 and both occur.

    Examples
    --------
    >>> is_binary([0, 1, 1, None]), is_binary([0.0, 0.5, 1.0])
    (True, False)
    """
    observed = pd.Series(values, dtype="float64").dropna().unique()
    return set(observed) == {0.0, 1.0}
