"""The lean print stylesheet of the PDF printer (``report/templates/print-lab.css``): derived,
and checked against JupyterLab's full stylesheets.

A report page inlines JupyterLab's stylesheets (about 260 KB, thousands of rules for widgets,
menus, dialogs, editors); styling a page with all of them was a fifth of the time Chromium
took to print a report. ``print-lab.css`` holds the rules of theirs that style something in a
report: those whose selector matches an element of a report or of :func:`coverage_notebook`
(every kind of output a notebook shows), rules for the print media kept, those for the screen
only dropped, and only the ``--jp-*`` variables the kept rules read, and the ``@page`` rules (JupyterLab's
0.5 in page margin, which the PDFs have always had). The PDF printer
(:mod:`edubalance.report.pdf`) puts it in place of the full sheets.

Regenerate it after an nbconvert/JupyterLab upgrade or when reports gain new markup (the
browser test ``test_the_lean_print_stylesheet_styles_a_report_as_jupyterlab_s`` says when)::

    .venv/bin/python tests/support/print_css.py REPORT.html [REPORT.html ...]

with reports of both languages and verdicts (e.g. a small batch of county_scoring).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEAN = ROOT / "lib" / "edubalance" / "report" / "templates" / "print-lab.css"
START, END = "<!-- edubalance:notebook-css -->", "<!-- /edubalance:notebook-css -->"

# In the page: the CSS rules of the style elements between the markers that match something.
_DERIVE = r"""() => {
  const sheets = [];
  let inside = false;
  for (const node of document.head.childNodes) {
    if (node.nodeType === Node.COMMENT_NODE) {
      const text = node.textContent.trim();
      if (text === 'edubalance:notebook-css') inside = true;
      if (text === '/edubalance:notebook-css') inside = false;
    } else if (inside && node.tagName === 'STYLE') sheets.push(node.sheet);
  }
  const split = (text) => {   // selectors of a list, commas inside brackets left alone
    const parts = []; let depth = 0, start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === ',' && depth === 0) { parts.push(text.slice(start, i)); start = i + 1; }
    }
    parts.push(text.slice(start));
    return parts.map(p => p.trim()).filter(Boolean);
  };
  const dynamic = /::?(before|after|marker|placeholder|selection|first-line|first-letter|backdrop|-webkit-[\w-]+|-moz-[\w-]+)|:(hover|focus-within|focus-visible|focus|active|visited|link|checked|disabled|enabled|target)\b/g;
  const matches = (selector) => {
    let plain = selector.replace(dynamic, '').trim();
    if (!plain || /[>+~]$/.test(plain)) plain = plain + '*';
    try { return document.querySelector(plain) !== null; } catch (e) { return false; }
  };
  const roots = [];
  const keep = (rules, media) => {
    const out = [];
    for (const rule of rules) {
      if (rule instanceof CSSStyleRule) {
        const selectors = split(rule.selectorText);
        if (selectors.some(s => s === ':root' || s.startsWith(':root'))) {
          const names = [];
          for (let i = 0; i < rule.style.length; i++) names.push(rule.style[i]);
          roots.push([rule.selectorText, names.map(n => [n, rule.style.getPropertyValue(n).trim(),
                                                         rule.style.getPropertyPriority(n)])]);
          continue;
        }
        const kept = selectors.filter(matches);
        if (kept.length) out.push(kept.join(', ') + ' { ' + rule.style.cssText + ' }');
      } else if (rule instanceof CSSMediaRule) {
        const text = rule.media.mediaText;
        if (/^\s*(only\s+)?screen\s*$/i.test(text)) continue;   // never for print
        const inner = keep(rule.cssRules, text);
        if (inner.length) out.push('@media ' + text + ' {\n' + inner.join('\n') + '\n}');
      } else if (rule instanceof CSSSupportsRule) {
        const inner = keep(rule.cssRules, media);
        if (inner.length) out.push('@supports ' + rule.conditionText + ' {\n' + inner.join('\n') + '\n}');
      } else if (rule instanceof CSSPageRule) {
        out.push(rule.cssText);   // the printed page's margins
      } else if (rule instanceof CSSFontFaceRule || rule instanceof CSSKeyframesRule) {
        continue;   // lab fonts are icons; animations do not print
      }
    }
    return out;
  };
  const kept = [];
  for (const sheet of sheets) kept.push(...keep(sheet.cssRules, null));
  return {rules: kept, roots: roots};
}"""

_STYLES = r"""() => {
  const out = [];
  const all = document.body.querySelectorAll('*');
  const one = (style) => { const o = {}; for (let i = 0; i < style.length; i++) {
    const n = style[i]; if (!n.startsWith('--')) o[n] = style.getPropertyValue(n); } return o; };
  const pages = [];   // @page rules (margins), in the order they apply
  for (const sheet of document.styleSheets)
    for (const rule of sheet.cssRules) if (rule instanceof CSSPageRule) pages.push(rule.style.cssText);
  out.push(pages);
  out.push(one(getComputedStyle(document.body)));
  // Elements in the same place of the tree (the same tag and classes, under ancestors with
  // the same tags and classes) get the same rules from the notebook sheets, whatever their
  // text or id: one of each is compared (a report's thousands of table cells are a few).
  const seen = new Set();
  const place = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body; e = e.parentElement)
      // classes naming a row or column (pandas' row3, col12) style nothing in the sheets
      parts.push(e.tagName + '.' + (typeof e.className === 'string'
                                    ? e.className.split(/\s+/).filter(c => !/\d/.test(c)).join('.')
                                    : '')
                 + ':' + (e.previousElementSibling ? 'n' : 'f')
                 + (e.nextElementSibling ? 'n' : 'l')
                 + ([...(e.parentElement || document.body).children].indexOf(e) % 2));
    return parts.join('<');
  };
  for (const element of all) {
    const key = place(element);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([element.tagName, element.className, one(getComputedStyle(element)),
              getComputedStyle(element, '::before').content,
              getComputedStyle(element, '::after').content]);
  }
  return out;
}"""


def coverage_notebook(folder: Path) -> Path:
    """A report of every kind of output (markdown, streams, an error, text, HTML tables,
    PNG, SVG, Markdown output), exported like a job's report; returns the HTML path."""
    import base64

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from edubalance.report.html import export_html

    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d4944415478da63f8ffff3f0005fe02fea7d6a0b80000000049454e44ae426082")).decode()
    markdown = ("# Title\n\n## Section\n\n### Sub\n\n#### Minor\n\nA paragraph with *emphasis*, "
                "**strong**, `code` and [a link](#x).\n\n- one\n- two\n\n1. first\n2. second\n\n"
                "> quoted\n\n```\npre\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n")
    table = ('<table class="dataframe" border="1"><thead><tr style="text-align: right;"><th></th>'
             '<th>a</th></tr></thead><tbody><tr><th>0</th><td>1</td></tr><tr><th>1</th>'
             '<td>2</td></tr></tbody></table>')
    cells = [new_markdown_cell(markdown), new_code_cell("x", execution_count=1, outputs=[
        new_output("stream", name="stdout", text="printed\n"),
        new_output("stream", name="stderr", text="warned\n"),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=1),
        new_output("display_data", data={"text/html": f"<div>{table}</div><p>html</p>",
                                          "text/plain": "t"}),
        new_output("display_data", data={"image/png": png, "text/plain": "p"}),
        new_output("display_data", data={
            "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
            "text/plain": "s"}),
        new_output("display_data", data={"text/markdown": "**md** output", "text/plain": "m"}),
        new_output("error", ename="ValueError", evalue="bad",
                   traceback=["\x1b[0;31mValueError\x1b[0m: bad"]),
    ])]
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / "coverage.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                                       "display_name": "P"}}),
                   notebook)
    return export_html(notebook, folder / "coverage.html")


def lean_variant(report: Path, target: Path) -> Path:
    """``report`` as the PDF printer prints it (the lean sheet in place of the full ones)."""
    from edubalance.report.pdf import print_html

    target.write_text(print_html(report.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def printed_styles(page, report: Path) -> list:
    """For ``report`` printed (print media, A4 text width): the ``@page`` rules, the body's
    computed style, then each element's (tag, classes, style, ``::before`` and ``::after``
    content)."""
    page.set_viewport_size({"width": 706, "height": 1000})
    page.emulate_media(media="print")
    page.goto(report.resolve().as_uri())
    # As one JSON string: Playwright's own serialisation of the ~100,000 values took four
    # times as long as the page computing them (8 s against 2 s for a county report).
    return json.loads(page.evaluate(f"() => JSON.stringify(({_STYLES})())"))


def derive(page, reports: list[Path]) -> str:
    """The lean stylesheet: the rules of the full sheets that style something in ``reports``."""
    import re

    rules: list[str] = []
    roots: dict[str, dict[str, str]] = {}
    page.set_viewport_size({"width": 706, "height": 1000})
    page.emulate_media(media="print")
    for report in reports:
        page.goto(report.resolve().as_uri())
        found = page.evaluate(_DERIVE)
        assert found["rules"], f"{report}: no notebook stylesheets between the markers"
        for rule in found["rules"]:
            if rule not in rules:
                rules.append(rule)
        for selector, declarations in found["roots"]:
            for name, value, priority in declarations:
                roots.setdefault(selector, {})[name] = value + (" !important" if priority else "")
    variable = re.compile(r"var\(\s*(--[\w-]+)")
    wanted: set[str] = set()
    todo = set(variable.findall("\n".join(rules)))
    values = {name: value for declarations in roots.values() for name, value in declarations.items()}
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo.update(variable.findall(values.get(name, "")))
    root_rules = []
    for selector, declarations in roots.items():
        kept = [f"  {name}: {value};" for name, value in declarations.items()
                if not name.startswith("--") or name in wanted]
        if kept:
            root_rules.append(selector + " {\n" + "\n".join(kept) + "\n}")
    header = ("/* JupyterLab's notebook stylesheets (nbconvert's lab template), only the rules that\n"
              "   style something in a printed report: generated by tests/support/print_css.py, checked by\n"
              "   tests/browser/test_county_report.py (same printed style of every element). Do not edit by hand. */\n")
    return header + "\n".join(root_rules + rules) + "\n"


def main(argv: list[str]) -> int:
    import tempfile

    from playwright.sync_api import sync_playwright

    from edubalance.report.pdf import find_chromium

    folder = Path(tempfile.mkdtemp(prefix="print-css-"))
    reports = [coverage_notebook(folder), *map(Path, argv)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(find_chromium()),
                                             args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        LEAN.write_text(derive(page, reports), encoding="utf-8")
        browser.close()
    print(f"{LEAN}: {LEAN.stat().st_size:,} bytes from {len(reports)} report(s)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "lib"))
    sys.exit(main(sys.argv[1:]))
