"""edubalance.run.manifest: the batch's record of its jobs (a journal, then one file), merged across batches, and the lock on an output folder."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from edubalance.run import batch
from helpers import write_toy_notebook
from tests.run.test_batch import write_batch


def test_manifest_of_a_second_batch_adds_to_the_first(tmp_path):
    from edubalance.run.manifest import Manifest, job_entry

    def entry(slug):
        folder = tmp_path / "nb" / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "job.json").write_text("{}")
        return job_entry({"stem": "nb", "slug": slug, "parameters": {"county": slug}},
                         status="ok", seconds=1.0)

    Manifest(tmp_path, [entry("a"), entry("b")]).write()
    second = Manifest(tmp_path, [entry("b"), entry("c")]).merged_with(Manifest.read(tmp_path))
    second.write()
    assert [e["slug"] for e in Manifest.read(tmp_path).entries] == ["a", "b", "c"]
    # A job whose folder is gone is no longer listed.
    (tmp_path / "nb" / "a" / "job.json").unlink()
    third = Manifest(tmp_path, []).merged_with(Manifest.read(tmp_path))
    assert [e["slug"] for e in third.entries] == ["b", "c"]


def test_a_second_batch_into_a_locked_folder_refuses_clearly(tmp_path):
    from edubalance.run.manifest import FolderLock

    spec = write_batch(tmp_path, grid={"county": ["a"]})
    with FolderLock(tmp_path / "out"):
        with pytest.raises(batch.BatchLockedError, match="another edubalance batch is writing"):
            batch.run_batch([spec], output=tmp_path / "out", progress=False)
        with pytest.raises(batch.BatchLockedError, match=f"pid {__import__('os').getpid()}"):
            batch.run_batch([spec], output=tmp_path / "out", progress=False, wait_lock=0.3)
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_manifest_is_a_journal_then_one_compact_file(tmp_path, monkeypatch):
    from edubalance.run import job as job_module
    from edubalance.run import runner
    from edubalance.run.manifest import JOURNAL, Manifest

    out = tmp_path / "out"
    seen = []

    def fake_notebook(spec, executed, parameters, kernel_pids, kernel_log):
        executed.write_text("{}")
        Path(parameters["output_dir"], "summary.json").write_text('{"county": "x"}')

    def fake_pool(specs, workers, on_done, warm=True):
        for spec in specs:
            on_done(job_module.run_job(spec, fake_notebook))
            journal = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
            seen.append((len(journal), (out / "manifest.json").exists()))

    monkeypatch.setattr("edubalance.report.html.export_html",
                        lambda executed, report: Path(report).write_text("<p>ok</p>"))
    monkeypatch.setattr(runner, "run_pool", fake_pool)
    spec = write_batch(tmp_path, grid={"county": ["A", "B", "C"]})
    batch.run_batch([spec], output=out, progress=False)
    assert seen == [(1, False), (2, False), (3, False)]  # one line per job, no rewrite
    assert not (out / JOURNAL).exists()
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 3 + 2  # compact: one line per job
    assert json.loads(text)["generator"] == "edubalance"
    assert [e["parameters"]["county"] for e in Manifest.read(out).entries] == ["A", "B", "C"]
    # A batch killed outright leaves its journal: read back with the manifest.
    (out / JOURNAL).write_text(json.dumps({**Manifest.read(out).entries[0], "status": "failed"})
                               + "\n" + '{"cut short', encoding="utf-8")
    statuses = {e["parameters"]["county"]: e["status"] for e in Manifest.read(out).entries}
    assert statuses == {"A": "failed", "B": "ok", "C": "ok"}
    # A second batch into the folder is accepted (its files are edubalance's).
    batch.run_batch([spec], output=out, progress=False, resume=True)


def test_manifest_records_the_resolved_data_file_and_its_hash(tmp_path, monkeypatch):
    import hashlib

    from edubalance.run import job as job_module
    from edubalance.run import runner

    data = tmp_path / "schools.csv"
    data.write_text("county_code,county_name,year\n640181,灵武市,2017\n", encoding="utf-8")

    def fake_notebook(spec, executed, parameters, kernel_pids, kernel_log):
        executed.write_text("{}")
        Path(parameters["output_dir"], "summary.json").write_text('{"county": "x"}')

    monkeypatch.setattr("edubalance.report.html.export_html",
                        lambda executed, report: Path(report).write_text("<p>ok</p>"))
    monkeypatch.setattr(runner, "run_pool", lambda specs, workers, on_done, warm=True: [
        on_done(job_module.run_job(spec, fake_notebook)) for spec in specs])
    monkeypatch.chdir(tmp_path)  # the batch file names the data relative to the working folder
    notebook = write_toy_notebook(tmp_path / "data_job.ipynb",
                                  'county = ""\ndata_path = ""\noutput_dir = "out"', "pass")
    spec = write_batch(tmp_path, notebook=notebook, parameters={"data_path": "schools.csv"},
                       grid={"county": ["A"]})
    batch.run_batch([spec], output=tmp_path / "out", progress=False)
    entry = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["jobs"][0]
    assert entry["data_files"]["data_path"] == {
        "path": str(data.resolve()),
        "sha256": "sha256:" + hashlib.sha256(data.read_bytes()).hexdigest()}
