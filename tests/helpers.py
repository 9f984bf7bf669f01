"""Small builders shared by several test files."""
from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd


def valid_schools() -> pd.DataFrame:
    """Three valid schools (primary, junior, nine-year) in canonical columns."""
    return pd.DataFrame({
        "county_code": ["040202"] * 3, "county_name": ["大武口区"] * 3, "year": [2017] * 3,
        "school_id": ["001", "002", "0003"], "school_name": ["甲小学", "乙中学", "丙学校"],
        "school_type": ["primary", "junior", "nine_year"],
        "urban_rural": ["urban", "town", "rural"],
        "students_primary": [300, 0, 200], "students_junior": [0, 400, 150],
        "classes_primary": [10, 0, 8], "classes_junior": [0, 9, 4],
        "teachers": [20, 35, 30], "teachers_above_degree": [18, 30, 25],
        "teachers_mid_title": [9, 15, 12], "teachers_backbone": [3, 4, 2],
        "teachers_pe_arts": [2, 3, 3], "teaching_area_m2": [1500.5, 2600.0, 2100.25],
        "sports_area_m2": [3000.0, 4100.0, 3900.0],
        "equipment_value_cny": [600000.0, 1100000.0, 750000.5],
        "computers": [30, 60, 40], "multimedia_classrooms": [10, 12, 11],
        "books": [9000, 16000, 12000],
    })


class Links(HTMLParser):
    """Collects the href of every <a> in an HTML page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href"]


def execute_notebook_once(name: str, folder, **parameters):
    """Run ``notebooks/<name>.ipynb`` with papermill into ``folder``; return its output_dir.

    For module-scoped fixtures (``tmp_path_factory.mktemp(name)``), so that a notebook is
    executed once for all the assertions of a test module.
    """
    from pathlib import Path

    import papermill as pm

    from conftest import KERNEL, NOTEBOOKS, ROOT

    folder = Path(folder)
    output_dir = Path(parameters.setdefault("output_dir", str(folder / "out")))
    pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(folder / f"{name}.executed.ipynb"),
                        parameters=parameters, kernel_name=KERNEL, cwd=str(ROOT),
                        progress_bar=False)
    return output_dir
