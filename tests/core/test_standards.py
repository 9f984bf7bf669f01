"""Standards as data files: names, thresholds from DOMAIN §4, validation of new files."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edubalance.core import indicators, scoring, standards


def test_shipped_standards_are_listed_and_load():
    assert standards.available_standards() == ["basic-2012", "ningxia-2010", "quality-2017"]
    for name in standards.available_standards():
        std = standards.load_standard(name)
        assert std.name == name and std.source and std.levels == ("primary", "junior")


def test_basic_2012_has_the_eight_indicators_and_composite_limits():
    std = standards.load_standard("basic-2012")
    assert std.item_names == [
        "teaching_area_per_student", "sports_area_per_student", "equipment_value_per_student",
        "computers_per_100_students", "books_per_student", "teachers_per_100_students",
        "above_degree_teachers_per_100_students", "mid_title_teachers_per_100_students"]
    assert std.composite == "mean"
    assert std.rule("composite_cv").params["limit"] == {"primary": 0.65, "junior": 0.55}
    assert [(e.id, e.kind, e.limit) for e in std.evidence] == [
        ("provincial_running_standard", "yes", None), ("government_work_score", "at_least", 85),
        ("satisfaction_pct", "at_least", 85)]
    assert all(item.formula in indicators.INDICATORS for item in std.items)


def test_quality_2017_thresholds_match_domain_table():
    std = standards.load_standard("quality-2017")
    table = {  # DOMAIN §4.2
        "above_degree_teachers_per_100_students": (4.2, 5.3),
        "backbone_teachers_per_100_students": (1.0, 1.0),
        "pe_arts_teachers_per_100_students": (0.9, 0.9),
        "teaching_area_per_student": (4.5, 5.8),
        "sports_area_per_student": (7.5, 10.2),
        "equipment_value_per_student": (2000, 2500),
        "multimedia_classrooms_per_100_students": (2.3, 2.4),
    }
    assert std.item_names == list(table)
    for name, (primary, junior) in table.items():
        assert std.threshold(name, "primary") == primary
        assert std.threshold(name, "junior") == junior
    assert std.rule("each_cv").params["limit"] == {"primary": 0.50, "junior": 0.45}
    assert std.rule("school_size").params["max"] == 2000
    assert std.rule("school_size").params["max_by_type"]["nine_year"] == 2500
    assert std.rule("class_size").params["max"] == {"primary": 45, "junior": 50}
    assert std.rule("school_thresholds").params == {"min_met": 6, "min_share_of_threshold": 0.85}


def test_ningxia_bands_are_data_and_assumptions_are_marked():
    std = standards.load_standard("ningxia-2010")
    bands = {b["name"]: b["min"] for b in std.scoring["bands"]}
    assert bands == {"basic_balance": 85, "preliminary_balance": 75}
    assert all(item.assumed for item in std.items)
    assert std.rule("points").params["estimate"] is True
    assert [e.id for e in std.evidence] == ["prefecture_review", "ningxia_total_score"]


def test_unknown_or_path_like_names_are_refused():
    with pytest.raises(ValueError, match="available: basic-2012, ningxia-2010, quality-2017"):
        standards.load_standard("basic-2021")
    with pytest.raises(ValueError, match="unknown standard"):
        standards.load_standard("../standards/basic-2012")


PROVINCE_YAML = """
name: demo-province
source: a test file
levels: [primary, junior]
items:
  - {name: books_per_student, formula: books_per_student, threshold: {primary: 20, junior: 30}}
  - {name: students_per_computer, formula: 100 / computers_per_100_students, direction: lower,
     threshold: {primary: 10, junior: 8}}
rules:
  - {id: every_cv, kind: each_cv, limit: {primary: 0.4, junior: 0.4}}
  - {id: schools, kind: school_thresholds, min_met: 2, min_share_of_threshold: 1.0}
"""


def test_a_new_standard_is_a_file_not_code(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(PROVINCE_YAML, encoding="utf-8")
    std = standards.load_standard_file(path)
    row = dict(county_code="1", county_name="甲县", year=2017, school_id="s", school_name="甲",
               school_type="primary", urban_rural="rural", students_primary=100,
               students_junior=0, classes_primary=3, classes_junior=0, teachers=6,
               teachers_above_degree=5, teachers_mid_title=3, teachers_backbone=1,
               teachers_pe_arts=1, teaching_area_m2=500, sports_area_m2=800,
               equipment_value_cny=250000, computers=5, multimedia_classrooms=3, books=2500)
    result = scoring.score(pd.DataFrame([row]), std)
    # 25 books per pupil meets 20; 100 pupils / 5 computers = 20 per computer misses 10.
    assert result.indicators["students_per_computer"].iloc[0] == pytest.approx(20.0)
    assert result.indicators["students_per_computer_pct_of_threshold"].iloc[0] == pytest.approx(50)
    assert result.compliance["indicators_met"].iloc[0] == 1
    assert not result.counties["passed"].iloc[0]


@pytest.mark.parametrize("bad, message", [
    ("formula: books_per_student", "needs 'name'"),
    ("{name: x, formula: books / students}", "unknown name 'books'"),
    ("{name: x, formula: import os}", "must be a name"),
    ("{name: x, formula: books_per_student, threshold: {primary: 20}}", "one number per level"),
])
def test_invalid_items_are_reported(tmp_path, bad, message):
    text = f"name: bad\nsource: s\nitems:\n  - {bad}\nrules: []\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        standards.load_standard_file(path)


def test_invalid_rules_are_reported(tmp_path):
    text = PROVINCE_YAML.replace("kind: each_cv", "kind: magic")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind 'magic'"):
        standards.load_standard_file(path)


def test_evaluate_formula_handles_division_by_zero():
    frame = pd.DataFrame({"computers_per_100_students": [4.0, 0.0], "students": [10, 20],
                          "classes": [2, 0]})
    assert standards.evaluate_formula("100 / computers_per_100_students", frame).tolist() == [
        25.0, np.inf]
    assert standards.evaluate_formula("students / classes", frame)[0] == 5.0
    assert standards.evaluate_formula("students * 2", frame).tolist() == [20.0, 40.0]


def test_unknown_and_malformed_standards_raise_standard_error(tmp_path):
    from edubalance.core.standards import load_standard, load_standard_file
    from edubalance.errors import StandardError

    with pytest.raises(StandardError, match="unknown standard 'basic-2099'"):
        load_standard("basic-2099")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nlevels: [primary]\n", encoding="utf-8")
    with pytest.raises(StandardError, match="bad.yaml"):
        load_standard_file(bad)
    assert issubclass(StandardError, ValueError)


def test_package_yaml_reads_as_yaml_safe_load_reads_it_and_refuses_python_tags():
    """The package's own YAML (standards, messages, units, plausibility rules) goes through
    ``io.yamldata.safe_load`` (libyaml's parser): the same data as ``yaml.safe_load``, and
    no Python object built from a tag."""
    from pathlib import Path

    import yaml

    import edubalance
    from edubalance.io.yamldata import safe_load

    files = sorted(Path(edubalance.__file__).parent.rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert safe_load(text) == yaml.safe_load(text), path.name
    for hostile in ("!!python/object/apply:os.system ['true']", "x: !!python/name:os.system"):
        with pytest.raises(yaml.YAMLError):
            safe_load(hostile)
