"""Headers of bureau forms: aliases, units in headers, user mappings, near-miss suggestions.

A header is compared after :func:`normalise_header` (NFKC, no spaces, lower case). A unit in
brackets after a known header (``教学仪器设备值（万元）``) is split off and looked up in the
unit table (:mod:`edubalance.io.units`); a user mapping (``columns={"学校": "school_name"}`` or
a YAML file of such pairs) is tried before the built-in aliases.

Examples
--------
>>> resolve("教学仪器设备值（万元）")
('equipment_value_cny', '万元')
>>> resolve("学校名称")
('school_name', None)
>>> closest_header("教师数")
'专任教师数'
>>> title_facts("灵武市2017年义务教育学校基本情况统计表")
{'county_name': '灵武市', 'year': 2017}
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .. import schema
from ..errors import ParameterError

__all__ = ["normalise_header", "resolve", "closest_header", "column_mapping", "name_columns",
           "locate_header", "title_facts", "title_units", "HEADER_SEARCH_ROWS", "known_columns"]

HEADER_SEARCH_ROWS = 30  # title rows (and notes) a form may carry above its header

_ROSTER_EXTRA = {"序号": "序号", "出生日期": "出生年月", "出生年月日": "出生年月", "最高学历": "学历",
                 "第一学历": "学历_first", "专业技术职务": "职称", "职务": "任职岗位",
                 "任教学科": "任职岗位", "岗位": "任职岗位", "name": "姓名"}
_UNIT_SUFFIX = re.compile(r"^(?P<stem>.+?)[(\[](?P<unit>[^()\[\]]+)[)\]]$")
_UNIT_SLASH = re.compile(r"^(?P<stem>.+?)/(?P<unit>[^/]{1,5})$")


def normalise_header(text: Any) -> str:
    """Header text as compared with the aliases: NFKC, no spaces, lower case.

    >>> normalise_header(" 县（市、区） ")
    '县(市、区)'

    Parameters
    ----------
    text : object
        A header cell (None and NaN give ``""``).

    Returns
    -------
    str
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, aliases in schema.SCHOOL_HEADER_ALIASES.items():
        for alias in (canonical, *aliases):
            key = normalise_header(alias)
            lookup[key] = canonical
            # 图书(册) also teaches the stem 图书, so 图书(万册) is books in 万册.
            match = _UNIT_SUFFIX.match(key)
            if match:
                lookup.setdefault(match["stem"], canonical)
    for column in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS:
        lookup[normalise_header(column)] = column
    for column in schema.ROSTER_COLUMNS:
        lookup[normalise_header(column)] = column
    lookup.update({normalise_header(k): v for k, v in _ROSTER_EXTRA.items()})
    return lookup


def known_columns() -> set[str]:
    """Every canonical name a header can map to."""
    return set(_lookup().values())


def _plain(key: str, mapping: Mapping[str, str] | None) -> str | None:
    if mapping and key in mapping:
        return mapping[key]
    return _lookup().get(key)


def resolve(header: Any, mapping: Mapping[str, str] | None = None
            ) -> tuple[str | None, str | None]:
    """(canonical column or None, unit written in the header or None).

    ``mapping`` holds normalised header -> canonical name (see :func:`column_mapping`).
    A header whose stem is known but whose bracket holds something else gives the bracket text
    as unit; :mod:`edubalance.io.units` decides whether it is one.

    Parameters
    ----------
    header : object
        A header cell as written in the file.
    mapping : mapping of str to str, optional
        The user's header mapping, consulted before the package's aliases.

    Returns
    -------
    canonical : str or None
        The column the header names.
    unit : str or None
        The unit in brackets or after a slash (``教学用房面积(平方米)``, ``经费/万元``).
    """
    key = normalise_header(header)
    found = _plain(key, mapping)
    if found:
        return found, None
    for pattern in (_UNIT_SUFFIX, _UNIT_SLASH):
        match = pattern.match(key)
        if match:
            stem = _plain(match["stem"], mapping)
            if stem:
                return stem, match["unit"]
    return None, None


def closest_header(header: Any) -> str | None:
    """The known header (Chinese form header or canonical name) closest to ``header``.

    Parameters
    ----------
    header : object
        An unrecognised header cell.

    Returns
    -------
    str or None
        The form's Chinese header when ``header`` holds Chinese, else the canonical name; None
        when nothing is close (similarity below 0.5).
    """
    key = normalise_header(header)
    if not key:
        return None
    key = _UNIT_SUFFIX.sub(r"\g<stem>", key)
    lookup = _lookup()
    # Names before codes: a bare 学校 is more often the name column.
    preferred = ["school_name", "county_name"] + schema.SCHOOL_COLUMNS
    order = {c: i for i, c in enumerate(dict.fromkeys(preferred + schema.OPTIONAL_SCHOOL_COLUMNS))}
    first = {normalise_header(a[0]) for a in schema.SCHOOL_HEADER_ALIASES.values()}

    def rank(candidate: str) -> tuple:
        ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
        inside = len(key) >= 2 and key in candidate
        return (-max(ratio, 0.6 if inside else 0.0), candidate not in first,
                order.get(lookup[candidate], 99))

    scored = sorted(lookup, key=rank)
    found = [c for c in scored[:1] if -rank(c)[0] >= 0.5]
    if not found:
        return None
    canonical = _lookup()[found[0]]
    aliases = schema.SCHOOL_HEADER_ALIASES.get(canonical)
    # Show the form's header when the user wrote Chinese, the canonical name otherwise.
    if aliases and re.search(r"[\u4e00-\u9fff]", key):
        return found[0] if found[0] in map(normalise_header, aliases) else aliases[0]
    return canonical


def column_mapping(columns: Mapping[str, str] | str | Path | None) -> dict[str, str]:
    """A user's header mapping, from a dict or a YAML file, normalised and checked.

    Values must be canonical column names (or a header the package knows).

    >>> column_mapping({"学校": "school_name", "教师数": "专任教师数"})
    {'学校': 'school_name', '教师数': 'teachers'}

    Parameters
    ----------
    columns : mapping of str to str, str, path or None
        File header -> canonical column (or a header the package knows), or the path of a YAML
        file holding that mapping; None for no mapping.

    Returns
    -------
    dict of str to str
        Normalised header (:func:`normalise_header`) -> canonical column.

    Raises
    ------
    ParameterError
        For a target that is no known column, or an unreadable mapping file.
    """
    if columns is None:
        return {}
    source = "columns"
    if isinstance(columns, (str, Path)):
        import yaml

        from .yamldata import safe_load

        path = Path(columns)
        source = path.name
        try:
            columns = safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise ParameterError(f"cannot read column mapping {path}: {error}") from None
        if isinstance(columns, dict) and isinstance(columns.get("columns"), dict):
            columns = columns["columns"]
    if not isinstance(columns, Mapping):
        raise ParameterError(f"{source}: a column mapping is a dict of header -> column name, "
                             f"not {type(columns).__name__}")
    out = {}
    known = known_columns()
    for header, target in columns.items():
        canonical = target if target in known else _lookup().get(normalise_header(target))
        if canonical is None:
            raise ParameterError(f"{source}: header {header!r} mapped to unknown column "
                                 f"{target!r} (known: {', '.join(schema.SCHOOL_COLUMNS)})")
        out[normalise_header(header)] = canonical
    return out


_TWO_ROW = None


def _two_row() -> dict[tuple[str, str], str]:
    global _TWO_ROW
    if _TWO_ROW is None:
        _TWO_ROW = {(normalise_header(u), normalise_header(lo)): c
                    for (u, lo), c in schema.TWO_ROW_HEADER_ALIASES.items()}
    return _TWO_ROW


Named = list[tuple[str, "str | None", "str | None"]]  # (label as in file, canonical, unit)


def name_columns(upper: list[str], lower: list[str] | None,
                 mapping: Mapping[str, str] | None = None) -> Named:
    """(label as in file, canonical or None, unit or None) per column, one- or two-row header.

    Parameters
    ----------
    upper : list of str
        The header row (the upper row of a two-row header).
    lower : list of str or None
        The row below it for a two-row header (``小学``/``初中`` under a merged ``在校生数``);
        None for a one-row header.
    mapping : mapping of str to str, optional
        The user's header mapping (:func:`column_mapping`).

    Returns
    -------
    list of (str, str or None, str or None)
        One entry per column.
    """
    if lower is None:
        return [(u, *resolve(u, mapping)) for u in upper]
    filled, previous = [], ""
    for u, lo in zip(upper, lower, strict=True):
        # A merged cell spanning sub-headers is blank after its first column.
        previous = u if u else (previous if lo else "")
        filled.append(previous)
    named = []
    for u, lo in zip(filled, lower, strict=True):
        if u and lo:
            label = f"{u}/{lo}"
            pair = _two_row().get((normalise_header(u), normalise_header(lo)))
            if pair:
                named.append((label, pair, None))
                continue
            found = resolve(u + lo, mapping)
            if not found[0]:
                found = resolve(lo + u, mapping)
            if not found[0]:
                # The unit on the second row: 教学仪器设备值 over 万元.
                stem, _ = resolve(u, mapping)
                if stem and not resolve(lo, mapping)[0]:
                    found = (stem, normalise_header(lo))
            if not found[0] and not resolve(u, mapping)[0]:
                # A group title (学生情况, 办学条件) over the leaf header: the leaf names it.
                found = resolve(lo, mapping)
                if found[0]:
                    label = lo
            named.append((label, *found))
        else:
            label = u or lo
            named.append((label, *resolve(label, mapping)))
    return named


def _score(named: Named) -> int:
    return len({c for _, c, _ in named if c})


def _units_row(named: Named, lower: list[str]) -> bool:
    """A second header row that only gives units (教学仪器设备值 over 万元)."""
    if not any(unit for _, _, unit in named):
        return False
    return all(not str(cell).strip() or (len(str(cell).strip()) <= 5
                                         and not re.search(r"\d", str(cell))
                                         and not resolve(cell)[0]) for cell in lower)


def _three_rows(top: list[str], middle: list[str], bottom: list[str],
                mapping: Mapping[str, str] | None) -> Named:
    """Names from three header rows (group title / header / 小学, 初中).

    Three header rows (group title / header / 小学, 初中): the group title is dropped where
    the two lower rows name the column, kept where it is the only name (merged down).
    """
    filled, previous = [], ""
    for t, m, b in zip(top, middle, bottom, strict=True):
        previous = t if t else (previous if (m or b) else "")
        filled.append(previous)
    lower = name_columns(middle, bottom, mapping)
    named = []
    for (label, canonical, unit), t, m, b in zip(lower, filled, middle, bottom, strict=True):
        if not canonical and t and not (m or b):
            label, canonical, unit = t, *resolve(t, mapping)
        elif not canonical and t:
            pair = name_columns([t], [m or b], mapping)[0]
            if pair[1]:
                label, canonical, unit = pair
        named.append((label, canonical, unit))
    return named


def locate_header(grid: list[list[str]], mapping: Mapping[str, str] | None = None
                  ) -> tuple[int, int, Named]:
    """Find the header among the first rows: (first header row, header rows, named columns).

    One, two or three header rows (group titles such as 学生情况 over the leaf headers, and
    在校生数 over 小学/初中 below them); a deeper header wins only when it names more columns.

    Parameters
    ----------
    grid : list of list of str
        The first rows of a sheet, as text.
    mapping : mapping of str to str, optional
        The user's header mapping (:func:`column_mapping`).

    Returns
    -------
    tuple of (int, int, list)
        The index of the first header row, the number of header rows (1 to 3) and
        :func:`name_columns` of the header.
    """
    best = (0, 1, name_columns(grid[0], None, mapping)) if grid else (0, 1, [])
    best_score = _score(best[2])
    for r in range(min(HEADER_SEARCH_ROWS, len(grid))):
        if best_score >= 3 and r > best[0] + best[1] + 1:
            break  # rows well below a found header are data
        if r + 2 < len(grid):
            triple = _three_rows(grid[r], grid[r + 1], grid[r + 2], mapping)
            if _score(triple) > best_score and _score(triple) > _score(
                    name_columns(grid[r + 1], grid[r + 2], mapping)) and _score(triple) > _score(
                    name_columns(grid[r], grid[r + 1], mapping)):
                best, best_score = (r, 3, triple), _score(triple)
        single = name_columns(grid[r], None, mapping)
        if _score(single) > best_score:
            best, best_score = (r, 1, single), _score(single)
        if r + 1 < len(grid):
            double = name_columns(grid[r], grid[r + 1], mapping)
            below = _score(name_columns(grid[r + 1], None, mapping))
            if _score(double) > max(best_score, _score(single), below) or (
                    _score(double) == _score(single) == max(best_score, 1)
                    and _units_row(double, grid[r + 1])):
                best, best_score = (r, 2, double), _score(double)
    return best


_TITLE = re.compile(r"(?P<name>[\u4e00-\u9fff]{1,15}?(?:自治县|自治旗|县|市|区|旗))"
                    r"[\s(（]*(?P<code>\d{6})?[)）\s]*(?P<year>(?:19|20)\d{2})\s*(?:年|学年)")
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_REGION_PREFIX = re.compile(r"^.*?(?:省|自治区|回族自治区|维吾尔自治区|壮族自治区|特别行政区)")


def title_facts(lines: list[str]) -> dict[str, Any]:
    """County name, code and year from the title rows of a form ("XX县2017年...统计表").

    Parameters
    ----------
    lines : list of str
        The text of the rows above the header (one string is read as one line).

    Returns
    -------
    dict
        ``county_name``, ``county_code`` and ``year`` where a title names them.
    """
    if isinstance(lines, str):
        lines = [lines]
    facts: dict[str, Any] = {}
    for line in lines:
        text = unicodedata.normalize("NFKC", str(line)).strip()
        if not text:
            continue
        match = _TITLE.search(text)
        if match and "year" not in facts:
            name = _REGION_PREFIX.sub("", match["name"])
            # A prefecture before the county (石嘴山市大武口区): keep the last division.
            parts = re.findall(r".+?(?:自治县|自治旗|县|市|区|旗)", name)
            facts["county_name"] = parts[-1] if parts else name
            facts["year"] = int(match["year"])
            if match["code"]:
                facts["county_code"] = match["code"]
        if "county_code" not in facts and ("year" in facts or "代码" in text):
            code = _CODE.search(text)
            if code:
                facts["county_code"] = code.group(1)
    return facts


_UNIT_LINE = re.compile(r"(?P<what>金额|价值|资金|经费|资产|面积|图书|藏书)?\s*(?<!填报)(?<!报送)(?<!填表)"
                        r"(?<!学校)单位\s*[:：]\s*(?P<unit>[^\s,，;；、:：)）]+)")
_UNIT_LINE_COLUMNS = {
    "money": ["equipment_value_cny"], "area": ["teaching_area_m2", "sports_area_m2"],
    "books": ["books"],
}
_WHAT = {"金额": "money", "价值": "money", "资金": "money", "经费": "money", "资产": "money",
         "面积": "area", "图书": "books", "藏书": "books"}


def title_units(lines: list[str]) -> dict[str, tuple[str, str]]:
    """Units from a unit line above the header: {column: (unit, the line)}.

    ``金额单位：千元`` applies to the money column, ``面积单位：平方米`` to the area columns,
    ``图书单位：万册`` to books; a bare ``单位：万元`` to the columns whose unit it is.
    (``填报单位：某某学校`` names the reporting body, not a unit.)

    >>> title_units(["灵武市2017年统计表", "金额单位：千元    面积单位：平方米"])["equipment_value_cny"]
    ('千元', '金额单位：千元    面积单位：平方米')
    >>> title_units(["填报单位：灵武市教育局"])
    {}

    Parameters
    ----------
    lines : list of str
        The text of the rows above the header.

    Returns
    -------
    dict of str to (str, str)
        Column -> (unit, the line it was read from).
    """
    from . import units

    out: dict[str, tuple[str, str]] = {}
    for line in lines:
        text = unicodedata.normalize("NFKC", str(line)).strip()
        if "单位" not in text:
            continue
        for match in _UNIT_LINE.finditer(text):
            unit = match["unit"]
            if match["what"]:
                groups = [_WHAT[match["what"]]]
            else:
                groups = [g for g, cols in _UNIT_LINE_COLUMNS.items()
                          if units.factor(cols[0], unit) is not None]
            for group in groups:
                for column in _UNIT_LINE_COLUMNS[group]:
                    out.setdefault(column, (unit, str(line).strip()))
    return out
