"""The official measures: what the standards say and how a county is scored against them.

- :mod:`~edubalance.core.numeric`: the one enrolment-weighted CV and weighted quantiles.
- :mod:`~edubalance.core.results`: how every result shows itself (one-line repr, a table in Jupyter).
- :mod:`~edubalance.core.indicators`: per-school indicators; combined schools split by section.
- :mod:`~edubalance.core.standards`: the national and provincial standards, kept as YAML data.
- :mod:`~edubalance.core.scoring`: CVs, per-school compliance and county verdicts (``eb.scoring``).
- :mod:`~edubalance.core.gaps`: what failing schools need; the CV upgrade plan.
- :mod:`~edubalance.core.disparity`, :mod:`~edubalance.core.composite`: inequality measures and
  composite indices (``eb.disparity``, ``eb.composite``).
"""
from .._compat import lazy_submodules as _lazy

__getattr__, __dir__ = _lazy(__name__, __path__)
