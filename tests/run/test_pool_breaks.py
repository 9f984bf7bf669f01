"""run_pool when a worker dies: the jobs it did not finish run again; a job that kills its
worker every time fails, naming how the worker ended.

The jobs here are the module-level functions below (spawned workers import this module), not
notebooks: a pool of two workers starts in well under a second.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from edubalance.run import engines


def _job(spec: dict) -> dict:
    """A job by its spec's ``action``: end well, or kill its own worker (always, or once)."""
    action = spec["action"]
    if action == "die" or (action == "die_once" and _first_time(spec["marker"])):
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "exit":
        os._exit(3)
    return {"slug": spec["slug"], "status": "ok", "pid": os.getpid()}


def _first_time(marker: str) -> bool:
    try:
        Path(marker).touch(exist_ok=False)
    except FileExistsError:
        return False
    return True


def _spec(slug: str, action: str = "ok", **more) -> dict:
    return {"stem": "toy_job", "slug": slug, "parameters": {}, "notebook": "toy_job.ipynb",
            "action": action, **more}


def _run(specs: list[dict], workers: int = 2) -> dict[str, dict]:
    entries: dict[str, dict] = {}

    def on_done(entry: dict) -> None:
        assert entry["slug"] not in entries, f"{entry['slug']} reported twice"
        entries[entry["slug"]] = entry

    engines.run_pool(specs, workers, on_done, warm=False, function=_job)
    assert sorted(entries) == sorted(spec["slug"] for spec in specs)
    return entries


def test_a_worker_killed_once_costs_no_job(tmp_path, capsys):
    # The first run of B kills its worker; the pool breaks and stops every job in it. Every job
    # then runs (again) in a new pool, and all end well.
    specs = [_spec("A"), _spec("B", "die_once", marker=str(tmp_path / "B")),
             *(_spec(name) for name in "CDEF")]
    entries = _run(specs)
    assert {entry["status"] for entry in entries.values()} == {"ok"}
    assert (tmp_path / "B").exists()
    assert "killed by SIGKILL" in capsys.readouterr().err   # the batch's log says so


def test_a_job_that_kills_its_worker_fails_alone(tmp_path):
    specs = [_spec("A"), _spec("B", "die"), _spec("C"), _spec("D")]
    entries = _run(specs)
    assert entries["B"]["status"] == "failed"
    assert entries["B"]["error"] == (
        f"worker failed: its worker died running it {engines.WORKER_DEATHS_PER_JOB} times "
        f"(killed by SIGKILL, killed by SIGKILL)")
    assert all(entries[name]["status"] == "ok" for name in "ACD")


def test_a_worker_that_exits_is_named_by_its_exit_code():
    entries = _run([_spec("A", "exit"), _spec("B")], workers=1)
    assert "(exit code 3, exit code 3)" in entries["A"]["error"]
    assert entries["B"]["status"] == "ok"


def test_workers_that_die_before_any_job_fail_the_jobs_left(monkeypatch):
    # A worker that dies at start (a broken environment) takes no job with it: the pool is
    # started again, POOL_BREAKS_WITHOUT_PROGRESS times, and then the jobs fail.
    calls = []

    def pool_that_breaks(context, specs, positions, workers, on_done, warm, function):
        calls.append(list(positions))
        return engines._PoolBreak(list(positions), {}, ["worker 12 killed by SIGKILL"])

    monkeypatch.setattr(engines, "_run_in_one_pool", pool_that_breaks)
    entries = {}
    engines.run_pool([_spec("A"), _spec("B")], 2,
                     lambda entry: entries.setdefault(entry["slug"], entry), warm=False)
    assert calls == [[0, 1]] * engines.POOL_BREAKS_WITHOUT_PROGRESS
    assert entries["A"]["error"] == (
        f"worker failed: the workers died {engines.POOL_BREAKS_WITHOUT_PROGRESS} times before "
        f"any job ended (worker 12 killed by SIGKILL)")


def test_a_break_after_progress_starts_the_count_again(monkeypatch):
    # Each pool ends one job before it breaks: the batch goes on until every job has ended.
    def pool_ending_one(context, specs, positions, workers, on_done, warm, function):
        on_done({"slug": specs[positions[0]]["slug"], "status": "ok"})
        return engines._PoolBreak(list(positions[1:]), {}, []) if positions[1:] else None

    monkeypatch.setattr(engines, "_run_in_one_pool", pool_ending_one)
    ended = []
    specs = [_spec(name) for name in "ABCDEFG"]
    engines.run_pool(specs, 2, lambda entry: ended.append(entry["slug"]), warm=False)
    assert ended == list("ABCDEFG")


@pytest.mark.parametrize(("code", "text"), [(-9, "killed by SIGKILL"), (-15, "killed by SIGTERM"),
                                            (0, "exit code 0"), (-200, "killed by signal 200")])
def test_describe_exit(code, text):
    assert engines.describe_exit(code) == text
