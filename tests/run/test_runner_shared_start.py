"""edubalance.run.runner: the shared scoring starts before anything else the batch starts.

The jobs wait for it (they read its cache entry), and the browser of ``--pdf`` is not needed
before the first job ends, so the scoring thread must not wait for the browser's launch.
"""
from __future__ import annotations

from edubalance.run import runner
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
