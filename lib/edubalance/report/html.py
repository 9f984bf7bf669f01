"""Reports that open offline: HTML without code.

Reports that open offline: HTML without code (slides: :mod:`edubalance.report.slides`; the
batch index page and ``edubalance index``: :mod:`edubalance.run.index`).

nbconvert's templates load require.js, MathJax, Mermaid and reveal.js from CDNs; the
templates in ``edubalance/templates`` drop those scripts, reveal.js is inlined from a vendored
copy (reveal.js 4.6.1, MIT, ``templates/reveal-LICENSE.txt``), and a last pass removes any
``<script src="http...">`` or ``<link href="http...">`` left. Figures are embedded as base64
by nbconvert, so each file stands alone.
"""
from __future__ import annotations

import functools
import html
import os
import re
from pathlib import Path

__all__ = ["export_html", "strip_remote_resources", "TEMPLATES"]

TEMPLATES = Path(__file__).with_name("templates")
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>", re.I | re.S)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I | re.S)
_REMOTE_IMPORT = re.compile(
    r"<script\b[^>]*type\s*=\s*[\"']module[\"'][^>]*>(?:(?!</script).)*?"
    r"import[^;]*?[\"'](?:https?:)?//(?:(?!</script).)*</script\s*>", re.I | re.S)


def strip_remote_resources(page: str) -> str:
    """Remove ``<script>``/``<link>`` tags that would load something from the network.

    Parameters
    ----------
    page : str
        An HTML page.

    Returns
    -------
    str
        The page without them.

    Examples
    --------
    >>> strip_remote_resources('<p>a</p><script src="https://cdn.x/r.js"></script>')
    '<p>a</p>'
    """
    for pattern in (_REMOTE_SCRIPT, _REMOTE_LINK, _REMOTE_IMPORT):
        page = pattern.sub("", page)
    return page


def _write_text(target: Path, text: str) -> Path:
    from ..io.write import atomic_write_text

    return atomic_write_text(target, text)


def export_html(executed_notebook: str | os.PathLike, target: str | os.PathLike,
                no_input: bool = True) -> Path:
    """Write an executed notebook as one self-contained HTML page.

    Parameters
    ----------
    executed_notebook : path or NotebookNode
        A notebook with outputs (e.g. written by papermill), or the notebook itself (its
        page is named after ``target``).
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

    if isinstance(executed_notebook, dict):
        # A notebook already in memory (the batch's warm engine): not parsed and validated
        # again from a file written only to be read back. Its metadata is copied, so the
        # title set below does not reach the caller's notebook.
        notebook = nbformat.NotebookNode(executed_notebook)
        notebook["metadata"] = nbformat.NotebookNode(executed_notebook.get("metadata", {}))
        name = Path(target).stem
    else:
        notebook = nbformat.read(str(executed_notebook), as_version=4)
        name = Path(executed_notebook).stem
    title = _report_title(notebook)
    if title:
        notebook.metadata["title"] = title   # the page <title> (the template escapes it)
    exporter = _html_exporter(bool(no_input))
    exporter.language_code = _report_language(notebook)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}})
    return _write_text(Path(target), strip_remote_resources(body))


@functools.lru_cache(maxsize=2)
def _html_exporter(no_input: bool):
    """One exporter per process and setting.

    One exporter per process and setting: its compiled templates serve every report a
    batch worker exports (building one and compiling the lab templates costs more than
    rendering a report).
    """
    # optimistic_validation: the notebook is validated once after the preprocessors, not
    # after each of them (twelve schema validations were a tenth of a report's export).
    return _report_exporter_class()(
        template_name="lab", template_file="offline_report.html.j2",
        extra_template_paths=[str(TEMPLATES)], exclude_input=no_input,
        exclude_input_prompt=no_input, exclude_output_prompt=no_input,
        optimistic_validation=True)


_NO_ALT = "No description has been provided for this image"   # nbconvert's words
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt\s*=)", re.I)
_FOCUSABLE_DIV = re.compile(
    r"(<div\b[^>]*\bclass=\"[^\"]*(?<![\w-])(?:jp-Cell-inputWrapper|jp-OutputArea-output)"
    r"(?![\w-])[^\"]*\")")


# A script or style element (left as it is), or a numeric character reference. The element's
# text is read as runs without "<" (possessive: never given back), each "<" checked for the
# closing tag, the same match as a lazy ".*?</\2\s*>" at less than half the cost: a report
# page inlines ~400 KB of theme CSS, which the lazy form tried to close after every character
# (13.5 -> 5.9 ms CPU per county report page).
_RAW_OR_REFERENCE = re.compile(
    r"(<(script|style)\b[^<]*+(?:<(?!/\2\s*>)[^<]*+)*+</\2\s*>)"
    r"|&#(?:(\d+)|[xX]([0-9a-fA-F]+));", re.I | re.S)


def _character(match: re.Match) -> str:
    if match.group(1):
        return match.group(1)
    code = int(match.group(3)) if match.group(3) else int(match.group(4), 16)
    # Only letters beyond ASCII: "&#60;" and the like keep marking up nothing.
    return chr(code) if 128 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF \
        else match.group(0)


def accessible_html(page: str) -> str:
    """Finish a page the way nbconvert's ``HTMLExporter`` does after rendering it.

    What nbconvert's ``HTMLExporter`` does to a page after rendering it: an ``alt`` text on
    every image without one, ``tabindex="0"`` on cell input and output areas, and characters
    beyond ASCII written as themselves (the templates write 灵武市 as ``&#28789;&#27494;…``).

    nbconvert does it by parsing the whole rendered page with BeautifulSoup and writing it out
    again; a report page inlines the JupyterLab theme (about 400 KB), and that round trip took
    six of every seven milliseconds of a county report's export (0.18 s of 0.20 s). Here it is
    done on the page text.

    Examples
    --------
    >>> accessible_html('<div class="jp-OutputArea-output"><img src="a.png"></div>')
    '<div class="jp-OutputArea-output" tabindex="0"><img alt="No description has been provided for this image" src="a.png"></div>'
    >>> accessible_html('<img alt="县域对比" src="b.png"><h1>&#28789;&#27494;&#24066; &#60;b&#62;</h1>')
    '<img alt="县域对比" src="b.png"><h1>灵武市 &#60;b&#62;</h1>'
    """
    page = _IMG_WITHOUT_ALT.sub(f'<img alt="{_NO_ALT}"', page)
    page = _FOCUSABLE_DIV.sub(r'\1 tabindex="0"', page)
    return _RAW_OR_REFERENCE.sub(_character, page)


@functools.lru_cache(maxsize=4)
def _template_bytecode_cache(folder: str | None = None):
    """Jinja2's compiled report templates, kept on disk between processes (or None).

    Compiling nbconvert's lab templates is 0.1 s of CPU in every batch worker's first export;
    read back, 0.01 s. Jinja2 keys each entry by the template's source checksum and its own
    and Python's versions, so a changed template is compiled again; the folder is Jinja2's
    per-user one in the temporary folder (``folder``: another one). A cache that cannot be
    read or written is skipped.
    """
    from jinja2 import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - compiled instead
                bucket.reset()

        def dump_bytecode(self, bucket):
            try:
                super().dump_bytecode(bucket)
            except Exception:  # noqa: BLE001 - compiled again next time
                pass

    try:
        return QuietCache(folder)
    except Exception:  # noqa: BLE001 - no safe folder for it: compile every time
        return None


@functools.lru_cache(maxsize=1)
def _report_exporter_class():
    """``HTMLExporter`` with its last step (:func:`accessible_html`) done on the page text."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def _create_environment(self):
            environment = super()._create_environment()
            environment.bytecode_cache = _template_bytecode_cache()
            return environment

        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7.16-7.17) up to its BeautifulSoup
            # pass; test_report checks that the pages are the same documents.
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible_html(page), resources

    return ReportExporter


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)


def _report_title(notebook) -> str:
    """The text of the first ``<h1>`` a cell output shows (the report's own title), or ""."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            markup = output.get("data", {}).get("text/html")
            if not markup:
                continue
            found = _H1.search(markup if isinstance(markup, str) else "".join(markup))
            if found:
                return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
    return ""


def _report_language(notebook) -> str:
    """``zh`` or ``en`` (ISO 639-1) from the notebook's ``lang`` parameter (papermill), default zh."""
    lang = notebook.metadata.get("papermill", {}).get("parameters", {}).get("lang", "zh")
    return "en" if lang == "en" else "zh"


