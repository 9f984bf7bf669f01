r"""One escaping path for every piece of user text that reaches HTML or Markdown.

County and school names come from files that anyone can edit. Before such text reaches a
report it goes through :func:`escape_html` (HTML pages, pandas Styler cells, templates) or
:func:`escape_markdown` (Markdown cells and outputs, which nbconvert turns into HTML and
whose raw HTML it passes through). Nothing else in the package builds markup from user text:
headings, paragraphs and list items of reports are :func:`html_block` (:func:`html_heading` for
the reports' section headings), Markdown paragraphs :func:`edubalance.report.slides.say`.

Examples
--------
>>> escape_html('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
>>> escape_markdown("[详情](javascript:alert(1))")
'\\[详情\\]\\(javascript:alert\\(1\\)\\)'
>>> html_block("p", "<b>甲县</b> 未通过", "eb-failed", mark="✗")
'<p class="eb-failed"><span class="eb-mark">✗</span> &lt;b&gt;甲县&lt;/b&gt; 未通过</p>'
"""
from __future__ import annotations

import html
import re

__all__ = ["SCREEN_ONLY", "escape_html", "escape_markdown", "html_block", "html_heading"]

SCREEN_ONLY = ("<!-- edubalance:screen-only -->", "<!-- /edubalance:screen-only -->")
"""Comments around what a report never prints (the whole of a table split for print, which
its own stylesheet hides on paper): the PDF printer leaves it out of the page it prints
(:func:`~edubalance.report.pdf.print_html`)."""

# Every character Markdown (CommonMark + GFM tables) gives a meaning to; ``< >`` are left to
# html.escape (an entity cannot open a block quote or a tag).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape_html(text) -> str:
    """``text`` as inert HTML: ``& < > " '`` escaped; ``None`` becomes ``""``.

    Parameters
    ----------
    text : object
        User text (shown with ``str``).

    Returns
    -------
    str
    """
    return "" if text is None else html.escape(str(text), quote=True)


def escape_markdown(text) -> str:
    """``text`` as inert Markdown: HTML escaped, every Markdown punctuation backslash-escaped.

    The result shows the same characters as ``text`` and cannot form a link, an image, an
    emphasis, a heading or raw HTML.

    Parameters
    ----------
    text : object
        User text (shown with ``str``); ``None`` becomes ``""``.

    Returns
    -------
    str
    """
    if text is None:
        return ""
    # Line breaks would end a table row or start a new block.
    flat = re.sub(r"[\r\n]+", " ", str(text))
    # Markdown first, HTML second: the entities html.escape makes (&#x27;) must stay intact.
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=True)


def html_block(tag: str, words, css_class: str = "", *, mark: str = "") -> str:
    """One element of text (a heading, a paragraph, a list item) with ``words`` escaped.

    Parameters
    ----------
    tag : str
        The element: ``p``, ``li``, ``h1`` ... ``h6``.
    words : str
        Plain text; escaped (:func:`escape_html`).
    css_class : str, optional
        The element's class (the report stylesheet's ``eb-*`` classes); none when empty.
    mark : str, optional
        A status mark (✓ ✗ ？) shown before the words in a ``<span class="eb-mark">``, so a
        black-and-white print still tells statuses apart.

    Returns
    -------
    str

    Examples
    --------
    >>> html_block("li", "a < b"), html_block("p", "x", "eb-note")
    ('<li>a &lt; b</li>', '<p class="eb-note">x</p>')
    """
    if tag not in _BLOCK_TAGS:
        raise ValueError(f"tag={tag!r}; use one of {', '.join(_BLOCK_TAGS)}")
    attribute = f' class="{escape_html(css_class)}"' if css_class else ""
    lead = f'<span class="eb-mark">{escape_html(mark)}</span> ' if mark else ""
    return f"<{tag}{attribute}>{lead}{escape_html(words)}</{tag}>"


_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6")


def html_heading(words, level: int = 2) -> str:
    """An escaped section heading of a report (``<h2 class="eb-section">``).

    The class ``eb-section`` gives print page breaks; the first ``<h1>`` is the page's title.

    Parameters
    ----------
    words : str
        Plain text of the heading.
    level : int, default 2
        1 to 6.

    Returns
    -------
    str

    Examples
    --------
    >>> html_heading("灵武市 <2017>", 1)
    '<h1 class="eb-section">灵武市 &lt;2017&gt;</h1>'
    """
    return html_block(f"h{int(level)}", words, "eb-section")
