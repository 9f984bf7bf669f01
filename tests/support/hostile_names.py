"""A corpus of hostile county and school names, and a copy of the sample data carrying them.

Each payload, if it ever ran, would set ``window.__pwned`` (or open a dialog); each is text a
county or school name could hold in a spreadsheet. The browser tests put them into a copy of
``data/sample`` and assert that no page built from it runs a script or links ``javascript:``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

HOSTILE_NAMES = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=2</script>",
    "[详情](javascript:window.__pwned=3)",
    '"><svg onload="window.__pwned=4">',
    "<iframe src=\"javascript:parent.__pwned=5\"></iframe>",
    '<a href="javascript:window.__pwned=6">点我</a>',
    "'><details open ontoggle=\"window.__pwned=7\">",
    "![x](javascript:window.__pwned=8)",
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=9">',
    "</textarea></title><img src=x onerror=alert(10)>",
    '**粗体**<body onload="window.__pwned=11">',
    "<x onmouseover=window.__pwned=12>甲县</x>",
    "[点](<javascript:alert(13)>)",
    "<!--<img src=x onerror=window.__pwned=14>-->",
    r"$\foo$<b onclick=window.__pwned=15>",
    r"$\href{javascript:window.__pwned=16}{点}$",
]
"""Hostile names: HTML tags with handlers, script elements, Markdown links and images to
``javascript:``, attribute break-outs, mutation-XSS and comment tricks, and a ``$...$`` that
matplotlib would read as (broken) mathtext."""

KEEP = "大武口区"
"""The county the explorer opens by default keeps its name (its schools get hostile ones)."""


def hostile_sample(sample_dir: Path, target: Path) -> Path:
    """Copy ``sample_dir`` (schools.csv, counties.csv) to ``target`` with hostile names.

    Counties other than :data:`KEEP` take the hostile names in turn (in both files); the
    schools of :data:`KEEP` and of the first renamed county take them too. Returns ``target``.
    """
    target.mkdir(parents=True, exist_ok=True)
    schools = pd.read_csv(sample_dir / "schools.csv", dtype=str, keep_default_na=False)
    counties = pd.read_csv(sample_dir / "counties.csv", dtype=str, keep_default_na=False)
    codes = [c for c in dict.fromkeys(counties["county_code"])
             if counties.loc[counties["county_code"] == c, "county_name"].iloc[0] != KEEP]
    renamed = dict(zip(codes, HOSTILE_NAMES, strict=False))
    for frame in (schools, counties):
        hit = frame["county_code"].isin(list(renamed))
        frame.loc[hit, "county_name"] = frame.loc[hit, "county_code"].map(renamed)
    keep_code = counties.loc[counties["county_name"] == KEEP, "county_code"].iloc[0]
    for code in (keep_code, codes[0]):
        rows = schools.index[schools["county_code"] == code]
        ids = schools.loc[rows, "school_id"].astype("category").cat.codes
        schools.loc[rows, "school_name"] = [
            f"{HOSTILE_NAMES[i % len(HOSTILE_NAMES)]}{i // len(HOSTILE_NAMES) or ''}"
            for i in ids]
    schools.to_csv(target / "schools.csv", index=False)
    counties.to_csv(target / "counties.csv", index=False)
    return target
