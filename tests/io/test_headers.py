"""edubalance.io.headers: a bureau form's headers and title rows read (county, code and year from the title; headers normalised and resolved)."""
from __future__ import annotations

import pytest

from edubalance.io import headers


@pytest.mark.parametrize("title, facts", [
    ("灵武市2017年义务教育学校基本情况统计表", {"county_name": "灵武市", "year": 2017}),
    ("宁夏回族自治区石嘴山市大武口区2016年义务教育学校情况表",
     {"county_name": "大武口区", "year": 2016}),
    ("西吉县（640422）2015年学校办学条件统计表",
     {"county_name": "西吉县", "county_code": "640422", "year": 2015}),
    ("表一 学校办学条件", {}),
])
def test_title_facts(title, facts):
    assert headers.title_facts([title]) == facts


def test_headers_are_normalised_before_they_are_compared():
    # full-width letters and brackets, spaces and line breaks inside a header cell
    assert headers.normalise_header(" 教学仪器设备值\n（万元） ") == \
        headers.normalise_header("教学仪器设备值(万元)")
    assert headers.normalise_header("ＡＢＣ") == "abc"


def test_a_header_resolves_to_its_column_and_the_unit_it_carries():
    assert headers.resolve("学校名称") == ("school_name", None)
    assert headers.resolve("no such header at all") == (None, None)
    # the user's mapping (normalised header -> column); a unit in brackets or after a slash
    assert headers.resolve("图书（万册）", {"图书": "books"}) == ("books", "万册")
    assert headers.resolve("藏书/万册", {"藏书": "books"}) == ("books", "万册")
    assert "school_name" in headers.known_columns()


def test_the_closest_known_header_is_offered_in_the_language_of_the_header():
    assert headers.closest_header("学校名") == "学校名称"
    assert headers.closest_header("zzzz") is None
