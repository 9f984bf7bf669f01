"""Benchmark: Monte-Carlo uncertainty of a composite index, and grouped inequality measures.

Run: ``.venv/bin/python benchmarks/bench_composite.py``. Prints measured times, the targets and
the speed-up over naive Python loops measured in the same run (on fewer draws / groups, scaled).

1. ``composite.uncertainty_analysis``: 1,000 draws for 2,850 counties x 7 indicators
   (synthetic seeded matrix). Target: under 10 s.
2. ``disparity.summary`` (all measures) over 2,850 county groups of ~70 schools each, versus a
   loop that calls the scalar functions once per group.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from edubalance.core import composite, disparity

N_COUNTIES, N_INDICATORS, N_DRAWS = 2850, 7, 1000
NAIVE_DRAWS = 40
NAIVE_GROUPS = 150
TARGET_SECONDS = 10.0


def synthetic_counties(seed: int = 2017) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.lognormal(0, 0.3, size=(N_COUNTIES, 1))
    values = level * rng.lognormal(0, 0.25, size=(N_COUNTIES, N_INDICATORS))
    return pd.DataFrame(values, columns=[f"indicator_{j}" for j in range(N_INDICATORS)])


def synthetic_schools(seed: int = 2017) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(40, 100, N_COUNTIES)
    county = np.repeat(np.arange(N_COUNTIES), sizes)
    return pd.DataFrame({
        "county_code": pd.Series(county + 100000).astype(str),
        "urban_rural": rng.choice(["urban", "town", "rural"], county.size),
        "value": rng.gamma(4, 1.5, county.size) * rng.lognormal(0, 0.2, N_COUNTIES)[county],
        "students": rng.integers(20, 2000, county.size),
    })


def naive_monte_carlo(frame: pd.DataFrame, n_draws: int, seed: int = 1) -> np.ndarray:
    """The obvious implementation: one full pipeline per draw, in a Python loop."""
    rng = np.random.default_rng(seed)
    raw = frame.to_numpy()
    normalisations = ("minmax", "zscore", "rank")
    weightings = ("equal", "entropy", "critic", "pca")
    aggregations = ("arithmetic", "geometric", "topsis")
    ranks = np.empty((raw.shape[0], n_draws), dtype=int)
    for draw in range(n_draws):
        norm = normalisations[rng.integers(3)]
        weighting = weightings[rng.integers(4)]
        aggregation = aggregations[rng.integers(3)]
        minmax = composite.normalise(raw, "minmax")
        weights = composite.compute_weights(weighting, minmax, raw)
        weights = weights * rng.uniform(0.75, 1.25, raw.shape[1])
        if aggregation == "topsis":
            scores = composite.topsis(raw, weights)
        else:
            scores = composite.aggregate(composite.normalise(raw, norm), weights, aggregation)
        ranks[:, draw] = composite.rank_scores(scores)
    return ranks


def naive_summary(schools: pd.DataFrame, n_groups: int) -> pd.DataFrame:
    rows = []
    for code, part in list(schools.groupby("county_code"))[:n_groups]:
        x, w = part["value"].to_numpy(), part["students"].to_numpy()
        decomposition = disparity.theil(x, weights=w, groups=part["urban_rural"])
        rows.append({"county_code": code, "cv": disparity.weighted_cv(x, w),
                     "gini": disparity.gini(x, weights=w), "theil": decomposition.total,
                     "theil_between": decomposition.between,
                     "atkinson": disparity.atkinson(x, 0.5, weights=w), "mcloone": disparity.mcloone(x, weights=w),
                     "range_ratio": disparity.range_ratio(x, weights=w), "p90_p10": disparity.p90_p10(x, weights=w),
                     "federal_range_ratio": disparity.federal_range_ratio(x, weights=w)})
    return pd.DataFrame(rows)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    frame = synthetic_counties()
    indicators = list(frame.columns)
    composite.uncertainty_analysis(frame.head(50), indicators, n_draws=10, random_state=0)  # warm-up
    seconds, result = timed(composite.uncertainty_analysis, frame, indicators,
                            n_draws=N_DRAWS, random_state=2017)
    # The draw -> score -> rank stage alone, which is what the naive loop does.
    raw, benefit = frame.to_numpy(), np.ones(N_INDICATORS, dtype=bool)
    stage_seconds, _ = timed(composite._simulate, raw, benefit, N_DRAWS, 2017,
                             ("minmax", "zscore", "rank"), ("equal", "entropy", "critic", "pca"),
                             ("arithmetic", "geometric", "topsis"), 0.25)
    naive_seconds, _ = timed(naive_monte_carlo, frame, NAIVE_DRAWS)
    naive_scaled = naive_seconds * N_DRAWS / NAIVE_DRAWS
    print(f"Monte-Carlo uncertainty, {N_DRAWS} draws x {N_COUNTIES} counties x "
          f"{N_INDICATORS} indicators")
    print(f"  full analysis (draws, ranks, intervals, sensitivity): {seconds:.2f} s  "
          f"(target < {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'MISSED'})")
    print(f"  draw+score+rank stage, vectorised: {stage_seconds:.2f} s")
    print(f"  naive per-draw Python loop (NumPy inside each draw): {naive_seconds:.2f} s for "
          f"{NAIVE_DRAWS} draws -> {naive_scaled:.1f} s scaled to {N_DRAWS}")
    print(f"  speed-up of the stage: {naive_scaled / stage_seconds:.1f}x; "
          f"rank matrix {result.rank_matrix.shape}")

    schools = synthetic_schools()
    disparity.summary(schools.head(1000), "value", "students", "county_code")  # warm-up
    seconds, table = timed(disparity.summary, schools, "value", "students", "county_code",
                           decompose_by="urban_rural")
    naive_seconds, naive = timed(naive_summary, schools, NAIVE_GROUPS)
    naive_scaled = naive_seconds * N_COUNTIES / NAIVE_GROUPS
    check = table.set_index("county_code").loc[naive["county_code"]]
    agree = np.allclose(check[["gini", "theil", "mcloone", "p90_p10"]].to_numpy(),
                        naive[["gini", "theil", "mcloone", "p90_p10"]].to_numpy())
    print(f"disparity.summary, {N_COUNTIES} groups, {len(schools):,} schools, all measures "
          "+ Theil decomposition")
    print(f"  vectorised: {seconds:.2f} s")
    print(f"  per-group loop: {naive_seconds:.2f} s for {NAIVE_GROUPS} groups -> "
          f"{naive_scaled:.1f} s scaled to {N_COUNTIES}")
    print(f"  speed-up: {naive_scaled / seconds:.0f}x; results agree: {agree}")


if __name__ == "__main__":
    main()
