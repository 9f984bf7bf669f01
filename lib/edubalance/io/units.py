"""Units written in headers, as data (``units.yaml``): which unit each column may carry.

>>> factor("equipment_value_cny", "万元")
10000.0
>>> factor("teaching_area_m2", "亩") is None
True
>>> accepted("books")
['册', '本', '千册', '万册']
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .headers import normalise_header
from .yamldata import safe_load

__all__ = ["factor", "accepted", "canonical_unit", "UNITS_FILE"]

UNITS_FILE = Path(__file__).with_name("units.yaml")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict]:
    return safe_load(UNITS_FILE.read_text(encoding="utf-8"))


def factor(column: str, unit: str) -> float | None:
    """Factor from ``unit`` to the column's canonical unit; None if not a unit of the column.

    Parameters
    ----------
    column : str
        A canonical column (e.g. ``"equipment_value_cny"``).
    unit : str
        The unit written in a header (e.g. ``"万元"``), compared after header normalisation.

    Returns
    -------
    float or None
        The multiplier to the canonical unit.
    """
    entry = _table().get(column)
    if entry is None:
        return None
    units = {normalise_header(k): float(v) for k, v in entry["units"].items()}
    return units.get(normalise_header(unit))


def accepted(column: str) -> list[str]:
    """The units a header of ``column`` may carry.

    Parameters
    ----------
    column : str
        A canonical column.

    Returns
    -------
    list of str
        The units as listed in ``units.yaml``; empty for a column without units.
    """
    entry = _table().get(column)
    return list(entry["units"]) if entry else []


def canonical_unit(column: str) -> str | None:
    """The canonical unit of ``column`` (the one its values are stored in).

    Parameters
    ----------
    column : str
        A canonical column.

    Returns
    -------
    str or None
        The unit (e.g. ``"元"``); None for a column without units.
    """
    entry = _table().get(column)
    return entry["canonical"] if entry else None
