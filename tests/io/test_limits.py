"""edubalance.io.limits: the limits on the parts of an input file, read from limits.yaml."""
from __future__ import annotations

from edubalance.io import limits


def test_the_limits_are_whole_numbers_by_name():
    table = limits.limits()
    assert table == {"shared_strings_bytes": 100 * 2**20, "sheet_xml_bytes": 2**30,
                     "compression_ratio": 1000, "max_cells": 50_000_000, "max_rows": 1_048_576}
    assert all(type(value) is int for value in table.values())


def test_the_limits_are_read_once():
    assert limits.limits() is limits.limits()
    assert limits.LIMITS_FILE.name == "limits.yaml" and limits.LIMITS_FILE.is_file()
