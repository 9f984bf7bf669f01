"""edubalance.io.read: files decoded and sniffed one way (UTF-8 with or without BOM, GBK,
UTF-16; comma, tab, semicolon; content that must match the extension); research tables read
with their codes as text."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from edubalance.io.read import decode, read_table

TEXT = "county_code,county_name,value\n040104,大武口区,1.5\n640181,灵武市,2\n"


@pytest.mark.parametrize(("raw", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030"), "gb"),
    (TEXT.encode("utf-16"), "utf-16"),
])
def test_decode_finds_the_encoding_of_chinese_csv_files(raw, encoding):
    text, found = decode(raw, "t.csv")
    assert text.lstrip("\ufeff") == TEXT
    assert found.lower().replace("_", "-").startswith(encoding)


@pytest.mark.parametrize(("name", "write"), [
    ("t.csv", lambda p: p.write_bytes(TEXT.encode("gb18030"))),
    ("t.tsv", lambda p: p.write_text(TEXT.replace(",", "\t"), encoding="utf-8")),
    ("t.txt", lambda p: p.write_text(TEXT.replace(",", ";"), encoding="utf-8-sig")),
    ("t.xlsx", lambda p: pd.read_csv(io.StringIO(TEXT), dtype=str)
     .assign(value=[1.5, 2.0]).to_excel(p, index=False)),
    ("t.parquet", lambda p: pd.read_csv(io.StringIO(TEXT), dtype=str)
     .assign(value=[1.5, 2.0]).to_parquet(p)),
])
def test_read_table_keeps_codes_as_text_in_every_format(tmp_path, name, write):
    path = tmp_path / name
    write(path)
    frame = read_table(path)
    assert frame["county_code"].tolist() == ["040104", "640181"]
    assert frame["county_name"].tolist() == ["大武口区", "灵武市"]
    assert frame["value"].astype(float).tolist() == [1.5, 2.0]


def test_read_table_refuses_a_missing_file_an_unknown_type_and_a_disguised_one(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(ValueError, match="unknown extension"):
        read_table(tmp_path / "t.json")
    (tmp_path / "t.xlsx").write_text(TEXT)  # a CSV named .xlsx
    with pytest.raises(ValueError):
        read_table(tmp_path / "t.xlsx")
