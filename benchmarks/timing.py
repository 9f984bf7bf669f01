"""Timing helper shared by the benchmark scripts (run them as `python benchmarks/bench_x.py`)."""
import time


def best_of(function, repeats: int) -> float:
    """Shortest wall time of ``repeats`` calls (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)
