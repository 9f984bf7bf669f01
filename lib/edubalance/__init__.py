"""edubalance: measure how evenly a county's compulsory-education schools are resourced.

Layers (data flows one way: each imports only from the layers above it)::

    1 reading and writing
      errors        one exception hierarchy (DataError, ParameterError, StandardError)
      schema        canonical column names, Chinese header aliases, levels
      io/           read (decode, sniff, one table reader), headers, units, plausibility,
                    clean, validate (load report), form (official-form writer),
                    write (atomic, formula-safe writers)
      data          the public loaders: load_schools, load_counties, validate_schools
      roster        teacher rosters (表三) to school counts
      sample        deterministic simulated sample data (province and national scale)
    2 domain
      numeric       the one weighted CV and weighted quantiles
      indicators    per-school indicator values, split of combined schools into sections
      standards     national and provincial standards, kept as YAML data files
      scoring       official CVs, per-school compliance and county verdicts
      gaps          what failing schools need; the CV upgrade plan
      disparity     inequality measures (weighted CV, Gini, Theil, Atkinson, McLoone, ...)
      composite     composite indices (normalise, weight, aggregate, uncertainty)
      cache         loaded and scored data shared by the jobs of a batch
    3 analyses
      equity        the equity-index analysis (disparity + composite per county)
      clustering*   grouping counties by resource profile (data, fit, plots, analysis)
      regression    outcomes regressed on inputs (fixed effects, robust errors)
      progress      verdicts over years, first pass, projection to the national targets
      teachers      teacher structure from rosters
      event_study   the effect of reaching balance (staggered adoption, did2s vs TWFE)
      summaries     province-level summaries of scoring results
    4 presentation
      i18n          the one message catalogue (messages/*.yaml; zh default, en)
      markup        the one escaping path for user text in HTML and Markdown
      plotting      one figure style with a CJK font; figures rendered once
      display, tables   tables for people (Styler, no index, units, formats)
      verdict, county_report, xlsx, pdf   the county report, its workbook and PDF
      report, slides, explore             HTML export, reveal.js slides, the explorer
    5 running
      notebook      what a notebook's first cells call (parameter check, results)
      run/          params (one parameter model), batchfile, plan, manifest, engines
                    (warm, cold, dask), isolation, job, index page, runner
      batch, cli    the ``edubalance batch`` command and the ``edubalance`` CLI

Examples
--------
>>> import edubalance as eb
>>> round(eb.disparity.weighted_cv([279/45, 137/37, 935/89, 160/76, 402/55],
...                                 weights=[45, 37, 89, 76, 55]), 3)
0.515
"""
from importlib import import_module as _import_module
from pkgutil import iter_modules as _iter_modules

__version__ = "0.1.0"

# Every module and subpackage of the package, found on disk (no list to keep in step).
_SUBMODULES = tuple(sorted(info.name for info in _iter_modules(__path__)
                           if not info.name.startswith("_")))


def __getattr__(name):
    # Submodules load on first use so that `import edubalance` stays fast for the CLI
    # and for batch workers, which only need a few of them.
    if name in _SUBMODULES:
        module = _import_module(f"{__name__}.{name}")  # a missing dependency raises here
        globals()[name] = module
        return module
    raise AttributeError(f"module 'edubalance' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
