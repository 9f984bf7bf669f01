"""Limits on the parts of input files, as data (``limits.yaml``).

>>> limits()["max_rows"]
1048576
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .yamldata import safe_load

__all__ = ["LIMITS_FILE", "limits"]

LIMITS_FILE = Path(__file__).with_name("limits.yaml")


@lru_cache(maxsize=1)
def limits() -> dict[str, int]:
    """The limits, by name (bytes, ratio, cells, rows)."""
    return {k: int(v) for k, v in safe_load(LIMITS_FILE.read_text(encoding="utf-8")).items()}
