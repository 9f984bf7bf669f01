"""One escaping path for every piece of user text that reaches HTML or Markdown.

County and school names come from files that anyone can edit. Before such text reaches a
report it goes through :func:`escape_html` (HTML pages, pandas Styler cells, templates) or
:func:`escape_markdown` (Markdown cells and outputs, which nbconvert turns into HTML and
whose raw HTML it passes through). Nothing else in the package builds markup from user text.

Examples
--------
>>> escape_html('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
>>> escape_markdown("[详情](javascript:alert(1))")
'\\\\[详情\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\)'
"""
from __future__ import annotations

import html
import re

__all__ = ["escape_html", "escape_markdown"]

# Every character Markdown (CommonMark + GFM tables) gives a meaning to; ``< >`` are left to
# html.escape (an entity cannot open a block quote or a tag).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape_html(text) -> str:
    """``text`` as inert HTML: ``& < > " '`` escaped; ``None`` becomes ``""``."""
    return "" if text is None else html.escape(str(text), quote=True)


def escape_markdown(text) -> str:
    """``text`` as inert Markdown: HTML escaped, every Markdown punctuation backslash-escaped.

    The result shows the same characters as ``text`` and cannot form a link, an image, an
    emphasis, a heading or raw HTML.
    """
    if text is None:
        return ""
    # Line breaks would end a table row or start a new block.
    flat = re.sub(r"[\r\n]+", " ", str(text))
    # Markdown first, HTML second: the entities html.escape makes (&#x27;) must stay intact.
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=True)
