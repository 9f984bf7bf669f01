"""Every public callable of ``core/``, ``io/`` and ``errors`` documents its parameters in a
numpydoc Parameters section.

A "public callable" is a function or class named in a module's ``__all__`` and defined there,
or a public method of such a class, that takes at least one argument besides ``self``. Its
docstring must have a ``Parameters`` section naming every argument (``a, b : float`` names
two). The callables that lack one today are listed below as debt (issue 28): the list may only
shrink, so a new function in these modules comes with its parameters documented.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import edubalance.io

CORE = ["numeric", "results", "indicators", "standards", "scoring", "gaps", "disparity",
        "composite"]
MODULES = ([f"edubalance.core.{name}" for name in CORE]
           # every module of io/, so that a new one is covered without being listed here
           + [f"edubalance.io.{m.name}" for m in pkgutil.iter_modules(edubalance.io.__path__)]
           + ["edubalance.errors"])

# Every public callable of these modules documents its parameters (their debt of issue 28 is
# paid). Entries are "module.name" as in MODULES, e.g. "edubalance.io.load.load_schools".
UNDOCUMENTED: set[str] = set()

_HEADING = re.compile(r"^(\S[^\n]*)\n-{3,}$", re.MULTILINE)


def arguments(obj) -> list[str]:
    """The argument names of a callable, without ``self``/``cls``; [] if it has no signature."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [name for name in signature.parameters if name not in ("self", "cls")]


def documented_parameters(docstring: str) -> set[str] | None:
    """The names of the docstring's Parameters section, or None without one."""
    headings = list(_HEADING.finditer(docstring))
    for number, heading in enumerate(headings):
        if heading.group(1).strip() == "Parameters":
            end = headings[number + 1].start() if number + 1 < len(headings) else None
            body = docstring[heading.end():end]
            names = set()
            for line in body.splitlines():
                if line and not line[0].isspace():
                    names.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
            return names
    return None


def problem(obj) -> str | None:
    """What is missing from ``obj``'s Parameters section, or None when nothing is."""
    names = arguments(obj)
    if not names:
        return None
    documented = documented_parameters(inspect.getdoc(obj) or "")
    if documented is None:
        return "no Parameters section"
    missing = [name for name in names if name not in documented]
    return f"undocumented: {', '.join(missing)}" if missing else None


def public_callables(module_name: str, names=None) -> dict[str, object]:
    """The functions and classes (with their public methods) among ``names`` (default the
    module's ``__all__``) that the module defines itself."""
    module = importlib.import_module(module_name)
    found = {}
    for name in getattr(module, "__all__", []) if names is None else names:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if obj.__module__ != module_name:
            continue  # documented where it is defined
        found[name] = obj
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attribute, value in vars(obj).items():
                if not attribute.startswith("_") and inspect.isfunction(value):
                    found[f"{name}.{attribute}"] = value
    return found


def test_problem_reads_a_numpydoc_parameters_section():
    def documented(values, weights=None, *, ax=None):
        """Summary.

        Parameters
        ----------
        values, weights : array-like
            The values; ``ax`` is mentioned here but not documented.
        **ax : Axes
            Where to draw.

        Returns
        -------
        float
        """

    def half(values, weights=None):
        """Summary.

        Parameters
        ----------
        values : array-like
            Mentions weights in passing.
        """

    assert problem(documented) is None
    assert problem(half) == "undocumented: weights"
    assert problem(lambda x: x) == "no Parameters section"
    assert problem(lambda: 1) is None


def test_the_checked_modules_hold_public_callables():
    """The check below would pass on an empty list: io/ and errors are really in it."""
    found = {module: public_callables(module) for module in MODULES}
    assert "edubalance.io.load" in found and "edubalance.errors" in found
    assert {"load_schools", "load_table"} <= set(found["edubalance.io.load"])
    assert {"Problem", "Problem.describe", "DataError"} <= set(found["edubalance.errors"])
    assert sum(map(len, found.values())) > 150


def test_every_public_callable_documents_its_parameters():
    new = {}
    for module in MODULES:
        for name, obj in public_callables(module).items():
            key = f"{module}.{name}"
            found = problem(obj)
            if found and key not in UNDOCUMENTED:
                new[key] = found
    assert not new, ("document the parameters (numpydoc Parameters section) of: "
                     + "; ".join(f"{k}: {v}" for k, v in sorted(new.items())))


def test_the_debt_list_only_names_what_is_still_undocumented():
    """A function documented since must leave UNDOCUMENTED (the list only shrinks)."""
    stale = [f"{module}.{name}" for module in MODULES
             for name, obj in public_callables(module).items()
             if f"{module}.{name}" in UNDOCUMENTED and problem(obj) is None]
    assert stale == [], f"documented now, delete from UNDOCUMENTED: {stale}"


# Issue 28, part A: the analyses whose figures and words moved to report, and where they went.
DOCUMENTED_ELSEWHERE = ["edubalance.analysis.equity", "edubalance.analysis.summaries",
                        "edubalance.analysis.clustering.data",
                        "edubalance.analysis.clustering.models",
                        "edubalance.analysis.clustering.analysis",
                        "edubalance.report.clusters", "edubalance.report.figures.equity",
                        "edubalance.report.figures.scoring",
                        "edubalance.report.figures.clustering"]


def test_every_public_callable_of_equity_clustering_summaries_and_their_figures_is_documented():
    missing = {f"{module}.{name}": found for module in DOCUMENTED_ELSEWHERE
               for name, obj in public_callables(module).items()
               if (found := problem(obj))}
    assert not missing, ("document the parameters (numpydoc Parameters section) of: "
                         + "; ".join(f"{k}: {v}" for k, v in sorted(missing.items())))
