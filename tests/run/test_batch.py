"""The batch runner: planning, validation, fault isolation, resume, slugs, index, Dask.

Kernel starts cost ~1-3 s each and every worker process ~2 s of imports, so the runs are
small: one shared failing batch (4 jobs, one warm worker), one resume-after-SIGKILL batch
(2 jobs of a light notebook, then the missing one), one timeout job and one Dask run. Tests
wait for files a job writes, never for a fixed time.
"""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from edubalance.run import batch
from edubalance.run.batch import Job
from helpers import Links, write_toy_notebook

FIXTURES = Path(__file__).resolve().parents[1] / "support" / "fixtures"
TOY = FIXTURES / "toy_job.ipynb"


def write_batch(folder: Path, name: str = "toy.yaml", notebook: Path = TOY, **content) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump({"notebook": str(notebook), **content}, allow_unicode=True),
                    encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edubalance.cli", "batch", *args, "--quiet"],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def manifest(output: Path) -> dict[str, dict]:
    jobs = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    return {job["parameters"]["county"]: job for job in jobs}


def gate_notebook(folder: Path) -> Path:
    """``gate_job.ipynb``: a job that imports nothing heavy (its kernel starts in ~1 s). The job
    for ``slow_county`` creates ``<gate>.started`` once it runs, then waits for the file
    ``gate``; every job writes ``summary.json``. The tests wait for the marker instead of
    sleeping, so a signal always reaches a job that is running."""
    return write_toy_notebook(
        folder / "gate_job.ipynb", 'county = ""\nslow_county = ""\ngate = ""\noutput_dir = "out"',
        "import json, os, time\n"
        "if county == slow_county:\n"
        "    open(gate + '.started', 'w').close()\n"
        "    deadline = time.time() + 120\n"
        "    while not os.path.exists(gate) and time.time() < deadline:\n"
        "        time.sleep(0.05)\n"
        "with open(os.path.join(output_dir, 'summary.json'), 'w') as f:\n"
        "    json.dump({'county': county}, f)")


# --------------------------------------------------------------------------- names


# --------------------------------------------------------------------------- validation


def test_unknown_parameter_rejects_the_whole_batch_before_any_job(tmp_path, monkeypatch,
                                                                    capsys):
    # `edubalance batch` (the command's main, in this process: nothing runs).
    from edubalance import cli

    spec = write_batch(tmp_path, parameters={"valeu": 2}, grid={"county": ["a", "b"]})
    monkeypatch.chdir(tmp_path)
    assert cli.main(["batch", str(spec), "--output", "out", "--quiet"]) == 1
    stderr = capsys.readouterr().err
    assert "unknown parameter 'valeu'" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


def test_wrong_type_rejected_before_any_job(tmp_path):
    spec = write_batch(tmp_path, parameters={"value": "high"}, grid={"county": ["a"]})
    with pytest.raises(ValueError, match=r"value='high' should be float, not str"):
        batch.run_batch([spec], output=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="set by the runner"):
        batch.run_batch([write_batch(tmp_path, parameters={"output_dir": "x"})],
                        output=tmp_path / "out", progress=False)


def test_only_pattern_and_fingerprint(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    job = Job(notebook=TOY, notebook_text="toy", parameters={"data_path": str(data), "value": 1},
              varying=[], source=tmp_path, stem="toy_job", slug="s")
    first = batch.fingerprint(job)
    assert batch.fingerprint(job) == first
    data.write_text("a\n2\n")  # same size, new content
    assert batch.fingerprint(job) != first
    job.parameters["value"] = 2
    assert len({first, batch.fingerprint(job)}) == 2
    spec = write_batch(tmp_path, grid={"county": ["大武口区", "灵武市"]})
    with pytest.raises(ValueError, match="matches no job"):
        batch.run_batch([spec], output=tmp_path / "out", only="nothing*", progress=False)


# --------------------------------------------------------------------------- real runs

@pytest.fixture(scope="module")
def failing_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    spec = write_batch(folder, parameters={"value": 2, "fail_county": "BAD"},
                       grid={"county": ["../../etc", "<script>alert(1)</script>", "灵武市 ",
                                        "BAD"]})
    started = time.monotonic()
    # One warm worker: the failing job's kernel is reset and runs the job after it (the pool
    # with two workers is exercised by tests/run/test_engines.py's cold run).
    result = run_cli(str(spec), "--workers", "1", "--output", "reports", cwd=folder)
    return folder / "reports", result, time.monotonic() - started


def test_failing_job_is_isolated_and_reported(failing_batch):
    output, result, _ = failing_batch
    assert result.returncode == 1, result.stderr
    assert "FAILED" in result.stdout and "bad data for county 'BAD'" in result.stdout
    jobs = manifest(output)
    assert {county: job["status"] for county, job in jobs.items()} == {
        "../../etc": "ok", "<script>alert(1)</script>": "ok", "灵武市 ": "ok", "BAD": "failed"}
    failed = jobs["BAD"]
    assert "ValueError: bad data for county 'BAD'" in failed["error"]
    executed = json.loads((output / failed["notebook_output"]).read_text(encoding="utf-8"))
    outputs = [o for cell in executed["cells"] for o in cell.get("outputs", [])]
    assert any(o.get("ename") == "ValueError" for o in outputs)
    assert failed["summary"] is None and (output / failed["report"]).is_file()
    # Default --keep: the HTML report and the results; the executed notebook only when the
    # job failed (to show where). A quiet kernel: no TCP warning, so no kernel.log.
    assert all(job["notebook_output"] is None for c, job in jobs.items() if c != "BAD")
    assert "without encryption" not in result.stderr
    assert not list(output.rglob("kernel.log"))
    good = jobs["灵武市 "]
    summary = json.loads((output / good["summary"]).read_text(encoding="utf-8"))
    assert summary["county"] == "灵武市 " and summary["doubled"] == 4  # parameters reached it
    for job in jobs.values():
        assert job["version"] and job["fingerprint"].startswith("sha256:")
        assert job["seconds"] > 0 and job["parameters"]["value"] == 2
        marker = json.loads((output / job["folder"] / "job.json").read_text(encoding="utf-8"))
        assert marker["status"] == job["status"]


def test_all_files_stay_inside_output_and_no_temporary_folders(failing_batch):
    output, _, _ = failing_batch
    root = output.resolve()
    for path in output.parent.rglob("*"):
        if path.is_file() and path.parent != output.parent:
            assert path.resolve().is_relative_to(root), path
    assert not list(output.rglob(".tmp-*")) and not list(output.rglob(".old-*"))
    assert sorted(p.name for p in (output / "toy_job").iterdir()) == sorted(
        job["slug"] for job in manifest(output).values())


def test_index_escapes_names_and_links_resolve(failing_batch):
    output, _, _ = failing_batch
    page = (output / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Self-contained: inline CSS and script only, nothing loaded.
    assert not re.search(r"<script\b[^>]*\bsrc|<link\b", page)
    parser = Links()
    parser.feed(page)
    assert len([h for h in parser.hrefs if h.endswith(".html")]) == 4
    assert len([h for h in parser.hrefs if h.endswith("summary.json")]) == 3
    for href in parser.hrefs:
        assert not href.startswith(("/", "http")), href
        assert (output / unquote(href)).is_file(), href
    assert "bad data for county" in page and "doubled" in page


def test_html_reports_have_no_code_and_no_remote_resources(failing_batch):
    output, _, _ = failing_batch
    job = manifest(output)["../../etc"]
    page = (output / job["report"]).read_text(encoding="utf-8")
    assert "check_notebook_parameters" not in page and "write_results(" not in page
    assert "county ../../etc: value 2" in page  # outputs are kept
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"import[^;\n]*[\"']https?://", page)


def test_index_subcommand_rebuilds_from_manifest(failing_batch):
    from edubalance.run import index as report

    output, _, _ = failing_batch
    (output / "index.html").unlink()
    (output / "deck.slides.html").write_text("<html></html>")
    try:
        report.write_index(output)
        page = (output / "index.html").read_text(encoding="utf-8")
        assert 'href="deck.slides.html"' in page and "&lt;script&gt;" in page
    finally:
        (output / "deck.slides.html").unlink()
        report.write_index(output)


@pytest.mark.slow  # real processes killed; resume itself: tests/run/test_engines.py (in-process)
def test_resume_after_sigkill_runs_only_missing_jobs(tmp_path):
    gate = tmp_path / "gate"
    spec = write_batch(tmp_path, notebook=gate_notebook(tmp_path),
                       parameters={"slow_county": "SLOW", "gate": str(gate)},
                       grid={"county": ["A", "SLOW"]})
    output = tmp_path / "out"
    jobs_folder = output / "gate_job"
    # One worker of the cold engine runs A, then SLOW (a light notebook's kernel starts in ~1 s;
    # the warm engine's resume is covered by tests/run/test_engines.py and the soak test). No HTML
    # report: what is checked is the job folders and the manifest.
    runner = subprocess.Popen([sys.executable, "-m", "edubalance.cli", "batch", str(spec), "--workers",
                               "1", "--output", str(output), "--quiet", "--engine", "cold",
                               "--keep", "results"],
                              cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            # A is complete and the SLOW job's notebook is running (it wrote its marker).
            if (jobs_folder / "A" / "job.json").is_file() \
                    and Path(f"{gate}.started").is_file():
                break
            assert runner.poll() is None, "runner ended before it was killed"
            time.sleep(0.05)
        else:
            pytest.fail("batch did not reach the slow job in time")
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
    slow = jobs_folder / "SLOW"
    assert not (slow / "job.json").exists()  # nothing that looks complete
    assert list(jobs_folder.glob(".tmp-SLOW-*"))
    first_a = (jobs_folder / "A" / "job.json").read_text(encoding="utf-8")

    gate.write_text("go")
    # The resume itself needs no runner process of its own (the SIGKILL did).
    result = batch.run_batch([spec], output=output, workers=1, resume=True, engine="cold",
                             keep=["results"], progress=False)
    assert result.exit_code == 0, result.entries
    jobs = manifest(output)
    assert {c: j["status"] for c, j in jobs.items()} == {"A": "skipped", "SLOW": "ok"}
    assert (jobs_folder / "A" / "job.json").read_text(encoding="utf-8") == first_a
    assert json.loads((slow / "job.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert not list(jobs_folder.glob(".tmp-*"))
    # Once everything is complete, --resume (here with --only) starts no kernel at all.
    again = batch.run_batch([spec], output=output, resume=True, only="A", progress=False,
                            workers=1, keep=["results"])
    assert [e["status"] for e in again.entries] == ["skipped"]


def _worker_killing_notebook(folder: Path) -> Path:
    """``killer.ipynb``: the job for ``once`` kills its worker (the kernel's parent) the first
    time it runs, the job for ``always`` every time; every other job writes its summary."""
    return write_toy_notebook(
        folder / "killer.ipynb", 'county = ""\nmarker = ""\noutput_dir = "out"',
        "import json, os, signal\n"
        "first = not os.path.exists(marker)\n"
        "if county == 'always' or (county == 'once' and first):\n"
        "    open(marker, 'w').close()\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n"
        "with open(os.path.join(output_dir, 'summary.json'), 'w') as f:\n"
        "    json.dump({'county': county}, f)")


@pytest.mark.slow  # three pools of warm kernels; the pool's logic: tests/run/test_pool_breaks.py
def test_a_killed_worker_costs_the_batch_no_job(tmp_path):
    spec = write_batch(tmp_path, notebook=_worker_killing_notebook(tmp_path),
                       parameters={"marker": str(tmp_path / "killed")},
                       grid={"county": ["A", "once", "B", "always", "C"]})
    output = tmp_path / "out"
    done = run_cli(str(spec), "--workers", "2", "--output", str(output), "--keep", "results",
                   cwd=tmp_path, timeout=300)
    jobs = manifest(output)
    assert {county: job["status"] for county, job in jobs.items()} == {
        "A": "ok", "once": "ok", "B": "ok", "always": "failed", "C": "ok"}, done.stderr
    assert jobs["always"]["error"] == ("worker failed: its worker died running it 2 times "
                                       "(killed by SIGKILL, killed by SIGKILL)")
    assert done.returncode == 1 and "killed by SIGKILL" in done.stderr
    assert not list((output / "killer").glob(".tmp-*"))   # nothing half-written left


def _spawning_notebook(path: Path) -> Path:
    """Starts two children (one in the kernel's process group, one in a session of its own),
    notes their pids, then sleeps past any limit."""
    return write_toy_notebook(
        path, 'pid_file = ""\noutput_dir = "out"',
        "import subprocess, time\n"
        "same_group = subprocess.Popen(['sleep', '300'])\n"
        "own_session = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "open(pid_file, 'w').write(f'{same_group.pid} {own_session.pid}')\n"
        "time.sleep(120)")


@pytest.mark.slow  # a real process tree; the timeout itself: tests/run/test_engines.py
def test_watchdog_kills_a_job_and_every_process_it_started(tmp_path):
    # The per-cell limit is set far above the job limit, so only the watchdog can stop it. The
    # job limit counts from the job's start, kernel start included: papermill is imported
    # first (its import would count too), and if the machine is so loaded that the kernel has
    # not even reached the cell within the limit (no complete pid file: nothing to check), the
    # job is run again with a limit three times as long.
    import papermill  # noqa: F401
    import psutil

    notebook = _spawning_notebook(tmp_path / "spawn.ipynb")
    for limit in (4, 12):
        pid_file = tmp_path / f"pids-{limit}"
        spec = {"notebook": str(notebook),
                "notebook_text": "spawn", "output": str(tmp_path / f"out-{limit}"),
                "parameters": {"pid_file": str(pid_file)}, "stem": "spawn",
                "slug": "T", "cwd": str(tmp_path), "timeout": limit, "cell_timeout": 300,
                "kernel_name": "edubalance", "fingerprint": "sha256:x"}
        started = time.monotonic()
        entry = batch.execute_job(spec)
        assert time.monotonic() - started < 90
        if pid_file.is_file() and len(pid_file.read_text().split()) == 2:
            break
    assert entry["status"] == "failed" and f"timed out after {limit} s" in entry["error"], entry
    output = Path(spec["output"])
    assert (output / entry["notebook_output"]).is_file()  # kept: the job failed
    marker = json.loads((output / "spawn" / "T" / "job.json").read_text())
    assert marker["status"] == "failed"
    processes = []
    pids = pid_file.read_text().split()
    assert len(pids) == 2, pids  # the cell started both children before the watchdog fired
    for pid in map(int, pids):
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=10)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], "children left running"


@pytest.mark.slow  # starts a Dask LocalCluster (the optional dask extra)
def test_dask_engine_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = write_batch(tmp_path, parameters={"value": 3}, grid={"county": ["D1"]})
    assert distributed
    # Without --scheduler the batch starts a LocalCluster of --workers processes itself. (One
    # job: each starts a kernel of its own on the Dask worker, a second would show nothing new.)
    result = batch.run_batch([spec], output=tmp_path / "out", engine="dask", workers=1,
                             progress=False)
    assert [e["status"] for e in result.entries] == ["ok"], result.entries
    summary = json.loads((tmp_path / "out" / result.entries[0]["summary"]).read_text())
    assert summary == {"county": "D1", "value": 3, "doubled": 6, "passed": True,
                       "rows": [1, 2]}


@pytest.mark.slow  # a scheduler and two workers as separate processes, as on a cluster
def test_dask_engine_on_a_scheduler_and_workers_started_as_processes(tmp_path):
    """Issue 29: the Dask engine against a cluster it did not start (``dask scheduler`` and
    two ``dask worker`` processes on loopback, sharing the data file and the output folder as
    a cluster's shared file system would)."""
    import socket
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed")
    dask = Path(sys.executable).with_name("dask")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-dashboard"],
                                  stdout=open(logs / "scheduler.log", "w"),
                                  stderr=subprocess.STDOUT)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        for name in ("w1", "w2"):
            processes.append(subprocess.Popen(
                [str(dask), "worker", address, "--nworkers", "1", "--nthreads", "1",
                 "--name", name, "--no-dashboard", "--local-directory", str(tmp_path / name)],
                stdout=open(logs / f"{name}.log", "w"), stderr=subprocess.STDOUT))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        spec = write_batch(tmp_path, parameters={"value": 4}, grid={"county": ["E1", "E2"]})
        result = batch.run_batch([spec], output=tmp_path / "out", engine="dask",
                                 scheduler=address, workers=2, progress=False)
        assert [e["status"] for e in result.entries] == ["ok", "ok"], result.entries
        for entry in result.entries:
            summary = json.loads((tmp_path / "out" / entry["summary"]).read_text())
            assert summary["value"] == 4 and summary["doubled"] == 8
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
        assert len(manifest["jobs"]) == 2
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


# --------------------------------------------------------------------------- issue 14: inputs


# --------------------------------------------------------------------------- issue 14: faults

def test_a_full_disk_ends_the_batch_with_a_message_and_a_valid_manifest(tmp_path, monkeypatch):
    import errno

    from edubalance.run import job as job_module
    from edubalance.run import runner

    def fake_notebook(spec, executed, parameters, kernel_pids, kernel_log):
        executed.write_text("{}")
        Path(parameters["output_dir"], "summary.json").write_text('{"county": "x"}')

    def full_disk(executed, report):
        raise OSError(errno.ENOSPC, "No space left on device", str(report))

    def fake_pool(specs, workers, on_done, warm=True):
        on_done(job_module.run_job(specs[0], fake_notebook))
        monkeypatch.setattr("edubalance.report.html.export_html", full_disk)
        for spec in specs[1:]:
            on_done(job_module.run_job(spec, fake_notebook))

    monkeypatch.setattr("edubalance.report.html.export_html",
                        lambda executed, report: Path(report).write_text("<p>ok</p>"))
    monkeypatch.setattr(runner, "run_pool", fake_pool)
    spec = write_batch(tmp_path, grid={"county": ["A", "B", "C"]})
    with pytest.raises(batch.BatchWriteError) as error:
        batch.run_batch([spec], output=tmp_path / "out", progress=False)
    message = str(error.value)
    assert "No space left on device" in message and "1 ok" in message
    jobs = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert [(j["slug"], j["status"]) for j in jobs] == [("A", "ok"), ("B", "failed")]
    assert (tmp_path / "out" / "index.html").is_file()
    assert not list((tmp_path / "out").rglob(".tmp-*"))
    assert not (tmp_path / "out" / "toy_job" / "B").exists()  # nothing half-written


def test_cli_reports_write_failures_in_one_line(tmp_path, monkeypatch, capsys):
    from edubalance.cli import main
    from edubalance.run import runner

    def failing(*args, **kwargs):
        raise runner.BatchWriteError("could not write into out: No space left on device")

    monkeypatch.setattr(batch, "run_batch", failing)
    assert main(["batch", str(write_batch(tmp_path)), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "No space left on device" in captured.err and "Traceback" not in captured.err


def test_pdf_flag_without_the_pdf_module_is_a_clear_error(tmp_path, monkeypatch):
    import sys as _sys

    import edubalance.report

    # (`from ..report import pdf` finds the package attribute first if a test imported it before)
    if "pdf" in vars(edubalance.report):
        monkeypatch.delattr(edubalance.report, "pdf")
    monkeypatch.setitem(_sys.modules, "edubalance.report.pdf", None)  # as if not installed
    spec = write_batch(tmp_path, grid={"county": ["a"]})
    with pytest.raises(ValueError, match="--pdf is not available"):
        batch.run_batch([spec], output=tmp_path / "out", progress=False, pdf=True)
    with pytest.raises(ValueError, match="--keep: unknown everything"):
        batch.run_batch([spec], output=tmp_path / "out", progress=False, keep=["everything"])


def test_pdf_flag_without_a_browser_fails_before_any_job(tmp_path, monkeypatch):
    monkeypatch.setenv("EDUBALANCE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    spec = write_batch(tmp_path, grid={"county": ["a"]})
    with pytest.raises(ValueError, match="--pdf is not available: no Chromium browser at"):
        batch.run_batch([spec], output=tmp_path / "out", progress=False, pdf=True)
    assert not (tmp_path / "out" / "manifest.json").exists()


# --------------------------------------------------------------------------- signals, soak

def _start(spec: Path, output: Path, cwd: Path, *extra: str) -> subprocess.Popen:
    # Its own process group, as a terminal gives a command: Ctrl-C reaches the whole group.
    # A terminal's command also takes Ctrl-C: when the suite itself runs with SIGINT ignored
    # (started in the background by a non-interactive shell, or under nohup), the batch would
    # inherit that and rightly ignore Ctrl-C. The test process catches SIGINT while it starts
    # the batch, so the batch starts with the default (exec resets caught signals).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, "-m", "edubalance.cli", "batch", str(spec),
                                 "--output", str(output), "--quiet", *extra], cwd=cwd,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait_for(predicate, runner: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert runner.poll() is None, runner.communicate()
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.mark.slow  # a real batch stopped mid-job; the stop while taking a result: the test below
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_sigterm_and_ctrl_c_finish_manifest_and_index_without_tracebacks(tmp_path, stop):
    # Job B waits on a gate that never opens; the batch is stopped while B's notebook runs
    # (it has written its marker). A light notebook and no HTML reports keep each run short.
    import os

    gate = tmp_path / "gate"
    spec = write_batch(tmp_path, notebook=gate_notebook(tmp_path),
                       parameters={"slow_county": "B", "gate": str(gate)},
                       grid={"county": ["A", "B"]})
    output = tmp_path / "out"
    jobs_folder = output / "gate_job"
    runner = _start(spec, output, tmp_path, "--workers", "1", "--engine", "cold",
                    "--keep", "results")
    try:
        _wait_for(lambda: (jobs_folder / "A" / "job.json").is_file()
                  and Path(f"{gate}.started").is_file(), runner)
        if stop == "SIGTERM":
            runner.send_signal(signal.SIGTERM)  # to the runner only, as a service manager does
        else:
            os.killpg(runner.pid, signal.SIGINT)  # Ctrl-C: every process of the group
        out, err = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == (143 if stop == "SIGTERM" else 130), (out, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    assert "leaked" not in err and "died unexpectedly" not in err, err
    assert f"interrupted ({stop})" in out and "--resume" in out
    jobs = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert [(j["slug"], j["status"]) for j in jobs] == [("A", "ok")]
    assert "A" in (output / "index.html").read_text(encoding="utf-8")
    assert not list(jobs_folder.glob(".tmp-*"))


def test_a_stop_signal_handled_by_another_thread_still_stops_the_wait():
    """The kernel may hand Ctrl-C or SIGTERM to any thread of the runner; Python raises it in
    the main thread only when that thread wakes. Here the signal goes to a helper thread while
    the main thread waits for a job that never ends: the wait must end with the stop, not
    when the job does (the helper finishes it after 10 s so that a failure cannot hang)."""
    from concurrent.futures import Future

    from edubalance.run.engines import first_done

    class Stopped(Exception):
        pass

    def stop(signum, frame):
        raise Stopped

    never = Future()

    def helper():
        time.sleep(0.3)
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)  # to this thread, not main
        time.sleep(10)
        never.set_result(None)

    previous = signal.signal(signal.SIGUSR1, stop)
    thread = threading.Thread(target=helper, daemon=True)
    started = time.monotonic()
    try:
        thread.start()
        with pytest.raises(Stopped):
            first_done({never})
        assert time.monotonic() - started < 5, "the stop waited for the job to end"
    finally:
        signal.signal(signal.SIGUSR1, previous)


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_a_stop_while_taking_a_result_stops_the_batch(stop):
    # The signal can land while the runner takes a finished job's result: that is the batch's
    # stop, not the job's failure (once swallowed, the batch then waited for the other jobs).
    from concurrent.futures import Future

    from edubalance.run.engines import _result_or_failure

    class Interrupted(Future):
        def result(self, timeout=None):
            raise stop()

    with pytest.raises(stop):
        _result_or_failure(Interrupted(), {"stem": "toy_job", "slug": "A", "parameters": {}})
    dead = Future()
    dead.set_exception(RuntimeError("worker killed"))
    entry = _result_or_failure(dead, {"stem": "toy_job", "slug": "A", "parameters": {},
                                      "notebook": "toy_job.ipynb", "index": 0})
    assert entry["status"] == "failed" and "worker killed" in entry["error"]


def _soak(tmp_path: Path, kills: int, seed: int) -> None:
    import random

    import psutil

    # Enough work that the runs are killed with jobs left: a run finishes a few jobs of half a
    # second before its kill, once its workers and kernels have started.
    counties = [f"C{i:02d}" for i in range(3 * kills)]
    spec = write_batch(tmp_path, parameters={"sleep_seconds": 0.5}, grid={"county": counties})
    output = tmp_path / "out"
    random_delay = random.Random(seed)
    finished: dict[str, str] = {}  # slug -> the `started` of its one successful run
    runs = survived = 0
    for _ in range(kills):
        if len(finished) == len(counties):
            break  # nothing left to interrupt
        runner = subprocess.Popen([sys.executable, "-m", "edubalance.cli", "batch", str(spec),
                                   "--output", str(output), "--quiet", "--workers", "2",
                                   "--resume"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        runs += 1
        time.sleep(random_delay.uniform(0.5, 5.0))
        try:
            children = psutil.Process(runner.pid).children(recursive=True)
        except psutil.Error:
            children = []
        runner.kill()
        runner.wait(60)
        survived += runner.returncode == -signal.SIGKILL
        # Workers and kernels die with the runner (no orphan finishes a job later).
        _, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, [p.cmdline() for p in alive]
        for slug in counties:
            marker = output / "toy_job" / slug / "job.json"
            if marker.is_file():
                started = json.loads(marker.read_text(encoding="utf-8"))["started"]
                # A finished job is never run again.
                assert finished.setdefault(slug, started) == started, slug
    runner = _start(spec, output, tmp_path, "--workers", "2", "--resume")
    out, err = runner.communicate(timeout=300)
    assert runner.returncode == 0, (out, err)
    jobs = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert sorted(j["slug"] for j in jobs) == counties  # each job exactly once
    assert {j["status"] for j in jobs} <= {"ok", "skipped"}
    for job in jobs:
        marker = json.loads((output / job["folder"] / "job.json").read_text(encoding="utf-8"))
        assert marker["status"] == "ok"
        if job["slug"] in finished:
            assert marker["started"] == finished[job["slug"]]
    assert not list(output.rglob(".tmp-*")) and not list(output.rglob(".old-*"))
    # Every run was killed mid-batch (the last may have finished the remaining jobs first).
    assert runs >= kills // 2 and survived >= runs - 1, (runs, survived)


@pytest.mark.slow
def test_soak_twenty_sigkills_then_resume(tmp_path):
    # (One kill at a known moment: test_resume_after_sigkill_runs_only_missing_jobs. A kill
    # costs a worker and kernel start, ~3 s here.)
    _soak(tmp_path, kills=22, seed=2017)


def test_first_jobs_of_each_batch_file(tmp_path):
    spec = write_batch(tmp_path, grid={"county": ["a", "b", "c"], "value": [1, 2]})
    other = write_batch(tmp_path, "other.yaml", grid={"county": ["z"]})
    jobs = batch.plan_jobs([spec, other], first=3)
    assert [(j.parameters["county"], j.parameters.get("value")) for j in jobs] == [
        ("a", 1), ("a", 2), ("b", 1), ("z", None)]
    assert jobs[0].slug == batch.plan_jobs([spec])[0].slug  # same folders as the full run
    with pytest.raises(ValueError, match="--first must be at least 1"):
        batch.plan_jobs([spec], first=0)


def test_pdf_failure_is_reported_not_a_traceback(tmp_path, monkeypatch):
    import types

    from edubalance.run import runner

    def fake_pool(specs, workers, on_done, warm=True):
        from edubalance.run.manifest import job_entry

        for spec in specs:
            folder = tmp_path / "out" / spec["stem"] / spec["slug"]
            folder.mkdir(parents=True)
            (folder / "toy_job.html").write_text("<p>report</p>")
            (folder / "job.json").write_text("{}")
            on_done(job_entry(spec, status="ok", seconds=0.1,
                              report=f"{spec['stem']}/{spec['slug']}/toy_job.html"))

    class NoBrowser:
        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            raise RuntimeError("no Chromium found: playwright install chromium")

    monkeypatch.setitem(sys.modules, "edubalance.report.pdf",
                        types.SimpleNamespace(PdfPrinter=NoBrowser))
    monkeypatch.setattr(runner, "run_pool", fake_pool)
    result = batch.run_batch([write_batch(tmp_path, grid={"county": ["a"]})],
                             output=tmp_path / "out", progress=False, pdf=True)
    assert result.exit_code == 1 and "no Chromium found" in batch.summarise(result)
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.parametrize("keep, html_fails, written", [
    (None, False, False), (["html", "results", "notebook"], False, True), (None, True, True)])
def test_a_notebook_returned_by_the_engine_is_exported_from_memory_and_written_once_if_kept(
        tmp_path, monkeypatch, keep, html_fails, written):
    """The warm engine returns the executed notebook instead of writing it: the report is
    exported from it (no file written to be read back), and the notebook is written once,
    only when the job keeps it or failed (here: its report could not be exported)."""
    import nbformat

    from edubalance.run.job import run_job

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    exported = []

    def engine(spec, executed, parameters, kernel_pids, kernel_log):
        Path(parameters["output_dir"], "summary.json").write_text('{"county": "a"}')
        return notebook

    def export(source, report):
        exported.append(source)
        if html_fails:
            raise ValueError("template broken")
        Path(report).write_text("<p>ok</p>")

    monkeypatch.setattr("edubalance.report.html.export_html", export)
    spec = {"stem": "toy_job", "slug": "a", "parameters": {}, "output": str(tmp_path),
            "notebook": str(TOY), "timeout": None, **({"keep": keep} if keep else {})}
    entry = run_job(spec, engine)
    assert exported == [notebook]
    executed = tmp_path / "toy_job" / "a" / "toy_job.ipynb"
    assert executed.is_file() == written
    assert entry["status"] == ("failed" if html_fails else "ok")
    if written:
        assert nbformat.read(str(executed), as_version=4) == notebook
        assert entry["notebook_output"] == "toy_job/a/toy_job.ipynb"


@pytest.mark.parametrize("keep, expected", [
    (None, {"job.json", "toy_job.html", "summary.json", "table.csv"}),
    (["html", "results", "figures", "notebook"],
     {"job.json", "toy_job.html", "summary.json", "table.csv", "fig.png", "fig.svg",
      "toy_job.ipynb"}),
    (["html"], {"job.json", "toy_job.html", "summary.json"}),
])
def test_keep_chooses_what_a_job_folder_holds(tmp_path, monkeypatch, keep, expected):
    from edubalance.run.job import run_job

    def fake_notebook(spec, executed, parameters, kernel_pids, kernel_log):
        executed.write_text("{}")
        out = Path(parameters["output_dir"])
        for name in ("summary.json", "table.csv", "fig.png", "fig.svg"):
            (out / name).write_text("x")

    monkeypatch.setattr("edubalance.report.html.export_html",
                        lambda executed, report: Path(report).write_text("<p>ok</p>"))
    spec = {"stem": "toy_job", "slug": "a", "parameters": {}, "output": str(tmp_path),
            "notebook": str(TOY), "timeout": None, **({"keep": keep} if keep else {})}
    entry = run_job(spec, fake_notebook)
    assert {p.name for p in (tmp_path / "toy_job" / "a").iterdir()} == expected
    assert sorted(entry["files"]) == sorted(f"toy_job/a/{name}" for name in expected)


def test_a_job_runs_as_a_batch_job_and_leaves_the_environment_as_it_was(tmp_path,
                                                                          monkeypatch):
    """What the job's kernel inherits: ``EDUBALANCE_BATCH_JOB=1`` (eb.run.notebook.in_batch_job)
    and the batch's cache folder; the process's own environment is restored after the job."""
    import os

    from edubalance.run.job import run_job
    from edubalance.run.notebook import in_batch_job

    seen = {}

    def fake_notebook(spec, executed, parameters, kernel_pids, kernel_log):
        seen.update(batch_job=in_batch_job(), cache=os.environ.get("EDUBALANCE_CACHE_DIR"))
        executed.write_text("{}")

    monkeypatch.setattr("edubalance.report.html.export_html",
                        lambda executed, report: Path(report).write_text("<p>ok</p>"))
    monkeypatch.delenv("EDUBALANCE_BATCH_JOB", raising=False)
    monkeypatch.setenv("EDUBALANCE_CACHE_DIR", "/elsewhere")
    spec = {"stem": "toy_job", "slug": "a", "parameters": {}, "output": str(tmp_path),
            "notebook": str(TOY), "timeout": None, "cache_dir": str(tmp_path / ".cache")}
    assert run_job(spec, fake_notebook)["status"] == "ok"
    assert seen == {"batch_job": True, "cache": str(tmp_path / ".cache")}
    assert not in_batch_job() and "EDUBALANCE_BATCH_JOB" not in os.environ
    assert os.environ["EDUBALANCE_CACHE_DIR"] == "/elsewhere"


def test_a_warm_kernels_start_is_not_the_jobs_time(tmp_path):
    # The watchdog times the notebook, not the shared kernel's start and preload (`prepare`):
    # slow on a loaded machine, they used to time out whichever job came first.
    from edubalance.run.job import run_job

    # Every wait is idle time of the suite: a start longer than the limit, a limit well over
    # the quick job (a `sleep` process: no interpreter to start), the late job's limit.
    limit = 0.5

    def notebook_running(seconds):
        def run(spec, executed, parameters, kernel_pids, kernel_log):
            # In a session of its own, as Jupyter starts kernels (the watchdog kills its group).
            process = subprocess.Popen(["sleep", str(seconds)], start_new_session=True)
            kernel_pids.append(process.pid)
            if process.wait() != 0:
                raise RuntimeError("the kernel died")
            executed.write_text("{}")
        return run

    def slow_start(kernel_log):
        time.sleep(limit + 0.2)

    spec = {"stem": "toy_job", "slug": "a", "parameters": {}, "output": str(tmp_path),
            "notebook": str(TOY), "timeout": limit, "keep": ["results"]}
    entry = run_job(spec, notebook_running(0.05), slow_start)
    assert entry["status"] == "ok", entry["error"]
    late = run_job({**spec, "slug": "b"}, notebook_running(30), slow_start)
    assert late["status"] == "failed" and "timed out" in late["error"], late
    assert late["seconds"] < 10


def test_a_warm_batch_preloads_what_every_one_of_its_notebooks_names(tmp_path, monkeypatch):
    """A warm kernel snapshots after its first job's preload; so that a later job of another
    notebook does not import its libraries again (and unload them after), every job of a
    warm batch carries the submodules any of the batch's notebooks names."""
    from edubalance.run import engines, runner

    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    scoring, clustering = (str(notebooks / f"{n}.ipynb") for n in ("county_scoring",
                                                                   "county_clustering"))
    union = engines.batch_submodules([scoring, clustering, scoring])
    assert {"run.cache", "report.county_report", "analysis.clustering.models",
            "analysis.clustering.analysis"} <= {n.rsplit(".", 1)[0] for n in union} | set(union)
    assert not any("regression" in n for n in union) and union == sorted(union)
    assert engines.batch_submodules([scoring]) == engines._notebook_submodules(
        {"notebook": scoring})
    toy = write_toy_notebook(tmp_path / "plain.ipynb", "value = 1", "print(value)")
    assert engines.batch_submodules([scoring, str(toy)]) is None   # names none: every one
    assert engines._notebook_submodules({"notebook": scoring, "preload": None}) is None

    seen: list[dict] = []

    def fake_pool(specs, workers, on_done, warm=True):
        seen.extend(specs)

    monkeypatch.setattr(runner, "run_pool", fake_pool)
    specs = []
    for name, notebook in (("a", scoring), ("b", clustering)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"notebook": notebook, "parameters": {"year": 2017}}),
                        encoding="utf-8")
        specs.append(path)
    batch.run_batch(specs, output=tmp_path / "warm", progress=False)
    assert [spec["preload"] for spec in seen] == [engines.batch_submodules([scoring, clustering])] * 2
    seen.clear()
    batch.run_batch(specs, output=tmp_path / "cold", progress=False, engine="cold")
    assert len(seen) == 2 and all("preload" not in spec for spec in seen)


# --------------------------------------------------------------------------- issue 30: outputs

@pytest.mark.parametrize("name, content", [
    ("index.html", "<html><body>Our department's home page</body></html>"),
    ("manifest.json", '{"name": "my-web-app", "start_url": "/"}'),
])
def test_a_folder_with_someone_elses_index_or_manifest_is_refused(tmp_path, name, content):
    out = tmp_path / "site"
    out.mkdir()
    (out / name).write_text(content, encoding="utf-8")
    spec = write_batch(tmp_path, grid={"county": ["A"]})
    with pytest.raises(ValueError, match=f"holds a {name} that edubalance did not write"):
        batch.run_batch([spec], output=out, progress=False)
    assert (out / name).read_text(encoding="utf-8") == content
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_output_that_is_a_file_is_one_line(tmp_path, capsys):
    from edubalance.cli import main

    target = tmp_path / "out.txt"
    target.write_text("x")
    assert main(["batch", str(write_batch(tmp_path)), "--output", str(target), "--quiet"]) == 1
    assert main(["batch", str(write_batch(tmp_path)), "--output", str(target / "below"),
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
    assert str(target) in err
