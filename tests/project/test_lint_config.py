"""`make lint`'s configuration says what CONTRACTS.md says (the run itself is `make lint`)."""
import re
import tomllib

from helpers import run_python
from paths import ROOT

PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _layers_contract() -> dict:
    contracts = tomllib.loads(PYPROJECT)["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["type"] == "layers")


def test_the_layers_are_those_of_contracts_md_top_first():
    contract = _layers_contract()
    assert contract["containers"] == ["edubalance"]
    assert contract["layers"] == ["cli", "run", "report", "analysis", "core", "io",
                                  "errors : schema : _compat"]
    assert contract["exhaustive"] is True  # a new top-level module must be given a layer


def test_every_ignored_import_is_marked_as_debt():
    for ignored in _layers_contract().get("ignore_imports", []):
        line = next(line for line in PYPROJECT.splitlines() if f'"{ignored}"' in line)
        assert "debt: issue 28" in line, line


def test_ci_lints_before_the_tests_and_builds_the_docs_after():
    steps = re.findall(r"^make (\S+)", (ROOT / ".ci" / "run").read_text(encoding="utf-8"),
                       flags=re.MULTILINE)
    assert steps.index("lint") < steps.index("test") < steps.index("docs")


def test_the_analyses_freed_of_presentation_load_no_report_module():
    # Issue 28 (part A): these imported report's i18n/display/tables/figures; now their old
    # names are served lazily (module __getattr__), so importing them loads no report module.

    modules = ["edubalance.core.scoring", "edubalance.analysis.equity",
               "edubalance.analysis.summaries", "edubalance.analysis.clustering.analysis",
               "edubalance.analysis.clustering.models"]
    script = ("import importlib, sys\n"
              f"for name in {modules!r}: importlib.import_module(name)\n"
              "print(sorted(m for m in sys.modules if m.startswith('edubalance.report')))")
    loaded = run_python(script, check=True).stdout.strip()
    assert loaded == "[]"
    ignored = " ".join(_layers_contract().get("ignore_imports", []))
    for name in modules:
        assert f"{name} ->" not in ignored
