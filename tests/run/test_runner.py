"""edubalance.run.runner: what a batch did (exit code, summary) and when a job is complete
(the resume check); whole batches run in tests/run/test_batch.py and test_engines.py."""
from __future__ import annotations

import json
from pathlib import Path

from edubalance.run.plan import Job
from edubalance.run.runner import BatchResult, is_complete, summarise


def entry(folder: str, status: str, error: str | None = None) -> dict:
    return {"folder": folder, "status": status, "error": error}


def test_exit_codes_follow_the_signal_then_failures_then_success():
    ok = [entry("nb/a", "ok"), entry("nb/b", "skipped")]
    assert BatchResult(ok, planned=2).exit_code == 0
    assert BatchResult(ok + [entry("nb/c", "failed", "E")], planned=3).exit_code == 1
    assert BatchResult(ok, planned=2, warning="no PDF").exit_code == 1
    assert BatchResult(ok, planned=2, error="disk full").exit_code == 1
    assert BatchResult(ok, planned=5, interrupted="SIGINT").exit_code == 130
    assert BatchResult([entry("nb/c", "failed", "E")], planned=5,
                       interrupted="SIGTERM").exit_code == 143


def test_summary_counts_names_each_failure_and_says_how_to_finish(tmp_path):
    result = BatchResult([entry("nb/a", "ok"), entry("nb/b", "skipped"),
                          entry("nb/c", "failed", "KeyError: 'county' (cell 4)")],
                         output=tmp_path, planned=5, interrupted="SIGINT")
    assert summarise(result).splitlines() == [
        "3 of 5 job(s): 1 ok, 1 skipped (already complete), 1 failed",
        "  FAILED nb/c: KeyError: 'county' (cell 4)",
        "interrupted (SIGINT): 2 job(s) not run; run again with --resume to finish",
        f"manifest: {tmp_path / 'manifest.json'}",
        f"index:    {tmp_path / 'index.html'}"]
    assert summarise(BatchResult(planned=0)) == \
        "0 of 0 job(s): 0 ok, 0 skipped (already complete), 0 failed"


def test_a_job_is_complete_only_when_ok_with_its_fingerprint_and_its_files(tmp_path):
    job = Job(notebook=Path("nb.ipynb"), notebook_text="nb.ipynb", parameters={}, varying=[],
              source=tmp_path, stem="nb", slug="a", fingerprint="sha256:1")
    folder = tmp_path / "nb" / "a"
    folder.mkdir(parents=True)
    assert is_complete(tmp_path, job) is None                      # no marker
    marker = {"status": "ok", "fingerprint": "sha256:1", "report": "nb/a/nb.html"}
    (folder / "job.json").write_text(json.dumps(marker), encoding="utf-8")
    assert is_complete(tmp_path, job) is None                      # its report is gone
    (folder / "nb.html").write_text("<html></html>")
    assert is_complete(tmp_path, job)["report"] == "nb/a/nb.html"
    job.fingerprint = "sha256:2"                                    # inputs changed
    assert is_complete(tmp_path, job) is None
    (folder / "job.json").write_text(json.dumps({**marker, "status": "failed",
                                                 "fingerprint": "sha256:2"}))
    assert is_complete(tmp_path, job) is None
