"""Sphinx configuration of the edubalance docs (``make docs``; offline, warnings are errors).

On each build this file writes two git-ignored folders inside the source tree:

- ``generated/``: one page per public module, listing the names of the module's
  ``__all__`` (or, for a module without one, the public names it defines) in a summary table
  and then with their docstrings (autodoc, NumPy sections read by numpydoc). ``api.rst`` places every page by layer; ``tests/project/test_docs.py`` checks that it
  names every public module, and Sphinx fails on a page that no table of contents includes.
- ``notebooks/``: the sample notebooks as ``make docs`` executed them once on the sample data
  (``_build/executed``; the committed, output-free ones when that folder is missing), rendered
  by MyST-NB, which executes nothing itself.
"""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "lib"))

import edubalance  # noqa: E402

project = "edubalance"
author = "edubalance developers"
copyright = "2026, edubalance developers"
release = version = edubalance.__version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "myst_nb",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
language = "en"
html_theme = "alabaster"
html_title = "edubalance"
html_static_path: list[str] = []
html_theme_options = {
    "description": "义务教育均衡发展: measure, score, explain",
    "fixed_sidebar": True,
    "page_width": "1240px",
    # Chinese text in the fonts readers have (Windows, macOS, Linux), else the browser's choice.
    "font_family": "Georgia, 'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', SimSun, serif",
    "head_font_family": "Georgia, 'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', SimSun, serif",
    "sidebar_width": "240px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}

# No network: no intersphinx, no remote images; MyST-NB executes nothing (make docs ran the
# notebooks once before Sphinx starts).
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()  # tests/project/test_docstrings.py checks Parameters
# Docstrings here cite each other as :func:`~edubalance....` and name parameters in
# ``literals``; a reference that does not resolve is a broken link, not a build error.
nitpicky = False

# --------------------------------------------------------------------------- API pages

API_DIR = HERE / "generated"


def public_modules() -> list[str]:
    """Every module and package of edubalance whose name has no part starting with ``_``."""
    names = ["edubalance"]
    for info in pkgutil.walk_packages(edubalance.__path__, "edubalance."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def public_names(module) -> list[str]:
    """``__all__``, or the public names the module itself defines."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value) or name == "annotations":
            continue
        if getattr(value, "__module__", module.__name__) != module.__name__:
            continue  # imported from elsewhere
        names.append(name)
    return names


def _attribute_docs(modname: str) -> dict[str, list[str]]:
    from sphinx.pycode import ModuleAnalyzer

    try:
        docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
    except Exception:  # noqa: BLE001 - a module without source: no attribute docs
        return {}
    return {name: list(lines) for (scope, name), lines in docs.items() if scope == ""}


def _kind(value) -> str:
    if inspect.isclass(value):
        return "exception" if issubclass(value, BaseException) else "class"
    if inspect.isroutine(value) or (callable(value) and hasattr(value, "__wrapped__")):
        return "function"
    if inspect.ismodule(value):
        return "module"
    return "data"


def module_page(modname: str) -> str:
    """The reStructuredText of one module's page: docstring, summary table, every name."""
    module = importlib.import_module(modname)
    title = f"``{modname}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {modname}", ""]
    submodules = [m for m in public_modules() if m.rpartition(".")[0] == modname]
    if submodules:  # pages placed by api.rst: links here, no second table of contents
        lines += [".. rubric:: Modules", ""]
        lines += [f"- :doc:`{m}`" for m in submodules]
        lines.append("")
    names = public_names(module)
    kinds = {name: _kind(getattr(module, name)) for name in names if hasattr(module, name)}
    documented = [n for n in names if kinds.get(n) in ("class", "exception", "function")]
    if documented:
        # The first paragraph of each docstring (autosummary's first sentence can cut an
        # inline literal such as ``FILE... [--kind ...]`` in two).
        lines += [".. rubric:: Summary", "", ".. list-table::", "   :widths: 30 70", ""]
        for name in documented:
            role = {"function": "func", "class": "class", "exception": "exc"}[kinds[name]]
            summary = (inspect.getdoc(getattr(module, name)) or "").split("\n\n")[0]
            summary = " ".join(summary.split())
            lines += [f"   * - :{role}:`{name}`", f"     - {summary}"]
        lines.append("")
    attributes = _attribute_docs(modname)
    for name in names:
        kind = kinds.get(name)
        if kind in ("class", "exception"):
            lines += [f".. auto{kind}:: {name}", "   :members:", ""]
        elif kind == "function":
            lines += [f".. autofunction:: {name}", ""]
        elif kind == "data":
            lines += [f".. py:data:: {name}", ""]
            lines += [f"   {line}" if line else "" for line in attributes.get(name, [])]
            lines.append("")
        elif kind == "module":
            lines += [f"- ``{name}``: the module :mod:`{getattr(module, name).__name__}`", ""]
    return "\n".join(lines) + "\n"


def write_api_pages() -> None:
    """Write a page per public module into ``generated/`` (only the pages that changed)."""
    API_DIR.mkdir(parents=True, exist_ok=True)
    wanted = {f"{name}.rst" for name in public_modules()}
    for stale in API_DIR.glob("*.rst"):
        if stale.name not in wanted:
            stale.unlink()
    for name in public_modules():
        page = API_DIR / f"{name}.rst"
        text = module_page(name)
        if not page.exists() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")  # unchanged pages keep Sphinx's cache


# --------------------------------------------------------------------------- notebooks

NOTEBOOK_DIR = HERE / "notebooks"


def _title(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for line in "".join(cell["source"]).splitlines():
            line = line.strip().removeprefix("<!--").strip()
            if line.startswith("# ") and cell["cell_type"] == "code" or (
                    cell["cell_type"] == "markdown" and line):
                return line.lstrip("# ").rstrip(".").strip()
    return path.stem


EXECUTED_DIR = HERE / "_build" / "executed"
"""Where ``make docs`` executes each notebook once on the sample data (batch job folders)."""


def executed_copy(source: Path) -> Path | None:
    """The executed copy of a committed notebook under :data:`EXECUTED_DIR`, if there is one.

    The batch writes ``<batch>/<job>/<stem>.ipynb``; the first job in name order is shown.
    """
    found = sorted(EXECUTED_DIR.glob(f"*/**/{source.name}")) if EXECUTED_DIR.is_dir() else []
    return found[0] if found else None


def write_notebook_pages() -> None:
    """Copy each notebook here, executed when ``make docs`` ran it, with a title cell."""
    NOTEBOOK_DIR.mkdir(exist_ok=True)
    for source in sorted((ROOT / "notebooks").glob("*.ipynb")):
        executed = executed_copy(source)
        notebook = json.loads((executed or source).read_text(encoding="utf-8"))
        if executed is not None:
            job = executed.parent.relative_to(EXECUTED_DIR).as_posix()
            origin = (f"`notebooks/{source.name}`, executed once by `make docs` on the simulated "
                      f"sample data (batch job `{job}`); 在模拟示例数据上运行一次的结果。\n")
        else:
            origin = (f"`notebooks/{source.name}`, as committed (not executed: `make docs` "
                      "runs it on the sample data).\n")
        heading = {"cell_type": "markdown", "metadata": {}, "id": "docs-title",
                   "source": [f"# {source.stem}: {_title(source)}\n", "\n", origin]}
        notebook["cells"].insert(0, heading)
        target = NOTEBOOK_DIR / source.name
        text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for stale in NOTEBOOK_DIR.glob("*.ipynb"):
        if not (ROOT / "notebooks" / stale.name).exists():
            stale.unlink()


write_api_pages()
write_notebook_pages()
shutil.rmtree(HERE / "_build" / "jupyter_execute", ignore_errors=True)
