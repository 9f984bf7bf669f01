"""Benchmark: score every county of the national-scale sample against a standard at once.

Target: under 1 second for ~2,850 counties / ~200,000 schools (one year) on a 2-core machine,
and at least 20x faster than a straightforward per-county loop
(``for county in counties: score(that county)``), measured in the same run. The loop is timed
on a random subset of counties (its cost is linear in the number of counties) and scaled up;
the county frames are split off beforehand so the loop is charged for scoring only.

    .venv/bin/python benchmarks/bench_scoring.py [--standard basic-2012 ...] [--subset 150]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np
from timing import best_of

import edubalance as eb

TARGET_SECONDS = 1.0
TARGET_RATIO = 20.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standard", nargs="+", default=eb.core.standards.available_standards())
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--subset", type=int, default=150,
                        help="counties timed in the per-county loop (then scaled)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    schools, _ = eb.io.sample.generate("national", seed=args.seed)
    print(f"national sample: {schools['county_code'].nunique():,} counties, {len(schools):,} "
          f"schools, year {sorted(schools['year'].unique().tolist())} "
          f"(generated in {time.perf_counter() - start:.1f} s)")
    by_county = dict(tuple(schools.groupby("county_code", sort=True)))
    rng = np.random.default_rng(args.seed)
    subset = rng.choice(sorted(by_county), size=min(args.subset, len(by_county)), replace=False)
    n_counties = len(by_county)

    all_ok = True
    for name in args.standard:
        eb.core.scoring.score(schools.head(500), name)        # warm-up: imports, YAML cache
        vectorised = best_of(lambda name=name: eb.core.scoring.score(schools, name), args.repeats)
        loop_subset = best_of(lambda name=name: [eb.core.scoring.score(by_county[c], name) for c in subset], 1)
        loop_all = loop_subset * n_counties / len(subset)
        ratio = loop_all / vectorised
        tracemalloc.start()
        eb.core.scoring.score(schools, name)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ok = vectorised < TARGET_SECONDS and ratio >= TARGET_RATIO
        all_ok &= ok
        print(f"\n[{name}]")
        print(f"  vectorised, all {n_counties:,} counties: {vectorised:.3f} s "
              f"(best of {args.repeats}; target < {TARGET_SECONDS:.1f} s)")
        print(f"  per-county loop: {loop_subset:.2f} s for {len(subset)} counties "
              f"-> {loop_all:.1f} s scaled to {n_counties:,}")
        print(f"  speed-up: {ratio:.0f}x (target >= {TARGET_RATIO:.0f}x)  "
              f"{'OK' if ok else 'MISSED'}")
        print(f"  peak traced memory of one vectorised run: {peak / 2**20:.0f} MiB")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS: {max_rss:.0f} MiB")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
