"""Research methods built on the measures of :mod:`edubalance.core`.

- :mod:`~edubalance.analysis.equity`: disparity and composite indices per county.
- :mod:`~edubalance.analysis.clustering`: grouping counties by resource profile.
- :mod:`~edubalance.analysis.regression`: outcomes on inputs (fixed effects, robust errors).
- :mod:`~edubalance.analysis.progress`: verdicts over years, first passes, projections.
- :mod:`~edubalance.analysis.teachers`: teacher structure from rosters.
- :mod:`~edubalance.analysis.event_study`: the effect of reaching balance (staggered adoption).
- :mod:`~edubalance.analysis.summaries`: province-level summaries of scoring results.
"""
from .._compat import lazy_submodules as _lazy

__getattr__, __dir__ = _lazy(__name__, __path__)
