"""edubalance.run.engines: the warm-kernel engine (``--engine warm``), and the package-code part of the resume fingerprint.

Kernel starts and the warm kernel's preload cost seconds, so there are two small batches,
run side by side: the toy fixture (3 jobs, one failing) under the cold engine (`edubalance
batch`, two workers), and one warm batch on one worker running the same toy jobs, then a probe
notebook (define a global, check it is gone, time out, run on the replacement kernel).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edubalance.run import batch, runner
from helpers import imported_by, write_toy_notebook

TOY = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "toy_job.ipynb"
PROBE_TIMEOUT = 2.0  # the probe's "sleep" job: the notebook's own run; the kernel's start
#                      and preload (~3 s on a quiet machine, over 10 s on a loaded one) are
#                      not counted. Short: the test waits it out (it was 10 s, a worker idle
#                      for most of it), and a job timed out before it reaches its sleep (a
#                      loaded machine) is timed out all the same: what the test checks
JOB_TIMEOUT = 600.0  # every other job of the warm batch: a job (or one of its cells) on a
#                     loaded CI machine may take well over PROBE_TIMEOUT, and only the probe's
#                     "sleep" job is meant to time out


def write_batch(folder: Path, notebook: Path, **content) -> Path:
    path = folder / f"{notebook.stem}.yaml"
    path.write_text(yaml.safe_dump({"notebook": str(notebook), **content}, allow_unicode=True),
                    encoding="utf-8")
    return path


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def job_files(output: Path, entry: dict) -> set[str]:
    folder = output / entry["folder"]
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def probe_notebook(path: Path) -> Path:
    """Records what a job inherits from the one before it on the same kernel."""
    work = (
        'leaked = "leak" in globals()\n'
        'leak = name\n'
        'cwd_at_start = os.getcwd()\n'
        'linewidth_at_start = float(plt.rcParams["lines.linewidth"])\n'
        'plt.rcParams["lines.linewidth"] = 7.0  # must not reach the next job\n'
        'os.chdir(os.path.dirname(output_dir))  # nor this\n'
        '# State in imported modules, none of which may reach the next job either:\n'
        'import json, numpy as np, pandas as pd, edubalance\n'
        'module_leaks = {\n'
        '    "attribute": hasattr(json, "probe_leak") or hasattr(edubalance, "probe_leak"),\n'
        '    "monkeypatch": edubalance.core.disparity.weighted_cv is None,\n'
        '    "pandas_option": pd.get_option("display.max_rows") == 3,\n'
        '    "environ": "EB_PROBE_LEAK" in os.environ,\n'
        '    "sys_path": "/eb-probe-leak" in sys.path,\n'
        '    "numpy_err": np.geterr()["divide"] == "raise",\n'
        '}\n'
        'sys.path.insert(0, helper_dir)\n'
        'import probe_helper  # the user\'s own module: unloaded between jobs\n'
        'module_leaks["own_module"] = bool(probe_helper.STATE)\n'
        'probe_helper.STATE.append(name)\n'
        'json.probe_leak = edubalance.probe_leak = True\n'
        'edubalance.core.disparity.weighted_cv = None\n'
        'pd.set_option("display.max_rows", 3)\n'
        'os.environ["EB_PROBE_LEAK"] = "1"\n'
        'sys.path.append("/eb-probe-leak")\n'
        'np.seterr(divide="raise")\n'
        '# Garbage: the kernel freezes what survives a reset out of later collections; the\n'
        '# previous job\'s cyclic garbage must have been collected before that, not frozen.\n'
        'import gc, weakref\n'
        'previous = getattr(sys, "_eb_probe_cycle", None)\n'
        'gc_threshold = gc.get_threshold()\n'
        'gc.set_threshold(1234, 5, 6)  # must not reach the next job\n'
        'garbage = {"frozen": gc.get_freeze_count() > 0,\n'
        '           "previous_cycle_collected": previous is None or previous() is None}\n'
        'class Cycle:\n'
        '    pass\n'
        'cycle = Cycle()\n'
        'cycle.me = cycle\n'
        'sys._eb_probe_cycle = weakref.ref(cycle)\n'
        'del cycle\n'
        'if name == "sleep":\n'
        '    time.sleep(120)\n'
        'write_results(output_dir, summary={"name": name, "leaked": leaked, "pid": os.getpid(),'
        ' "cwd": cwd_at_start, "linewidth": linewidth_at_start,'
        ' "pandas_preloaded": pandas_preloaded, "module_leaks": module_leaks, "garbage": garbage,'
        ' "gc_threshold": gc_threshold,'
        ' "session": os.getsid(0), "process_group": os.getpgid(0),'
        ' "niceness": os.getpriority(os.PRIO_PROCESS, 0),'
        ' "cache_dir": os.environ.get("EDUBALANCE_CACHE_DIR"),'
        ' "in_batch_job": edubalance.run.notebook.in_batch_job()})')
    return write_toy_notebook(
        path, 'name = "probe"\nhelper_dir = ""\noutput_dir = "out"', work,
        before='import os, sys, time\n'
               'pandas_preloaded = "pandas" in sys.modules\n'
               'import matplotlib.pyplot as plt\n'
               'from edubalance.run.notebook import write_results')


# --------------------------------------------------------------------------- code hash

def test_package_code_hash_follows_modules_and_standards(tmp_path, monkeypatch):
    package = tmp_path / "edubalance"
    (package / "standards").mkdir(parents=True)
    (package / "scoring.py").write_text("THRESHOLD = 0.65\n")
    (package / "standards" / "basic-2012.yaml").write_text("cv: 0.65\n")
    first = batch.package_code_hash(package)
    assert batch.package_code_hash(package) == first
    (package / "notes.txt").write_text("not code")
    assert batch.package_code_hash(package) == first
    (package / "standards" / "basic-2012.yaml").write_text("cv: 0.50\n")
    edited_standard = batch.package_code_hash(package)
    (package / "scoring.py").write_text("THRESHOLD = 0.50\n")
    edited_module = batch.package_code_hash(package)
    assert len({first, edited_standard, edited_module}) == 3
    job = batch.Job(notebook=TOY, notebook_text="toy", parameters={"value": 1.0}, varying=[],
                    source=tmp_path, stem="toy_job", slug="s")
    assert batch.fingerprint(job, code_hash="sha256:a") != batch.fingerprint(job,
                                                                            code_hash="sha256:b")


# --------------------------------------------------------------------------- toy batch

@pytest.fixture(scope="module")
def warm_batch(tmp_path_factory):
    """The toy jobs on the cold engine; then one warm batch on one worker: the same toy jobs,
    then the probe jobs (so the probe's first job runs on a kernel that has run three jobs,
    one of them failing). Returns ``(cold, warm, probe)`` batch files and results."""
    folder = tmp_path_factory.mktemp("warm")
    spec = write_batch(folder, TOY, parameters={"value": 2, "fail_county": "BAD"},
                       grid={"county": ["A", "BAD", "C"]})
    notebook = probe_notebook(folder / "probe.ipynb")
    (folder / "helpers").mkdir()
    (folder / "helpers" / "probe_helper.py").write_text("STATE = []\n")
    probe = write_batch(folder, notebook, parameters={"helper_dir": str(folder / "helpers")},
                        grid={"name": ["first", "second", "sleep", "last"]})
    keep = ["html", "results", "notebook"]  # the probe test reads an executed notebook
    # The cold batch runs beside the warm one (`edubalance batch`, two workers: the suite's
    # one real run of a pool of two), so it uses the time the warm batch waits for its timeout.
    cold = subprocess.Popen([sys.executable, "-m", "edubalance.cli", "batch", str(spec), "--output",
                             str(folder / "local"), "--workers", "2", "--engine", "cold",
                             "--keep", ",".join(keep), "--quiet"], cwd=Path.cwd(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with pytest.MonkeyPatch.context() as patch:
            # One batch, two time limits: the batch's (JOB_TIMEOUT) for every job but the
            # probe's "sleep" job, which gets PROBE_TIMEOUT (set in its spec on the way to the
            # workers).
            patch.setattr(runner, "run_pool", _sleep_job_times_out(runner.run_pool))
            warm = batch.run_batch([spec, probe], output=folder / "warm", workers=1,  # warm: default
                                   timeout=JOB_TIMEOUT, progress=False, keep=keep)
        output, _ = cold.communicate(timeout=300)
    finally:
        if cold.poll() is None:
            cold.kill()
    assert cold.returncode == 1, output  # its BAD job failed
    local = batch.BatchResult(entries=read_json(folder / "local" / "manifest.json")["jobs"],
                              output=folder / "local", planned=3)
    return Path.cwd(), local, warm


def _sleep_job_times_out(run_pool):
    """``run_pool`` giving the probe's "sleep" job PROBE_TIMEOUT, the other jobs the batch's."""
    def run(specs, *args, **kwargs):
        for spec in specs:
            if spec["stem"] == "probe" and spec["parameters"]["name"] == "sleep":
                spec["timeout"] = PROBE_TIMEOUT
        return run_pool(specs, *args, **kwargs)
    return run


def _part(result, stem: str):
    """The entries of ``result`` for one notebook, as a result of their own."""
    import dataclasses

    return dataclasses.replace(result, entries=[e for e in result.entries
                                                if e["notebook_stem"] == stem])


@pytest.fixture(scope="module")
def toy_runs(warm_batch):
    _, local, warm = warm_batch
    return local, _part(warm, "toy_job")


def test_warm_engine_gives_the_local_engine_results(toy_runs):
    local, warm = toy_runs
    assert [e["status"] for e in warm.entries] == ["ok", "failed", "ok"]
    assert [e["engine"] for e in warm.entries] == ["warm"] * 3
    for expected, got in zip(local.entries, warm.entries, strict=True):
        for key in ("status", "error", "slug", "folder", "parameters", "fingerprint",
                    "notebook_output", "report", "summary"):
            assert got[key] == expected[key], key
        assert job_files(warm.output, got) == job_files(local.output, expected)
        if expected["summary"]:
            assert read_json(warm.output / got["summary"]) \
                == read_json(local.output / expected["summary"])
    manifest = read_json(warm.output / "manifest.json")
    assert [job["status"] for job in manifest["jobs"]
            if job["notebook_stem"] == "toy_job"] == ["ok", "failed", "ok"]
    assert (warm.output / "index.html").is_file()
    assert not list(warm.output.rglob(".tmp-*"))


def test_warm_failure_keeps_the_notebook_up_to_the_failing_cell(toy_runs):
    local, warm = toy_runs
    failed = warm.entries[1]
    assert failed["error"] == "ValueError: bad data for county 'BAD' (cell 5)"
    executed = read_json(warm.output / failed["notebook_output"])
    codes = [cell for cell in executed["cells"] if cell["cell_type"] == "code"]
    assert any(o.get("ename") == "ValueError" for cell in codes for o in cell["outputs"])
    # Numbered from 1 as on a fresh kernel, and nothing after the failing cell ran.
    assert [cell["execution_count"] for cell in codes] == [1, 2, 3, 4, 5, None]
    assert (warm.output / failed["report"]).is_file()
    # The job after the failure ran on the same (reset) kernel and still succeeded.
    assert read_json(warm.output / warm.entries[2]["summary"])["county"] == "C"


def test_resume_reruns_jobs_when_package_code_changes(toy_runs, tmp_path, monkeypatch):
    _, warm = toy_runs
    output = tmp_path / "copy"
    shutil.copytree(warm.output, output)
    spec = write_batch(tmp_path, TOY, parameters={"value": 2, "fail_county": "BAD"},
                       grid={"county": ["A", "BAD", "C"]})
    again = batch.run_batch([spec], output=output, resume=True, only="A", progress=False,
                            workers=1)
    assert [e["status"] for e in again.entries] == ["skipped"]
    from edubalance.run import job as job_module
    from edubalance.run import runner

    monkeypatch.setattr(runner, "package_code_hash", lambda: "sha256:edited-scoring-module")
    marker = output / "toy_job" / "A" / "job.json"
    before = read_json(marker)
    # What is tested is the decision to run A again and the marker it leaves: the job runs
    # through run_job (folder, job.json, manifest) on a stand-in for the kernel.
    planned = []

    def stand_in_kernel(spec, executed, parameters, kernel_pids, kernel_log):
        executed.write_text("{}", encoding="utf-8")
        Path(parameters["output_dir"], "summary.json").write_text('{"county": "A"}')

    def pool(specs, workers, on_done, warm=True):
        planned.extend(spec["slug"] for spec in specs)
        for spec in specs:
            on_done(job_module.run_job(spec, stand_in_kernel))

    monkeypatch.setattr(runner, "run_pool", pool)
    monkeypatch.setattr("edubalance.report.html.export_html",
                        lambda executed, report: Path(report).write_text("<p>A</p>"))
    rerun = batch.run_batch([spec], output=output, resume=True, only="A", progress=False,
                            workers=1)
    assert planned == ["A"]
    assert [e["status"] for e in rerun.entries] == ["ok"]
    after = read_json(marker)
    assert after["started"] >= before["started"] and after["fingerprint"] != before["fingerprint"]
    assert after["fingerprint"] == rerun.entries[0]["fingerprint"]


# --------------------------------------------------------------------------- probe batch

@pytest.fixture(scope="module")
def probe_run(warm_batch):
    batch_cwd, _, warm = warm_batch
    result = _part(warm, "probe")
    summaries = {entry["parameters"]["name"]: read_json(result.output / entry["summary"])
                 for entry in result.entries if entry["summary"]}
    return batch_cwd, result, summaries


def test_warm_jobs_share_the_kernel_but_not_the_namespace(probe_run):
    batch_cwd, result, summaries = probe_run
    first, second = summaries["first"], summaries["second"]
    assert first["pid"] == second["pid"]  # one kernel for both jobs
    # The kernel leads its own process group (signalled as a group, out of the terminal's
    # Ctrl-C) in the batch's session: not a session of its own, which Linux's autogroup
    # scheduling would weigh as much as the whole batch process (issue 29).
    assert first["process_group"] == first["pid"] != os.getpgid(0)
    assert first["session"] == os.getsid(0)
    # Its preload yielded the CPU from a thread of lower priority; the jobs keep the batch's.
    assert first["niceness"] == second["niceness"] == os.getpriority(os.PRIO_PROCESS, 0)
    assert second["pandas_preloaded"]  # imports survive the reset: the point of the engine
    assert not second["leaked"]  # the global `leak` of the first job is gone
    assert second["cwd"] == first["cwd"] == str(batch_cwd)  # job 1's chdir was undone
    assert second["linewidth"] == first["linewidth"] != 7.0  # job 1's rcParams were undone
    assert first["module_leaks"] == second["module_leaks"] == summaries["last"]["module_leaks"]
    assert not any(second["module_leaks"].values()), second["module_leaks"]
    # The kernel freezes long-lived objects out of garbage collection (gc.freeze) only after
    # collecting the previous job's garbage: a cycle the first job dropped is gone.
    assert second["garbage"] == {"frozen": True, "previous_cycle_collected": True}
    # Shared work: the batch points eb.run.cache at <output>/.cache for every job.
    assert first["cache_dir"] == second["cache_dir"] == str(result.output / ".cache")
    # The notebooks know they run as batch jobs (a static report: no live widgets).
    assert first["in_batch_job"] and second["in_batch_job"]
    executed = read_json(result.output / result.entries[1]["notebook_output"])
    assert [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"] \
        == [1, 2, 3, 4]


def test_warm_timeout_kills_and_replaces_the_kernel(probe_run):
    _, result, summaries = probe_run
    statuses = {e["parameters"]["name"]: e["status"] for e in result.entries}
    assert statuses == {"first": "ok", "second": "ok", "sleep": "failed", "last": "ok"}
    slow = result.entries[2]
    assert "timed out" in slow["error"] and slow["seconds"] < PROBE_TIMEOUT + 15
    assert f"after {PROBE_TIMEOUT:g} s" in slow["error"]  # its own limit, not the batch's
    assert (result.output / slow["notebook_output"]).is_file()
    last = summaries["last"]
    assert last["pid"] != summaries["first"]["pid"]  # a new kernel after the timeout
    assert not last["leaked"]
    assert result.exit_code == 1


# --------------------------------------------------------------------------- isolation

def test_a_library_submodule_a_job_imported_stays_importable_after_the_reset(tmp_path,
                                                                             monkeypatch):
    # A package with numpy's lazy `__getattr__` (`import numpy.testing as testing`): a job
    # imports its submodule, the reset reverts the package's names; the next job's import
    # must work (it recursed without end when the reset removed the attribute of a submodule
    # that stays loaded; found running several notebooks on one warm kernel).
    import importlib
    import sys

    from edubalance.run import isolation

    package = tmp_path / "site-packages" / "lazypkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "def __getattr__(attr):\n"
        "    if attr == 'testing':\n"
        "        import lazypkg.testing as testing\n"
        "        return testing\n"
        "    raise AttributeError(attr)\n")
    (package / "testing.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setattr(isolation, "_own_module", lambda module: False)  # a library's module
    for name in ("lazypkg", "lazypkg.testing"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.import_module("lazypkg")
    state = isolation.snapshot()
    exec("import lazypkg.testing as t", {})                     # the first job
    isolation.restore(state, libraries=False)
    namespace: dict = {}
    exec("import lazypkg.testing as t", namespace)              # the next job
    assert namespace["t"].VALUE == 1
    json_attribute = "probe_leak_of_the_isolation_test"
    import json

    json.__dict__[json_attribute] = True                        # other attributes still go
    isolation.restore(state, libraries=False)
    assert not hasattr(json, json_attribute)


# --------------------------------------------------------------------------- writes

@pytest.mark.parametrize("county, keep, writes", [
    ("A", None, 0), ("A", ["html", "results", "notebook"], 1), ("BAD", None, 1)])
def test_a_warm_job_writes_its_notebook_once_and_only_when_kept_or_failed(
        tmp_path, monkeypatch, county, keep, writes):
    """papermill wrote the whole notebook (JSON and a schema validation) before the first
    cell, at the end and once more after it, even when the job folder drops it; the warm
    engine writes it once, when it is kept or the job failed (with papermill's error marker)."""
    import nbformat

    from helpers import run_on_warm_kernel
    from paths import KERNEL, ROOT

    encoded = []
    writes_of_nbformat = nbformat.writes

    def counting(nb, *args, **kwargs):
        encoded.append(nb)
        return writes_of_nbformat(nb, *args, **kwargs)

    monkeypatch.setattr(nbformat, "writes", counting)
    spec = {"notebook": str(TOY), "parameters": {"county": county, "value": 2,
                                                 "fail_county": "BAD"},
            "output": str(tmp_path), "stem": "toy_job", "slug": county, "cwd": str(ROOT),
            "timeout": None, "kernel_name": KERNEL, "engine": "warm", "preload": None,
            **({"keep": keep} if keep else {})}
    entry = run_on_warm_kernel(spec)
    assert entry["status"] == ("failed" if county == "BAD" else "ok"), entry["error"]
    assert len(encoded) == writes
    assert (tmp_path / entry["report"]).is_file()
    if writes:
        executed = read_json(tmp_path / entry["notebook_output"])
        assert executed["metadata"]["papermill"]["parameters"]["county"] == county
        tags = [tag for cell in executed["cells"] for tag in cell["metadata"].get("tags", [])]
        assert ("papermill-error-cell-tag" in tags) == (county == "BAD")
    else:
        assert entry["notebook_output"] is None


def test_a_worker_does_not_import_pyarrow_for_papermill():
    """Workers leave out papermill's HDFS handler (pyarrow and NumPy: half a second of each
    worker's start); kernels, other processes, still import pyarrow."""
    code = ("from edubalance.run import engines\n"
            "engines._worker_init(False)\n"
            "import papermill.execute, papermill.engines\n")
    assert imported_by(code, ("pyarrow", "numpy")) == []


@pytest.mark.parametrize("engine", ["warm", "cold"])
def test_the_injected_parameters_keep_chinese_county_names_readable(tmp_path, engine):
    """papermill escapes every non-ASCII character (county = "\\u5174\\u5e86\\u533a"); the
    executed notebook a bureau opens shows the name as written, in both engines."""
    from edubalance.run import engines
    from helpers import run_on_warm_kernel
    from paths import KERNEL, ROOT

    county = '兴庆区 "A"\n'
    spec = {"notebook": str(TOY), "parameters": {"county": county, "value": 2,
                                                 "fail_county": "BAD"},
            "output": str(tmp_path), "stem": "toy_job", "slug": "x", "cwd": str(ROOT),
            "timeout": None, "kernel_name": KERNEL, "engine": engine, "preload": None,
            "keep": ["notebook"]}
    entry = run_on_warm_kernel(spec) if engine == "warm" else engines.execute_job(spec)
    assert entry["status"] == "ok", entry["error"]
    executed = read_json(tmp_path / entry["notebook_output"])
    injected = next("".join(cell["source"]) for cell in executed["cells"]
                    if "injected-parameters" in cell["metadata"].get("tags", []))
    assert "county = '兴庆区 \"A\"\\n'" in injected, injected
    assert read_json(tmp_path / entry["summary"])["county"] == county


def test_warm_jobs_collect_garbage_less_often_than_python_by_default(probe_run):
    # A county report made ~40 collections of its youngest objects at Python's 700; warm jobs
    # run with the engine's threshold, set again at each reset whatever a job set.
    from edubalance.run import engines

    _, _, summaries = probe_run
    assert engines._JOB_GC_THRESHOLD > 700
    for name in ("first", "second"):
        assert summaries[name]["gc_threshold"] == [engines._JOB_GC_THRESHOLD, 10, 10]
