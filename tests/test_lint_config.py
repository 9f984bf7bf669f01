"""`make lint`'s configuration says what CONTRACTS.md says (the run itself is `make lint`)."""
import re
import tomllib

from conftest import ROOT

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
