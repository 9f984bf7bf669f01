"""The docs' sources name every public module (no Sphinx run: `make docs` builds them)."""
import re
import tomllib

from paths import ROOT

DOCS = ROOT / "docs"
PACKAGE = ROOT / "lib" / "edubalance"


def _public_modules() -> set[str]:
    """Every module and package below lib/edubalance, none of whose name parts start with _."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        parts = ("edubalance", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            names.add(".".join(parts))
    return names


def _api_pages() -> list[str]:
    return re.findall(r"^\s+generated/(\S+)\s*$", (DOCS / "api.rst").read_text(encoding="utf-8"),
                      flags=re.MULTILINE)


def test_the_api_reference_places_every_public_module():
    modules = _public_modules()
    assert "edubalance.core.scoring" in modules and "edubalance.io" in modules
    pages = _api_pages()
    missing = sorted(modules - set(pages))
    assert not missing, f"add these modules to docs/api.rst: {missing}"
    gone = sorted(set(pages) - modules)
    assert not gone, f"docs/api.rst names modules that no longer exist: {gone}"
    assert len(pages) == len(set(pages)), "a module is listed twice in docs/api.rst"


def test_every_notebook_is_a_page():
    listed = (DOCS / "notebooks.rst").read_text(encoding="utf-8")
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert f":doc:`notebooks/{notebook.stem}`" in listed, notebook.name


def test_the_guides_address_the_three_kinds_of_users_in_both_languages():
    for lang in ("en", "zh"):
        guide = (DOCS / "guide" / f"{lang}.md").read_text(encoding="utf-8")
        for who in ("analysts", "researchers", "teachers"):
            assert f"(guide-{lang}-{who})=" in guide


def test_the_build_is_offline_and_strict():
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "sphinx.ext.intersphinx" not in conf  # nothing fetched at build time
    assert 'nb_execution_mode = "off"' in conf
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"sphinx-build -W --keep-going .* docs docs/_build/html", makefile)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "docs" in extras["project"]["optional-dependencies"]


def test_the_readme_links_to_the_docs():
    assert "docs/_build/html/index.html" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_make_docs_executes_every_notebook_once_before_sphinx():
    """Each notebook page shows outputs: `make docs` runs the first job of every batch file
    (each names its notebook) and runs the rest with papermill, before sphinx-build."""
    import yaml

    recipe = re.search(r"^docs:.*?(?=^\S)", (ROOT / "Makefile").read_text(encoding="utf-8"),
                       flags=re.MULTILINE | re.DOTALL).group(0)
    assert "batch params/*.yaml --first 1" in recipe
    assert recipe.index("batch params") < recipe.index("sphinx-build")
    in_batches = {ROOT / yaml.safe_load(path.read_text(encoding="utf-8"))["notebook"]
                  for path in (ROOT / "params").glob("*.yaml")}
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert notebook in in_batches or f"papermill --log-level WARNING --no-progress-bar " \
            f"-k edubalance notebooks/{notebook.name}" in recipe, notebook.name


def test_every_public_docstring_parses_as_numpydoc():
    """What `make docs` (numpydoc, warnings as errors) would reject, found by `make test`: a
    section twice (a merge left two Returns sections once), a malformed section."""
    import inspect

    from numpydoc.docscrape import NumpyDocString

    from helpers import public_modules

    failures = []
    for module_name, module in public_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name or not (
                    inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            members = [(name, obj)] + [
                (f"{name}.{attr}", value) for attr, value in vars(obj).items()
                if inspect.isclass(obj) and not attr.startswith("_")
                and (inspect.isfunction(value) or isinstance(value, property))]
            for label, member in members:
                try:
                    NumpyDocString(inspect.getdoc(member) or "")
                except ValueError as error:
                    failures.append(f"{module_name}.{label}: {str(error).splitlines()[0]}")
    assert not failures, failures
