"""edubalance: measure how evenly a county's compulsory-education schools are resourced.

The package is laid out in layers, bottom up; each imports only from the layers below it
(``pyproject.toml`` states the rule as an import-linter contract)::

    errors, schema   one exception hierarchy; canonical columns, Chinese header aliases, levels
    io/              reading and writing: read, headers, units, plausibility, clean, validate,
                     load (the public loaders, also ``eb.data``), roster (表三), sample, form, write
    core/            the official measures: numeric (the one weighted CV), indicators, standards
                     (YAML data), scoring, gaps, disparity, composite
    analysis/        research methods: equity, clustering/, regression, progress, teachers,
                     event_study, summaries
    report/          what people read: i18n (messages/), markup, plotting, tables, display, story,
                     figures/, verdict, county_report, xlsx, pdf, html, slides, explore
    run/             notebook (a notebook's first cells), params, batchfile, plan, manifest,
                     engines, isolation, job, index, runner, cache, batch
    cli              the ``edubalance`` command

The short public names ``eb.data``, ``eb.scoring``, ``eb.disparity``, ``eb.composite`` and
``eb.batch`` (CONTRACTS.md) are the modules ``eb.io.load``, ``eb.core.scoring``, ... under the
names they had before the layers became folders; other old module names still import, with a
DeprecationWarning naming the new place.

Examples
--------
>>> import edubalance as eb
>>> round(eb.disparity.weighted_cv([279/45, 137/37, 935/89, 160/76, 402/55],
...                                 weights=[45, 37, 89, 76, 55]), 3)
0.515
"""
from importlib import import_module as _import_module
from pkgutil import iter_modules as _iter_modules

from . import _compat

__version__ = "0.1.0"

_compat.install()

# Every module and subpackage of the package, found on disk (no list to keep in step).
_SUBMODULES = tuple(sorted(info.name for info in _iter_modules(__path__)
                           if not info.name.startswith("_")))


def __getattr__(name):
    # Submodules load on first use so that `import edubalance` stays fast for the CLI
    # and for batch workers, which only need a few of them.
    if name in _SUBMODULES or name in _compat.MOVED:
        module = _import_module(f"{__name__}.{name}")  # a missing dependency raises here
        globals()[name] = module
        return module
    raise AttributeError(f"module 'edubalance' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + sorted(_compat.PUBLIC))
