"""What people read: messages, tables, figures, the county report, HTML, PDF, xlsx, slides.

- :mod:`~edubalance.report.i18n`: the one message catalogue (``messages/*.yaml``; zh, en).
- :mod:`~edubalance.report.markup`: the one escaping path for user text in HTML and Markdown.
- :mod:`~edubalance.report.plotting`, :mod:`~edubalance.report.figures`: one figure style with a
  CJK font; the figures.
- :mod:`~edubalance.report.tables`, :mod:`~edubalance.report.display`,
  :mod:`~edubalance.report.story`: tables and text for people;
  :mod:`~edubalance.report.regression_text`, :mod:`~edubalance.report.teacher_tables`: those of
  the regression and teacher analyses.
- :mod:`~edubalance.report.verdict`, :mod:`~edubalance.report.county_report`,
  :mod:`~edubalance.report.xlsx`, :mod:`~edubalance.report.pdf`: the county report, its workbook
  and PDF (printed with the CJK font of :mod:`~edubalance.report.pdf_fonts`).
- :mod:`~edubalance.report.html`, :mod:`~edubalance.report.slides`,
  :mod:`~edubalance.report.explore`: HTML export, reveal.js slides, the explorer.
"""
from .._compat import lazy_submodules as _lazy
from .._compat import moved_names as _moved_names

_submodule, __dir__ = _lazy(__name__, __path__)

_TO_RUN_INDEX = ("write_index", "render_index", "headline_figures")


def __getattr__(name):
    try:
        return _submodule(name)
    except AttributeError:
        # Before the layers were folders, ``edubalance.report`` was today's report.html (and
        # held the index page, now edubalance.run.index: looked up by name, not imported, as
        # report sits below run).
        from . import html

        moved = {old: f"{__name__}.html:{old}" for old in html.__all__}
        moved.update({old: f"edubalance.run.index:{old}" for old in _TO_RUN_INDEX})
        return _moved_names(__name__, moved, stacklevel=3)(name)
