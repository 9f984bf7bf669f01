"""Deterministic simulated sample data, in the canonical columns (SIMULATED - not real data).

Two scales:

``province``
    A Ningxia-like province: the 22 counties of seed 001 with their real 6-digit codes,
    prefectures and the year each was assessed as basically balanced, 2010-2017, about
    40-110 schools per county (primary, junior and nine-year), calibrated on seed 002
    (a county of ~100 schools with ~35k primary and ~18k junior students, ~20 students per
    computer). Shipped in ``data/sample/``.
``national``
    About 2,850 synthetic counties and 200,000 schools per year (all five school types), for
    benchmarks. Generated on demand, never committed.

The generating model (documented in ``data/README.md``)
-------------------------------------------------------
Schools keep their identity across years. A school's resource per student for an indicator
is ``base(level, year) × county_level × school_multiplier × noise`` where the school
multiplier is log-normal with a county-specific spread that shrinks over the years (counties
move towards balance) and rural schools start lower. Counts are rounded; teacher sub-counts
are binomial draws from the school's teachers.

County outcomes follow a linear model with county and year effects::

    outcome[c, t] = intercept + county_effect[c] + year_effect[t]
                    + Σ TRUE_EFFECTS[outcome][input] · input[c, t] + noise

The county effects are correlated with GDP per capita and spending (richer counties have
better unobserved conditions), so pooled OLS is biased and two-way fixed effects recover
``TRUE_EFFECTS``.

Examples
--------
>>> schools, counties = generate("province", seed=1, years=[2017])
>>> schools["county_name"].nunique()
22
>>> sorted(schools["school_type"].unique())
['junior', 'nine_year', 'primary']
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import SCHOOL_COLUMNS

__all__ = ["generate", "generate_county_panel", "generate_assessment_panel", "staggered_effect",
           "NINGXIA_COUNTIES", "TRUE_EFFECTS", "OUTCOME_NOISE_SD", "STAGGERED_EFFECT",
           "ASSESSMENT_YEARS", "ROSTER_COUNTIES", "write_sample", "register_cli"]

# code, name, prefecture, year assessed as basically balanced (seed 001)
NINGXIA_COUNTIES = [
    ("640104", "兴庆区", "银川市", 2013), ("640105", "西夏区", "银川市", 2014),
    ("640106", "金凤区", "银川市", 2013), ("640121", "永宁县", "银川市", 2012),
    ("640122", "贺兰县", "银川市", 2011), ("640181", "灵武市", "银川市", 2010),
    ("640202", "大武口区", "石嘴山市", 2010), ("640205", "惠农区", "石嘴山市", 2013),
    ("640221", "平罗县", "石嘴山市", 2012), ("640302", "利通区", "吴忠市", 2011),
    ("640303", "红寺堡区", "吴忠市", 2014), ("640323", "盐池县", "吴忠市", 2015),
    ("640324", "同心县", "吴忠市", 2017), ("640381", "青铜峡市", "吴忠市", 2010),
    ("640402", "原州区", "固原市", 2015), ("640422", "西吉县", "固原市", 2017),
    ("640423", "隆德县", "固原市", 2015), ("640424", "泾源县", "固原市", 2016),
    ("640425", "彭阳县", "固原市", 2011), ("640502", "沙坡头区", "中卫市", 2014),
    ("640521", "中宁县", "中卫市", 2012), ("640522", "海原县", "中卫市", 2016),
]

FORM_COUNTY = "大武口区"
ROSTER_COUNTIES = ("大武口区", "西吉县")
"""Counties whose every school (latest year) is in the full roster ``teachers_county.csv``."""

STAGGERED_EFFECT = {"at_balance": 1.0, "per_year": 0.6}
"""True effect of reaching basic balance on ``mean_exam_score`` in the assessment panel:
``at_balance + per_year × (years since balance)`` points from the year of balance on, 0 before."""
ASSESSMENT_YEARS = (2004, 2017)
"""First and last year of the assessment panel (``assessment_panel.csv``)."""
_ASSESSMENT_NOISE_SD = 1.0
"""County whose latest year is also written as an official-form workbook (schools_form.xlsx)."""

TRUE_EFFECTS: dict[str, dict[str, float]] = {
    "mean_exam_score": {"spending_per_student_kcny": 1.5, "teachers_per_100_students": 2.0,
                        "urbanisation_pct": 0.08},
    "progression_rate_pct": {"spending_per_student_kcny": 0.6, "teachers_per_100_students": 1.0,
                             "urbanisation_pct": 0.05},
    "retention_rate_pct": {"spending_per_student_kcny": 0.15, "teachers_per_100_students": 0.3,
                           "urbanisation_pct": 0.01},
}
"""True coefficients of the county outcome model (per unit of each input)."""

_INTERCEPTS = {"mean_exam_score": 27.0, "progression_rate_pct": 58.0, "retention_rate_pct": 91.0}
_COUNTY_EFFECT_SCALE = {"mean_exam_score": 3.0, "progression_rate_pct": 2.0,
                        "retention_rate_pct": 0.4}
OUTCOME_NOISE_SD = {"mean_exam_score": 1.5, "progression_rate_pct": 1.0, "retention_rate_pct": 0.2}

# Resource bases per student (or per 100 students) in 2017, and yearly growth.
_BASES = {
    #                        primary, junior, growth per year
    "teaching_area_m2": (5.0, 6.6, 0.03),
    "sports_area_m2": (8.2, 11.0, 0.02),
    "equipment_value_cny": (2300.0, 2900.0, 0.10),
    "computers": (5.0, 7.0, 0.08),       # per 100 students: ~20 students per computer
    "books": (26.0, 36.0, 0.04),
    "teachers": (6.1, 9.6, 0.0),         # per 100 students (seed 002: 2148/35034, 1765/18423)
}
# Shares of teachers, 2017, and yearly growth of the share.
_TEACHER_SHARES = {
    "teachers_above_degree": (0.78, 0.60, 0.02),
    "teachers_mid_title": (0.45, 0.50, 0.01),
    "teachers_backbone": (0.17, 0.14, 0.01),
    "teachers_pe_arts": (0.15, 0.11, 0.005),
}
_PLACE_SYLLABLES = list("红新东和团永金石清河安平兴富民长宁丰沙泉柳杨川山源湾塘庄堡")
SPREAD_DECLINE = 0.86
"""Yearly factor by which the spread of school resources within a county shrinks."""
_URBAN_FACTOR = {"urban": 1.10, "town": 1.0, "rural": 0.85}


def _county_frame(scale: str, rng: np.random.Generator, n_counties: int) -> pd.DataFrame:
    if scale == "province":
        frame = pd.DataFrame(NINGXIA_COUNTIES, columns=["county_code", "county_name", "prefecture",
                                                        "year_basic_balance"])
        district = frame["county_name"].str.endswith("区").to_numpy()
        urbanisation = np.where(district, rng.uniform(55, 80, len(frame)),
                                rng.uniform(25, 50, len(frame)))
    else:
        codes = np.arange(n_counties)
        province = 11 + codes // 100
        prefecture = codes // 10 % 10 + 1
        frame = pd.DataFrame({
            "county_code": [f"{p:02d}{q:02d}{c % 10 + 1:02d}" for p, q, c in
                            zip(province, prefecture, codes, strict=True)],
            "county_name": [f"模拟县{c + 1:04d}" for c in codes],
            "prefecture": [f"模拟市{p:02d}{q:02d}" for p, q in zip(province, prefecture, strict=True)],
        })
        # Codes must be unique: fold the running number into the last four digits.
        frame["county_code"] = [f"{p:02d}{c % 10000:04d}" for p, c in zip(province, codes, strict=True)]
        urbanisation = rng.uniform(20, 80, n_counties)
        frame["year_basic_balance"] = rng.integers(2010, 2021, n_counties)
    n = len(frame)
    frame["urbanisation_base"] = urbanisation
    frame["gdp_base"] = np.exp(rng.normal(np.log(20 + 0.25 * urbanisation), 0.25))
    frame["resource_level"] = np.exp(rng.normal(0, 0.12, n) + 0.004 * (urbanisation - 45))
    # Spread of school resources in the year the county was assessed as basically balanced;
    # it shrinks by SPREAD_DECLINE a year, so counties cross the basic-2012 limits about then.
    frame["spread_at_assessment"] = rng.uniform(0.45, 0.52, n)
    frame["teacher_trend"] = rng.uniform(-0.015, 0.04, n)
    frame["spending_trend"] = rng.uniform(0.05, 0.12, n)
    frame["urbanisation_trend"] = rng.uniform(0.5, 1.5, n)
    return frame


def _school_frame(counties: pd.DataFrame, scale: str, rng: np.random.Generator,
                  schools_per_county: float) -> pd.DataFrame:
    n_counties = len(counties)
    if scale == "province":
        n_schools = rng.integers(40, 111, n_counties)
    else:
        n_schools = np.maximum(8, rng.poisson(schools_per_county, n_counties))
    county_index = np.repeat(np.arange(n_counties), n_schools)
    seq = np.concatenate([np.arange(1, k + 1) for k in n_schools])
    n = county_index.size
    if scale == "province":
        types = np.array(["primary", "junior", "nine_year"])
        school_type = types[rng.choice(3, n, p=[0.57, 0.27, 0.16])]
    else:
        types = np.array(["primary", "junior", "nine_year", "complete_middle", "twelve_year"])
        school_type = types[rng.choice(5, n, p=[0.55, 0.25, 0.15, 0.04, 0.01])]
    urban_share = counties["urbanisation_base"].to_numpy()[county_index] / 100
    u = rng.random(n)
    urban_rural = np.where(u < 0.55 * urban_share, "urban",
                           np.where(u < 0.55 * urban_share + 0.3, "town", "rural"))
    median_size = {"urban": 1100, "town": 600, "rural": 230}
    size = np.array([median_size[v] for v in ("urban", "town", "rural")])
    loc_index = pd.Categorical(urban_rural, categories=["urban", "town", "rural"]).codes
    base_size = size[loc_index] * np.exp(rng.normal(0, 0.35, n))
    primary_share = np.select(
        [school_type == "primary", school_type == "junior", school_type == "nine_year",
         school_type == "complete_middle", school_type == "twelve_year"],
        [1.0, 0.0, 0.62, 0.0, 0.45])
    junior_share = np.select(
        [school_type == "junior", school_type == "nine_year", school_type == "complete_middle",
         school_type == "twelve_year"], [1.0, 0.38, 0.55, 0.30], 0.0)
    senior_share = 1.0 - primary_share - junior_share
    junior_size_factor = np.where(school_type == "junior", 1.15, 1.0)
    location_factor = np.array([_URBAN_FACTOR[v] for v in ("urban", "town", "rural")])[loc_index]
    place = np.array(_PLACE_SYLLABLES)
    village = np.char.add(place[rng.integers(0, place.size, n)], place[rng.integers(0, place.size, n)])
    suffix = pd.Series(school_type).map({"primary": "小学", "junior": "中学", "nine_year": "九年制学校",
                                         "complete_middle": "完全中学", "twelve_year": "十二年制学校"})
    county_names = counties["county_name"].to_numpy()[county_index]
    names = (pd.Series(county_names) + pd.Series(village) + pd.Series(seq).astype(str).radd("第")
             .where(urban_rural != "rural", "") + suffix)
    return pd.DataFrame({
        "county_index": county_index,
        "school_id": counties["county_code"].to_numpy()[county_index] + pd.Series(seq).map("{:04d}".format),
        "school_name": names.to_numpy(),
        "school_type": school_type,
        "urban_rural": urban_rural,
        "base_size": base_size * junior_size_factor,
        "primary_share": primary_share,
        "junior_share": junior_share,
        "senior_share": senior_share,
        "size_trend": np.select([urban_rural == "urban", urban_rural == "town"], [0.02, 0.0], -0.03),
        "multiplier_z": rng.normal(0, 1, n),
        "location_factor": location_factor,
    })


def _school_years(counties: pd.DataFrame, schools: pd.DataFrame, years, rng) -> pd.DataFrame:
    years = np.asarray(list(years), dtype=int)
    n_schools = len(schools)
    rows = np.tile(np.arange(n_schools), years.size)
    year = np.repeat(years, n_schools)
    s = schools.iloc[rows].reset_index(drop=True)
    c = counties.iloc[s["county_index"].to_numpy()].reset_index(drop=True)
    t = year - 2010
    n = len(s)
    students = s["base_size"].to_numpy() * (1 + s["size_trend"].to_numpy()) ** t * np.exp(rng.normal(0, 0.03, n))
    students = np.maximum(students, 12)
    students_primary = np.round(students * s["primary_share"].to_numpy()).astype(int)
    students_junior = np.round(students * s["junior_share"].to_numpy()).astype(int)
    students_senior = np.round(students * s["senior_share"].to_numpy()).astype(int)
    rural = s["urban_rural"].to_numpy() == "rural"
    class_size_primary = np.where(rural, 28, np.where(s["urban_rural"].to_numpy() == "urban", 46, 40))
    class_size_primary = class_size_primary * np.exp(rng.normal(0, 0.08, n))
    classes_primary = np.where(students_primary > 0, np.ceil(students_primary / class_size_primary), 0)
    classes_junior = np.where(students_junior > 0, np.ceil(students_junior / (class_size_primary + 5)), 0)
    classes_senior = np.where(students_senior > 0, np.ceil(students_senior / 50), 0)
    years_since_assessment = year - c["year_basic_balance"].to_numpy()
    spread = np.clip(c["spread_at_assessment"].to_numpy() * SPREAD_DECLINE ** years_since_assessment,
                     0.08, 0.8)
    multiplier = (c["resource_level"].to_numpy() * s["location_factor"].to_numpy()
                  * (1 + 0.02 * t * rural)   # rural schools catch up
                  * np.exp(spread * s["multiplier_z"].to_numpy() - spread**2 / 2))
    out = {
        "county_code": c["county_code"].to_numpy(), "county_name": c["county_name"].to_numpy(),
        "prefecture": c["prefecture"].to_numpy(), "year": year,
        "school_id": s["school_id"].to_numpy(), "school_name": s["school_name"].to_numpy(),
        "school_type": s["school_type"].to_numpy(), "urban_rural": s["urban_rural"].to_numpy(),
        "students_primary": students_primary, "students_junior": students_junior,
        "classes_primary": classes_primary.astype(int), "classes_junior": classes_junior.astype(int),
    }
    weighted_students = {"primary": students_primary, "junior": students_junior,
                         "senior": students_senior}
    for column, (primary, junior, growth) in _BASES.items():
        per_student = {"primary": primary, "junior": junior, "senior": junior * 1.2}
        year_factor = (1 + growth) ** (year - 2017)
        if column == "teachers":
            year_factor = (1 + c["teacher_trend"].to_numpy()) ** (year - 2017)
            # Teachers vary less between schools than buildings and equipment do.
            school_factor = multiplier ** 0.5 * np.exp(rng.normal(0, 0.05, n))
        else:
            school_factor = multiplier * np.exp(rng.normal(0, 0.12, n))
        total = sum(weighted_students[level] * per_student[level] for level in per_student)
        scale_100 = 100.0 if column in ("computers", "teachers") else 1.0
        out[column] = total * year_factor * school_factor / scale_100
    out["teachers"] = np.maximum(1, np.round(out["teachers"])).astype(int)
    primary_weight = np.divide(students_primary, students_primary + students_junior + students_senior)
    for column, (primary, junior, growth) in _TEACHER_SHARES.items():
        share = (primary * primary_weight + junior * (1 - primary_weight)) * (1 + growth) ** (year - 2017)
        share = np.clip(share * np.exp(rng.normal(0, 0.15, n)) * multiplier ** 0.3, 0.01, 0.99)
        out[column] = rng.binomial(out["teachers"], share)
    out["teaching_area_m2"] = np.round(out["teaching_area_m2"], 1)
    out["sports_area_m2"] = np.round(out["sports_area_m2"], 1)
    out["equipment_value_cny"] = np.round(out["equipment_value_cny"]).astype(int)
    out["computers"] = np.round(out["computers"]).astype(int)
    out["books"] = np.round(out["books"]).astype(int)
    classes = classes_primary + classes_junior + classes_senior
    out["multimedia_classrooms"] = np.minimum(
        classes, np.round(classes * np.clip(0.55 + 0.06 * t, 0, 1) * np.exp(rng.normal(0, 0.15, n))
                          * multiplier ** 0.5)).astype(int)
    frame = pd.DataFrame(out)
    combined = np.isin(frame["school_type"], ["complete_middle", "twelve_year"])
    if combined.any():
        frame["students_senior"] = np.where(combined, students_senior, 0)
        frame["classes_senior"] = np.where(combined, classes_senior, 0).astype(int)
    return frame


def generate_county_panel(counties: pd.DataFrame, schools: pd.DataFrame,
                          rng: np.random.Generator) -> pd.DataFrame:
    """County × year inputs (aggregated from ``schools`` plus finance) and simulated outcomes.

    Parameters
    ----------
    counties : DataFrame
        The counties of :func:`generate` (with their simulated bases and trends).
    schools : DataFrame
        The schools of :func:`generate`, summed per county and year.
    rng : numpy.random.Generator
        The random generator, advanced by the call.

    Returns
    -------
    DataFrame
        One row per county and year: resources per student, finance, outcomes built from
        :data:`TRUE_EFFECTS` plus noise, and the year of basic balance.
    """
    totals = schools.assign(students=schools["students_primary"] + schools["students_junior"]
                            + schools.get("students_senior", 0))
    grouped = totals.groupby(["county_code", "year"], sort=False)[
        ["students_primary", "students_junior", "students", "teachers", "teaching_area_m2",
         "sports_area_m2", "equipment_value_cny", "computers", "books"]].sum().reset_index()
    panel = grouped.merge(counties, on="county_code", how="left", validate="many_to_one")
    t = panel["year"].to_numpy() - 2010
    n = len(panel)
    per_student = panel["students"].to_numpy()
    gdp_z = (np.log(panel["gdp_base"]) - np.log(panel["gdp_base"]).mean()) / np.log(panel["gdp_base"]).std()
    result = pd.DataFrame({
        "county_code": panel["county_code"], "county_name": panel["county_name"],
        "prefecture": panel["prefecture"], "year": panel["year"],
        "students_primary": panel["students_primary"], "students_junior": panel["students_junior"],
        "spending_per_student_kcny": np.round(
            (7.0 + 0.08 * panel["gdp_base"]) * (1 + panel["spending_trend"]) ** t
            * np.exp(rng.normal(0, 0.04, n)), 3),
        "gdp_per_capita_kcny": np.round(panel["gdp_base"] * 1.08 ** t * np.exp(rng.normal(0, 0.03, n)), 2),
        "urbanisation_pct": np.round(np.clip(panel["urbanisation_base"] + panel["urbanisation_trend"] * t
                                             + rng.normal(0, 0.8, n), 5, 95), 2),
        "teachers_per_100_students": np.round(100 * panel["teachers"] / per_student, 4),
        "teaching_area_per_student": np.round(panel["teaching_area_m2"] / per_student, 4),
        "sports_area_per_student": np.round(panel["sports_area_m2"] / per_student, 4),
        "equipment_value_per_student": np.round(panel["equipment_value_cny"] / per_student, 2),
        "computers_per_100_students": np.round(100 * panel["computers"] / per_student, 4),
        "books_per_student": np.round(panel["books"] / per_student, 4),
    })
    county_shock = rng.normal(0, 1, len(counties))
    county_position = pd.Series(np.arange(len(counties)), index=counties["county_code"])
    position = county_position.loc[result["county_code"]].to_numpy()
    year_values = np.sort(result["year"].unique())
    year_shock = pd.Series(rng.normal(0, 0.5, year_values.size) + 0.3 * (year_values - 2010),
                           index=year_values)
    for outcome, effects in TRUE_EFFECTS.items():
        scale = _COUNTY_EFFECT_SCALE[outcome]
        county_effect = scale * (1.2 * gdp_z.to_numpy() + county_shock[position])
        value = (_INTERCEPTS[outcome] + county_effect + year_shock.loc[result["year"]].to_numpy() * scale / 3
                 + rng.normal(0, OUTCOME_NOISE_SD[outcome], n))
        for column, coefficient in effects.items():
            value = value + coefficient * result[column].to_numpy()
        # Four decimals keep the generating model exact to well below the noise.
        result[outcome] = np.round(value, 4)
    result["government_work_score"] = np.round(np.clip(82 + 2.5 * gdp_z + 0.8 * t + rng.normal(0, 2, n), 60, 100), 1)
    result["satisfaction_pct"] = np.round(np.clip(83 + 1.5 * gdp_z + 0.7 * t + rng.normal(0, 2, n), 60, 100), 1)
    result["year_basic_balance"] = panel["year_basic_balance"].astype(int)
    result["basic_balance_reached"] = (result["year"] >= result["year_basic_balance"]).astype(int)
    return result


def staggered_effect(event_time) -> np.ndarray:
    """True effect (points) at ``event_time`` = year − year of balance (0 before balance).

    >>> staggered_effect([-2, 0, 3]).tolist()
    [0.0, 1.0, 2.8]

    Parameters
    ----------
    event_time : int or array-like of int
        Years since the county reached basic balance (negative before).

    Returns
    -------
    ndarray of float
    """
    k = np.asarray(event_time, dtype=float)
    return np.where(k >= 0, STAGGERED_EFFECT["at_balance"] + STAGGERED_EFFECT["per_year"] * k, 0.0)


def generate_assessment_panel(seed: int = 2017) -> pd.DataFrame:
    """County × year panel with a known, staggered effect of reaching basic balance (SIMULATED).

    The 22 counties of seed 001 over ``ASSESSMENT_YEARS`` (2004–2017), each treated from the
    year it was assessed as basically balanced (``year_basic_balance``, 2010–2017)::

        mean_exam_score[c,t] = 60 + county_effect[c] + year_effect[t] + true_effect[c,t] + ε

    ``true_effect = staggered_effect(t − year_basic_balance)``: 1.0 point in the year of
    balance, growing by 0.6 a year after (``STAGGERED_EFFECT``). Early-balancing counties
    have better unobserved conditions (county effect −0.8 per year of later balance, plus
    N(0, 2)); year effects trend up 0.4 a year plus N(0, 0.5); ε ~ N(0, 1). Because effects
    grow with time since balance, a naive two-way fixed-effects regression on a treatment
    dummy is biased downward (early-treated counties serve as controls for later ones).
    Drawn from its own random stream, so the other sample tables are unchanged.

    Parameters
    ----------
    seed : int, default 2017
        Seed of the random generator.

    Returns
    -------
    DataFrame
        ``county_code, county_name, prefecture, year, year_basic_balance, event_time,
        treated, mean_exam_score, true_effect``.

    Examples
    --------
    >>> panel = generate_assessment_panel()
    >>> len(panel), panel["county_code"].nunique()
    (308, 22)
    >>> panel.loc[panel["treated"] == 1, "true_effect"].min()
    np.float64(1.0)
    """
    rng = np.random.default_rng([seed, 17])
    counties = pd.DataFrame(NINGXIA_COUNTIES, columns=["county_code", "county_name", "prefecture",
                                                       "year_basic_balance"])
    years = np.arange(ASSESSMENT_YEARS[0], ASSESSMENT_YEARS[1] + 1)
    n_c, n_t = len(counties), years.size
    county_effect = -0.8 * (counties["year_basic_balance"].to_numpy() - 2013) + rng.normal(0, 2, n_c)
    year_effect = 0.4 * (years - years[0]) + rng.normal(0, 0.5, n_t)
    panel = counties.loc[np.repeat(np.arange(n_c), n_t)].reset_index(drop=True)
    panel.insert(3, "year", np.tile(years, n_c))
    event_time = panel["year"].to_numpy() - panel["year_basic_balance"].to_numpy()
    true_effect = np.round(staggered_effect(event_time), 4)
    outcome = (60 + np.repeat(county_effect, n_t) + np.tile(year_effect, n_c) + true_effect
               + rng.normal(0, _ASSESSMENT_NOISE_SD, n_c * n_t))
    panel["event_time"] = event_time
    panel["treated"] = (event_time >= 0).astype(int)
    panel["mean_exam_score"] = np.round(outcome, 4)
    panel["true_effect"] = true_effect
    return panel


def generate(scale: str = "province", seed: int = 2017, years=None,
             schools_per_county: float = 70.0, n_counties: int = 2850):
    """Generate simulated ``(schools, counties)`` tables in the canonical columns.

    Parameters
    ----------
    scale : {"province", "national"}
    seed : int
        Same seed, same data (on the same NumPy version).
    years : iterable of int, optional
        Default 2010-2017 for ``province`` and 2017 for ``national``.
    schools_per_county : float
        Mean schools per county at national scale (2,850 × 70 ≈ 200,000).
    n_counties : int
        Counties at national scale.

    Returns
    -------
    schools, counties : pandas.DataFrame
    """
    if scale not in ("province", "national"):
        raise ValueError(f"scale must be 'province' or 'national', not {scale!r}")
    if years is None:
        years = range(2010, 2018) if scale == "province" else [2017]
    rng = np.random.default_rng(seed)
    counties = _county_frame(scale, rng, n_counties)
    schools = _school_frame(counties, scale, rng, schools_per_county)
    school_years = _school_years(counties, schools, years, rng)
    panel = generate_county_panel(counties, school_years, rng)
    columns = SCHOOL_COLUMNS + ["prefecture"] + [c for c in ("students_senior", "classes_senior")
                                                 if c in school_years]
    school_years = school_years[columns].sort_values(["year", "county_code", "school_id"],
                                                     kind="stable").reset_index(drop=True)
    panel = panel.sort_values(["county_code", "year"], kind="stable").reset_index(drop=True)
    return school_years, panel


def write_sample(out_dir, scale: str = "province", seed: int = 2017, years=None,
                 fmt: str = "csv") -> dict[str, Path]:
    """Generate and write the sample data files.

    Generate and write ``schools`` and ``counties``; at province scale also the teacher
    rosters (``teachers``: a few schools; ``teachers_county``: every school of
    ``ROSTER_COUNTIES``), the assessment panel with a known staggered effect
    (``assessment_panel``, :func:`generate_assessment_panel`) and ``schools_form.xlsx``.

    Parameters
    ----------
    out_dir : str or path-like
        The folder (created if missing).
    scale : {"province", "national"}, default "province"
        As for :func:`generate`.
    seed : int, default 2017
        Seed of the random generator.
    years : iterable of int, optional
        As for :func:`generate`.
    fmt : {"csv", "parquet"}, default "csv"
        File format of the tables.

    Returns
    -------
    dict of str to Path
        Table name -> written file.
    """
    from .write import atomic_target, atomic_write_text

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    schools, counties = generate(scale, seed=seed, years=years)
    tables = {"schools": schools, "counties": counties}
    written = {}
    if scale == "province":
        from .load import write_school_form
        from .roster import simulate_county_roster, simulate_roster

        latest = schools[schools["year"] == schools["year"].max()]
        tables["teachers"] = simulate_roster(latest, seed=seed)
        tables["teachers_county"] = simulate_county_roster(latest, ROSTER_COUNTIES, seed=seed)
        tables["assessment_panel"] = generate_assessment_panel(seed)
        # One county's latest year as the official form would arrive: Chinese headers, a title
        # row and a two-row header, to try `edubalance validate` and the Excel loader on.
        form = latest[latest["county_name"] == FORM_COUNTY]
        written["form"] = write_school_form(
            form, out_dir / "schools_form.xlsx",
            title=f"表一 {FORM_COUNTY}义务教育学校办学条件统计表（{int(form['year'].iloc[0])}年，模拟数据）")
    for name, frame in tables.items():
        if fmt == "parquet":
            target = out_dir / f"{name}.parquet"
            with atomic_target(target) as tmp:
                frame.to_parquet(tmp, index=False)
        else:
            target = atomic_write_text(out_dir / f"{name}.csv", frame.to_csv(index=False, lineterminator="\n"))
        written[name] = target
    return written


def _cli_sample(args) -> int:
    written = write_sample(args.out, scale=args.scale, seed=args.seed, fmt=args.format,
                           years=_parse_years(args.years) if args.years else None)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def _parse_years(text: str) -> list[int]:
    if "-" in text:
        start, end = (int(part) for part in text.split("-", 1))
        return list(range(start, end + 1))
    return [int(part) for part in text.split(",")]


def register_cli(subparsers) -> None:
    """Add ``sample --out DIR [--scale ...] [--seed N] [--format ...] [--years ...]`` to the CLI.

    Parameters
    ----------
    subparsers : argparse subparsers action
        What ``ArgumentParser.add_subparsers()`` returned for ``edubalance``.
    """
    parser = subparsers.add_parser(
        "sample", help="write simulated sample data (schools.csv, counties.csv, rosters, panel)",
        description="Write simulated (not real) school- and county-level sample data.")
    parser.add_argument("--scale", choices=["province", "national"], default="province")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--years", help="e.g. 2010-2017 or 2015,2017 (default: 2010-2017 "
                                        "for province, 2017 for national)")
    parser.set_defaults(func=_cli_sample)

