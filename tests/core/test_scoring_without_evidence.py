"""county_scoring.ipynb judges again with evidence only when there is some: without evidence
``with_evidence`` must give the scoring's own verdicts, so skipping it changes nothing."""
from __future__ import annotations

import json

import pytest

import edubalance as eb
from paths import ROOT


@pytest.fixture(scope="module")
def schools_2017():
    schools = eb.io.load.load_schools(ROOT / "data" / "sample" / "schools.csv")
    return schools[schools["year"] == 2017]


@pytest.mark.parametrize("standard", ["basic-2012", "quality-2017", "ningxia-2010"])
def test_no_evidence_leaves_the_scoring_as_it_is(schools_2017, standard):
    result = eb.core.scoring.score(schools_2017, standard)
    judged = eb.core.scoring.with_evidence(result, None)
    assert judged.counties.equals(result.counties)
    assert list(judged.counties.columns) == list(result.counties.columns)
    assert (judged.evidence is None) == (result.evidence is None)
    if result.evidence is not None:
        assert judged.evidence.equals(result.evidence)


def test_the_notebook_judges_again_only_with_evidence():
    notebook = json.loads((ROOT / "notebooks" / "county_scoring.ipynb").read_text("utf-8"))
    source = "".join("".join(cell["source"]) for cell in notebook["cells"])
    assert ("if evidence is not None:   # without evidence the scoring's own verdicts stand\n"
            "    result = eb.core.scoring.with_evidence(result, evidence)\n") in source
