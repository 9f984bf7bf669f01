"""Teacher rosters (表三 教职工花名册) turned into school-level teacher counts.

A roster has one row per staff member with the form's columns (``schema.ROSTER_COLUMNS``:
姓名, 出生年月, 性别, 民族, 籍贯, 学历, 教师资格, 职称, 任职岗位, 备注) plus ``school_id``
(学校代码). :func:`roster_to_school_counts` derives the teacher indicators of DOMAIN §4.2 and
§4.3 per school; :func:`simulate_roster` makes a small, clearly fake roster that is consistent
with a schools table (used for ``data/sample/teachers.csv``).

How the form's values are read
------------------------------
* **Teachers** (专任教师) are staff whose 任职岗位 names a subject taught (``SUBJECT_PATTERN``:
  语文, 数学, 英语, 物理, 科学, 体育, 音乐, 美术, 信息技术, 道德与法治, ...; or 任课/专任教师/
  班主任), whatever else it names (校长兼数学 teaches). The others are counted in
  ``staff_not_teaching`` and, by kind (:func:`post_kinds`), in ``staff_support`` (教辅:
  实验员, 图书管理员, 校医, 电教员, ...), ``staff_admin`` (校长, 书记, 主任, 会计, 出纳, ...
  with no subject), ``staff_service`` (工勤: 门卫, 炊事, 司机, 宿管, 保育, ...) and
  ``staff_other`` (a post not understood).
* **Degree above the required one** (高于规定学历, DOMAIN §4.2): a primary teacher needs more
  than the required 中专/中师, i.e. 专科 (大专) or higher; a junior teacher 本科 or higher.
  Degree ranks (by substring, first match wins): 博士 6; 硕士/研究生 5; 本科/专升本 4;
  专科/大专 3; 中专/中师/高中/职高/中职/技校 2; 初中/小学 1.
  The school's level comes from ``level_by_school`` (``primary``/``junior`` or a school type,
  in English or Chinese). For combined schools (nine-year, twelve-year) and schools not in
  ``level_by_school``, each teacher's 教师资格 decides: 小学 → primary rule, 中学 (初级中学,
  高级中学) → junior rule, blank → primary rule.
* **Mid title or above** (中级及以上职称): the current unified system (2015 reform) has
  正高级 > 高级 (= 副高级) > 一级 (= 中级) > 二级 (= 初级) > 三级 (员级). The old system
  differs by level: 中学高级 = 副高, 中学一级 = 中级, 中学二级 = 初级; but 小学高级 = 中级,
  小学一级 = 初级, 小学二级/三级 = 员级. 特级 (an honour given to senior teachers) counts as
  高级. Blank, 无, 未定级, 未评, 见习, 试用 mean no title. Anything else is an error.
  A title named with its series (小学高级, 中学一级, 中学高级) is read as written. A *bare*
  title (高级, 一级, 二级, 三级) is read in the series in force for the roster's year and the
  school's level (:func:`series_title_rank`): in a primary school before
  ``title_reform_year`` (default 2016, when the unified series reached the counties) in the
  old primary series (高级 = 小学高级 = 中级, 一级 = 小学一级 = 初级, 二级/三级 = 员级); otherwise
  in the unified series, which for junior schools is also how the old 中学 titles read.
* **Level of a school**: from ``level_by_school`` (a schools file) when given; else from the
  school's name (``school_name``: …小学 primary, …中学/初中 junior); else each teacher's
  教师资格 (小学 → primary, 中学 → junior, blank → primary).
* **Backbone teachers** (县级及以上骨干教师): 备注 names a level at county or above before
  骨干 or 学科带头人: 县级, 区级 (a district is county-level), 市级, 州级, 盟级, 省级, 自治区级,
  国家级 (with or without 级: 县骨干). 校级, 乡镇级, 片区, 学区 and a bare 骨干 do not count.
* **PE and arts teachers** (体育、艺术专任教师): 任职岗位 contains 体育, 音乐, 美术 or 艺术.
* **Subject specialists** for the shortage check: 音乐 (music), 体育 (pe), 美术 (art),
  英语/外语 (english), 信息技术/信息科技/计算机/微机 (it). ``missing_subjects`` lists the
  subjects a school has no specialist for.
* **兼职** in 备注 marks a full-time teacher teaching outside the subject they trained for
  (seed 001's note on the form). They are counted as teachers, but not as PE/arts or subject
  specialists unless ``count_cross_subject=True``.
* **Age bands** use the age reached in the reference year (reference year − birth year):
  under 30, 30-39, 40-49, 50 and over. 出生年月 is read as ``1972.01``, ``1990.08.04``,
  ``1972-01``, ``1972年1月``, ``197201`` or an Excel date.

Examples
--------
>>> roster = pd.DataFrame({
...     "school_id": ["001", "001", "002"], "姓名": ["王某华", "李某明", "张某丽"],
...     "出生年月": ["1972.01", "1990.08.04", "1985.03"], "学历": ["专科", "本科", "中师"],
...     "教师资格": ["小学", "小学", "小学"], "职称": ["一级", "二级", "小学高级"],
...     "任职岗位": ["体育", "英语", "语文"], "备注": ["县级骨干", "特岗", "校级骨干"]})
>>> counts = roster_to_school_counts(roster, reference_year=2017)
>>> counts[["school_id", "teachers", "teachers_above_degree", "teachers_mid_title",
...         "teachers_backbone", "teachers_pe_arts"]].values.tolist()
[['001', 2, 2, 1, 1, 1], ['002', 1, 0, 1, 0, 0]]
"""
from __future__ import annotations

import unicodedata
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import schema

__all__ = [
    "roster_to_school_counts", "series_title_rank", "post_kinds", "staff_levels",
    "TITLE_REFORM_YEAR", "SUBJECT_PATTERN", "STAFF_KINDS", "simulate_roster", "simulate_county_roster", "roster_problems", "degree_rank",
    "title_rank", "parse_birth", "normalise_text", "NON_TEACHING_PATTERN",
    "CROSS_SUBJECT_PATTERN", "AGE_BANDS", "SUBJECTS", "COUNT_COLUMNS", "REQUIRED_DEGREE_RANK",
    "MID_TITLE_RANK",
]

# (pattern, rank) tried in order; the first match wins.
DEGREE_PATTERNS = [("博士", 6), ("硕士|研究生", 5), ("本科|专升本", 4), ("专科|大专", 3),
                   ("中专|中师|高中|职高|中职|技校|中等", 2), ("初中|小学", 1)]
REQUIRED_DEGREE_RANK = {"primary": 3, "junior": 4}
"""Lowest degree rank that is *above* the required degree, per level (DOMAIN §4.2)."""

TITLE_PATTERNS = [
    ("小学高级", 3), ("小学一级", 2), ("小学二级|小学三级", 1), ("正高", 5),
    ("副高|高级|特级", 4), ("中级|一级", 3), ("初级|二级|助理", 2), ("三级|员级", 1),
    ("^$|^无$|未定级|未评|见习|试用|暂无", 0),
]
MID_TITLE_RANK = 3

BACKBONE_PATTERN = (r"(?:国家|自治区|省|(?<![片校社学])区|(?<![乡镇])市|州|盟|县|旗)级?"
                    r"(?:骨干|学科带头人)")
PE_ARTS_PATTERN = "体育|音乐|美术|艺术"
CROSS_SUBJECT_PATTERN = "兼职"
NON_TEACHING_PATTERN = "工勤|后勤|会计|出纳|门卫|保安|炊事|厨师|司机|校医|保育|宿管"
"""Posts of the first roster reader (kept for old callers; :func:`post_kinds` decides now)."""
SUBJECT_PATTERN = ("语文|数学|英语|外语|俄语|日语|物理|化学|生物|历史|地理|政治|思想品德|思品|品德|"
                   "道德与法治|道法|科学|体育|音乐|美术|艺术|书法|舞蹈|信息技术|信息科技|计算机|微机|"
                   "劳动|综合实践|通用技术|心理健康|健康教育|特殊教育|特教|任课|专任|教师|班主任")
"""A post naming one of these teaches (专任教师)."""
STAFF_KINDS = {
    "staff_support": "实验|图书|资料|校医|医务|保健|电教|教辅|仪器|档案|网管",
    "staff_admin": "校长|书记|主任|干事|行政|办公室|会计|出纳|财务|文书|人事|教务|政教|总务|德育|团委|少先队|辅导员",
    "staff_service": "工勤|后勤|门卫|保安|炊事|厨师|司机|保育|宿管|生活老师|保洁|清洁|水电|维修|锅炉|勤杂|园丁|食堂",
}
"""Non-teaching posts by kind (教辅, 行政, 工勤), tried in this order; a post naming a subject
teaches whatever else it names."""
TITLE_REFORM_YEAR = 2016
"""First roster year read in the unified title series (the 2015 reform reached the counties
over 2016); before it a primary school's bare titles are the old 小学 series."""
SUBJECTS = {"music": ("音乐", "音乐"), "pe": ("体育", "体育"), "art": ("美术", "美术"),
            "english": ("英语", "英语|外语"), "it": ("信息技术", "信息技术|信息科技|计算机|微机")}
"""Shortage subjects: key -> (Chinese name, pattern matched in 任职岗位)."""

AGE_BANDS = {"teachers_age_under_30": (0, 30), "teachers_age_30_39": (30, 40),
             "teachers_age_40_49": (40, 50), "teachers_age_50_plus": (50, 200)}
COUNT_COLUMNS = (["teachers", "teachers_above_degree", "teachers_mid_title",
                  "teachers_backbone", "teachers_pe_arts", *AGE_BANDS, "teachers_age_unknown"]
                 + [f"teachers_{key}" for key in SUBJECTS] + ["staff_not_teaching"]
                 + ["staff_support", "staff_admin", "staff_service", "staff_other"])
"""Integer columns of :func:`roster_to_school_counts` (besides ``school_id`` and
``missing_subjects``)."""

_LEVEL_WORDS = {"primary": "primary", "小学": "primary", "junior": "junior", "初中": "junior",
                "初级中学": "junior", "complete_middle": "junior", "完全中学": "junior"}
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "．": ".",
                             "－": "-", "／": "/"})


def _text(series: pd.Series) -> pd.Series:
    """Cells as NFKC text without spaces (full-width letters and brackets made plain)."""
    return (series.fillna("").astype(str).map(lambda t: unicodedata.normalize("NFKC", t))
            .str.replace(r"\s+", "", regex=True))


def normalise_text(series: pd.Series) -> pd.Series:
    """Roster cells as NFKC text without spaces, as every rule of this module reads them.

    >>> normalise_text(pd.Series(["兼 职", None, "ＩＴ"])).tolist()
    ['兼职', '', 'IT']

    Parameters
    ----------
    series : Series
        Roster cells (blank or None give ``""``).

    Returns
    -------
    Series of str
    """
    return _text(series)


def _ranked(series: pd.Series, patterns) -> pd.Series:
    text = _text(series)
    conditions = [text.str.contains(p, regex=True).to_numpy() for p, _ in patterns]
    ranks = np.select(conditions, [float(r) for _, r in patterns], default=np.nan)
    return pd.Series(ranks, index=series.index)


def degree_rank(degrees: pd.Series) -> pd.Series:
    """Degree rank per teacher (NaN when not understood or blank).

    >>> degree_rank(pd.Series(["大专", "大学本科", "硕士研究生", "中师", "?"])).tolist()
    [3.0, 4.0, 5.0, 2.0, nan]

    Parameters
    ----------
    degrees : Series
        学历 cells as written (``大学本科``, ``硕士研究生``...).

    Returns
    -------
    Series of float
        1 (below 中专) to 6 (博士), by :data:`DEGREE_PATTERNS`.
    """
    return _ranked(degrees, DEGREE_PATTERNS)


def title_rank(titles: pd.Series) -> pd.Series:
    """Professional-title rank per teacher: 5 正高 .. 3 中级 .. 0 none (NaN when unknown).

    >>> title_rank(pd.Series(["一级", "二级", "小学高级", "中学高级教师", "", "讲师"])).tolist()
    [3.0, 2.0, 3.0, 4.0, 0.0, nan]

    Parameters
    ----------
    titles : Series
        职称 cells as written (``一级``, ``小学高级``...).

    Returns
    -------
    Series of float
    """
    return _ranked(titles, TITLE_PATTERNS)


_BARE_TITLE = r"^(高级|一级|二级|三级)(教师)?$"
_OLD_PRIMARY_RANK = {"高级": 3.0, "一级": 2.0, "二级": 1.0, "三级": 1.0}


def series_title_rank(titles: pd.Series, levels: pd.Series, years,
                      reform_year: int = TITLE_REFORM_YEAR) -> pd.Series:
    """Title rank read in the series in force (see the module docstring): 4 副高, 3 中级, ...

    Parameters
    ----------
    titles : Series
        职称 as written.
    levels : Series
        ``primary`` or ``junior`` per row (:func:`staff_levels`).
    years : Series or int
        The roster's year per row (or one year for all).
    reform_year : int
        First year of the unified series.

    Returns
    -------
    Series
        Ranks as :func:`title_rank`, with bare 高级/一级/二级/三级 of primary schools before
        ``reform_year`` read as 小学高级/小学一级/小学二级/小学三级.

    Examples
    --------
    >>> titles = pd.Series(["高级", "一级", "小学高级", "中学一级", "高级", "一级"])
    >>> levels = pd.Series(["primary"] * 4 + ["junior", "primary"])
    >>> years = pd.Series([2014] * 5 + [2018])
    >>> series_title_rank(titles, levels, years).tolist()
    [3.0, 2.0, 3.0, 3.0, 4.0, 3.0]
    """
    ranks = title_rank(titles)
    text = _text(titles)
    bare = text.str.extract(_BARE_TITLE)[0]
    year = pd.Series(years, index=titles.index) if np.ndim(years) == 0 else \
        pd.Series(np.asarray(years), index=titles.index)
    old = bare.notna() & (levels.reindex(titles.index) == "primary") \
        & (pd.to_numeric(year, errors="coerce") < int(reform_year))
    return ranks.mask(old, bare.map(_OLD_PRIMARY_RANK))


def post_kinds(posts: pd.Series) -> pd.Series:
    """What each 任职岗位 (post) is: a teacher or a kind of staff.

    What each 任职岗位 is: ``teacher`` or ``staff_support``/``staff_admin``/``staff_service``/
    ``staff_other``.

    A post naming a subject (``SUBJECT_PATTERN``) teaches, whatever else it names; the others
    are matched against ``STAFF_KINDS`` in order (教辅, 行政, 工勤).

    Parameters
    ----------
    posts : Series
        任职岗位 as written.

    Returns
    -------
    Series
        One kind per row.

    Examples
    --------
    >>> post_kinds(pd.Series(["语文", "校长", "校长兼数学", "实验员", "图书管理员", "门卫", "会计",
    ...                       "校医", "科研"])).tolist()
    ['teacher', 'staff_admin', 'teacher', 'staff_support', 'staff_support', 'staff_service', 'staff_admin', 'staff_support', 'staff_other']
    """
    text = _text(posts)
    teaching = text.str.contains(SUBJECT_PATTERN).to_numpy()
    conditions = [teaching] + [text.str.contains(p).to_numpy() for p in STAFF_KINDS.values()]
    return pd.Series(np.select(conditions, ["teacher", *STAFF_KINDS], default="staff_other"),
                     index=posts.index)


def parse_birth(values: pd.Series) -> pd.DataFrame:
    """Birth year and month from 出生年月 text (columns ``year``, ``month``; NaN if unreadable).

    >>> parse_birth(pd.Series(["1972.01", "1990.08.04", "1972年1月", "197201", "x"])).values.tolist()
    [[1972.0, 1.0], [1990.0, 8.0], [1972.0, 1.0], [1972.0, 1.0], [nan, nan]]

    Parameters
    ----------
    values : Series
        出生年月 cells (``1972.01``, ``1972年1月``, ``197201``...).

    Returns
    -------
    DataFrame
        ``year`` and ``month`` as floats, indexed like ``values``.
    """
    text = values.fillna("").astype(str).str.translate(_FULL_WIDTH).str.strip()
    parts = text.str.extract(r"^(\d{4})(?:\s*[.\-/年]?\s*(\d{1,2}))?(?:\D|\d|$)")
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    bad = (year < 1900) | (year > 2100) | (month < 1) | (month > 12)
    return pd.DataFrame({"year": year.mask(bad), "month": month.mask(bad)}, index=values.index)


def roster_problems(roster: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """Vectorised checks of roster values: ``[(column, message, mask), ...]`` (masks may be empty).

    Used by :func:`edubalance.io.load.load_teachers` (which adds rows and file names) and by
    :func:`roster_to_school_counts`.

    Parameters
    ----------
    roster : DataFrame
        A roster with :data:`~edubalance.schema.ROSTER_COLUMNS` (those present are checked).

    Returns
    -------
    list of (str, str, Series of bool)
        The column, the message and the rows with the problem.
    """
    found = []
    if "出生年月" in roster:
        blank = _text(roster["出生年月"]) == ""
        found.append(("出生年月", "blank birth date (出生年月)", blank))
        found.append(("出生年月", "birth date not understood (expected e.g. 1972.01 or "
                                  "1990.08.04)", parse_birth(roster["出生年月"])["year"].isna()
                      & ~blank))
    if "学历" in roster:
        blank = _text(roster["学历"]) == ""
        found.append(("学历", "blank degree (学历)", blank))
        found.append(("学历", "unknown degree (expected e.g. 中专, 专科, 本科, 硕士)",
                      degree_rank(roster["学历"]).isna() & ~blank))
    if "职称" in roster:
        found.append(("职称", "unknown professional title (expected e.g. 三级, 二级, 一级, 高级, "
                              "正高级, 小学高级, 中学一级, or blank)",
                      title_rank(roster["职称"]).isna()))
    if "任职岗位" in roster:
        found.append(("任职岗位", "blank post (任职岗位)", _text(roster["任职岗位"]) == ""))
    return found


def _levels(roster: pd.DataFrame, level_by_school) -> pd.Series:
    """'primary' or 'junior' per teacher: the school's level, else its name, else the certificate."""
    certificate = _text(roster.get("教师资格", pd.Series("", index=roster.index)))
    by_certificate = pd.Series(np.where(certificate.str.contains("中学|初中|高中"), "junior",
                                        "primary"), index=roster.index)
    if "school_name" in roster:
        name = _text(roster["school_name"])
        by_name = pd.Series(np.select(
            [name.str.contains(r"小学(?:校)?$|小学部$").to_numpy(),
             name.str.contains(r"(?:中学|初中|初级中学)(?:校)?$").to_numpy(),
             (name.str.contains("小学") & ~name.str.contains("中学|初中")).to_numpy(),
             (name.str.contains("中学|初中") & ~name.str.contains("小学")).to_numpy()],
            ["primary", "junior", "primary", "junior"], default=""), index=roster.index)
        by_certificate = by_name.where(by_name != "", by_certificate)
    if level_by_school is None:
        return by_certificate
    if isinstance(level_by_school, pd.DataFrame):
        column = "level" if "level" in level_by_school else "school_type"
        level_by_school = level_by_school.drop_duplicates("school_id", keep="last") \
            .set_index("school_id")[column]
    mapping = pd.Series(level_by_school) if isinstance(level_by_school, Mapping) \
        else level_by_school
    mapping = mapping.astype(str).map(lambda v: _LEVEL_WORDS.get(v.strip()))
    school_level = roster["school_id"].astype(str).map(mapping)
    return school_level.fillna(by_certificate)


def staff_levels(roster: pd.DataFrame, level_by_school=None) -> pd.Series:
    """``primary`` or ``junior`` per roster row.

    ``primary`` or ``junior`` per roster row: from ``level_by_school`` (school id -> level or
    school type, or a schools DataFrame), else the school's name, else the 教师资格.

    Parameters
    ----------
    roster : DataFrame
        ``school_id``; ``school_name`` and 教师资格 used when present.
    level_by_school : mapping, Series or DataFrame, optional

    Returns
    -------
    Series

    Examples
    --------
    >>> staff_levels(pd.DataFrame({"school_id": ["1", "2", "3"],
    ...     "school_name": ["城关第一小学", "红星初级中学", "东湖九年一贯制学校"],
    ...     "教师资格": ["初级中学", "", "小学"]})).tolist()
    ['primary', 'junior', 'primary']
    """
    return _levels(roster, level_by_school)


def roster_to_school_counts(roster: pd.DataFrame, level_by_school=None,
                            reference_year: int | None = None, *,
                            count_cross_subject: bool = False,
                            title_reform_year: int = TITLE_REFORM_YEAR) -> pd.DataFrame:
    """Teacher counts per school from a roster (one row per staff member).

    Parameters
    ----------
    roster : DataFrame
        ``school_id`` and the form's columns 学历, 职称, 任职岗位, 出生年月 (备注 and 教师资格
        used when present), e.g. from :func:`edubalance.io.load.load_teachers`.
    level_by_school : mapping, Series or DataFrame, optional
        school id -> ``primary``/``junior`` or a school type (English or Chinese); a schools
        DataFrame (``school_id``, ``school_type``) works too. See the module docstring for
        schools not covered.
    reference_year : int, optional
        Year at which ages are taken; default: the roster's ``year`` column.
    count_cross_subject : bool
        Count 兼职 (teaching outside their trained subject) teachers as PE/arts and subject
        specialists too.
    title_reform_year : int
        First roster year whose bare titles are read in the unified series (default 2016);
        the roster's year is its ``year`` column, else ``reference_year``.

    Returns
    -------
    DataFrame
        One row per school in order of first appearance: ``school_id``, the integer columns
        ``COUNT_COLUMNS`` (``teachers, teachers_above_degree, teachers_mid_title,
        teachers_backbone, teachers_pe_arts``, age bands, ``teachers_<subject>``,
        ``staff_not_teaching`` and its kinds ``staff_support, staff_admin, staff_service,
        staff_other``) and ``missing_subjects`` (Chinese subject names joined by
        "、", empty when none is missing).

    Raises
    ------
    ValueError
        Missing columns, unknown degrees or titles, unreadable birth dates.

    Examples
    --------
    See the module docstring.
    """
    needed = ["school_id", "学历", "职称", "任职岗位", "出生年月"]
    missing = [c for c in needed if c not in roster]
    if missing:
        raise ValueError(f"roster lacks column(s): {', '.join(missing)}")
    if reference_year is None and "year" not in roster:
        raise ValueError("reference_year is required when the roster has no 'year' column")
    for column, message, mask in roster_problems(roster):
        if mask.any():
            rows = np.flatnonzero(mask.to_numpy())
            shown = ", ".join(f"{roster[column].iloc[i]!r} (school {roster['school_id'].iloc[i]})"
                              for i in rows[:5])
            raise ValueError(f"roster column {column}: {message}: {len(rows)} row(s), e.g. "
                             f"{shown}")

    post = _text(roster["任职岗位"])
    remark = _text(roster.get("备注", pd.Series("", index=roster.index)))
    kind = post_kinds(roster["任职岗位"])
    teaching = kind == "teacher"
    specialist = teaching & (count_cross_subject | ~remark.str.contains(CROSS_SUBJECT_PATTERN))
    level = _levels(roster, level_by_school)
    required = level.map(REQUIRED_DEGREE_RANK)
    year = pd.Series(reference_year, index=roster.index) if reference_year is not None \
        else pd.to_numeric(roster["year"], errors="coerce")
    roster_year = pd.to_numeric(roster["year"], errors="coerce").fillna(year) \
        if "year" in roster else year
    title = series_title_rank(roster["职称"], level, roster_year, title_reform_year)
    age = year - parse_birth(roster["出生年月"])["year"]

    flags = pd.DataFrame({
        "teachers": teaching,
        "teachers_above_degree": teaching & (degree_rank(roster["学历"]) >= required),
        "teachers_mid_title": teaching & (title >= MID_TITLE_RANK),
        "teachers_backbone": teaching & remark.str.contains(BACKBONE_PATTERN, regex=True),
        "teachers_pe_arts": specialist & post.str.contains(PE_ARTS_PATTERN),
        **{band: teaching & (age >= low) & (age < high) for band, (low, high) in
           AGE_BANDS.items()},
        "teachers_age_unknown": teaching & age.isna(),
        **{f"teachers_{key}": specialist & post.str.contains(pattern)
           for key, (_, pattern) in SUBJECTS.items()},
        "staff_not_teaching": ~teaching,
        **{name: kind == name for name in [*STAFF_KINDS, "staff_other"]},
    }, index=roster.index).astype("int64")
    counts = flags.groupby(roster["school_id"].astype(str).to_numpy(), sort=False).sum()
    names = np.array([name for name, _ in SUBJECTS.values()], dtype=object)
    lacking = counts[[f"teachers_{key}" for key in SUBJECTS]].to_numpy() == 0
    counts["missing_subjects"] = ["、".join(names[row]) for row in lacking]
    counts.index.name = "school_id"
    return counts.reset_index()


# --------------------------------------------------------------------------------------------
# Simulated roster (pseudonymous: 某 in every name marks it as made up)
# --------------------------------------------------------------------------------------------
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
_SYLLABLES = list("华明丽静伟芳军燕敏强磊霞平刚杰娟涛艳勇超秀玲斌萍鹏红")
_HOMETOWNS = ["宁夏中宁", "宁夏西吉", "宁夏固原", "宁夏灵武", "宁夏中卫", "宁夏同心", "甘肃平凉",
              "陕西靖边"]
_OTHER_POSTS = {"primary": ["语文", "数学", "英语", "科学", "道德与法治", "信息技术", "语文",
                            "数学"],
                "junior": ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理",
                           "道德与法治", "信息技术"]}
_PE_ARTS_POSTS = ["体育", "音乐", "美术"]
_BACKBONE_REMARKS = ["县级骨干", "市级骨干", "区级骨干", "省级骨干", "自治区级骨干"]
_OTHER_REMARKS = ["", "", "", "", "特岗", "2015特岗", "校级骨干", "兼职"]
_SIMULATED_COUNT_COLUMNS = ["teachers", "teachers_above_degree", "teachers_mid_title",
                            "teachers_backbone", "teachers_pe_arts"]


def _exactly(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Boolean array of length n with exactly k True, at random places."""
    flags = np.zeros(n, dtype=bool)
    flags[rng.choice(n, size=k, replace=False)] = True
    return flags


def _pick(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), size=n)]


def _choose_schools(schools: pd.DataFrame, rng: np.random.Generator, n_schools: int
                    ) -> pd.DataFrame:
    frame = schools
    if "year" in frame and len(frame):
        frame = frame[frame["year"] == frame["year"].max()]
    frame = frame[frame["teachers"] > 0]
    if "school_type" in frame and frame["school_type"].isin(["primary", "junior"]).any():
        frame = frame[frame["school_type"].isin(["primary", "junior"])]
    if frame.empty:
        raise ValueError("simulate_roster needs at least one school with teachers > 0")
    small = frame[frame["teachers"] <= frame["teachers"].median()]  # keep the roster small
    pool = small if len(small) >= n_schools else frame
    chosen = rng.choice(len(pool), size=min(n_schools, len(pool)), replace=False)
    return pool.iloc[np.sort(chosen)]


def _teacher_levels(school: Mapping[str, Any], n: int) -> np.ndarray:
    kind = school.get("school_type", "primary")
    if kind in ("primary", "junior"):
        return np.full(n, kind, dtype=object)
    if kind == "complete_middle":
        return np.full(n, "junior", dtype=object)
    primary = float(school.get("students_primary", 1) or 0)
    junior = float(school.get("students_junior", 1) or 0)
    n_primary = int(round(n * primary / (primary + junior))) if primary + junior else n
    return np.array(["primary"] * n_primary + ["junior"] * (n - n_primary), dtype=object)


def _school_rows(school: Mapping[str, Any], rng: np.random.Generator, year: int,
                 support_staff: int = 0) -> dict[str, np.ndarray]:
    """One school's roster rows, column by column (``schema.ROSTER_COLUMNS``)."""
    n = int(school["teachers"])
    level = _teacher_levels(school, n)
    primary = level == "primary"
    above = _exactly(rng, n, int(school["teachers_above_degree"]))
    mid = _exactly(rng, n, int(school["teachers_mid_title"]))
    backbone = _exactly(rng, n, int(school["teachers_backbone"]))
    pe_arts = _exactly(rng, n, int(school["teachers_pe_arts"]))

    degree = np.where(
        primary,
        np.where(above, _pick(rng, ["专科", "本科", "本科", "硕士"], n),
                 _pick(rng, ["中专", "中师", "高中"], n)),
        np.where(above, _pick(rng, ["本科", "本科", "硕士"], n), _pick(rng, ["专科", "大专"], n)))
    title = np.where(mid, _pick(rng, ["一级", "一级", "高级", "正高级"], n),
                     _pick(rng, ["二级", "二级", "三级", ""], n))
    other_posts = np.where(primary, _pick(rng, _OTHER_POSTS["primary"], n),
                           _pick(rng, _OTHER_POSTS["junior"], n))
    post = np.where(pe_arts, _pick(rng, _PE_ARTS_POSTS, n), other_posts)
    remark = np.where(backbone, _pick(rng, _BACKBONE_REMARKS, n), _pick(rng, _OTHER_REMARKS, n))
    # 兼职 on a PE/arts teacher would make them a non-specialist and break the count.
    remark = np.where(pe_arts & (remark == "兼职"), "", remark)
    age = rng.integers(22, 60, size=n)
    month = rng.integers(1, 13, size=n)
    day = rng.integers(1, 29, size=n)
    birth = [f"{year - a}.{m:02d}" if d % 2 else f"{year - a}.{m:02d}.{d:02d}"
             for a, m, d in zip(age, month, day, strict=True)]
    names = [s + "某" + g for s, g in zip(_pick(rng, _SURNAMES, n), _pick(rng, _SYLLABLES, n), strict=True)]
    certificate = np.where(primary, "小学", _pick(rng, ["初级中学", "初级中学", "高级中学"], n))
    rows = {
        "姓名": names, "出生年月": birth, "性别": _pick(rng, ["男", "女"], n),
        "民族": _pick(rng, ["汉", "汉", "回"], n), "籍贯": _pick(rng, _HOMETOWNS, n),
        "学历": degree, "教师资格": certificate, "职称": title, "任职岗位": post, "备注": remark,
    }
    rows = {column: np.asarray(values, dtype=object) for column, values in rows.items()}
    if support_staff:
        staff = _support_staff(rng, support_staff, year)
        rows = {column: np.concatenate([values, staff[column]]) for column, values in rows.items()}
    return rows


_SUPPORT_POSTS = ["工勤", "会计", "门卫", "炊事", "宿管"]


def _support_staff(rng: np.random.Generator, n: int, year: int) -> dict[str, np.ndarray]:
    """Non-teaching staff rows (工勤, 会计, ...): on the roster, never counted as teachers."""
    age = rng.integers(25, 60, size=n)
    rows = {
        "姓名": [s + "某" + g for s, g in zip(_pick(rng, _SURNAMES, n), _pick(rng, _SYLLABLES, n), strict=True)],
        "出生年月": [f"{year - a}.{m:02d}" for a, m in zip(age, rng.integers(1, 13, size=n), strict=True)],
        "性别": _pick(rng, ["男", "女"], n), "民族": _pick(rng, ["汉", "汉", "回"], n),
        "籍贯": _pick(rng, _HOMETOWNS, n), "学历": _pick(rng, ["高中", "中专", "专科"], n),
        "教师资格": [""] * n, "职称": [""] * n, "任职岗位": _pick(rng, _SUPPORT_POSTS, n),
        "备注": [""] * n}
    return {column: np.asarray(values, dtype=object) for column, values in rows.items()}


def _roster_frame(chosen: pd.DataFrame, rng: np.random.Generator, year: int,
                  with_support_staff: bool = False) -> pd.DataFrame:
    """The roster of the ``chosen`` schools, built as one table.

    The roster of the ``chosen`` schools, one school after the other (in the order of the
    random draws), built as one table: the id columns present, then ``ROSTER_COLUMNS``.
    """
    parts = [_school_rows(school, rng, year,
                          support_staff=-(-int(school["teachers"]) // 15)
                          if with_support_staff else 0)
             for school in chosen.to_dict("records")]
    sizes = [len(part["姓名"]) for part in parts]
    ids = [c for c in ("county_code", "county_name", "year", "school_id", "school_name")
           if c in chosen]
    columns = {c: np.repeat(chosen[c].to_numpy(), sizes) for c in ids}
    columns.update({c: np.concatenate([part[c] for part in parts]) for c in schema.ROSTER_COLUMNS})
    return pd.DataFrame(columns)


def simulate_county_roster(schools: pd.DataFrame, counties, seed: int) -> pd.DataFrame:
    """A full simulated roster (SIMULATED): every school of ``counties`` in the latest year.

    Like :func:`simulate_roster` (the roster gives back each school's teacher counts), but
    for every school of the named counties (codes or names), of every type, with one
    non-teaching staff member (工勤, 会计, 门卫, ...) per 15 teachers or part thereof, so that
    a county's teacher structure can be studied whole.

    Parameters
    ----------
    schools : DataFrame
        Schools in canonical columns (several years allowed: the latest is used).
    counties : str or list of str
        County codes or names.
    seed : int
        Seed of the random generator.

    Returns
    -------
    DataFrame
        One row per staff member: ``county_code``, ``county_name``, ``year``, ``school_id``,
        ``school_name`` (where present) and :data:`~edubalance.schema.ROSTER_COLUMNS`.

    Examples
    --------
    >>> schools = pd.DataFrame({"county_code": ["1", "1", "2"], "county_name": ["甲", "甲", "乙"],
    ...     "school_id": ["a", "b", "c"], "school_type": ["primary", "nine_year", "junior"],
    ...     "students_primary": [100, 50, 0], "students_junior": [0, 40, 80], "year": 2017,
    ...     "teachers": [6, 7, 8], "teachers_above_degree": [5, 5, 6], "teachers_mid_title": 3,
    ...     "teachers_backbone": 1, "teachers_pe_arts": 1})
    >>> roster = simulate_county_roster(schools, ["甲"], seed=1)
    >>> roster_to_school_counts(roster, schools)[["school_id", "teachers",
    ...     "staff_not_teaching"]].values.tolist()
    [['a', 6, 1], ['b', 7, 1]]
    """
    missing = [c for c in ["school_id", "county_code", "county_name", *_SIMULATED_COUNT_COLUMNS]
               if c not in schools]
    if missing:
        raise ValueError(f"schools lacks column(s) needed for a roster: {', '.join(missing)}")
    wanted = {str(c) for c in ([counties] if isinstance(counties, str) else counties)}
    frame = schools
    if "year" in frame and len(frame):
        frame = frame[frame["year"] == frame["year"].max()]
    frame = frame[(frame["county_code"].astype(str).isin(wanted)
                   | frame["county_name"].astype(str).isin(wanted)) & (frame["teachers"] > 0)]
    if frame.empty:
        raise ValueError(f"no school with teachers in county/counties {sorted(wanted)}")
    rng = np.random.default_rng(seed)
    year = int(frame["year"].iloc[0]) if "year" in frame else 2017
    return _roster_frame(frame, rng, year, with_support_staff=True)


def simulate_roster(schools: pd.DataFrame, seed: int, n_schools: int = 4) -> pd.DataFrame:
    """A small, deterministic, pseudonymous teacher roster for a few schools (SIMULATED).

    Picks ``n_schools`` smaller primary/junior schools of the latest year and writes one row
    per teacher, consistent with the schools' ``teachers``, ``teachers_above_degree``,
    ``teachers_mid_title``, ``teachers_backbone`` and ``teachers_pe_arts``: feeding the result
    to :func:`roster_to_school_counts` (with the schools as ``level_by_school``) gives those
    counts back. Names are made up from syllable lists and all carry 某 ("so-and-so").

    Parameters
    ----------
    schools : DataFrame
        Canonical schools (``school_id`` and the teacher columns above; ``school_type``,
        ``year`` and the other id columns are used when present).
    seed : int
    n_schools : int

    Returns
    -------
    DataFrame
        ``county_code, county_name, year, school_id, school_name`` (those present) and
        ``schema.ROSTER_COLUMNS``.

    Examples
    --------
    >>> schools = pd.DataFrame({"school_id": ["001"], "school_type": ["primary"], "year": [2017],
    ...     "teachers": [5], "teachers_above_degree": [4], "teachers_mid_title": [2],
    ...     "teachers_backbone": [1], "teachers_pe_arts": [1]})
    >>> roster = simulate_roster(schools, seed=1)
    >>> len(roster), roster["姓名"].str.contains("某").all()
    (5, np.True_)
    >>> roster_to_school_counts(roster, schools)["teachers_above_degree"].tolist()
    [4]
    """
    if not isinstance(n_schools, (int, np.integer)) or isinstance(n_schools, bool) \
            or n_schools < 1:
        raise ValueError(f"n_schools must be a positive integer, not {n_schools!r}")
    missing = [c for c in ["school_id", *_SIMULATED_COUNT_COLUMNS] if c not in schools]
    if missing:
        raise ValueError(f"schools lacks column(s) needed for a roster: {', '.join(missing)}")
    over = [c for c in _SIMULATED_COUNT_COLUMNS[1:]
            if (schools[c] > schools["teachers"]).any() or (schools[c] < 0).any()]
    if over:
        raise ValueError(f"schools have impossible teacher counts in: {', '.join(over)}")
    rng = np.random.default_rng(seed)
    chosen = _choose_schools(schools, rng, int(n_schools))
    year = int(chosen["year"].iloc[0]) if "year" in chosen else 2017
    return _roster_frame(chosen, rng, year)
