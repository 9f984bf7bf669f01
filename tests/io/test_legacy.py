"""edubalance.io.legacy: .ods/.xls/.et workbooks read through python-calamine, with the same
checks as any file; the loaders reach it by the file's content."""
from __future__ import annotations

import pytest

import edubalance as eb
from edubalance.io import legacy
from tests.io.test_load_bureau_files_round3 import ods, rows_of, valid_zh


def test_the_legacy_formats():
    assert legacy.LEGACY_SUFFIXES == (".xls", ".et", ".ods")
    assert legacy.available()  # python-calamine is a dependency


def test_an_ods_workbook_loads_as_the_same_table_as_its_csv(tmp_path):
    csv = tmp_path / "schools.csv"
    valid_zh.to_csv(csv, index=False)
    workbook = tmp_path / "schools.ods"
    ods(rows_of(valid_zh))(workbook)
    from_ods = eb.io.load.load_schools(workbook)
    from_csv = eb.io.load.load_schools(csv)
    assert from_ods["school_id"].tolist() == from_csv["school_id"].tolist()
    assert from_ods["books"].tolist() == from_csv["books"].tolist()


def test_a_missing_sheet_of_an_ods_workbook_is_named(tmp_path):
    workbook = tmp_path / "schools.ods"
    ods(rows_of(valid_zh))(workbook)
    with pytest.raises(eb.errors.DataError, match="表九"):
        eb.io.load.load_schools(workbook, sheet="表九")
