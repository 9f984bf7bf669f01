"""Regression results for people: side-by-side tables (Markdown, HTML, LaTeX) and readings.

The estimation is :mod:`edubalance.analysis.regression`; this module writes what it found:
:func:`models_table` sets several models side by side (standard errors in parentheses, stars),
:func:`describe_result` reads one coefficient in plain words and :func:`headline` gives the main
result for ``summary.json``. With ``lang`` None every text is English with column names (for
scripts and logs); with ``"zh"``/``"en"`` it comes from the message catalogue
(``messages/research.yaml``) and variables appear under their labels.

Examples
--------
>>> import pandas as pd
>>> from edubalance.analysis.regression import fit_ols
>>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.8]})
>>> print(models_table(fit_ols(frame, "y", ["x"]), digits=2).splitlines()[4])
| x | 1.97*** |
"""
from __future__ import annotations

import html
from typing import Any, Sequence

from ..analysis.regression import RegressionResult
from ..errors import ParameterError
from .i18n import label, text

__all__ = ["models_table", "describe_result", "headline"]

# --------------------------------------------------------------------------- side-by-side tables

_STARS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))


def _stars(p_value: float) -> str:
    return next((mark for level, mark in _STARS if p_value < level), "")


def _term_label(term: str, lang: str | None, names: bool = True) -> str:
    """``term`` itself (lang None), else its catalogue label, with the column name if ``names``."""
    if lang is None:
        return term
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


def _latex_escape(value: str) -> str:
    escaped = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(value))
    return escaped.replace("R²", "$R^2$")


def models_table(results, names: Sequence[str] | None = None, fmt: str = "markdown",
                 stars: bool = True, digits: int = 3, *, lang: str | None = None,
                 show_columns: bool = True) -> str:
    """Several models side by side, standard errors in parentheses below each estimate.

    Parameters
    ----------
    results : RegressionResult or list of them
        Fitted models (:mod:`edubalance.analysis.regression`).
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
    digits : int
        Decimals of the estimates, standard errors and statistics.

    Returns
    -------
    str
        The table in ``fmt``.

    Examples
    --------
    >>> import pandas as pd
    >>> from edubalance.analysis.regression import fit_ols
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


# --------------------------------------------------------------------------- words

def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def describe_result(result: RegressionResult, term: str | None = None, *,
                    lang: str | None = None, names: bool = True) -> str:
    """A plain-language reading of one coefficient (the first input by default).

    Parameters
    ----------
    result : RegressionResult
        A fitted model; a logit is read through its average marginal effects.
    term : str, optional
        The coefficient to read (default: the first input).
    lang : {None, "zh", "en"}
        None: English with column names; ``"zh"``/``"en"``: from the message catalogue,
        variables shown by their labels.
    names : bool
        With ``lang``: each label followed by its column name; False for a report for people
        (labels only, fixed effects and clusters by their labels too).

    Returns
    -------
    str
        One paragraph: size and direction, interval, significance, errors, N and fit.

    Examples
    --------
    >>> import pandas as pd
    >>> from edubalance.analysis.regression import fit_ols
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
    """The main result as a JSON-ready dict (for ``summary.json`` and the batch index).

    Parameters
    ----------
    result : RegressionResult
        A fitted model.
    term : str, optional
        The coefficient reported (default: the first input).
    lang : {None, "zh", "en"}
        Language of ``text`` (:func:`describe_result`).

    Returns
    -------
    dict
        ``outcome, term, estimate, std_error, ci_low, ci_high, p_value, nobs, cov_type,
        fixed_effects, text``.

    Examples
    --------
    >>> import pandas as pd
    >>> from edubalance.analysis.regression import fit_ols
    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.8]})
    >>> round(headline(fit_ols(frame, "y", ["x"]))["estimate"], 2)
    1.97
    """
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


