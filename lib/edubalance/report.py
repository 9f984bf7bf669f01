"""Reports that open offline: HTML without code and the batch index page (slides:
:mod:`edubalance.slides`).

nbconvert's templates load require.js, MathJax, Mermaid and reveal.js from CDNs; the
templates in ``edubalance/templates`` drop those scripts, reveal.js is inlined from a vendored
copy (reveal.js 4.6.1, MIT, ``templates/reveal-LICENSE.txt``), and a last pass removes any
``<script src="http...">`` or ``<link href="http...">`` left. Figures are embedded as base64
by nbconvert, so each file stands alone.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

__all__ = ["export_html", "write_index", "render_index", "headline_figures",
           "strip_remote_resources", "register_cli", "TEMPLATES"]

TEMPLATES = Path(__file__).with_name("templates")
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
    title = _report_title(notebook)
    if title:
        notebook.metadata["title"] = title   # the page <title> (the template escapes it)
    exporter = HTMLExporter(
        template_name="lab", template_file="offline_report.html.j2",
        extra_template_paths=[str(TEMPLATES)], exclude_input=no_input,
        exclude_input_prompt=no_input, exclude_output_prompt=no_input,
        language_code=_report_language(notebook))
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": Path(executed_notebook).stem}})
    return _write_text(Path(target), strip_remote_resources(body))


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


# --------------------------------------------------------------------------- index

def headline_figures(summary: Mapping[str, Any] | None, limit: int = 4) -> list[tuple[str, Any]]:
    """A few figures worth showing in the index, from a job's ``summary.json``.

    Scoring summaries (with ``levels``) give ``composite_cv`` and ``passed`` per level;
    otherwise the first ``limit`` scalar values.

    Examples
    --------
    >>> headline_figures({"levels": {"primary": {"composite_cv": 0.41, "passed": True}}})
    [('primary composite_cv', 0.41), ('primary passed', True)]
    >>> headline_figures({"k": 3, "method": "ward", "rows": [1, 2]})
    [('k', 3), ('method', 'ward')]
    """
    if not isinstance(summary, Mapping):
        return []
    levels = summary.get("levels")
    if isinstance(levels, Mapping) and levels:
        figures = []
        for level, values in levels.items():
            if isinstance(values, Mapping):
                for key in ("composite_cv", "passed"):
                    if key in values:
                        figures.append((f"{level} {key}", values[key]))
        if figures:
            return figures
    scalars = [(str(key), value) for key, value in summary.items()
               if value is None or isinstance(value, (str, int, float, bool))]
    return scalars[:limit]


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _href(relative: str) -> str:
    return html.escape("/".join(quote(part) for part in relative.split("/")), quote=True)


def _link(relative: str | None, label: str, output: Path) -> str:
    if not relative or not (output / relative).is_file():
        return ""
    return f'<a href="{_href(relative)}">{html.escape(label)}</a>'


def _found_reports(output: Path) -> list[str]:
    found = []
    for folder in (output, output / "presentation"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.html")):
                if path.name != "index.html" and path.is_file():
                    found.append(path.relative_to(output).as_posix())
    # Slides first: they are what a meeting opens.
    return sorted(found, key=lambda name: (not name.endswith(".slides.html"), name))


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border-bottom:1px solid #e3e3e3;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.ok{color:#17692f}.skipped{color:#35589a}
.failed{color:#a31515;font-weight:bold}
.error{color:#a31515;font-family:monospace;white-space:pre-wrap;max-width:30em}
.figures span{display:inline-block;margin-right:1em}.muted{color:#777}
"""


def render_index(output: str | os.PathLike, jobs: list[Mapping[str, Any]]) -> str:
    """The index page (HTML text) for a reports folder and its manifest entries."""
    output = Path(output)
    counts = {status: sum(job.get("status") == status for job in jobs)
              for status in ("ok", "skipped", "failed")}
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>edubalance reports</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>edubalance reports</h1>",
             f'<p class="muted">{len(jobs)} job(s): {counts["ok"]} ok, '
             f'{counts["skipped"]} complete from an earlier run, {counts["failed"]} failed. '
             f'Built {html.escape(time.strftime("%Y-%m-%d %H:%M"))}. '
             f'{_link("manifest.json", "manifest.json", output)}</p>']
    found = _found_reports(output)
    if found:
        parts.append("<h2>Presentations and reports</h2><ul>")
        parts += [f"<li>{_link(name, name, output)}</li>" for name in found]
        parts.append("</ul>")
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for job in jobs:
        groups.setdefault(str(job.get("notebook_stem") or job.get("notebook")), []).append(job)
    for stem, group in groups.items():
        parts.append(_render_group(stem, group, output))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _by_county(group: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    # Rows of one county together, counties in the order the batch ran them (file order).
    first_seen: dict[str, int] = {}
    for job in group:
        first_seen.setdefault(str((job.get("parameters") or {}).get("county", "")), len(first_seen))
    return sorted(group, key=lambda job: first_seen[str((job.get("parameters") or {})
                                                        .get("county", ""))])


def _render_group(stem: str, group: list[Mapping[str, Any]], output: Path) -> str:
    all_keys = list(dict.fromkeys(key for job in group for key in (job.get("parameters") or {})))
    varying = [key for key in all_keys
               if len({json.dumps((job.get("parameters") or {}).get(key), sort_keys=True,
                                  ensure_ascii=False, default=str) for job in group}) > 1]
    shown = varying or all_keys[:1]
    if "county" in all_keys and "county" not in shown:
        shown = ["county", *shown]
    shared = {key: (group[0].get("parameters") or {}).get(key) for key in all_keys
              if key not in varying}
    ordered = _by_county(group)
    notebook = group[0].get("notebook") or stem
    rows = [f"<h2>{html.escape(stem)}</h2>",
            f'<p class="muted">notebook {html.escape(str(notebook))}; shared parameters: '
            + html.escape(", ".join(f"{key}={_format_value(value)}"
                                    for key, value in shared.items()) or "none") + "</p>",
            "<table><thead><tr>" + "".join(f"<th>{html.escape(key)}</th>" for key in shown)
            + "<th>status</th><th>seconds</th><th>headline figures</th><th>files</th>"
              "</tr></thead><tbody>"]
    for job in ordered:
        parameters = job.get("parameters") or {}
        status = str(job.get("status"))
        summary = None
        if job.get("summary") and (output / job["summary"]).is_file():
            try:
                summary = json.loads((output / job["summary"]).read_text(encoding="utf-8"))
            except ValueError:
                summary = None
        figures = "".join(f"<span>{html.escape(name)}: <b>{html.escape(_format_value(v))}</b>"
                          "</span>" for name, v in headline_figures(summary))
        if job.get("error"):
            figures += f'<div class="error">{html.escape(str(job["error"]))}</div>'
        links = " ".join(filter(None, [
            _link(job.get("report"), "report", output),
            _link(job.get("notebook_output"), "notebook", output),
            _link(job.get("summary"), "summary.json", output)]))
        seconds = job.get("seconds")
        rows.append(
            "<tr>" + "".join(f"<td>{html.escape(_format_value(parameters.get(key)))}</td>"
                             for key in shown)
            + f'<td class="{html.escape(status)}">{html.escape(status)}</td>'
            + f"<td>{'' if seconds is None else f'{float(seconds):.1f}'}</td>"
            + f'<td class="figures">{figures}</td><td>{links}</td></tr>')
    rows.append("</tbody></table>")
    return "\n".join(rows)


def write_index(output: str | os.PathLike) -> Path:
    """(Re)build ``output/index.html`` from ``manifest.json`` and the reports found there.

    Examples
    --------
    >>> import tempfile
    >>> write_index(tempfile.mkdtemp()).name
    'index.html'
    """
    output = Path(output)
    if not output.is_dir():
        raise FileNotFoundError(f"reports folder not found: {output}")
    jobs: list[Mapping[str, Any]] = []
    manifest = output / "manifest.json"
    if manifest.is_file():
        try:
            jobs = json.loads(manifest.read_text(encoding="utf-8")).get("jobs", [])
        except ValueError as error:
            raise ValueError(f"{manifest}: not valid JSON: {error}") from None
    jobs = [job for job in jobs if isinstance(job, Mapping)]
    return _write_text(output / "index.html", render_index(output, jobs))


# --------------------------------------------------------------------------- CLI

def _handle_index(args: argparse.Namespace) -> int:
    print(write_index(args.folder))
    return 0


def register_cli(subparsers) -> None:
    """Add ``edubalance index`` (``edubalance slides`` lives in :mod:`edubalance.slides`)."""
    index = subparsers.add_parser(
        "index", help="rebuild DIR/index.html from DIR/manifest.json and the reports found",
        description="Rebuild the browsable index of a reports folder.")
    index.add_argument("folder", metavar="DIR")
    index.set_defaults(func=_handle_index)
