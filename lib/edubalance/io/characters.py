r"""Control and invisible characters in text cells: refused, removed or normalised, each named.

- Control characters (C0/C1: NUL, BEL, ESC, VT, ...) are refused: a name holding ESC could
  repaint a terminal, and Excel cannot store them. The problem names the code point (U+001B).
- Invisible format characters (zero-width space U+200B, joiners, bidi overrides U+202E, the
  byte-order mark inside a cell, soft hyphen) are removed and noted: two names that look the
  same must be the same.
- Compatibility look-alikes (Kangxi radicals such as ⾦ U+2FA6, CJK compatibility ideographs)
  are normalised with NFKC and noted.

The test is one regular expression per column (vectorised); Python looks only at the cells
that hold such a character.

>>> import pandas as pd
>>> notes = []
>>> clean, bad = check_text(pd.Series(["甲\u200b小学", "⾦川小学", "ok"]), "school_name", notes)
>>> clean.tolist(), bad.tolist()
(['甲小学', '金川小学', 'ok'], [False, False, False])
>>> notes[0]
"column 'school_name': removed invisible character(s) U+200B (ZERO WIDTH SPACE) in 1 cell(s): rows 0"
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["CONTROL", "INVISIBLE", "COMPATIBILITY", "check_text", "escape", "code_points"]

CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
"""Control characters refused in cells (tab, line feed and carriage return are spaces)."""
INVISIBLE = "\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
"""Invisible format characters removed from cells."""
COMPATIBILITY = "\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff\ufe30-\ufe4f"
"""Look-alike compatibility characters normalised with NFKC."""
_ANY = re.compile(f"[{CONTROL}{INVISIBLE}{COMPATIBILITY}]")
_TERMINAL = re.compile(f"[{CONTROL}\r{INVISIBLE}]")  # \r too: it can overwrite a line


def code_points(text: str, pattern: str) -> list[str]:
    """``U+XXXX (NAME)`` for each distinct character of ``text`` matching ``pattern``.

    Parameters
    ----------
    text : str
        The text to look through.
    pattern : str
        A regular-expression character class body (e.g. :data:`INVISIBLE`).

    Returns
    -------
    list of str
        One entry per distinct matching character, in order of first appearance.
    """
    found = dict.fromkeys(re.findall(f"[{pattern}]", text))
    return [f"U+{ord(c):04X} ({unicodedata.name(c, 'control character')})" for c in found]


def _rows(index, limit: int = 8) -> str:
    lines = [str(x) for x in index[:limit]]
    return ", ".join(lines) + (f" and {len(index) - limit} more" if len(index) > limit else "")


_LEAD_BYTES = (b"\x7f", b"\xc2", b"\xe1", b"\xe2", b"\xef")
"""Every character of :data:`CONTROL`, :data:`INVISIBLE` and :data:`COMPATIBILITY` above
U+007E starts with one of these bytes in UTF-8 (U+0080-U+00AD: C2; U+180E: E1; U+2000-U+2FFF:
E2; U+F900-U+FFFF: EF); the others are bytes below 0x20."""
_ALLOWED_CONTROLS = np.array([0x09, 0x0A, 0x0D], dtype=np.uint8)  # spaces to the reader


def _maybe_in_bytes(chunks) -> bool:
    """False when the UTF-8 bytes of these Arrow string arrays hold none of the characters.

    A necessary condition, by byte search (memchr) instead of a regular expression over
    every cell: a national column of 200,000 names without any such lead byte is cleared in
    a few milliseconds. True (maybe) sends the column to the exact test.
    """
    for chunk in chunks:
        buffers = chunk.buffers()
        if len(buffers) != 3 or buffers[2] is None:
            continue  # no text bytes at all (an empty or all-null chunk)
        data = buffers[2].to_pybytes()
        if any(data.find(lead) >= 0 for lead in _LEAD_BYTES):
            return True
        codes = np.frombuffer(data, dtype=np.uint8)
        low = codes[codes < 0x20]
        if low.size and not np.isin(low, _ALLOWED_CONTROLS).all():
            return True
    return False


def _any_hit(series: pd.Series) -> bool:
    """Whether any cell holds such a character.

    For Arrow strings a byte search first (:func:`_maybe_in_bytes`), then, if it may, one
    pyarrow (RE2) pass.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        array = series.array._pa_array
        if all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type)
               for c in array.chunks) and not _maybe_in_bytes(array.chunks):
            return False
        found = pc.any(pc.match_substring_regex(array, _ANY.pattern))
        return bool(found.as_py())
    except (AttributeError, TypeError, ValueError, ImportError):
        return bool(series.fillna("").astype(str).str.contains(_ANY.pattern, regex=True).any())


def check_text(series: pd.Series, label: str, notes: list[str]) -> tuple[pd.Series, np.ndarray]:
    """(cleaned text, cells holding a control character) for one text column.

    Parameters
    ----------
    series : Series
        The column's cells.
    label : str
        The column's name as the notes show it.
    notes : list of str
        Where a note is appended for each kind of character removed or normalised.

    Returns
    -------
    cleaned : Series
        The text without invisible characters, look-alikes normalised (NFKC).
    bad : ndarray of bool
        The cells holding a control character (refused by the caller).
    """
    bad = np.zeros(len(series), dtype=bool)
    if not _any_hit(series):
        return series, bad
    text = series.fillna("").astype(str)
    hit = text.str.contains(_ANY.pattern, regex=True).to_numpy()
    cells = text[hit]
    control = cells.str.contains(f"[{CONTROL}]", regex=True)
    bad[np.flatnonzero(hit)[control.to_numpy()]] = True
    invisible = cells.str.contains(f"[{INVISIBLE}]", regex=True)
    if invisible.any():
        shown = sorted({p for v in cells[invisible] for p in code_points(v, INVISIBLE)})
        notes.append(f"column '{label}': removed invisible character(s) {', '.join(shown)} in "
                     f"{int(invisible.sum())} cell(s): rows {_rows(cells.index[invisible])}")
        cells = cells.str.replace(f"[{INVISIBLE}]", "", regex=True)
    compatible = cells.str.contains(f"[{COMPATIBILITY}]", regex=True)
    if compatible.any():
        shown = sorted({p for v in cells[compatible] for p in code_points(v, COMPATIBILITY)})
        notes.append(f"column '{label}': normalised look-alike character(s) {', '.join(shown)} "
                     f"(NFKC) in {int(compatible.sum())} cell(s): rows "
                     f"{_rows(cells.index[compatible])}")
        cells = cells.where(~compatible, cells[compatible].map(
            lambda v: unicodedata.normalize("NFKC", v)))
    out = text.copy()
    out[hit] = cells
    return out, bad


def escape(text: str) -> str:
    r"""Text safe for a terminal: control and invisible characters written as ``\u001b``.

    Parameters
    ----------
    text : str
        Text from a data file (a name, a header) to print.

    Returns
    -------
    str
        ``text`` with control characters, carriage returns and invisible characters escaped.
    """
    if not _TERMINAL.search(text):
        return text
    return _TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
