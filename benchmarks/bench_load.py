"""Benchmark: loading + validating school files against the raw pandas/pyarrow read.

Targets (issue 16 and 13), each ratio measured in the same run:
- national sample file (~200,000 schools): ``load_schools`` within 3x of the raw read,
  ``pandas.read_csv`` on the same file (the baseline of issue 16: 0.25 s against 3.7 s for
  the old loader); the ratio against ``read_csv(engine="pyarrow")`` (multi-threaded, so it
  depends on how busy the cores are) is printed too;
- the embedded sample file (12,624 schools): printed against the same 3x (informational);
- 2 million rows: loaded and validated in at most 30 s and 1.5 GB peak memory (measured in a
  child process, so the peak is the loader's own).

The national file is generated with ``edubalance sample --scale national --out DIR`` in a
temporary folder; the 2-million-row file repeats it (school ids made unique).

    .venv/bin/python benchmarks/bench_load.py [--repeats 3] [--rows 2000000]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from timing import best_of

TARGET_RATIO = 3.0
TARGET_BIG_SECONDS = 30.0
TARGET_BIG_GB = 1.5
ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
from edubalance.io.load import load_schools
frame = load_schools(sys.argv[1])
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": len(frame), "seconds": seconds, "peak_gb": peak_kb / 2**20}))
"""


def ratio_line(name: str, raw: float, arrow: float, loaded: float, target: float) -> str:
    ratio = loaded / raw
    verdict = "OK" if ratio <= target else "MISSED"
    return (f"{name}: pandas.read_csv {raw:.3f} s, load+validate {loaded:.3f} s, ratio "
            f"{ratio:.1f}x (target <= {target:g}x) {verdict}; against "
            f"read_csv(engine='pyarrow') {arrow:.3f} s: {loaded / arrow:.1f}x")


def time_file(path: Path, repeats: int) -> tuple[float, float, float]:
    """Best-of times: pandas' default reader (the issue's baseline), pyarrow's, the loader."""
    from edubalance.io.load import load_schools

    raw = best_of(lambda: pd.read_csv(path), repeats)
    arrow = best_of(lambda: pd.read_csv(path, engine="pyarrow"), repeats)
    loaded = best_of(lambda: load_schools(path), repeats)
    return raw, arrow, loaded


def big_file(national: Path, rows: int, folder: Path) -> Path:
    base = pd.read_csv(national, dtype={"county_code": str, "school_id": str})
    copies = -(-rows // len(base))
    parts = []
    for k in range(copies):
        part = base.copy()
        # A new year per copy keeps (county, year, school id) unique and the rows valid.
        part["year"] = 2017 - k % 20
        part["school_id"] = part["school_id"] + f"{k // 20:02d}"
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True).iloc[:rows]
    path = folder / "big.csv"
    frame.to_csv(path, index=False)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run([sys.executable, "-m", "edubalance.cli", "sample", "--scale", "national",
                        "--out", str(folder)], check=True, capture_output=True)
        national = folder / "schools.csv"
        sample = ROOT / "data" / "sample" / "schools.csv"
        for name, path in (("sample file", sample), ("national file", national)):
            raw, arrow, loaded = time_file(path, args.repeats)
            line = ratio_line(f"{name} ({path.stat().st_size / 2**20:.1f} MB)", raw, arrow,
                              loaded, TARGET_RATIO)
            print(line, flush=True)
            missed += name == "national file" and "MISSED" in line
        start = time.perf_counter()
        big = big_file(national, args.rows, folder)
        print(f"built {args.rows:,}-row file ({big.stat().st_size / 2**20:.0f} MB) in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        result = subprocess.run([sys.executable, "-c", _CHILD, str(big)], check=True,
                                capture_output=True, text=True)
        measured = json.loads(result.stdout.strip().splitlines()[-1])
        ok = measured["seconds"] <= TARGET_BIG_SECONDS and measured["peak_gb"] <= TARGET_BIG_GB
        missed += not ok
        print(f"{measured['rows']:,} rows: {measured['seconds']:.1f} s (target <= "
              f"{TARGET_BIG_SECONDS:g} s, ratio {measured['seconds'] / TARGET_BIG_SECONDS:.2f}), "
              f"peak {measured['peak_gb']:.2f} GB (target <= {TARGET_BIG_GB:g} GB, ratio "
              f"{measured['peak_gb'] / TARGET_BIG_GB:.2f}) {'OK' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
