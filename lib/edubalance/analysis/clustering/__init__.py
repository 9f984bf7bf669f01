"""Grouping counties by resource profile.

- :mod:`~edubalance.analysis.clustering.data`: the county table to cluster (features, scaling).
- :mod:`~edubalance.analysis.clustering.models`: k-means, Ward, Gaussian mixtures, choice of k,
  bootstrap stability, profiles.
- :mod:`~edubalance.analysis.clustering.analysis`: the whole analysis of the notebook in one call.

Figures are in :mod:`edubalance.report.figures.clustering`.
"""
from ..._compat import lazy_submodules as _lazy

__getattr__, __dir__ = _lazy(__name__, __path__)
