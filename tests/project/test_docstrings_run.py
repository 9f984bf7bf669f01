"""Every public callable of ``run/``, ``cli`` and ``schema`` documents its parameters in a
numpydoc Parameters section, and what it returns in a Returns section.

The rules and the reading of a docstring are :mod:`test_docstrings`'s and
:mod:`test_docstrings_report`'s (issue 28). ``cli`` and ``schema`` have no ``__all__``: their
public callables are the public functions and classes they define (as ``docs/conf.py`` lists
a module without ``__all__``).
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import edubalance.run
from tests.project.test_docstrings import public_callables
from tests.project.test_docstrings_report import problem_with_returns

# Every module of run/ is checked: the modules left out until after the batch-performance
# merge (engines, job, params, runner; issue 29) are documented now.


def run_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(edubalance.run.__path__, "edubalance.run.")]
    return ["edubalance.cli", "edubalance.schema", *names]


def callables_of(module_name: str) -> dict[str, object]:
    """``public_callables``, or, for a module without ``__all__``, what it defines publicly."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return public_callables(module_name)
    return public_callables(module_name, [name for name in vars(module)
                                          if not name.startswith("_")])


def gaps(module: str) -> dict[str, str]:
    found = {}
    for name, obj in callables_of(module).items():
        missing = problem_with_returns(obj)
        if missing:
            found[f"{module}.{name}"] = missing
    return found


def test_the_modules_are_found():
    modules = run_modules()
    assert {"edubalance.cli", "edubalance.schema", "edubalance.run.batch",
            "edubalance.run.plan", "edubalance.run.reports", "edubalance.run.engines",
            "edubalance.run.job", "edubalance.run.params", "edubalance.run.runner"} <= set(modules)
    assert "main" in callables_of("edubalance.cli")
    assert "level_name" in callables_of("edubalance.schema")
    assert {"run_job", "execute_job_warm", "ParameterModel.check_namespace",
            "run_batch"} <= {name for module in ("edubalance.run.job", "edubalance.run.engines",
                                                 "edubalance.run.params", "edubalance.run.runner")
                             for name in callables_of(module)}


@pytest.mark.parametrize("module", run_modules())
def test_every_public_callable_documents_its_parameters_and_returns(module):
    found = gaps(module)
    assert not found, "document (numpydoc Parameters/Returns): " + "; ".join(
        f"{k}: {v}" for k, v in sorted(found.items()))
