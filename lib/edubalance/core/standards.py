"""National and provincial standards, kept as YAML data files inside the package.

Each file in ``edubalance/standards/`` describes one standard: its items (name, formula over the
indicator names of :data:`edubalance.core.indicators.INDICATORS`, per-level thresholds, points), how
the CVs combine, the pass rules and the source document. Adding a provincial standard means
adding a file; no code changes. Rule kinds understood by :mod:`edubalance.core.scoring`:

===================== ==================================================
``composite_cv``      plain mean of the item CVs <= ``limit[level]``
``each_cv``           every item CV <= ``limit[level]``
``school_thresholds`` every school meets >= ``min_met`` thresholds, each unmet one reaching
                      >= ``min_share_of_threshold`` of its threshold
``school_size``       whole-school compulsory enrolment <= ``max`` (``max_by_type`` overrides)
``class_size``        average class size of every section <= ``max[level]``
``points``            100-point score (``scoring`` block: bands) reaches the pass band
``evidence``          county value in ``column`` of the optional evidence table >= ``min``
                      (older files; shipped standards list such items under ``evidence:``)
``not_assessed``      needs evidence school data cannot give; always reported as not assessed
===================== ==================================================

A rule with ``estimate: true`` (the Ningxia points, whose table is assumed) is computed and
shown but never decides the official verdict.

The ``evidence:`` list holds what school data cannot decide (:class:`EvidenceItem`; judged by
:mod:`edubalance.core.evidence`): per item an ``id``, the ``part`` of the assessment it belongs to,
``kind`` (``at_least`` / ``at_most`` a ``limit``, or ``yes`` / ``no``), the text in Chinese and
English, header ``aliases`` for evidence files, ``veto`` and ``when_missing: assumed`` for a
precondition shown as assumed when not given.

Shipped: ``basic-2012`` (DOMAIN §4.1), ``quality-2017`` (§4.2) and ``ningxia-2010`` (§4.3).
The Ningxia scheme has 70 indicators (5 A, 18 B, 47 C) scored to 100, but seed 001 gives
neither its point table nor its targets. ``ningxia-2010`` scores only the seven items the school
table can decide (teaching area per pupil as a proxy for building area, books per pupil, pupils
per computer, degree share, mid-or-senior title share as a proxy for the senior-title share,
backbone share, class size) with points and targets marked ``assumed: true``, rescaled to 100;
everything else (equipment completeness, teacher computers, staffing quota, subject and age
structure, campus area, arrival rate, school-choice pupils, satisfaction, exam results,
retention, government items) is listed as not assessed. Edit the file to use the real table.
Loaded standards are cached: treat them as read-only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import StandardError, did_you_mean
from ..io.yamldata import safe_load
from ..schema import LEVELS
from .indicators import INDICATORS

__all__ = ["Standard", "Item", "Rule", "EvidenceItem", "EVIDENCE_KINDS", "STANDARD_ALIASES",
           "standard_name", "available_standards", "load_standard",
           "load_standard_file", "evaluate_formula", "RULE_KINDS", "level_index",
           "per_level_values"]

RULE_KINDS = ("composite_cv", "each_cv", "school_thresholds", "school_size", "class_size",
              "points", "evidence", "not_assessed")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SECTION_COLUMNS = ("students", "classes")
_TOKEN = r"\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?)\s*"
_FORMULA = re.compile(rf"^{_TOKEN}(?:([/*]){_TOKEN})?$")


@dataclass(frozen=True)
class Item:
    """One scored item of a standard.

    Parameters
    ----------
    name, formula : str
        The item's name and its formula over the indicators.
    label_zh, unit : str
        Chinese label and unit.
    threshold : dict, optional
        Level -> threshold.
    direction : {"higher", "lower"}
        Whether more is better.
    points : float, optional
        Points of a point scheme.
    assumed : bool
        Points and target assumed by edubalance, not from the source.

    """

    name: str
    formula: str
    label_zh: str = ""
    unit: str = ""
    threshold: dict[str, float] | None = None
    direction: str = "higher"   # "higher": more is better; "lower": less is better
    points: float | None = None
    assumed: bool = False


@dataclass(frozen=True)
class Rule:
    """One pass rule of a standard (see the module docstring for the kinds).

    Parameters
    ----------
    id, kind, text : str
        Identifier, kind (:data:`RULE_KINDS`) and description.
    params : dict
        The rule's numbers (``limit``, ``max``, ...).

    """

    id: str
    kind: str
    text: str = ""
    params: dict[str, Any] = field(default_factory=dict)


EVIDENCE_KINDS = ("at_least", "at_most", "yes", "no")


@dataclass(frozen=True)
class EvidenceItem:
    """One item of a standard that evidence, not school data, decides.

    Parameters
    ----------
    id, kind, text_zh, text_en, part : str
        Identifier, how it is judged (:data:`EVIDENCE_KINDS`), the item in Chinese and English,
        the part of the assessment it belongs to.
    limit : float or None
        The number an ``at_least``/``at_most`` item is compared with.
    unit : str
        Unit of the value (分, %, 元).
    aliases : tuple of str
        Other column headers of the item in evidence files.
    veto : bool
        A one-vote veto (一票否决).
    when_missing : {"incomplete", "assumed"}
        What a missing value means.
    from_year : bool
        A year given counts as the assessed year minus that year.
    """

    id: str
    kind: str
    text_zh: str
    text_en: str = ""
    part: str = ""
    limit: float | None = None
    unit: str = ""
    aliases: tuple[str, ...] = ()
    veto: bool = False
    when_missing: str = "incomplete"   # or "assumed": a precondition shown as assumed
    from_year: bool = False            # a year given counts as (assessed year - that year)

    def text(self, lang: str = "zh") -> str:
        """Return the item in the reader's language.

        Parameters
        ----------
        lang : {"zh", "en"}
            The language.
        """
        return self.text_en if lang == "en" and self.text_en else self.text_zh


@dataclass(frozen=True)
class Standard:
    """A standard loaded from its YAML file.

    Parameters
    ----------
    name, title, title_zh, source : str
        Identifier, English and Chinese title, source document.
    levels : tuple of str
        The levels judged.
    items : tuple of Item
        The scored items.
    composite : str or None
        How the item CVs combine (``mean``) or None.
    rules : tuple of Rule
        The pass rules.
    scoring : dict, optional
        The point scheme's bands.
    evidence : tuple of EvidenceItem
        What evidence, not school data, decides.

    """

    name: str
    title: str
    title_zh: str
    source: str
    levels: tuple[str, ...]
    items: tuple[Item, ...]
    composite: str | None
    rules: tuple[Rule, ...]
    scoring: dict[str, Any] | None = None
    evidence: tuple[EvidenceItem, ...] = ()

    @property
    def item_names(self) -> list[str]:
        """The names of the standard's indicator items, in order."""
        return [item.name for item in self.items]

    @property
    def has_thresholds(self) -> bool:
        """Whether any item has a school-level threshold."""
        return any(item.threshold for item in self.items)

    def rule(self, kind: str) -> Rule | None:
        """The first rule of ``kind``, or None.

        Parameters
        ----------
        kind : str
            A rule kind (:data:`RULE_KINDS`).

        """
        return next((r for r in self.rules if r.kind == kind), None)

    def threshold(self, item: str, level: str) -> float:
        """Threshold of ``item`` at ``level`` (NaN when the standard sets none).

        Parameters
        ----------
        item : str
            An item name.
        level : str
            ``primary`` or ``junior``.

        """
        found = next(i for i in self.items if i.name == item)
        return float(found.threshold[level]) if found.threshold else float("nan")


def _standards_dir():
    return resources.files(__package__) / "standards"


def available_standards() -> list[str]:
    """Names of the standards shipped with the package.

    Examples
    --------
    >>> available_standards()
    ['basic-2012', 'ningxia-2010', 'quality-2017']
    """
    return sorted(p.name[:-5] for p in _standards_dir().iterdir() if p.name.endswith(".yaml"))


STANDARD_ALIASES = {
    "basic-2012": ("基本均衡", "义务教育基本均衡", "县域义务教育发展基本均衡", "basic", "basic balance"),
    "quality-2017": ("优质均衡", "义务教育优质均衡", "县域义务教育优质均衡发展", "quality",
                     "quality balance"),
    "ningxia-2010": ("宁夏", "宁夏评估", "宁夏方案", "ningxia"),
}
"""Other names of the shipped standards (Chinese, short English), as a user may write them."""


def standard_name(name: str) -> str:
    """The shipped standard's name for ``name`` (itself, an alias or a title).

    The shipped standard's name for ``name``: itself, a Chinese or short alias
    (:data:`STANDARD_ALIASES`), or its title.

    Parameters
    ----------
    name : str
        e.g. ``"quality-2017"``, ``"优质均衡"``, ``"县域义务教育优质均衡发展"``.

    Returns
    -------
    str

    Raises
    ------
    StandardError (a ValueError)
        For an unknown name, with the closest names ("did you mean") and the available ones.

    Examples
    --------
    >>> standard_name("优质均衡"), standard_name("Basic balance"), standard_name("ningxia-2010")
    ('quality-2017', 'basic-2012', 'ningxia-2010')
    >>> standard_name("quality-2018")
    Traceback (most recent call last):
    ...
    edubalance.errors.StandardError: unknown standard 'quality-2018'; did you mean quality-2017? (available: basic-2012, ningxia-2010, quality-2017)
    """
    available = available_standards()
    text = " ".join(str(name).split()).strip()
    if text in available:
        return text
    known = {alias.lower(): key for key, aliases in STANDARD_ALIASES.items() for alias in aliases}
    known.update({key: key for key in available})
    for key in available:
        standard = _load_shipped(key)
        known[standard.title.lower()] = key
        if standard.title_zh:
            known[standard.title_zh.lower()] = key
    found = known.get(text.lower())
    if found in available:
        return found
    raise StandardError(f"unknown standard {name!r}{did_you_mean(text, known)} "
                        f"(available: {', '.join(available)})")


def load_standard(name: str | Standard) -> Standard:
    """Load a shipped standard by name (a :class:`Standard` is returned unchanged).

    Parameters
    ----------
    name : str or Standard
        A name of :func:`available_standards`, or a Chinese or short alias
        (:func:`standard_name`: 基本均衡, 优质均衡, 宁夏).

    Returns
    -------
    Standard

    Raises
    ------
    StandardError (a ValueError)
        For an unknown name, with the closest ones and the available ones.

    Examples
    --------
    >>> std = load_standard("quality-2017")
    >>> std.threshold("sports_area_per_student", "junior")
    10.2
    >>> load_standard("优质均衡") is std
    True
    """
    if isinstance(name, Standard):
        return name
    if not isinstance(name, str):
        raise StandardError(f"unknown standard {name!r}; available: "
                            f"{', '.join(available_standards())}")
    return _load_shipped(standard_name(name))


@lru_cache(maxsize=None)
def _load_shipped(name: str) -> Standard:
    # Parsed once per process: batch workers and per-county loops score many times.
    source = _standards_dir() / f"{name}.yaml"
    return _parse(safe_load(source.read_text(encoding="utf-8")), f"{name}.yaml")


def load_standard_file(path: str | Path) -> Standard:
    """Load a standard from a YAML file of your own (same format as the shipped ones).

    Parameters
    ----------
    path : str or Path
        A YAML file in the format of the shipped standards.

    """
    path = Path(path)
    return _parse(safe_load(path.read_text(encoding="utf-8")), str(path))


def _per_level(value, where: str, levels) -> dict[str, float]:
    if not isinstance(value, dict) or set(value) != set(levels):
        raise StandardError(f"{where}: needs one number per level {list(levels)}, got {value!r}")
    out = {}
    for level, number in value.items():
        if not isinstance(number, (int, float)) or isinstance(number, bool) or number <= 0:
            raise StandardError(f"{where}: {level} must be a positive number, got {number!r}")
        out[level] = float(number)
    return out


def _check_formula(formula: str, where: str) -> None:
    match = _FORMULA.match(str(formula))
    if not match:
        raise StandardError(f"{where}: formula {formula!r} must be a name, a number or 'a / b', 'a * b'")
    for token in (match.group(1), match.group(3)):
        if token and not token[0].isdigit() and token not in INDICATORS \
                and token not in _SECTION_COLUMNS:
            raise StandardError(f"{where}: formula {formula!r} uses unknown name {token!r}; use "
                             f"indicator names ({', '.join(INDICATORS)}) or students, classes")


def _parse_item(raw: dict, where: str, levels) -> Item:
    if not isinstance(raw, dict) or "name" not in raw or "formula" not in raw:
        raise StandardError(f"{where}: each item needs 'name' and 'formula'")
    where = f"{where} item {raw['name']}"
    _check_formula(raw["formula"], where)
    direction = raw.get("direction", "higher")
    if direction not in ("higher", "lower"):
        raise StandardError(f"{where}: direction must be 'higher' or 'lower', not {direction!r}")
    threshold = raw.get("threshold")
    return Item(name=str(raw["name"]), formula=str(raw["formula"]),
                label_zh=str(raw.get("label_zh", "")), unit=str(raw.get("unit", "")),
                threshold=_per_level(threshold, f"{where} threshold", levels)
                if threshold is not None else None,
                direction=direction, points=raw.get("points"), assumed=bool(raw.get("assumed")))


def _parse_rule(raw: dict, where: str, levels) -> Rule:
    if not isinstance(raw, dict) or "id" not in raw or "kind" not in raw:
        raise StandardError(f"{where}: each rule needs 'id' and 'kind'")
    kind = raw["kind"]
    if kind not in RULE_KINDS:
        raise StandardError(f"{where} rule {raw['id']}: unknown kind {kind!r} "
                         f"(known: {', '.join(RULE_KINDS)})")
    params = {k: v for k, v in raw.items() if k not in ("id", "kind", "text")}
    rule_where = f"{where} rule {raw['id']}"
    if kind in ("composite_cv", "each_cv"):
        params["limit"] = _per_level(params.get("limit"), f"{rule_where} limit", levels)
    if kind == "class_size":
        params["max"] = _per_level(params.get("max"), f"{rule_where} max", levels)
    if kind == "school_size" and not isinstance(params.get("max"), (int, float)):
        raise StandardError(f"{rule_where}: needs a numeric 'max'")
    if kind == "evidence" and not ("column" in params and "min" in params):
        raise StandardError(f"{rule_where}: needs 'column' and 'min'")
    if kind == "school_thresholds" and not {"min_met", "min_share_of_threshold"} <= set(params):
        raise StandardError(f"{rule_where}: needs 'min_met' and 'min_share_of_threshold'")
    return Rule(id=str(raw["id"]), kind=kind, text=str(raw.get("text", "")), params=params)


def _parse_evidence(raw, where: str) -> tuple[EvidenceItem, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise StandardError(f"{where}: 'evidence' must be a list of items")
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or not {"id", "kind", "text_zh"} <= set(entry):
            raise StandardError(f"{where}: each evidence item needs 'id', 'kind' and 'text_zh'")
        item_where = f"{where} evidence item {entry['id']}"
        kind = str(entry["kind"])
        if kind not in EVIDENCE_KINDS:
            raise StandardError(f"{item_where}: kind must be one of {', '.join(EVIDENCE_KINDS)}")
        limit = entry.get("limit")
        if (kind in ("at_least", "at_most")) != isinstance(limit, (int, float)) \
                or isinstance(limit, bool):
            raise StandardError(f"{item_where}: 'limit' is a number for at_least/at_most only")
        when_missing = str(entry.get("when_missing", "incomplete"))
        if when_missing not in ("incomplete", "assumed"):
            raise StandardError(f"{item_where}: when_missing must be 'incomplete' or 'assumed'")
        out.append(EvidenceItem(
            id=str(entry["id"]), kind=kind, text_zh=str(entry["text_zh"]),
            text_en=str(entry.get("text_en", "")), part=str(entry.get("part", "")),
            limit=float(limit) if limit is not None else None, unit=str(entry.get("unit", "")),
            aliases=tuple(str(a) for a in entry.get("aliases", ()) or ()),
            veto=bool(entry.get("veto", False)), when_missing=when_missing,
            from_year=bool(entry.get("from_year", False))))
    ids = [item.id for item in out]
    if len(set(ids)) != len(ids):
        raise StandardError(f"{where}: duplicate evidence item ids")
    return tuple(out)


def _parse(raw: dict, where: str) -> Standard:
    if not isinstance(raw, dict):
        raise StandardError(f"{where}: not a mapping")
    for key in ("name", "source", "items", "rules"):
        if key not in raw:
            raise StandardError(f"{where}: missing key {key!r}")
    levels = tuple(raw.get("levels", LEVELS))
    if not set(levels) <= set(LEVELS):
        raise StandardError(f"{where}: levels must be among {LEVELS}, got {levels}")
    items = tuple(_parse_item(item, where, levels) for item in raw["items"])
    names = [item.name for item in items]
    if len(set(names)) != len(names):
        raise StandardError(f"{where}: duplicate item names")
    rules = tuple(_parse_rule(rule, where, levels) for rule in raw["rules"])
    composite = (raw.get("cv") or {}).get("composite")
    if composite not in (None, "mean"):
        raise StandardError(f"{where}: cv.composite must be 'mean' or null, not {composite!r}")
    kinds = {rule.kind for rule in rules}
    if kinds & {"school_thresholds", "points"} and not all(item.threshold for item in items):
        raise StandardError(f"{where}: rules on thresholds need a threshold on every item")
    scoring = raw.get("scoring")
    if "points" in kinds:
        if not scoring or not scoring.get("bands") or "pass_band" not in scoring:
            raise StandardError(f"{where}: a 'points' rule needs a scoring block with bands, pass_band")
        if any(item.points is None for item in items):
            raise StandardError(f"{where}: a 'points' rule needs points on every item")
    return Standard(name=str(raw["name"]), title=str(raw.get("title", raw["name"])),
                    title_zh=str(raw.get("title_zh", "")), source=" ".join(str(raw["source"]).split()),
                    levels=levels, items=items, composite=composite, rules=rules, scoring=scoring,
                    evidence=_parse_evidence(raw.get("evidence"), where))


def evaluate_formula(formula: str, frame: pd.DataFrame) -> np.ndarray:
    """Evaluate an item formula (``name``, ``number``, ``a / b`` or ``a * b``) on section rows.

    Division by zero gives ``inf`` (or NaN for 0/0), never an exception.

    Parameters
    ----------
    formula : str
        An item formula.
    frame : DataFrame
        Section rows with the indicator columns.

    Examples
    --------
    >>> evaluate_formula("100 / computers_per_100_students",
    ...                  pd.DataFrame({"computers_per_100_students": [10.0, 5.0]})).tolist()
    [10.0, 20.0]
    """
    match = _FORMULA.match(formula)
    if not match:
        raise StandardError(f"cannot evaluate formula {formula!r}")

    def operand(token):
        if token[0].isdigit():
            return np.full(len(frame), float(token))
        return frame[token].to_numpy(dtype=float)

    left = operand(match.group(1))
    if match.group(2) is None:
        return left
    right = operand(match.group(3))
    with np.errstate(divide="ignore", invalid="ignore"):
        return left / right if match.group(2) == "/" else left * right


def level_index(levels) -> np.ndarray:
    """Position in ``LEVELS`` per row (``-1`` for anything else), to look up per-level numbers.

    Parameters
    ----------
    levels : sequence of str
        Level names.

    Examples
    --------
    >>> level_index(["junior", "primary", "senior"]).tolist()
    [1, 0, -1]
    """
    levels = levels if isinstance(levels, pd.Series) else pd.Series(levels)
    code = np.full(len(levels), -1, dtype=np.int64)
    for position, level in enumerate(LEVELS):
        code[levels.eq(level).to_numpy(dtype=bool, na_value=False)] = position
    return code


def per_level_values(level_code: np.ndarray, per_level: dict | None) -> np.ndarray:
    """The per-level number of a standard for each row of :func:`level_index`.

    The per-level number (a threshold or limit of a standard) for each row of
    :func:`level_index`; NaN where ``per_level`` is None or has no entry.

    Parameters
    ----------
    level_code : ndarray
        :func:`level_index` of the rows.
    per_level : dict or None
        Level -> number.

    Examples
    --------
    >>> per_level_values(level_index(["junior", "primary"]), {"primary": 0.5, "junior": 0.45})
    array([0.45, 0.5 ])
    """
    table = np.array([float((per_level or {}).get(level, np.nan)) for level in LEVELS] + [np.nan])
    return table[np.asarray(level_code)]
