"""edubalance.run.runner: the shared scoring starts before anything else the batch starts.

The jobs wait for it (they read its cache entry), and the browser of ``--pdf`` is not needed
before the first job ends, so the scoring thread must not wait for the browser's launch.
"""
from __future__ import annotations

import sys

import pytest

from edubalance.run import runner
from helpers import run_python
from paths import ROOT


def test_shared_scoring_starts_before_the_pdf_browser(tmp_path, monkeypatch):
    from edubalance.report import pdf

    started = []
    monkeypatch.setattr(pdf, "check_ready", lambda *a, **k: None)
    monkeypatch.setattr(runner._SharedScoring, "start", lambda self: started.append("scoring"))
    monkeypatch.setattr(runner._Pdfs, "start", lambda self: started.append("pdf"))
    monkeypatch.setattr(runner, "run_pool", lambda specs, *a, **k: started.append("workers"))
    monkeypatch.chdir(ROOT)
    batch = {"notebook": str(ROOT / "notebooks" / "county_scoring.ipynb"),
             "parameters": {"data_path": "data/sample/schools.csv", "standard": "basic-2012",
                            "year": 2017},
             "grid": {"county": ["兴庆区", "西夏区"]}}
    runner.run_batch([batch], output=tmp_path / "out", workers=2, progress=False, pdf=True)
    assert started == ["scoring", "pdf", "workers"]


FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "kept":
    from edubalance.run.runner import _keep_freed_memory
    assert _keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    columns = [np.ones(n << 17) for n in (3, 5, 7)]   # columns alive together
    for n in range(1, 25):                           # and temporaries of 1-24 MiB
        temporary = np.ones(n << 17) * 2.0
    del columns, temporary
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_scoring_process_reuses_the_memory_it_frees(monkeypatch):
    """Issue 29: the shared scoring makes and frees columns of megabytes; with glibc's default
    each is a new mmap whose pages fault in again (system time on the batch's critical path).
    The same allocations fault far less often once _keep_freed_memory ran."""
    def faults(mode):
        done = run_python(FAULTS, mode, check=True)
        return int(done.stdout)

    default, kept = faults("default"), faults("kept")
    assert kept < default / 3, (default, kept)
    calls = []
    monkeypatch.setattr(runner, "_keep_freed_memory", lambda: calls.append(1))
    runner._SharedScoring([], [], "unused").run()   # the thread's first step
    assert calls == [1]


def test_the_shared_scoring_runs_numpys_blas_on_one_thread(monkeypatch, tmp_path):
    """Issue 29: a second BLAS thread of the scoring spun on the core the workers' start
    needs; the limit holds while the scoring runs, and the process's BLAS is as before after."""
    import numpy  # noqa: F401 - its BLAS is loaded
    from threadpoolctl import threadpool_info, threadpool_limits

    from edubalance.run import cache

    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    seen = []
    monkeypatch.setattr(runner._SharedScoring, "_requests",
                        lambda self: [("data.csv", "basic-2012", 2017, {}, None)])
    monkeypatch.setattr(cache, "prepare_entry", lambda *a, **k: seen.append(blas_threads()) or True)
    with threadpool_limits(limits=2, user_api="blas"):   # as on a machine of two cores or more
        before = blas_threads()
        shared = runner._SharedScoring([], [], str(tmp_path))
        shared.run()
        after = blas_threads()
    assert before and set(before) == {2}
    assert shared.computed == 1
    assert seen == [[1] * len(before)]
    assert after == before


def test_the_workers_inherit_the_data_files_digests_computed_in_planning(tmp_path, monkeypatch):
    import json
    import os

    from edubalance.run import plan

    seen = []
    monkeypatch.setattr(runner._SharedScoring, "start", lambda self: None)
    monkeypatch.setattr(runner, "run_pool", lambda specs, *a, **k: seen.append(
        json.loads(os.environ[plan.DIGESTS_ENV])))
    monkeypatch.chdir(ROOT)
    batch = {"notebook": str(ROOT / "notebooks" / "county_scoring.ipynb"),
             "parameters": {"data_path": "data/sample/schools.csv", "standard": "basic-2012",
                            "year": 2017},
             "grid": {"county": ["兴庆区"]}}
    runner.run_batch([batch], output=tmp_path / "out", workers=1, progress=False)
    data = (ROOT / "data" / "sample" / "schools.csv").resolve()
    assert [item[3] for item in seen[0] if item[0] == str(data)] == [plan.file_sha256(data)]
    assert plan.DIGESTS_ENV not in os.environ   # for the workers only

