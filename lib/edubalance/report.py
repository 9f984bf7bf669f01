"""Reports that open offline: HTML without code, reveal.js slides, and the batch index page.

nbconvert's templates load require.js, MathJax, Mermaid and reveal.js from CDNs; the
templates in ``edubalance/templates`` drop those scripts, reveal.js is inlined from a vendored
copy (reveal.js 4.6.1, MIT, ``templates/reveal-LICENSE.txt``), and a last pass removes any
``<script src="http...">`` or ``<link href="http...">`` left. Figures are embedded as base64
by nbconvert, so each file stands alone.
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any, Mapping

__all__ = ["export_html", "export_slides", "write_index", "render_index", "headline_figures",
           "strip_remote_resources", "register_cli", "TEMPLATES"]

TEMPLATES = Path(__file__).with_name("templates")
_REVEAL_PREFIX = "edubalance-inline-reveal"
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>", re.I | re.S)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I | re.S)
_REMOTE_IMPORT = re.compile(
    r"<script\b[^>]*type\s*=\s*[\"']module[\"'][^>]*>(?:(?!</script).)*?"
    r"import[^;]*?[\"'](?:https?:)?//(?:(?!</script).)*</script\s*>", re.I | re.S)


def strip_remote_resources(page: str) -> str:
    """Remove ``<script>``/``<link>`` tags that would load something from the network.

    Examples
    --------
    >>> strip_remote_resources('<p>a</p><script src="https://cdn.x/r.js"></script>')
    '<p>a</p>'
    """
    for pattern in (_REMOTE_SCRIPT, _REMOTE_LINK, _REMOTE_IMPORT):
        page = pattern.sub("", page)
    return page


def _write_text(target: Path, text: str) -> Path:
    from .io.write import atomic_write_text

    return atomic_write_text(target, text)


def export_html(executed_notebook: str | os.PathLike, target: str | os.PathLike,
                no_input: bool = True) -> Path:
    """Write an executed notebook as one self-contained HTML page.

    Parameters
    ----------
    executed_notebook : path
        A notebook with outputs (e.g. written by papermill).
    target : path
        The HTML file to write.
    no_input : bool
        Hide code cells and prompts (the reader sees text, tables and figures).

    Returns
    -------
    Path
        ``target``.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1+1")]),
    ...                folder / "nb.ipynb")
    >>> "1+1" in export_html(folder / "nb.ipynb", folder / "nb.html").read_text()
    False
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(str(executed_notebook), as_version=4)
    exporter = HTMLExporter(
        template_name="lab", template_file="offline_report.html.j2",
        extra_template_paths=[str(TEMPLATES)], exclude_input=no_input,
        exclude_input_prompt=no_input, exclude_output_prompt=no_input)
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": Path(executed_notebook).stem}})
    return _write_text(Path(target), strip_remote_resources(body))


def _inline_reveal_styles(page: str) -> str:
    styles = {"dist/reveal.css": "reveal.css", "dist/theme/white.css": "reveal-white.css"}
    for href, name in styles.items():
        css = (TEMPLATES / name).read_text(encoding="utf-8")
        pattern = re.compile(r"<link\b[^>]*href=\"" + re.escape(f"{_REVEAL_PREFIX}/{href}")
                             + r"\"[^>]*>")
        page = pattern.sub(lambda _: f"<style type=\"text/css\">\n{css}\n</style>", page)
    return page


def slides_html(executed_notebook: str | os.PathLike, no_input: bool = True) -> str:
    """reveal.js slides of an executed notebook as one offline HTML string."""
    import nbformat
    from nbconvert import SlidesExporter

    notebook = nbformat.read(str(executed_notebook), as_version=4)
    exporter = SlidesExporter(
        template_name="reveal", template_file="offline_slides.html.j2",
        extra_template_paths=[str(TEMPLATES)], reveal_url_prefix=_REVEAL_PREFIX,
        reveal_theme="white", exclude_input=no_input, exclude_input_prompt=no_input,
        exclude_output_prompt=no_input)
    script = (TEMPLATES / "reveal.js").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": Path(executed_notebook).stem},
                             "edubalance_reveal_js": script.replace("</script", "<\\/script")})
    return strip_remote_resources(_inline_reveal_styles(body))


def export_slides(notebook: str | os.PathLike, output_dir: str | os.PathLike,
                  parameters: Mapping[str, Any] | None = None, kernel_name: str = "edubalance",
                  no_input: bool = True, cwd: str | os.PathLike | None = None) -> dict[str, Path]:
    """Execute a notebook and write it as offline reveal.js slides plus a no-code HTML report.

    The notebook runs with papermill into ``output_dir/presentation/<stem>.ipynb`` (its
    ``output_dir`` parameter, if it has one, points to that folder); then
    ``output_dir/<stem>.slides.html`` and ``output_dir/<stem>.html`` are written.

    Returns
    -------
    dict
        ``{"notebook": ..., "slides": ..., "html": ...}`` paths.
    """
    import papermill as pm

    from .run.params import notebook_parameters

    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"notebook not found: {notebook}")
    output_dir = Path(output_dir)
    results = output_dir / "presentation"
    results.mkdir(parents=True, exist_ok=True)
    parameters = dict(parameters or {})
    if "output_dir" in notebook_parameters(notebook):
        parameters.setdefault("output_dir", str(results.resolve()))
    executed = results / f"{notebook.stem}.ipynb"
    pm.execute_notebook(str(notebook), str(executed), parameters=parameters,
                        kernel_name=kernel_name, cwd=str(cwd) if cwd else None,
                        progress_bar=False)
    slides = _write_text(output_dir / f"{notebook.stem}.slides.html",
                         slides_html(executed, no_input=no_input))
    report = export_html(executed, output_dir / f"{notebook.stem}.html", no_input=no_input)
    return {"notebook": executed, "slides": slides, "html": report}


# --------------------------------------------------------------------------- index

def write_index(output: str | os.PathLike, lang: str = "zh") -> Path:
    """(Re)build ``output/index.html``; see :func:`edubalance.run.index.write_index`."""
    from .run.index import write_index as _write_index

    return _write_index(output, lang=lang)


def render_index(output: str | os.PathLike, jobs: list[Mapping[str, Any]],
                 lang: str = "zh") -> str:
    """The index page as HTML text; see :func:`edubalance.run.index.render_index`."""
    from .run.index import render_index as _render_index

    return _render_index(output, jobs, lang=lang)


def headline_figures(summary: Mapping[str, Any] | None, limit: int = 4) -> list[tuple[str, Any]]:
    """See :func:`edubalance.run.index.headline_figures`."""
    from .run.index import headline_figures as _headline_figures

    return _headline_figures(summary, limit)


# --------------------------------------------------------------------------- CLI

def _handle_slides(args: argparse.Namespace) -> int:
    paths = export_slides(args.notebook, args.output)
    for kind in ("slides", "html"):
        print(f"{kind}: {paths[kind]}")
    return 0


def _handle_index(args: argparse.Namespace) -> int:
    print(write_index(args.folder, lang=args.lang))
    return 0


def register_cli(subparsers) -> None:
    """Add ``edubalance slides`` and ``edubalance index``."""
    slides = subparsers.add_parser(
        "slides", help="execute a notebook and export offline reveal.js slides",
        description="Execute NOTEBOOK and write DIR/<stem>.slides.html (reveal.js, inlined, "
                    "opens offline) and DIR/<stem>.html (report without code).")
    slides.add_argument("notebook", metavar="NOTEBOOK")
    slides.add_argument("--output", default="reports", metavar="DIR")
    slides.set_defaults(func=_handle_slides)
    index = subparsers.add_parser(
        "index", help="rebuild DIR/index.html from DIR/manifest.json and the reports found",
        description="Rebuild the browsable index of a reports folder.")
    index.add_argument("folder", metavar="DIR")
    index.add_argument("--lang", choices=("zh", "en"), default="zh",
                       help="language of the index page (default zh)")
    index.set_defaults(func=_handle_index)
