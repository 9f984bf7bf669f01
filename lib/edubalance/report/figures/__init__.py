"""Figures: each ``plot_<thing>(result, *, ax=None, lang=...)`` returns the Axes it drew on."""
from ..._compat import lazy_submodules as _lazy

__getattr__, __dir__ = _lazy(__name__, __path__)
