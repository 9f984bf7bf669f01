"""Canonical column names, their Chinese form headers, and the fixed vocabularies.

Every other module takes column names from here, so a rename happens in one place.
"""
from __future__ import annotations

LEVELS = ("primary", "junior")
"""Assessment levels, always named in English."""

LEVEL_ALIASES = {"primary": ("小学", "primary school"),
                 "junior": ("初中", "初级中学", "junior secondary", "junior school", "middle school")}
"""Other names of the levels (Chinese, English words), as a user may write them."""

LANGS = ("zh", "en")
"""Languages of everything a person reads (Chinese the default); the texts are in report."""


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language (:data:`LANGS`), else raise.

    Here, below every layer, so that an analysis can check its ``lang`` parameter before any
    work without importing the report layer (:mod:`edubalance.report.i18n` re-exports it).

    Parameters
    ----------
    lang : str
        ``zh`` or ``en``.

    Returns
    -------
    str
        ``lang``.

    Raises
    ------
    ParameterError (a ValueError)
        For any other value.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    from .errors import ParameterError

    if lang not in LANGS:
        raise ParameterError(f"lang={lang!r} is not supported; use one of {', '.join(LANGS)}")
    return lang


def level_name(value) -> str:
    """The level (``primary`` / ``junior``) for ``value``: itself or an alias (小学, 初中).

    Parameters
    ----------
    value : str
        A level's name or alias, in any case and spacing (``" Primary "``).

    Returns
    -------
    str
        ``primary`` or ``junior``.

    Raises
    ------
    ParameterError (a ValueError)
        For anything else, with the closest level ("did you mean").

    Examples
    --------
    >>> level_name("初中"), level_name("Primary"), level_name("junior")
    ('junior', 'primary', 'junior')
    >>> level_name("junoir")
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: unknown level 'junoir'; did you mean junior? (levels: primary (小学), junior (初中))
    """
    from .errors import ParameterError, did_you_mean

    text = " ".join(str(value).split()).strip().lower()
    known = {level: level for level in LEVELS}
    known.update({alias.lower(): level for level, aliases in LEVEL_ALIASES.items()
                  for alias in aliases})
    if text in known:
        return known[text]
    raise ParameterError(f"unknown level {value!r}{did_you_mean(text, known, cutoff=0.75)} "
                         "(levels: primary (小学), junior (初中))")


SCHOOL_TYPES = ("primary", "junior", "nine_year", "complete_middle", "twelve_year",
                "special_education", "teaching_point")
SPECIAL_EDUCATION = "special_education"
"""特殊教育学校: accepted by the loader (counts may be 0), excluded from scoring and listed."""
TEACHING_POINT = "teaching_point"
"""教学点: accepted by the loader (counts may be 0), counted with its central school
(``parent_school_id``)."""
SCORED_SCHOOL_TYPES = ("primary", "junior", "nine_year", "complete_middle", "twelve_year")
"""School types assessed on their own; the others are excluded or merged (DOMAIN §2)."""
SENIOR_SECTION_TYPES = ("complete_middle", "twelve_year")
"""School types with a senior section: their ``students_senior`` is required to split them."""
URBAN_RURAL = ("urban", "town", "rural")

ID_COLUMNS = ["county_code", "county_name", "year", "school_id", "school_name", "school_type",
              "urban_rural"]
COUNT_COLUMNS = [
    "students_primary", "students_junior", "classes_primary", "classes_junior",
    "teachers", "teachers_above_degree", "teachers_mid_title", "teachers_backbone",
    "teachers_pe_arts", "computers", "multimedia_classrooms", "books",
]
MEASURE_COLUMNS = ["teaching_area_m2", "sports_area_m2", "equipment_value_cny"]
RESOURCE_COLUMNS = [
    "teachers", "teachers_above_degree", "teachers_mid_title", "teachers_backbone",
    "teachers_pe_arts", "teaching_area_m2", "sports_area_m2", "equipment_value_cny",
    "computers", "multimedia_classrooms", "books",
]
SCHOOL_COLUMNS = ID_COLUMNS + [
    "students_primary", "students_junior", "classes_primary", "classes_junior",
    *RESOURCE_COLUMNS,
]
NUMERIC_SCHOOL_COLUMNS = [c for c in SCHOOL_COLUMNS if c not in ID_COLUMNS]
COUNTY_KEY_COLUMNS = ["county_code", "county_name", "year"]

SCHOOL_HEADER_ALIASES: dict[str, list[str]] = {
    "county_code": ["县代码", "行政区划代码", "县区代码", "区县代码"],
    "county_name": ["县名称", "县(市、区)", "县（市、区）", "县区名称", "区县名称", "县区"],
    "year": ["年份", "学年", "年度"],
    "school_id": ["学校代码", "学校标识码", "学校编号"],
    "school_name": ["学校名称", "校名"],
    "school_type": ["学校类型", "办学类型"],
    "urban_rural": ["城乡类型", "城乡分类", "城乡"],
    "students_primary": ["小学在校生数", "小学学生数"],
    "students_junior": ["初中在校生数", "初中学生数"],
    "classes_primary": ["小学班数", "小学班级数"],
    "classes_junior": ["初中班数", "初中班级数"],
    "teachers": ["专任教师数", "专任教师"],
    "teachers_above_degree": ["高于规定学历教师数", "高于规定学历专任教师数"],
    "teachers_mid_title": ["中级及以上职称教师数", "中级及以上专业技术职务教师数"],
    "teachers_backbone": ["县级及以上骨干教师数", "骨干教师数"],
    "teachers_pe_arts": ["体育艺术专任教师数", "体育、艺术专任教师数", "体育艺术教师数"],
    "teaching_area_m2": ["教学及辅助用房面积", "教学及辅助用房面积(平方米)", "教学及辅助用房面积（平方米）"],
    "sports_area_m2": ["体育运动场馆面积", "体育运动场馆面积(平方米)", "体育运动场馆面积（平方米）"],
    "equipment_value_cny": ["教学仪器设备值", "教学仪器设备值(元)", "教学仪器设备值（元）"],
    "computers": ["学生用计算机台数", "计算机台数"],
    "multimedia_classrooms": ["网络多媒体教室数", "多媒体教室数"],
    "books": ["图书册数", "图书(册)", "图书（册）"],
}
"""Chinese headers of the official forms, per canonical column (CONTRACTS.md)."""

TWO_ROW_HEADER_ALIASES: dict[tuple[str, str], str] = {
    ("在校生数", "小学"): "students_primary",
    ("在校生数", "初中"): "students_junior",
    ("班数", "小学"): "classes_primary",
    ("班数", "初中"): "classes_junior",
}
"""Headers that span two rows on the forms: (upper, lower) -> canonical column."""

SCHOOL_TYPE_ALIASES = {
    "小学": "primary", "初中": "junior", "初级中学": "junior",
    "九年一贯制学校": "nine_year", "九年一贯制": "nine_year",
    "完全中学": "complete_middle", "十二年一贯制学校": "twelve_year", "十二年一贯制": "twelve_year",
    "特殊教育学校": "special_education", "特殊教育": "special_education", "特教学校": "special_education",
    "培智学校": "special_education", "聋哑学校": "special_education", "盲人学校": "special_education",
    "教学点": "teaching_point", "小学教学点": "teaching_point",
}
URBAN_RURAL_ALIASES = {"城区": "urban", "镇区": "town", "乡村": "rural", "城市": "urban", "县镇": "town",
                       "农村": "rural"}

SECTION_WEIGHTS = {
    # Weights for splitting whole-school resources across sections by enrolment (DOMAIN §2).
    "nine_year": {"primary": 1.0, "junior": 1.1},
    "complete_middle": {"junior": 1.0, "senior": 1.2},
    "twelve_year": {"primary": 1.0, "junior": 1.1, "senior": 1.32},
}

ROSTER_COLUMNS = ["姓名", "出生年月", "性别", "民族", "籍贯", "学历", "教师资格", "职称", "任职岗位", "备注"]
"""Teacher roster form (表三 教职工花名册), columns as on the form."""

MAX_CLASS_SIZE_COLUMNS = ["max_class_size_primary", "max_class_size_junior"]
"""最大班额: the largest class of the section (issue 25)."""
PARENT_SCHOOL_ID = "parent_school_id"
"""所属中心校代码: the central school a 教学点 is counted with (issue 25)."""
SECTION_TEACHER_COLUMNS = [
    "teachers_primary", "teachers_junior",
    "teachers_above_degree_primary", "teachers_above_degree_junior",
    "teachers_mid_title_primary", "teachers_mid_title_junior",
    "teachers_backbone_primary", "teachers_backbone_junior",
    "teachers_pe_arts_primary", "teachers_pe_arts_junior",
]
"""Per-section teacher counts of combined schools (专任教师数 over 小学/初中, ...), optional."""
OPTIONAL_SCHOOL_COLUMNS = ["students_senior", "classes_senior", "prefecture",
                           *MAX_CLASS_SIZE_COLUMNS, PARENT_SCHOOL_ID, *SECTION_TEACHER_COLUMNS]
"""Accepted when present: senior-section enrolment of complete and twelve-year schools (needed
to split their resources), the prefecture (地级市) for grouping, the largest class per section,
a teaching point's central school, and per-section teacher counts."""
OPTIONAL_COUNT_COLUMNS = ["students_senior", "classes_senior", *MAX_CLASS_SIZE_COLUMNS,
                          *SECTION_TEACHER_COLUMNS]
"""Optional columns holding whole counts (blank = not given for that school)."""
SCHOOL_HEADER_ALIASES.update({
    "students_senior": ["高中在校生数", "高中学生数"],
    "classes_senior": ["高中班数"],
    "prefecture": ["地级市", "市(州)", "市（州）", "所属地市"],
    "max_class_size_primary": ["最大班额（小学）", "最大班额(小学)", "小学最大班额"],
    "max_class_size_junior": ["最大班额（初中）", "最大班额(初中)", "初中最大班额"],
    "parent_school_id": ["所属中心校代码", "中心校代码", "所属学校代码", "所属中心学校代码"],
})
_TEACHER_HEADERS = {
    "teachers": "专任教师数", "teachers_above_degree": "高于规定学历教师数",
    "teachers_mid_title": "中级及以上职称教师数", "teachers_backbone": "县级及以上骨干教师数",
    "teachers_pe_arts": "体育艺术专任教师数",
}
for _column, _header in _TEACHER_HEADERS.items():
    for _section, _zh in (("primary", "小学"), ("junior", "初中")):
        SCHOOL_HEADER_ALIASES[f"{_column}_{_section}"] = [f"{_zh}{_header}"]
        for _upper in [_header, *SCHOOL_HEADER_ALIASES[_column]]:
            TWO_ROW_HEADER_ALIASES.setdefault((_upper, _zh), f"{_column}_{_section}")
TWO_ROW_HEADER_ALIASES.update({("在校生数", "高中"): "students_senior", ("班数", "高中"): "classes_senior",
                               ("最大班额", "小学"): "max_class_size_primary",
                               ("最大班额", "初中"): "max_class_size_junior"})
