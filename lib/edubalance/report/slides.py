"""Slides: offline reveal.js export, and the building blocks of the presentation notebook.

Export. nbconvert's reveal template loads reveal.js, require.js and MathJax from CDNs; the
template ``templates/offline_slides.html.j2`` drops those scripts and inlines a vendored
reveal.js (4.6.1, MIT, ``templates/reveal-LICENSE.txt``), so ``<stem>.slides.html`` opens
offline from a USB stick. :func:`export_slides` executes a notebook with papermill and writes
the slides plus a no-code HTML page (``edubalance slides NOTEBOOK --output DIR``).

Building blocks. What a slide shows goes through one path, so that every text follows
``lang`` (texts in ``messages/slides.yaml``, labels in ``messages/labels_*.yaml``) and every
piece of user text (county and school names) is escaped:

- :func:`say` - a catalogue text as Markdown, its values escaped for Markdown;
- :func:`table` - a pandas Styler for people: labelled headers, no row index, integers as
  integers, 是/否 for booleans, every cell and header HTML-escaped;
- :func:`legend_outside` - the legend beside the plot, never over the data;
- :func:`use_slide_style`, :func:`show_slide_figure` - figures sized for a projector: at
  1280×720 (the 960×700 reveal.js slide shown at about 0.99) every figure text is at least
  :data:`SLIDE_MIN_PT` points, about 19 screen pixels, and a figure fills the slide's width;
- :func:`plot_slide_biplot` (labels nudged apart, :func:`edubalance.report.plotting.repel_labels`),
  :func:`plot_slide_coefficients` - the report's figures (:mod:`edubalance.report.figures`)
  drawn at projector size, returning their Axes; :func:`rank_figure` - the one figure of
  several panels (a Figure); labels translated, county names in pinyin on English slides
  (:func:`edubalance.report.placenames.county_label`);
- :func:`regression_reading` - the plain-language reading of a coefficient.

Examples
--------
>>> import pandas as pd
>>> html = table(pd.DataFrame({"county_name": ["<b>甲县</b>"], "counties_passed": [21.0]})).to_html()
>>> "&lt;b&gt;甲县&lt;/b&gt;" in html and "<b>甲县" not in html and ">21<" in html
True
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._compat import moved_names as _moved_names
from .i18n import DEFAULT_LANG, check_lang, label, text
from .markup import escape_markdown
from .placenames import county_label
from .tables import styler

__all__ = ["slides_html", "export_slides", "register_cli", "say", "column_label", "table",
           "legend_outside", "plain_text", "plot_slide_biplot", "plot_slide_coefficients",
           "regression_reading",
           "TEMPLATES", "use_slide_style", "show_slide_figure", "slide_figure", "rank_figure",
           "county_label", "fit_names", "SLIDE_MIN_PT", "SLIDE_FIGSIZE", "SLIDE_FIGURE_DPI"]

# Renamed (issue 28): a function drawing on Axes is plot_<thing>(data, *, ax=None, lang=...).
__getattr__ = _moved_names(__name__, {
    "biplot": f"{__name__}:plot_slide_biplot:_biplot",
    "coefficient_figure": f"{__name__}:plot_slide_coefficients:_coefficient_figure",
})

TEMPLATES = Path(__file__).with_name("templates")
_REVEAL_PREFIX = "edubalance-inline-reveal"
SHARES = ("share", "share_meeting", "share_passed")
SLIDE_MIN_PT = 14.0
"""Smallest text of a slide figure, in points: 14 pt at :data:`SLIDE_FIGURE_DPI` is 19.4 px in
the 960×700 slide, 19.2 px on a 1280×720 screen (reveal.js scales the slide by 0.987)."""
SLIDE_FIGSIZE = (9.0, 5.0)
"""Inches of a slide figure: 900 × 500 px at :data:`SLIDE_FIGURE_DPI`, the width of the slide
less reveal.js's margins, the height left under a heading."""
SLIDE_FIGURE_DPI = 100
"""Pixels per inch a slide figure is shown at (its PNG has 1.5 times as many, for sharpness)."""
"""Columns :func:`table` shows as percentages unless told otherwise."""


# --------------------------------------------------------------------------- export

def _inline_reveal_styles(page: str) -> str:
    styles = {"dist/reveal.css": "reveal.css", "dist/theme/white.css": "reveal-white.css"}
    for href, name in styles.items():
        css = (TEMPLATES / name).read_text(encoding="utf-8")
        pattern = re.compile(r"<link\b[^>]*href=\"" + re.escape(f"{_REVEAL_PREFIX}/{href}")
                             + r"\"[^>]*>")
        page = pattern.sub(lambda _, css=css: f"<style type=\"text/css\">\n{css}\n</style>", page)
    return page


def slides_html(executed_notebook: str | os.PathLike, no_input: bool = True) -> str:
    """reveal.js slides of an executed notebook as one offline HTML string.

    Parameters
    ----------
    executed_notebook : str or path
        A notebook with its outputs.
    no_input : bool, default True
        Leave the code out (a presentation shows results).

    Returns
    -------
    str
        The page, reveal.js inlined: it requests nothing from any other host.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> cell = nbformat.v4.new_markdown_cell("# 标题", metadata={"slideshow": {"slide_type": "slide"}})
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]), folder / "nb.ipynb")
    >>> page = slides_html(folder / "nb.ipynb")
    >>> "Reveal.initialize" in page and not re.search(r"<script[^>]*src=.http", page)
    True
    """
    import nbformat
    from nbconvert import SlidesExporter

    from .html import strip_remote_resources

    notebook = nbformat.read(str(executed_notebook), as_version=4)
    for cell in notebook.cells:
        # papermill's injected parameters cell has no slide type: it would open an empty
        # first slide when the setup cells before the title are skipped.
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
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

    Parameters
    ----------
    notebook : str or path
        The notebook to execute.
    output_dir : str or path
        Where the executed notebook, the slides and the report go.
    parameters : mapping, optional
        Papermill parameters (e.g. ``{"lang": "en"}``).
    kernel_name : str, default "edubalance"
        The Jupyter kernel that runs it.
    no_input : bool, default True
        Leave the code out of the slides and the report.
    cwd : str or path, optional
        Working folder of the kernel (relative data paths are read from there).

    Returns
    -------
    dict
        ``{"notebook": ..., "slides": ..., "html": ...}`` paths.
    """
    import papermill as pm

    from ..io.write import atomic_write_text
    from .html import export_html

    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"notebook not found: {notebook}")
    output_dir = Path(output_dir)
    results = output_dir / "presentation"
    results.mkdir(parents=True, exist_ok=True)
    parameters = dict(parameters or {})
    if "output_dir" in pm.inspect_notebook(str(notebook)):
        parameters.setdefault("output_dir", str(results.resolve()))
    executed = results / f"{notebook.stem}.ipynb"
    pm.execute_notebook(str(notebook), str(executed), parameters=parameters,
                        kernel_name=kernel_name, cwd=str(cwd) if cwd else None,
                        progress_bar=False)
    slides = atomic_write_text(output_dir / f"{notebook.stem}.slides.html",
                               slides_html(executed, no_input=no_input))
    report = export_html(executed, output_dir / f"{notebook.stem}.html", no_input=no_input)
    return {"notebook": executed, "slides": Path(slides), "html": report}


def _handle_slides(args: argparse.Namespace) -> int:
    parameters = {"lang": args.lang} if args.lang else None
    paths = export_slides(args.notebook, args.output, parameters=parameters)
    for kind in ("slides", "html"):
        print(f"{kind}: {paths[kind]}")
    return 0


def register_cli(subparsers) -> None:
    """Add ``edubalance slides``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``edubalance`` command's subcommands (``parser.add_subparsers()``).

    Returns
    -------
    None
    """
    slides = subparsers.add_parser(
        "slides", help="execute a notebook and export offline reveal.js slides",
        description="Execute NOTEBOOK and write DIR/<stem>.slides.html (reveal.js, inlined, "
                    "opens offline) and DIR/<stem>.html (report without code).")
    slides.add_argument("notebook", metavar="NOTEBOOK")
    slides.add_argument("--output", default="reports", metavar="DIR")
    slides.add_argument("--lang", choices=("zh", "en"), default=None,
                        help="language of the slides (the notebook's `lang` parameter)")
    slides.set_defaults(func=_handle_slides)


# --------------------------------------------------------------------------- text

def say(key: str, lang: str = DEFAULT_LANG, **values):
    r"""The catalogue text ``key`` as IPython Markdown; string values are Markdown-escaped.

    Parameters
    ----------
    key : str
        Catalogue key.
    lang : {"zh", "en"}
        Language of the text.
    **values
        Values of the text's placeholders (strings escaped with
        :func:`edubalance.report.markup.escape_markdown`).

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> say("slides.failures.note", "en", year=2017, counties="[x](javascript:alert(1))").data
    'Counties judged in 2017: **\\[x\\]\\(javascript:alert\\(1\\)\\)**. Rules needing documentary evidence (government guarantee, education quality, social recognition) are *not assessed* from school data.'
    """
    from IPython.display import Markdown

    safe = {name: escape_markdown(value) if isinstance(value, str) else value
            for name, value in values.items()}
    return Markdown(text(key, lang, **safe))


def column_label(name: str, lang: str = DEFAULT_LANG) -> str:
    """Header of a table column on a slide.

    Header of a table column: ``slides.col.<name>`` if the slides define one, else the
    variable's label (``eb.report.i18n.label``).

    Parameters
    ----------
    name : str
        The column.
    lang : {"zh", "en"}
        Language of the header.

    Returns
    -------
    str

    Examples
    --------
    >>> column_label("members"), column_label("county_name"), column_label("p_value", "en")
    ('包括的县', '县（市、区）', 'p-value')
    """
    return label(name, lang, prefixes=("slides.col", "label"))


def table(frame: pd.DataFrame, lang: str = DEFAULT_LANG, *, caption: str | None = None,
          digits: int | None = None, percent: Sequence[str] = SHARES, decimals: Mapping[str, int] | None = None,
          rename: Mapping[str, str] | None = None, kinds: Mapping[str, str] | None = None,
          precision: int | None = None):
    """:func:`edubalance.report.tables.styler` for slides: a pandas Styler of ``frame``, safe for HTML.

    Headers become labels (:func:`column_label`, or ``rename``); the row index is hidden;
    integer columns (and float columns holding whole numbers only, e.g. counts after a pivot)
    show as integers with thousands separators; booleans as 是/否 (yes/no); missing values as
    "—" (:data:`edubalance.report.tables.MISSING`, as in every table); other numbers with
    ``digits`` decimals (per column in ``decimals``); columns in ``percent`` as percentages.
    Every cell, header and the caption are HTML-escaped, so a county named
    ``<img src=x onerror=...>`` shows as text, and the table carries the classes MathJax
    skips (:data:`edubalance.report.tables.NO_MATH`), so ``$...$`` in a name is not typeset.

    Parameters
    ----------
    frame : DataFrame
        Plain values with machine column names; the index is dropped.
    lang : {"zh", "en"}
        Language of the headers and of yes/no.
    caption : str, optional
        Plain text shown above the table.
    digits : int, optional
        Decimals of numbers that are not whole (the name every table builder uses); 2 unless
        given.
    percent : sequence of str
        Columns holding fractions (0-1) shown as percentages.
    decimals : mapping, optional
        Column -> decimals, overriding ``digits``.
    rename : mapping, optional
        Column -> header, overriding :func:`column_label`.
    kinds : mapping, optional
        Column -> kind (:data:`edubalance.report.tables.COLUMN_KINDS`) of single columns.
    precision : int, optional
        Deprecated name of ``digits`` (a DeprecationWarning; ``digits`` wins when both are given).

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> frame = pd.DataFrame({"county_name": ["甲县"], "share": [0.25], "met": [True],
    ...                       "cv": [0.41234]})
    >>> html = table(frame, decimals={"cv": 3}).to_html()
    >>> [s in html for s in ("25%", ">是<", "0.412", "占比")]
    [True, True, True, True]
    """
    if precision is not None:
        import warnings

        warnings.warn("slides.table(precision=...) is now digits=... (as every table builder)",
                      DeprecationWarning, stacklevel=2)
        digits = precision if digits is None else digits
    rename = dict(rename or {})
    return styler(frame, kinds, lang, caption=caption,
                  headers=lambda name: rename.get(name) or column_label(str(name), lang),
                  digits=2 if digits is None else digits, decimals=decimals, percent=percent,
                  layout="slides")


# --------------------------------------------------------------------------- figures

def use_slide_style() -> None:
    """The project style (:func:`edubalance.report.plotting.use_style`) at projector size.

    Seaborn's ``talk`` lines and markers, every text at least :data:`SLIDE_MIN_PT` points
    (ticks and legends 14, axis labels 15, titles 16) and :data:`SLIDE_FIGSIZE` figures.

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> use_slide_style()
    >>> plt.rcParams["ytick.labelsize"] >= SLIDE_MIN_PT, tuple(plt.rcParams["figure.figsize"])
    (True, (9.0, 5.0))
    """
    import matplotlib.pyplot as plt

    from .plotting import use_style

    use_style("talk")
    size = SLIDE_MIN_PT
    plt.rcParams.update({
        "font.size": size, "xtick.labelsize": size, "ytick.labelsize": size,
        "legend.fontsize": size, "legend.title_fontsize": size + 1, "axes.labelsize": size + 1,
        "axes.titlesize": size + 2, "figure.titlesize": size + 2,
        "figure.figsize": SLIDE_FIGSIZE, "figure.dpi": SLIDE_FIGURE_DPI,
    })


def slide_figure(ncols: int = 1, *, height: float | None = None, **kwargs):
    """``plt.subplots`` of :data:`SLIDE_FIGSIZE` (``height`` inches high), in the slide style.

    Parameters
    ----------
    ncols : int, default 1
        Axes side by side.
    height : float, optional
        Inches; the slide figure's own height when None.
    **kwargs
        More arguments of ``plt.subplots``.

    Returns
    -------
    (Figure, Axes or array of Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = slide_figure(height=4.5)
    >>> fig.get_size_inches().tolist()
    [9.0, 4.5]
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    use_slide_style()
    width, default_height = SLIDE_FIGSIZE
    return plt.subplots(1, ncols, figsize=(width, height or default_height), **kwargs)


def show_slide_figure(fig, output_dir, name: str):
    """Lay out ``fig``, save it and show it at :data:`SLIDE_FIGURE_DPI` (the slide's pixels).

    The PNG records the size of the figure's smallest text
    (:data:`edubalance.report.plotting.SMALLEST_FONT_KEY`), so that a browser can check how
    large it is on the screen.

    Parameters
    ----------
    fig : matplotlib Figure
    output_dir : path
    name : str
        File name without suffix.

    Returns
    -------
    list of Path
        The files written (:func:`edubalance.report.plotting.show_figure`).

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = slide_figure()
    >>> [p.suffix for p in show_slide_figure(fig, tempfile.mkdtemp(), "demo")]
    <IPython.core.display.Image object>
    ['.png']
    """
    from .plotting import SMALLEST_FONT_KEY, show_figure, smallest_font_pt

    fig.set_dpi(SLIDE_FIGURE_DPI)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    return show_figure(fig, output_dir, name,
                       metadata={SMALLEST_FONT_KEY: f"{smallest_font_pt(fig):g}"})


def rank_figure(frame: pd.DataFrame, label: str, estimate: str, lang: str = DEFAULT_LANG, *,
                reference: float | None = None, xlabel: str | None = None,
                columns: int | None = None, height: float | None = None):
    """Units ranked by ``estimate`` in side-by-side panels (most even first, at the top left).

    A figure of several panels, so it builds and returns its own Figure (hence
    ``<thing>_figure``, not ``plot_<thing>``); each panel is
    :func:`edubalance.report.plotting.plot_rank_intervals`. A slide has room for about 12 names under each other at projector size; more go into
    further panels with a common x axis (``columns``, default: as many as needed for at most
    12 names each). County names follow ``lang`` (:func:`county_label`, short).

    Parameters
    ----------
    frame : DataFrame
    label, estimate : str
        Columns of the names and of the values.
    lang : {"zh", "en"}
    reference : float, optional
        A dashed line (e.g. the limit).
    xlabel : str, optional
    columns : int, optional
    height : float, optional
        Inches (default :data:`SLIDE_FIGSIZE`).

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> frame = pd.DataFrame({"county_name": [f"{i}县" for i in range(20)], "cv": np.arange(20.0)})
    >>> fig = rank_figure(frame, "county_name", "cv")
    >>> [len(ax.get_yticklabels()) for ax in fig.axes]
    [10, 10]
    >>> plt.close(fig)
    """
    from .plotting import plot_rank_intervals

    check_lang(lang)
    data = frame.dropna(subset=[estimate]).sort_values(estimate, kind="stable")
    data = data.assign(**{label: [plain_text(name) for name in
                                  county_label_list(data[label], lang)]})
    columns = columns or max(1, int(np.ceil(len(data) / 12)))
    fig, axes = slide_figure(columns, height=height, sharex=True, squeeze=False)
    bounds = np.linspace(0, len(data), columns + 1).round().astype(int)
    for ax, start, stop in zip(axes[0], bounds[:-1], bounds[1:], strict=True):
        plot_rank_intervals(data.iloc[start:stop], label, estimate, reference=reference, ax=ax,
                            xlabel=xlabel)
        ax.invert_yaxis()
    return fig


FIGURE_NAME_CHARS = 16
"""Characters of a county name a slide figure shows; a longer name ends in "…" (names are
shown in full in the tables)."""


def county_label_list(names, lang: str = DEFAULT_LANG) -> list[str]:
    """Short county names for figures.

    Short county names for figures (:func:`edubalance.report.placenames.county_labels`),
    at most :data:`FIGURE_NAME_CHARS` characters each.

    Examples
    --------
    >>> county_label_list(["大武口区", "x" * 40], "en")
    ['Dawukou', 'xxxxxxxxxxxxxxx…']
    """
    from .placenames import county_labels

    return fit_names(county_labels(names, lang, short=True))


def fit_names(names, limit: int = FIGURE_NAME_CHARS) -> list[str]:
    """Names for a figure's labels: at most ``limit`` characters, a longer one ending in "…".

    Parameters
    ----------
    names : iterable of str
    limit : int

    Returns
    -------
    list of str

    Examples
    --------
    >>> fit_names(["甲县第一小学", "一二三四五六七八九十"], limit=6)
    ['甲县第一小学', '一二三四五…']
    """
    shown = pd.Series(list(names), dtype=object).astype(str)
    long = shown.str.len() > limit
    shown[long] = shown[long].str.slice(0, limit - 1) + "…"
    return shown.tolist()


def plain_text(value) -> str:
    r"""User text for a matplotlib label, with ``$`` escaped.

    User text for a matplotlib label: ``$`` escaped so that it cannot start mathtext
    (a county named ``$\foo$`` would otherwise stop the figure from drawing).

    Parameters
    ----------
    value : object
        User text (shown with ``str``).

    Returns
    -------
    str

    Examples
    --------
    >>> print(plain_text(r"$\foo$县"))
    \$\foo\$县
    """
    return str(value).replace("$", r"\$")


def legend_outside(ax, *, where: str = "right", title: str | None = None):
    """Move the legend of ``ax`` beside (``right``) or below (``below``) the plot area.

    The figure's layout is tightened so the legend stays inside the image.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with labelled artists.
    where : {"right", "below"}, default "right"
        Where the legend goes.
    title : str, optional
        Title of the legend.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1], label="a")
    >>> fig.canvas.draw()
    >>> legend = legend_outside(ax).get_legend()
    >>> fig.canvas.draw()
    >>> bool(legend.get_window_extent().x0 >= ax.get_window_extent().x1)
    True
    >>> plt.close(fig)
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return ax
    if where == "below":
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                  ncol=min(len(handles), 3), frameon=False, title=title)
    else:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0, frameon=False, title=title)
    ax.figure.tight_layout()
    return ax


def plot_slide_biplot(prepared, labels, *, ax=None, lang: str = DEFAULT_LANG,
                      max_names: int = 60, height: float | None = None):
    """Counties on the first two principal components, one colour per named group (a slide).

    The report's biplot (:func:`edubalance.report.figures.clustering.plot_pca_biplot`, the
    one function drawing it) at projector size, under the slides' own title. County names
    (pinyin on English slides) and the variables' names are nudged apart
    (:func:`edubalance.report.plotting.repel_labels`) once the figure is laid out, so no two
    labels overlap and none covers a county's dot.

    Parameters
    ----------
    prepared : edubalance.analysis.clustering.data.PreparedFeatures
        The clustered features (``ClusteringAnalysis.prepared``).
    labels : array-like of int
        Cluster of each unit (``ClusterFit.labels``).
    ax : matplotlib Axes, optional
        Where to draw; a new slide figure when None.
    lang : {"zh", "en"}
        Language of the title and of the county names.
    max_names : int
        Counties named up to this many.
    height : float, optional
        Inches of a new figure (default :data:`SLIDE_FIGSIZE`).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from edubalance.analysis.clustering.data import prepare_features
    >>> units = pd.DataFrame({"county_name": ["甲县", "乙县", "丙县", "丁县"],
    ...                       "a": [1.0, 2.0, 8.0, 9.0], "b": [2.0, 1.0, 9.0, 7.0]})
    >>> prepared = prepare_features(units, ["a", "b"], "county_name")
    >>> ax = plot_slide_biplot(prepared, [0, 0, 1, 1], lang="en")
    >>> ax.get_title()
    'Groups of counties (PCA biplot)'
    >>> plt.close("all")
    """
    from .figures.clustering import plot_pca_biplot

    check_lang(lang)
    if ax is None:
        _fig, ax = slide_figure(height=height)
    names = [plain_text(name) for name in county_label_list([str(n) for n in prepared.ids], lang)]
    # The report's biplot in the style's (projector) sizes, under the slides' own title.
    plot_pca_biplot(prepared, labels, names, max_names, ax=ax, lang=lang, label_size=None)
    ax.set_title(text("slides.clusters.title", lang))
    return ax


def plot_slide_coefficients(results: Sequence, names: Sequence[str], *, ax=None,
                            lang: str = DEFAULT_LANG, title: str | None = None):
    """The coefficient figure on a slide: projector size, terms without units, legend below.

    :func:`edubalance.report.figures.regression.plot_coefficients` (the one function drawing
    it) on a slide figure as high as the terms need.

    Parameters
    ----------
    results : sequence of edubalance.analysis.regression.RegressionResult
        The fitted models, one set of dots each.
    names : sequence of str
        One legend entry per result.
    ax : matplotlib Axes, optional
        Where to draw; a new slide figure as high as the terms need when None.
    lang : {"zh", "en"}
        Language of the labels.
    title : str, optional
        Title of the Axes.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from edubalance.analysis.regression import fit_ols
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"x": rng.normal(size=40)})
    >>> frame["y"] = 2 * frame["x"] + rng.normal(size=40)
    >>> ax = plot_slide_coefficients([fit_ols(frame, "y", ["x"])], ["OLS"], lang="en")
    >>> ax.get_legend().get_texts()[0].get_text()
    'OLS'
    >>> plt.close("all")
    """
    from .figures.regression import plot_coefficients

    check_lang(lang)
    terms = {t for r in results for t in r.coefficients["term"] if t != "Intercept"}
    if ax is None:
        _fig, ax = slide_figure(height=min(SLIDE_FIGSIZE[1], 0.7 * len(terms) + 2.2))
    plot_coefficients(results, names=names, title=title, units=False, ax=ax, lang=lang)
    return legend_outside(ax, where="below")


def _biplot(prepared, labels, lang: str = DEFAULT_LANG, *, ax=None, max_names: int = 60,
            height: float | None = None):
    """The former ``biplot``: :func:`plot_slide_biplot` with ``lang`` third."""
    return plot_slide_biplot(prepared, labels, ax=ax, lang=lang, max_names=max_names,
                             height=height)


def _coefficient_figure(results: Sequence, names: Sequence[str], lang: str = DEFAULT_LANG, *,
                        ax=None, title: str | None = None):
    """The former ``coefficient_figure``: :func:`plot_slide_coefficients` with ``lang`` third."""
    return plot_slide_coefficients(results, names, ax=ax, lang=lang, title=title)


def regression_reading(result, lang: str = DEFAULT_LANG, term: str | None = None) -> str:
    """One sentence reading the coefficient of ``term`` (default: the first input), Markdown.

    Parameters
    ----------
    result : edubalance.analysis.regression.RegressionResult
        A fitted model (its ``coefficients``, ``outcome`` and ``inputs``).
    lang : {"zh", "en"}
        Language of the sentence.
    term : str, optional
        The term read; the model's first input when None.

    Returns
    -------
    str

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> coefficients = pd.DataFrame({"term": ["spending_per_student_kcny"], "estimate": [0.52],
    ...                              "ci_low": [0.31], "ci_high": [0.73], "p_value": [0.0001]})
    >>> result = SimpleNamespace(coefficients=coefficients, outcome="mean_exam_score",
    ...                          inputs=["spending_per_student_kcny"])
    >>> regression_reading(result)
    '在固定效应模型中，生均教育经费每增加 1 个单位，平均考试成绩平均提高 **0.52**（95% 置信区间 0.31 至 0.73，p < 0.001）。'
    """
    from .display import bare_label

    check_lang(lang)
    term = term or result.inputs[0]
    row = result.coefficients.set_index("term").loc[term]
    p_value = float(row["p_value"])
    direction = text("slides.reading.higher" if row["estimate"] >= 0 else "slides.reading.lower",
                     lang)
    return text("slides.reading.effect", lang, term=escape_markdown(bare_label(term, lang)),
                outcome=escape_markdown(bare_label(result.outcome, lang)), direction=direction,
                size=abs(float(row["estimate"])), low=float(row["ci_low"]),
                high=float(row["ci_high"]),
                p="< 0.001" if p_value < 0.001 else f"= {p_value:.3f}")
