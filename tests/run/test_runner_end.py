"""edubalance.run.runner: the batch's end (issue 29).

After the last job the workers stop their kernels and exit, then the manifest and the index
are written: what writing the index costs once (Jinja2, the message catalogue) is paid while
the workers exit, not after.
"""
from __future__ import annotations

from edubalance.run import engines, runner
from helpers import imported_by, run_python
from paths import ROOT


def test_the_index_is_prepared_once_when_the_last_job_ends(tmp_path, monkeypatch):
    prepared = []
    done = []

    def fake_pool(specs, workers, on_done, warm=True):
        for spec in specs:
            prepared_before = len(prepared)
            on_done(engines.failure_entry(spec, RuntimeError("not run")))
            done.append(prepared_before)

    monkeypatch.setattr(runner, "run_pool", fake_pool)
    monkeypatch.setattr(runner, "_prepare_index", lambda lang: prepared.append(lang))
    monkeypatch.chdir(ROOT)
    batch = {"notebook": str(ROOT / "notebooks" / "county_scoring.ipynb"),
             "parameters": {"data_path": "data/sample/schools.csv", "standard": "basic-2012",
                            "year": 2017},
             "grid": {"county": ["兴庆区", "西夏区", "金凤区"]}}
    result = runner.run_batch([batch], output=tmp_path / "out", workers=2, progress=False,
                              lang="en", cache=False)
    assert [entry["status"] for entry in result.entries] == ["failed"] * 3
    for thread in __import__("threading").enumerate():
        if thread.name == "edubalance-index-preparation":
            thread.join(10)
    assert prepared == ["en"]  # once, at the last job
    assert done == [0, 0, 0]   # not before it
    assert (tmp_path / "out" / "index.html").is_file()


def test_preparing_the_index_imports_what_writing_it_needs():
    code = ("import sys\n"
            "from edubalance.run import runner\n"
            "runner._prepare_index('zh')\n"
            "from edubalance.report import i18n\n"
            "assert i18n.catalogue.cache_info().currsize == 1, i18n.catalogue.cache_info()\n")
    assert imported_by(code, ("jinja2", "edubalance.run.index")) == ["jinja2",
                                                                    "edubalance.run.index"]


def test_preparing_the_index_compiles_its_template_so_writing_it_does_not():
    # The index's template was compiled at every write_index (a new Jinja2 environment each
    # time: 40 ms of CPU after the last job); now once per process, while the workers stop.
    code = ("import jinja2\n"
            "compiled = []\n"
            "real = jinja2.Environment.compile\n"
            "def compile(self, *args, **kwargs):\n"
            "    compiled.append(1)\n"
            "    return real(self, *args, **kwargs)\n"
            "jinja2.Environment.compile = compile\n"
            "import tempfile\n"
            "from edubalance.run import index, runner\n"
            "runner._prepare_index('zh')\n"
            "before = len(compiled)\n"
            "folder = tempfile.mkdtemp()\n"
            "index.render_index(folder, [], lang='zh')\n"
            "index.render_index(folder, [], lang='en')\n"
            "print(before, len(compiled) - before)\n")
    done = run_python(code)
    assert done.stdout.split() == ["1", "0"], done.stderr
