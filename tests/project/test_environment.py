"""environment.yml and pyproject.toml must list the same dependencies with the same bounds."""
import re
import tomllib
from pathlib import Path

import yaml

from paths import ROOT


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


# Besides the dependencies, environment.yml carries the `report` extra (what the README's
# commands use), the tools of `make lint` (two packages of the `test` extra) and of `make docs`
# (the whole `docs` extra).
TOOLS_FROM_EXTRAS = {"test": ("ruff", "import-linter"), "docs": None}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _pyproject_requirements(extras: tuple[str, ...] = ("report",)) -> dict[str, str]:
    """The dependencies, plus the extras environment.yml also installs (``report``: what the
    README's commands use, PDF printing and Voila)."""
    project = _project()
    optional = project.get("optional-dependencies", {})
    return dict(_split(r) for r in [*project["dependencies"],
                                    *(r for extra in extras for r in optional[extra])])


def _tool_requirements() -> dict[str, str]:
    extras = _project()["optional-dependencies"]
    found = {}
    for extra, names in TOOLS_FROM_EXTRAS.items():
        for name, bound in map(_split, extras[extra]):
            if names is None or name in names:
                found[name] = bound
    return found


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    found = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-e") or entry in ("pip",):
                continue
            name, bound = _split(entry)
            if name != "python":
                found[name] = bound
    return found


def test_environment_lists_every_dependency_with_the_same_lower_bound():
    assert _environment_requirements() == _pyproject_requirements() | _tool_requirements()


def test_lint_and_docs_tools_are_in_the_extras():
    assert set(_tool_requirements()) >= {"ruff", "import-linter", "sphinx", "numpydoc", "myst-nb"}


def test_every_dependency_has_a_lower_bound():
    for name, bound in (_pyproject_requirements() | _tool_requirements()).items():
        assert bound.startswith(">="), f"{name} has no lower-bounded pin: {bound!r}"


def test_design_card_packages_are_pinned():
    requirements = _pyproject_requirements()
    for package in ["jupyterlab", "pandas", "seaborn", "scikit-learn", "ipywidgets", "papermill"]:
        assert package in requirements


def test_drift_is_detected(tmp_path, monkeypatch):
    # The comparison itself must be able to fail: drop one package and it must differ.
    requirements = _pyproject_requirements()
    requirements.pop("pandas")
    assert requirements != _environment_requirements()


def test_make_demo_installs_what_the_readme_commands_use():
    # `--pdf` needs Playwright, the explorer needs Voila: the demo's install has both.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-m pip install --quiet -e ".[report]"' in makefile
    report = _pyproject_requirements(("report",))
    assert {"playwright", "voila"} <= set(report)


def test_make_installs_the_offline_voila_template_the_explorer_names():
    import json

    explorer = json.loads((ROOT / "notebooks" / "explorer.ipynb").read_text(encoding="utf-8"))
    name = explorer["metadata"]["voila"]["template"]
    source = ROOT / "lib" / "edubalance" / "report" / "templates" / "voila" / "templates" / name
    assert (source / "index.html.j2").is_file() and (source / "conf.json").is_file()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"cp -r lib/edubalance/report/templates/voila/templates/{name} " \
           "$(VENV)/share/jupyter/voila/templates/" in makefile
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["data-files"][f"share/jupyter/voila/templates/{name}"]
    assert sorted(Path(f).name for f in data_files) == ["conf.json", "index.html.j2"]
