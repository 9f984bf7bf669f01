"""The teaching presentation: slide structure, and the numbers it writes on the sample."""
import json
import re

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.report.i18n import text
from paths import NOTEBOOKS

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

PRESENTATION = NOTEBOOKS / "presentation.ipynb"
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "-", "notes"}


def _cells():
    return json.loads(PRESENTATION.read_text(encoding="utf-8"))["cells"]


def _slide_type(cell):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def test_every_cell_has_a_slide_type_and_setup_is_skipped():
    cells = _cells()
    assert all(_slide_type(c) in SLIDE_TYPES for c in cells), "a cell lacks slideshow metadata"
    tagged = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and _slide_type(tagged[0]) == "skip"
    assert 'lang = "zh"' in "".join(tagged[0]["source"])
    sources = ["".join(c["source"]) for c in cells]
    check = next(i for i, s in enumerate(sources) if "check_notebook_parameters(globals()" in s)
    assert _slide_type(cells[check]) == "skip"
    writer = next(i for i, s in enumerate(sources) if "write_results" in s)
    assert _slide_type(cells[writer]) == "skip"
    shown = [c for c in cells if _slide_type(c) != "skip"]
    assert _slide_type(shown[0]) == "slide"  # no empty slide before the title
    slides = [c for c in cells if _slide_type(c) == "slide"]
    assert len(slides) >= 6  # title, policy, province, gaps, clusters, regression, take-aways
    # Every slide and sub-slide opens with a heading from the catalogue, in both languages.
    for cell in [c for c in cells if _slide_type(c) in {"slide", "subslide"}]:
        key = re.match(r'display\(say\("([^"]+)"', "".join(cell["source"]))
        assert key, "".join(cell["source"])[:80]
        for lang in ("zh", "en"):
            heading = text(key.group(1), lang).splitlines()[0]
            assert heading.startswith("#"), (key.group(1), lang, heading)
            assert bool(CJK.search(heading)) == (lang == "zh"), heading


def test_no_hard_coded_prose_or_snake_case_in_the_shown_cells():
    """Texts come from the catalogue (so they follow `lang`); no Markdown cells."""
    cells = _cells()
    assert all(c["cell_type"] == "code" for c in cells)
    for cell in cells:
        if _slide_type(cell) == "skip":
            continue
        source = "".join(cell["source"])
        literal = [s for s in re.findall(r'"([^"]*)"', source) if CJK.search(s)]
        assert literal == [], f"Chinese text written into the notebook: {literal}"


def test_notebook_uses_the_package_for_every_analysis():
    text = "".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "code")
    for call in ("eb.core.scoring.score", "eb.core.gaps.school_gaps", "eb.analysis.clustering.models.fit_clusters",
                 "eb.analysis.regression.fit_ols", "eb.run.notebook.write_results"):
        assert call in text
    assert "sklearn" not in text and "statsmodels" not in text  # no hand-coded analysis


@pytest.mark.notebooks
def test_presentation_runs_and_writes_consistent_numbers(demo_reports, sample_dir):
    # Executed once for the suite with its defaults (2017), in the demo reports (demo.py: on
    # the warm kernel, written as `edubalance slides` writes it; the browser tests step
    # through the same slides).
    out = demo_reports / "presentation"
    summary = eb.run.notebook.read_summary(out)
    assert summary["year"] == 2017 and summary["counties"] == 22
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    quality = eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017").counties
    passed_both = quality.groupby("county_code")["passed"].all().sum()
    assert summary["counties_passing"]["quality-2017"] == int(passed_both)
    passing = pd.read_csv(out / "counties_passing.csv", encoding="utf-8-sig")
    assert set(passing["year"]) == set(range(2010, 2018)) and len(passing) == 16
    shares = pd.read_csv(out / "threshold_shares.csv", encoding="utf-8-sig")
    assert shares["share_meeting"].between(0, 1).all()
    weakest = shares[shares["level"] == "primary"]["share_meeting"].min()
    assert summary["weakest_threshold"]["primary"]["share_meeting"] == pytest.approx(weakest)
    clusters = pd.read_csv(out / "clusters.csv", encoding="utf-8-sig")
    assert len(clusters) == 22 and clusters["cluster"].nunique() == summary["clusters"]
    # Fixed effects recover the simulation's true spending effect (pooled OLS would not).
    truth = eb.io.sample.TRUE_EFFECTS["mean_exam_score"]["spending_per_student_kcny"]
    regression = summary["regression"]
    assert regression["term"] == "spending_per_student_kcny"
    assert regression["ci_low"] <= truth <= regression["ci_high"]
    for figure in ("counties_passing", "threshold_shares", "composite_cv_primary", "clusters",
                   "regression"):
        assert (out / f"{figure}.png").stat().st_size > 10_000
    assert np.isfinite(pd.read_csv(out / "resources_needed.csv", encoding="utf-8-sig")
                       ["amount"]).all()
