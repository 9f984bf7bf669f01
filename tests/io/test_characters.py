"""edubalance.io.characters: control characters refused, invisible ones removed, look-alikes
normalised, each named by code point; text escaped for a terminal."""
from __future__ import annotations

import pandas as pd

from edubalance.io.characters import check_text, code_points, escape


def test_code_points_name_each_distinct_character_once_in_order():
    assert code_points("a\u200bb\u200b\u202e", "\u200b\u202e") == [
        "U+200B (ZERO WIDTH SPACE)", "U+202E (RIGHT-TO-LEFT OVERRIDE)"]
    assert code_points("\x1b[31m", "\x1b") == ["U+001B (control character)"]
    assert code_points("plain", "\u200b") == []


def test_clean_text_comes_back_as_it_was():
    series = pd.Series(["甲小学", None, "B school"])
    notes: list[str] = []
    cleaned, bad = check_text(series, "school_name", notes)
    assert cleaned is series and not bad.any() and notes == []


def test_control_characters_are_flagged_invisible_removed_look_alikes_normalised():
    series = pd.Series(["甲\u200b小学", "\u2fa6川小学", "红星\x1b[2J", "ok", "\ufeff乙校"])
    notes: list[str] = []
    cleaned, bad = check_text(series, "school_name", notes)
    assert bad.tolist() == [False, False, True, False, False]
    assert cleaned.tolist()[:2] == ["甲小学", "金川小学"]
    assert cleaned.tolist()[3:] == ["ok", "乙校"]
    assert len(notes) == 2
    assert notes[0].startswith("column 'school_name': removed invisible character(s) ")
    assert "U+200B" in notes[0] and "U+FEFF" in notes[0] and "in 2 cell(s): rows 0, 4" in notes[0]
    assert "U+2FA6" in notes[1] and "(NFKC) in 1 cell(s): rows 1" in notes[1]


def test_escape_writes_what_could_repaint_a_terminal_as_code_points():
    assert escape("甲小学") == "甲小学"
    assert escape("a\x1b[31mb") == "a\\u001b[31mb"
    assert escape("line\rover") == "line\\u000dover"
    assert escape("x\u202ey") == "x\\u202ey"


def test_the_byte_search_never_clears_a_column_holding_such_a_character():
    """Issue 29: a column is cleared by a byte search before the regular expression; the
    search must say "maybe" for every character the expression finds (soundness), and
    clear the usual Chinese text (a national column of 200,000 names in milliseconds)."""
    import re

    import pyarrow as pa

    from edubalance.io import characters

    pattern = re.compile(f"[{characters.CONTROL}{characters.INVISIBLE}"
                         f"{characters.COMPATIBILITY}]")
    found = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000
             and pattern.match(chr(c))]
    assert len(found) > 400  # the three classes, every code point of them
    for c in found:
        assert characters._maybe_in_bytes(pa.chunked_array([[f"甲{c}小学", "乙"]]).chunks), \
            f"U+{ord(c):04X}"
        assert characters._any_hit(pd.Series(["丙", f"甲{c}小学"], dtype="str"))
    clean = pa.chunked_array([["银川市第一小学", "Tab\tand\r\nnewline", None, ""], ["二中"]])
    assert not characters._maybe_in_bytes(clean.chunks)
    assert not characters._any_hit(pd.Series(clean.to_pylist(), dtype="str"))
    # A lead byte alone is only "maybe": the expression decides (an em dash is text).
    assert characters._maybe_in_bytes(pa.chunked_array([["甲—乙"]]).chunks)
    assert not characters._any_hit(pd.Series(["甲—乙（分校）"], dtype="str"))
