"""Shared work computed once per batch: loaded, validated and scored school tables.

A county report needs the whole year's scoring (its county, plus every other county for the
comparison). When many jobs of a batch read the same file with the same standard and year,
the batch sets ``EDUBALANCE_CACHE_DIR`` and the first job's work is reused by the others
(keyed by the file's content hash, the standard and the package version). A notebook run on
its own, without that variable, computes everything directly: the results are the same.

Examples
--------
>>> import edubalance as eb
>>> schools, result = eb.cache.scored_year("data/sample/schools.csv", "basic-2012", 2017)  # doctest: +SKIP
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["CACHE_ENV", "load_schools", "scored_year"]

CACHE_ENV = "EDUBALANCE_CACHE_DIR"


def load_schools(data_path: str | os.PathLike) -> pd.DataFrame:
    """The validated school table of ``data_path`` (see :func:`edubalance.data.load_schools`)."""
    from .data import load_schools as _load

    return _load(Path(data_path))


def scored_year(data_path: str | os.PathLike, standard, year: int):
    """``(schools, result)``: every school of ``data_path`` and the scoring of ``year``.

    ``schools`` holds all years (so that a notebook can say which years a county has);
    ``result`` is :func:`edubalance.scoring.score` of that year's schools under ``standard``.
    """
    from .scoring import score

    schools = load_schools(data_path)
    return schools, score(schools[schools["year"] == year], standard)
