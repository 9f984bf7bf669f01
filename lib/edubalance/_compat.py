"""Old import paths of the modules moved into layer folders (December 2026).

``edubalance.scoring`` and the other names that CONTRACTS.md promises stay as they are, with
no warning: they are the package's short public names. Every other module that moved
(``edubalance.story``, ``edubalance.clustering_plots``, ...) still imports under its old name,
as the same module object, with a :class:`DeprecationWarning` naming the new place; the old
names go in the next release.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

MOVED = {
    "data": "io.load", "roster": "io.roster", "sample": "io.sample",
    "numeric": "core.numeric", "indicators": "core.indicators", "standards": "core.standards",
    "scoring": "core.scoring", "gaps": "core.gaps", "disparity": "core.disparity",
    "composite": "core.composite", "evidence": "core.evidence",
    "equity": "analysis.equity", "progress": "analysis.progress", "teachers": "analysis.teachers",
    "regression": "analysis.regression", "event_study": "analysis.event_study",
    "summaries": "analysis.summaries", "clustering": "analysis.clustering.models",
    "clustering_data": "analysis.clustering.data",
    "clustering_analysis": "analysis.clustering.analysis",
    "clustering_plots": "report.figures.clustering",
    "i18n": "report.i18n", "markup": "report.markup", "plotting": "report.plotting",
    "display": "report.display", "tables": "report.tables", "story": "report.story",
    "verdict": "report.verdict", "county_report": "report.county_report", "xlsx": "report.xlsx",
    "pdf": "report.pdf", "slides": "report.slides", "explore": "report.explore",
    "notebook": "run.notebook", "batch": "run.batch", "cache": "run.cache",
}
"""Old module name (below ``edubalance``) -> its place now."""

PUBLIC = frozenset({"data", "scoring", "disparity", "composite", "evidence", "batch"})
"""Old names that are the public short names (CONTRACTS.md): no warning."""


_OWN_SPECS: dict = {}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``edubalance.<old>`` as the module now at ``edubalance.<new>`` (one object)."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != "edubalance" or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        name = spec.name.partition(".")[2]
        new = f"edubalance.{MOVED[name]}"
        if name not in PUBLIC:
            warnings.warn(f"{spec.name} moved to {new}; the old name goes in the next release",
                          DeprecationWarning, stacklevel=2)
        module = importlib.import_module(new)
        _OWN_SPECS[module.__name__] = module.__spec__
        return module

    def exec_module(self, module):
        # The import system set __spec__ to the alias's spec; the module keeps its own.
        module.__spec__ = _OWN_SPECS[module.__name__]


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModules())


def lazy_submodules(package_name: str, path) -> tuple:
    """``(__getattr__, __dir__)`` for a package whose submodules load on first use."""
    from pkgutil import iter_modules

    names = tuple(sorted(info.name for info in iter_modules(path) if not info.name.startswith("_")))
    package = sys.modules[package_name]

    def __getattr__(name):
        if name in names:
            module = importlib.import_module(f"{package_name}.{name}")
            setattr(package, name, module)
            return module
        raise AttributeError(f"module {package_name!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(package)) | set(names))

    return __getattr__, __dir__


def moved_names(module_name: str, moved: dict[str, str], *, stacklevel: int = 2):
    """A module ``__getattr__`` serving names that moved or were renamed, with a warning.

    The package's one way of keeping an old name (issue 28): renamed functions and constants
    and names that moved to another module alike. Figures and texts moved from
    ``analysis``/``core`` to ``report``, but a lower layer may not import a higher one, not
    even inside a function: import-linter reads every ``import`` statement. The old names are
    served at attribute access, through :func:`importlib.import_module` with a string (which
    no layer contract sees), and warn.

    Parameters
    ----------
    module_name : str
        ``__name__`` of the module whose old names these are.
    moved : dict
        Old name -> ``"package.module:name"`` of its replacement, or
        ``"package.module:name:adapter"`` when the old name had another signature: the
        module's ``adapter`` then takes the old arguments, and the warning names ``name``.
    stacklevel : int, default 2
        Of the warning: 2 names the line that read the old name when the returned function
        is the module's ``__getattr__``; one more for each function calling it in between.

    Returns
    -------
    callable
        The module's ``__getattr__``: the replacement of an old name (with a
        :class:`DeprecationWarning` naming it), :class:`AttributeError` for any other name.

    Examples
    --------
    >>> getattr_ = moved_names("old.place", {"dumps": "json:dumps"})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     getattr_("dumps")([1])
    '[1]'
    >>> str(caught[0].message)
    'old.place.dumps moved to json.dumps; the old name goes in the next release'
    """
    def __getattr__(name):
        if name not in moved:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        target, attribute, *adapter = moved[name].split(":")
        warnings.warn(f"{module_name}.{name} moved to {target}.{attribute}; the old name goes "
                      "in the next release", DeprecationWarning, stacklevel=stacklevel)
        return getattr(importlib.import_module(target), adapter[0] if adapter else attribute)

    return __getattr__
