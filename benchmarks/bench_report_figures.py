"""Benchmark of the county report's figures: rendered three times (before) vs once (after).

Before issue 16 each figure of notebooks/county_scoring.ipynb was drawn three times: a PNG file
at 150 dpi with a tight bounding box, an SVG file with every CJK glyph as a path, and again
as the notebook's inline PNG. Now the two per-school heat maps are colour-coded HTML tables
(``eb.report.county_report.school_items_table``) and the comparison figure is drawn once by
``eb.report.plotting.report_png`` at the report's resolution (100 dpi), with margins worked out once
per set of labels; the notebook displays the saved bytes. Both are measured here on the
default report (大武口区, 2017, basic-2012), best of three, in one run.

    .venv/bin/python benchmarks/bench_report_figures.py
"""
from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from timing import best_of  # noqa: E402

import edubalance as eb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.5   # after at least 2.5x faster than before


def figures(result, code):
    yield eb.report.county_report.school_items_figure(result, code, 2017, "primary")
    yield eb.report.county_report.school_items_figure(result, code, 2017, "junior")
    yield eb.report.county_report.comparison_figure(result, code, 2017)


def main() -> int:
    eb.report.plotting.use_style()
    schools, result = eb.run.cache.scored_year(ROOT / "data/sample/schools.csv", "basic-2012", 2017)
    code = "640202"
    folder = Path(tempfile.mkdtemp())

    def before():
        for i, fig in enumerate(figures(result, code)):
            eb.report.plotting.save_figure(fig, folder, f"before{i}", ("png", "svg"))
            fig.savefig(io.BytesIO(), format="png", dpi=fig.dpi, bbox_inches="tight")  # inline
            plt.close(fig)

    def after():
        for level in ("primary", "junior"):
            eb.report.county_report.school_items_table(result, code, 2017, level).to_html()
        eb.report.plotting.report_png(eb.report.county_report.comparison_figure(result, code, 2017), folder,
                               "after")

    def draw_only():
        for fig in figures(result, code):
            plt.close(fig)

    base = best_of(draw_only, 3)
    old, new = best_of(before, 3), best_of(after, 3)
    print(f"building the three figures (no rendering): {base:.2f} s")
    print(f"before: PNG 150 dpi + SVG + inline PNG: {old:.2f} s")
    print(f"after:  two colour-coded tables + one PNG at {eb.report.plotting.REPORT_DPI} dpi, displayed "
          f"from its bytes: {new:.2f} s")
    ratio = old / new
    print(f"speed-up {ratio:.1f}x (target >= {TARGET}x): {'ok' if ratio >= TARGET else 'MISSED'}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
