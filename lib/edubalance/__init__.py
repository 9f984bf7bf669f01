"""edubalance: measure how evenly a county's compulsory-education schools are resourced.

Submodules (data flows one way)::

    schema      canonical column names, Chinese header aliases, levels
    data        load, clean and validate school / county / teacher-roster files
    sample      deterministic simulated sample data (province and national scale)
    indicators  per-school indicator values, split of combined schools into sections
    standards   national and provincial standards, kept as YAML data files
    scoring     official CVs, per-school compliance and county verdicts
    disparity   inequality measures (weighted CV, Gini, Theil, Atkinson, McLoone, ...)
    composite   composite indices (normalise, weight, aggregate, uncertainty)
    clustering  grouping counties by resource profile
    regression  outcomes regressed on inputs
    plotting    one figure style with a CJK font
    notebook    parameter checks and result writing shared by all notebooks
    batch       run notebooks for many parameter sets, in parallel, with an index
    cli         the ``edubalance`` command

Examples
--------
>>> import edubalance as eb
>>> round(eb.disparity.weighted_cv([279/45, 137/37, 935/89, 160/76, 402/55],
...                                 weights=[45, 37, 89, 76, 55]), 3)
0.515
"""
from importlib import import_module as _import_module

__version__ = "0.1.0"

_SUBMODULES = (
    "schema", "data", "sample", "indicators", "standards", "scoring", "gaps", "disparity",
    "composite", "clustering", "regression", "plotting", "notebook", "report", "batch",
    "explore", "roster", "cache", "run",
)


def __getattr__(name):
    # Submodules load on first use so that `import edubalance` stays fast for the CLI
    # and for batch workers, which only need a few of them.
    if name in _SUBMODULES:
        try:
            module = _import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise  # a dependency is missing: say so, don't hide it
            raise AttributeError(f"module 'edubalance' has no attribute {name!r}") from error
        globals()[name] = module
        return module
    raise AttributeError(f"module 'edubalance' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
