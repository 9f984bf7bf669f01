"""The tests are laid out like the package (issue 28): the unit tests of a public module
``edubalance.<layer>.<module>`` are in ``tests/<layer>/test_<module>.py`` (``edubalance.cli`` in
``tests/test_cli.py``, ``edubalance.analysis.clustering.models`` in
``tests/analysis/clustering/test_models.py``). Integration tests live in folders named for
what they exercise: ``notebooks/``, ``browser/``, ``project/``; shared code in ``support/``."""
from __future__ import annotations

from pathlib import Path

import pytest

from paths import ROOT

PACKAGE = ROOT / "lib" / "edubalance"
TESTS = ROOT / "tests"
INTEGRATION = {"notebooks", "browser", "project", "support"}


def public_modules(package: Path) -> list[str]:
    """The dotted names (below the package) of every public module file: no part of the path
    starts with ``_`` (``_compat.py``, ``__init__.py``, a ``_private/`` folder)."""
    return sorted(".".join(path.relative_to(package).with_suffix("").parts)
                  for path in package.rglob("*.py")
                  if not any(part.startswith("_") for part in path.relative_to(package).parts))


def expected_test_file(module: str, tests: Path) -> Path:
    """Where the unit tests of ``edubalance.<module>`` belong."""
    *folders, name = module.split(".")
    return tests.joinpath(*folders, f"test_{name}.py")


def missing_test_modules(package: Path, tests: Path) -> list[str]:
    """The public modules of ``package`` without their test module under ``tests``."""
    return [module for module in public_modules(package)
            if not expected_test_file(module, tests).is_file()]


def test_missing_test_modules_names_each_module_without_its_test_file(tmp_path):
    package, tests = tmp_path / "pkg", tmp_path / "tests"
    for name in ("errors.py", "_compat.py", "core/__init__.py", "core/scoring.py",
                 "core/_private.py", "analysis/clustering/models.py", "report/_x/hidden.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("")
    assert public_modules(package) == ["analysis.clustering.models", "core.scoring", "errors"]
    assert missing_test_modules(package, tests) == ["analysis.clustering.models",
                                                    "core.scoring", "errors"]
    (tests / "core").mkdir(parents=True)
    (tests / "core" / "test_scoring.py").write_text("")
    (tests / "test_errors.py").write_text("")
    (tests / "test_models.py").write_text("")  # the wrong folder does not count
    assert missing_test_modules(package, tests) == ["analysis.clustering.models"]


def test_every_public_module_has_its_test_module():
    missing = missing_test_modules(PACKAGE, TESTS)
    expected = [str(expected_test_file(module, TESTS).relative_to(ROOT)) for module in missing]
    assert not missing, ("public modules without their test module (write the unit tests of "
                         "each there):\n" + "\n".join(f"  edubalance.{m}: {path}"
                                                      for m, path in zip(missing, expected, strict=True)))


def test_test_folders_mirror_the_package():
    """Every folder of tests/ but the integration ones is a folder of the package, and is a
    package itself (``__init__.py``: the same file name may appear in two folders)."""
    for folder in sorted(p for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__"):
        relative = folder.relative_to(TESTS)
        if relative.parts[0] in INTEGRATION:
            continue
        assert PACKAGE.joinpath(*relative.parts).is_dir(), f"tests/{relative} is not a layer"
        assert (folder / "__init__.py").is_file(), f"tests/{relative} has no __init__.py"


@pytest.mark.parametrize("folder", sorted(INTEGRATION - {"support"}))
def test_integration_folders_are_packages(folder):
    assert (TESTS / folder / "__init__.py").is_file()


def test_top_level_test_modules_test_the_top_level_modules():
    """tests/test_<name>.py is for edubalance.<name> (errors, schema, cli; test_cli_* for the
    command's verbs): a test of a layer goes into the layer's folder."""
    top = sorted(path.stem[len("test_"):] for path in TESTS.glob("test_*.py"))
    modules = {path.stem for path in PACKAGE.glob("*.py") if not path.stem.startswith("_")}
    strays = [name for name in top if name.split("_")[0] not in modules]
    assert not strays, f"test modules at the top of tests/ that belong in a folder: {strays}"


class _Item:
    """A collected test as conftest's ordering reads it: its module's path, marks, fixtures."""

    def __init__(self, path: str, marks=(), fixtures=()):
        self.path, self.marks, self.fixturenames = TESTS / path, set(marks), list(fixtures)

    def get_closest_marker(self, name: str):
        return name if name in self.marks else None


def test_the_demo_reports_builder_starts_first_and_their_other_users_after_the_heavy_modules():
    """Under xdist a second module needing ``demo_reports`` at the start of the run waited
    (~14 s, its worker idle) for the worker building them: conftest starts one user of the
    demo reports, then the heavy modules, then the other users, then the rest."""
    import tests.conftest as conftest

    demo = ["demo_reports"]
    items = [_Item("browser/test_a.py", ["browser"], demo),
             _Item("browser/test_b.py", ["browser"], ["failing_report", *demo]),
             _Item("analysis/test_c.py"),
             _Item("notebooks/test_d.py", ["notebooks"]),
             _Item("run/test_engines.py"),                        # heavy without a mark
             _Item("report/test_e.py", ["browser", "skip"]),      # its browser test skipped
             _Item("report/test_f.py", [], demo),
             _Item("browser/test_b.py", ["browser"])]
    order = conftest._start_order(items)
    assert {path.relative_to(TESTS).as_posix(): place for path, place in order.items()} == {
        "browser/test_a.py": 0, "notebooks/test_d.py": 1, "run/test_engines.py": 1,
        "browser/test_b.py": 2, "report/test_f.py": 2}
    assert all((TESTS / path).is_file() for path in conftest.LONG), conftest.LONG
