"""Every public callable of ``report/`` (but its figures) and of ``errors`` documents its
parameters in a numpydoc Parameters section, and what it returns in a Returns section.

The rules and the reading of a docstring are :mod:`test_docstrings`'s (issue 28). Left out:
``report/figures/`` and the figure functions of ``report/slides.py`` (being moved there from
``analysis/`` and ``core/scoring``; they are checked once they have arrived).
"""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest

import edubalance.report
from tests.project.test_docstrings import problem, public_callables

NOT_YET: set[str] = set()


def report_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(edubalance.report.__path__,
                                                   "edubalance.report.")]
    return ["edubalance.errors", *(n for n in names if ".figures" not in n)]


def returns_a_value(obj) -> bool:
    """Whether a function's own body has ``return <value>`` (nested functions do not count)."""
    if not inspect.isfunction(obj):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError, SyntaxError):
        return False
    function = tree.body[0]
    if getattr(function, "returns", None) is not None and not (
            isinstance(function.returns, ast.Constant) and function.returns.value is None):
        return True
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def problem_with_returns(obj) -> str | None:
    """:func:`problem`, and "no Returns section" for a callable that returns a value without
    documenting it (a Yields section counts)."""
    missing = problem(obj)
    doc = inspect.getdoc(obj) or ""
    if returns_a_value(obj) and not any(f"{section}\n---" in doc
                                        for section in ("Returns", "Yields")):
        missing = (missing + "; " if missing else "") + "no Returns section"
    return missing


def gaps(module: str) -> dict[str, str]:
    found = {}
    for name, obj in public_callables(module).items():
        key = f"{module}.{name}"
        if key in NOT_YET:
            continue
        missing = problem_with_returns(obj)
        if missing:
            found[key] = missing
    return found


def test_returns_a_value_reads_the_function_body():
    def plain(x) -> None:
        def inner():
            return 1
        return None

    def annotated(x) -> int:
        pass

    def value(x):
        if x:
            return [x]

    assert not returns_a_value(plain)
    assert returns_a_value(annotated) and returns_a_value(value)


def test_the_modules_are_found():
    modules = report_modules()
    assert "edubalance.report.tables" in modules and "edubalance.errors" in modules
    assert not any(".figures" in m for m in modules)


@pytest.mark.parametrize("module", report_modules())
def test_every_public_callable_documents_its_parameters_and_returns(module):
    importlib.import_module(module)
    found = gaps(module)
    assert not found, "document (numpydoc Parameters/Returns): " + "; ".join(
        f"{k}: {v}" for k, v in sorted(found.items()))
