"""One figure style for the whole project, with a CJK font so Chinese names render.

The font is Noto Sans CJK SC, shipped by the ``mplfonts`` package from PyPI (a dependency),
so figures look the same on every machine without system fonts.
"""
from __future__ import annotations

import functools
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

from .._compat import moved_names as _moved_names
from .pdf_fonts import cjk_font_path  # the figures' font (found without importing matplotlib)

__all__ = ["cjk_font_path", "use_style", "seaborn_theme_rc", "SEABORN_CONTEXTS", "save_figure",
           "show_figure", "figure_formats",
           "FIGURE_FORMATS_ENV", "report_png", "REPORT_DPI",
           "missing_glyphs_as_errors", "PALETTE",
           "STATUS_COLOURS", "plot_threshold_bars", "plot_over_years", "plot_rank_intervals",
           "plot_distribution", "smallest_font_pt", "SMALLEST_FONT_KEY", "repel_labels", "label_boxes", "overlapping_pairs"]

# Renamed (issue 28): every function that draws is ``plot_<thing>`` and returns its Axes.
__getattr__ = _moved_names(__name__, {
    "bar_against_threshold": f"{__name__}:plot_threshold_bars",
    "line_over_years": f"{__name__}:plot_over_years",
    "rank_interval_plot": f"{__name__}:plot_rank_intervals",
    "distribution_plot": f"{__name__}:plot_distribution",
})

CJK_FAMILY = "Noto Sans CJK SC"
PALETTE = ["#1b6ca8", "#e07b39", "#3a9d5d", "#c23b3b", "#7b5ea7", "#8c6d46", "#d17fb5",
           "#6b6b6b", "#b5b82e", "#2bb0c2"]
STATUS_COLOURS = {"passed": "#3a9d5d", "failed": "#c23b3b", "not assessed": "#9a9a9a"}


def _register_font() -> None:
    """Add the CJK font to matplotlib's font manager, unless it is there already.

    Asked of the font manager itself, not of a flag of this module: a warm kernel puts this
    module's names back as they were after each job (:mod:`edubalance.run.isolation`) but
    keeps the font manager, so a flag said "not yet" at every job and each added the font
    again (two more entries in the list every font lookup scores, and matplotlib's font
    lookups forgotten, at every job).
    """
    path = str(cjk_font_path())
    manager = font_manager.fontManager
    if not any(entry.fname == path for entry in manager.ttflist):
        manager.addfont(path)


SEABORN_CONTEXTS = ("paper", "notebook", "talk", "poster")


def _theme_from_seaborn() -> dict:
    """Return seaborn's ``whitegrid`` style and its plotting contexts, from seaborn itself.

    What ``seaborn_theme.json`` holds (tests check the two agree; regenerate the file from this).
    """
    import seaborn as sns

    return {"style": dict(sns.axes_style("whitegrid")),
            "contexts": {name: dict(sns.plotting_context(name)) for name in SEABORN_CONTEXTS}}


@functools.cache
def _seaborn_theme() -> dict:
    import json

    path = Path(__file__).with_name("seaborn_theme.json")
    return json.loads(path.read_text(encoding="utf-8"))


def seaborn_theme_rc(context: str = "notebook") -> dict:
    """The rc settings of ``seaborn.set_theme(context, style="whitegrid", palette=PALETTE)``.

    They are read from ``seaborn_theme.json``, seaborn's values kept with the package:
    importing seaborn imports SciPy's statistics (about a second), which a report or explorer
    kernel that only draws matplotlib figures does not otherwise need. A test checks the file
    and these settings against the installed seaborn. One difference: ``image.cmap`` stays
    matplotlib's default, since seaborn's "rocket" map exists only once seaborn is imported
    (every figure of the package names its colour map).

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}, default "notebook"
        seaborn's plotting context (sizes of text and lines).

    Returns
    -------
    dict
        matplotlib rc settings.

    Examples
    --------
    >>> rc = seaborn_theme_rc("talk")
    >>> rc["font.size"], rc["axes.grid"], rc["axes.edgecolor"]
    (18.0, True, '.8')
    """
    from matplotlib.colors import to_rgb
    from matplotlib.rcsetup import cycler  # cycler's, with matplotlib's validation

    from ..errors import ParameterError

    theme = _seaborn_theme()
    if context not in theme["contexts"]:
        raise ParameterError(f"context must be one of {', '.join(SEABORN_CONTEXTS)}, "
                             f"not {context!r}")
    style = {key: value for key, value in theme["style"].items() if key != "image.cmap"}
    return {**theme["contexts"][context], **style, "font.family": ["sans-serif"],
            "axes.prop_cycle": cycler("color", [to_rgb(colour) for colour in PALETTE])}


def use_style(context: str = "notebook") -> None:
    """Apply the project style: seaborn ``whitegrid``, the palette and the CJK font.

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}, default "notebook"
        seaborn's plotting context (:func:`seaborn_theme_rc`; seaborn itself is not imported).

    Returns
    -------
    None

    Examples
    --------
    >>> use_style()
    >>> import matplotlib.pyplot as plt
    >>> plt.rcParams["font.family"][0]
    'sans-serif'
    >>> plt.rcParams["font.sans-serif"][0]
    'Noto Sans CJK SC'
    """
    _register_font()
    plt.rcParams.update(seaborn_theme_rc(context))
    plt.rcParams.update({
        "font.family": ["sans-serif"],
        "font.sans-serif": [CJK_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font lacks U+2212; use ASCII minus
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "svg.fonttype": "path",
        "figure.figsize": (8, 4.5),
        "axes.titleweight": "normal",
    })


REPORT_DPI = 100
"""Resolution of report figures: sharp on screen at their displayed size, small in HTML."""


def _check_name(name: str) -> None:
    if Path(name).name != name or name in {"", ".", ".."}:
        raise ValueError(f"figure name {name!r} must be a plain file name")


def save_figure(fig, output_dir, name: str, formats=("png", "svg"), *, dpi=None,
                metadata=None) -> list[Path]:
    """Save ``fig`` as ``<name>.<format>`` in ``output_dir`` for each format (atomically).

    Reports use :func:`report_png`, which renders once and returns the bytes to display.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    output_dir : str or path
        The folder (created if missing).
    name : str
        File stem: a plain name, not a path.
    formats : sequence of str, default ("png", "svg")
        File formats.
    dpi : float, optional
        Pixels per inch; ``savefig.dpi`` of the style (150, for print) when None.
    metadata : dict, optional
        Strings written into the PNG's text chunks.

    Returns
    -------
    list of Path
        The files written.
    """
    output_dir = Path(output_dir)
    _check_name(name)
    output_dir.mkdir(parents=True, exist_ok=True)
    from ..io.write import atomic_target

    paths = []
    for fmt in formats:
        with atomic_target(output_dir / f"{name}.{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, **({"dpi": dpi} if dpi else {}),
                        **({"metadata": metadata} if metadata and fmt == "png" else {}))
        paths.append(output_dir / f"{name}.{fmt}")
    return paths


FIGURE_FORMATS_ENV = "EDUBALANCE_FIGURE_FORMATS"
"""Environment variable naming the files :func:`show_figure` writes, e.g. ``png,svg``."""
_FIGURE_FORMATS = ("png", "svg", "pdf")


def figure_formats() -> tuple[str, ...]:
    """The formats the notebooks save their figures in: PNG, and SVG or PDF on request.

    A notebook's figures are PNG files (what its report shows). Vector copies cost about as
    much again to draw (every Chinese glyph as an outline), so they are written only when
    asked for: ``EDUBALANCE_FIGURE_FORMATS=png,svg`` in the environment of JupyterLab, of
    papermill or of ``edubalance batch`` (whose kernels inherit it).

    Returns
    -------
    tuple of str

    Raises
    ------
    ParameterError
        A format other than ``png``, ``svg`` or ``pdf``, or a list without ``png``.

    Examples
    --------
    >>> import os
    >>> os.environ.pop(FIGURE_FORMATS_ENV, None) and None
    >>> figure_formats()
    ('png',)
    >>> os.environ[FIGURE_FORMATS_ENV] = "png, SVG"
    >>> figure_formats()
    ('png', 'svg')
    >>> del os.environ[FIGURE_FORMATS_ENV]
    """
    import os

    from ..errors import ParameterError

    value = os.environ.get(FIGURE_FORMATS_ENV, "").strip()
    if not value:
        return ("png",)
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in _FIGURE_FORMATS]
    if unknown or "png" not in formats:
        raise ParameterError(
            f"{FIGURE_FORMATS_ENV}={value!r}: list png and optionally svg or pdf, comma "
            f"separated (png is what the reports show)"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return formats


def show_figure(fig, output_dir, name: str, formats=None, *, dpi=None,
                metadata=None) -> list[Path]:
    """Save ``fig``, show the saved PNG in the notebook and close the figure.

    Save ``fig`` as :func:`save_figure` does, show the saved PNG in the notebook and close
    the figure; returns the paths written.

    ``formats`` defaults to :func:`figure_formats`: PNG, and SVG or PDF only on request.

    What a notebook cell would do with ``save_figure(...)`` then ``plt.show()``, with one
    drawing fewer: the inline backend would draw the figure a third time (twice more with
    ``bbox_inches="tight"``), about a quarter of a second for a chart with Chinese text. The
    PNG (``savefig.dpi``, 150 for print) is shown at the size the inline backend would show
    (``figure.dpi`` pixels per inch).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (closed afterwards).
    output_dir : str or path
        The folder.
    name : str
        File stem.
    formats : sequence of str, optional
        File formats; :func:`figure_formats` when None.
    dpi : float, optional
        Pixels per inch of the files.
    metadata : dict, optional
        Strings written into the PNG's text chunks.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> [p.suffix for p in show_figure(fig, tempfile.mkdtemp(), "tiny", formats=("png", "svg"))]
    <IPython.core.display.Image object>
    ['.png', '.svg']
    >>> plt.fignum_exists(fig.number)
    False
    """
    from IPython.display import Image, display

    paths = save_figure(fig, output_dir, name, figure_formats() if formats is None else formats,
                        dpi=dpi, metadata=metadata)
    png = next((path for path in paths if path.suffix == ".png"), None)
    if png is not None:
        data = png.read_bytes()
        width = int.from_bytes(data[16:20], "big")  # the PNG header's IHDR width
        saved_dpi = dpi or plt.rcParams["savefig.dpi"]
        saved_dpi = fig.dpi if saved_dpi == "figure" else float(saved_dpi)
        display(Image(data=data, width=max(1, round(width * fig.dpi / saved_dpi))))
    plt.close(fig)
    return paths


def report_png(fig, output_dir, name: str, *, formats=None, dpi: float = REPORT_DPI,
               close: bool = True, palette: bool = True) -> bytes:
    """Render ``fig`` to PNG once, write ``<name>.png`` and return the bytes to display.

    The same bytes are saved and shown (``IPython.display.Image(data=...)``), so a figure
    is drawn once, not three times (PNG file, SVG file, inline display). A figure with a
    layout engine (``fig.set_layout_engine("tight")``) is laid out by it and drawn once;
    ``bbox_inches="tight"`` (which draws twice) is used only for a figure without one.
    ``palette=True`` stores the image with a 256-colour palette (Pillow's fast octree
    quantiser): about a quarter of the bytes of a true-colour PNG for a chart, with no
    visible change, which keeps the self-contained HTML reports small. Other ``formats``
    (``"svg"``, ``"pdf"``) are written only when asked for (``formats`` defaults to
    :func:`figure_formats`). The figure is closed afterwards
    (``close=True``), so the notebook's inline backend does not draw it again.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    output_dir : str or path
        The folder.
    name : str
        File stem.
    formats : sequence of str, optional
        File formats besides the PNG shown; :func:`figure_formats` when None.
    dpi : float, default REPORT_DPI
        Pixels per inch of the PNG.
    close : bool, default True
        Close the figure afterwards.
    palette : bool, default True
        Store the PNG with a 256-colour palette.

    Returns
    -------
    bytes
        The PNG.

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1), layout="tight")
    >>> data = report_png(fig, tempfile.mkdtemp(), "tiny")   # drawn once, at 100 dpi
    >>> data[1:4]
    b'PNG'
    >>> import io; from PIL import Image
    >>> Image.open(io.BytesIO(data)).mode, Image.open(io.BytesIO(data)).size
    ('P', (200, 100))
    """
    import io

    from ..io.write import atomic_target

    output_dir = Path(output_dir)
    _check_name(name)
    output_dir.mkdir(parents=True, exist_ok=True)
    data = None
    if fig.get_layout_engine() is not None:
        # bbox_inches=None would mean the style's savefig.bbox ("tight"): "standard" instead
        with matplotlib.rc_context({"savefig.bbox": "standard"}):
            if palette:   # the raw pixels, quantised and encoded once (no PNG round trip)
                data = _palette_png_from_rgba(fig, dpi)
            else:
                buffer = io.BytesIO()
                fig.savefig(buffer, format="png", dpi=dpi)
                data = buffer.getvalue()
    if data is None:
        buffer = io.BytesIO()
        with matplotlib.rc_context({"savefig.bbox": "tight"}):
            fig.savefig(buffer, format="png", dpi=dpi)
        data = _palette_png(buffer.getvalue()) if palette else buffer.getvalue()
    with atomic_target(output_dir / f"{name}.png") as tmp:
        tmp.write_bytes(data)
    others = [fmt for fmt in (figure_formats() if formats is None else formats) if fmt != "png"]
    if others:
        save_figure(fig, output_dir, name, others)
    if close:
        plt.close(fig)
    return data


def _palette_png_from_rgba(fig, dpi: float) -> bytes | None:
    """``fig`` drawn at ``dpi`` as a 256-colour PNG, or None.

    ``fig`` drawn at ``dpi`` and encoded as a 256-colour PNG, or ``None`` when the pixel
    buffer does not have the expected size (the caller then goes through a PNG).
    """
    import io

    from PIL import Image

    width, height = (int(v) for v in fig.get_size_inches() * dpi)
    buffer = io.BytesIO()
    with _laid_out(fig), _shared_renderer(fig):
        fig.savefig(buffer, format="rgba", dpi=dpi)
    raw = buffer.getvalue()
    if len(raw) != width * height * 4:
        return None
    image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
    if image.getextrema()[3][0] == 255:
        image = image.convert("RGB")   # opaque: the alpha channel carries nothing
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, format="png")
    return out.getvalue()


@contextmanager
def _laid_out(fig):
    """Inside the block, a figure laid out once already has no layout engine.

    That is a figure whose engine was set to ``"none"`` after being laid out (matplotlib's
    placeholder engine: ``county_report.comparison_figure``).

    With any engine, ``savefig`` first draws the whole figure once more, without rendering,
    for the engine to lay it out; the placeholder lays out nothing, so that pass was a third
    of a report figure's drawing. The figure is drawn the same (the pixels are equal).
    """
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = fig.get_layout_engine()
    if not isinstance(engine, PlaceHolderLayoutEngine):
        yield
        return
    with matplotlib.rc_context({"figure.autolayout": False,
                                "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


_RENDERERS_KEPT = 4
"""Renderers a thread keeps for :func:`_shared_renderer` (one per figure size and dpi)."""
_renderers = threading.local()


@contextmanager
def _shared_renderer(fig):
    """Inside the block, ``fig`` is drawn by a renderer kept for figures of its size.

    A new figure gets a new Agg renderer, and matplotlib's cache of text sizes is kept per
    renderer: each report figure measured every one of its words again with the CJK font, and
    laid out every string again to draw it (a third of a comparison figure's drawing). A
    renderer kept per pixel size and dpi (:class:`_KeptRendererCanvas`) keeps both caches
    from figure to figure; it is cleared before each draw, as any Agg renderer, so the pixels
    are those a new renderer draws. The figure's own canvas is given back afterwards.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):   # another backend's: left as it is
        yield
        return
    _kept_renderer_canvas()(fig)   # sets itself as the figure's canvas
    try:
        yield
    finally:
        fig.set_canvas(canvas)


@functools.cache
def _kept_renderer_canvas():
    """The Agg canvas class whose renderers are kept per thread, size and dpi."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer_class = _text_caching_renderer()

    class _KeptRendererCanvas(FigureCanvasAgg):
        def get_renderer(self):
            width, height = self.get_width_height(physical=True)
            key = (width, height, self.figure.dpi)
            kept = getattr(_renderers, "by_size", None)
            if kept is None:
                kept = _renderers.by_size = {}
            renderer = kept.pop(key, None)
            if renderer is None:
                renderer = renderer_class(width, height, self.figure.dpi)
            kept[key] = renderer   # the most recently used last
            while len(kept) > _RENDERERS_KEPT:
                kept.pop(next(iter(kept)))
            self.renderer, self._lastKey = renderer, key
            return renderer

    return _KeptRendererCanvas


_LAYOUTS_KEPT = 4096
"""Laid-out strings a kept renderer remembers (each a few glyph positions)."""


@functools.cache
def _text_caching_renderer():
    """An Agg renderer class that lays each string out once (matplotlib >= 3.11), or Agg's own.

    matplotlib 3.11's Agg renderer shapes every string it draws (``FT2Font._layout``, with font
    fallback): about 2 ms per label with the CJK font, the same labels in every report figure.
    The glyphs and their positions depend only on the string, the fonts, their size and the
    renderer's dpi, so they are kept per renderer under that key and drawn again from there.
    With a matplotlib without that method (3.10) the class is Agg's renderer unchanged.
    """
    from matplotlib.backends import backend_agg
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.ft2font import FT2Font

    if not (hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
            and hasattr(RendererAgg, "_prepare_font")
            and hasattr(backend_agg, "get_hinting_flag") and hasattr(FT2Font, "_layout")):
        return RendererAgg

    class _TextCachingRenderer(RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            features = mtext.get_fontfeatures() if mtext is not None else None
            language = mtext.get_language() if mtext is not None else None
            font = self._prepare_font(prop)
            flags = backend_agg.get_hinting_flag()
            size = prop.get_size_in_points()
            layouts = self.__dict__.setdefault("_eb_layouts", {})
            key = (s, font, size, self.dpi, flags,
                   tuple(features) if features is not None else None,
                   language if language is None or isinstance(language, str)
                   else tuple(language))
            glyphs = layouts.get(key)
            if glyphs is None:
                glyphs = tuple((item.ft_object, item.glyph_index, item.x, item.y)
                               for item in font._layout(s, flags=flags, features=features,
                                                        language=language))
                if len(layouts) >= _LAYOUTS_KEPT:
                    layouts.clear()
                layouts[key] = glyphs
            self._draw_glyphs(gc, x, y, angle, size, glyphs)

        def _draw_glyphs(self, gc, x, y, angle, size, glyphs):
            # Agg's _draw_text_glyphs_and_boxes (no slant, no stretch, no boxes), each glyph's
            # bitmap rendered once per font, size, dpi, angle, hinting and position within its
            # pixel (in FreeType's 1/64 px): a glyph moved by whole pixels is the same bitmap
            # moved (FreeType rasterises on a grid that whole pixels shift exactly).
            import math

            import numpy as np
            from matplotlib.ft2font import RenderMode

            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            flags = backend_agg.get_hinting_flag()
            antialiased = bool(gc.get_antialiased())
            matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
            bitmaps = self.__dict__.setdefault("_eb_glyphs", {})
            height = self.height
            for ft_object, index, dx, dy in glyphs:   # dy is upwards
                at_x = round(0x40 * (x + dx * cos - dy * sin))
                at_y = round(0x40 * (height - y + dx * sin + dy * cos))   # FreeType's y is up
                key = (ft_object, size, self.dpi, index, angle, flags, antialiased,
                       at_x & 0x3F, at_y & 0x3F)
                kept = bitmaps.get(key)
                if kept is None:
                    ft_object.set_size(size, self.dpi)
                    ft_object._set_transform(matrix, [at_x, at_y])
                    bitmap = ft_object._render_glyph(
                        index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                    buffer = np.array(bitmap.buffer, copy=True)
                    if not antialiased:
                        buffer *= 0xff
                    kept = (buffer, bitmap.left - (at_x >> 6), bitmap.top - (at_y >> 6))
                    if len(bitmaps) >= _GLYPHS_KEPT:
                        bitmaps.clear()
                    bitmaps[key] = kept
                buffer, left, top = kept
                # draw_text_image's y is downwards, at the bitmap's bottom side
                self._renderer.draw_text_image(buffer, left + (at_x >> 6),
                                               int(height) - (top + (at_y >> 6)) + buffer.shape[0],
                                               0, gc)

    return _TextCachingRenderer


_GLYPHS_KEPT = 20_000
"""Glyph bitmaps a kept renderer remembers (a report figure draws about 330 glyphs)."""


def _palette_png(data: bytes) -> bytes:
    """``data`` (a PNG) with at most 256 colours; the original if that is not smaller."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.mode == "RGBA" and image.getextrema()[3][0] == 255:
            image = image.convert("RGB")   # opaque: the alpha channel carries nothing
        quantised = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    quantised.save(out, format="png")
    return out.getvalue() if out.tell() < len(data) else data


@contextmanager
def missing_glyphs_as_errors():
    """Turn matplotlib's "Glyph ... missing from font" warnings into errors inside the block.

    Returns
    -------
    contextlib.AbstractContextManager
        A ``with`` block.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph.*missing.*")
        warnings.filterwarnings("error", message=r".*missing from (current )?font.*")
        yield


# --------------------------------------------------------------------------- shared figures
#
# Helpers used across notebooks (explorer, presentation, county reports). Each takes a tidy
# DataFrame and column names, draws on ``ax`` (a new figure when None) and returns the Axes,
# so notebooks stay free of plotting logic and every figure shares one look.

# Matplotlib 3.10 replaced boxplot(vert=False) by orientation="horizontal".
_HORIZONTAL = ({"orientation": "horizontal"}
               if tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 10)
               else {"vert": False})


def _axes(ax=None, figsize=None):
    if ax is not None:
        return ax
    _fig, ax = plt.subplots(figsize=figsize)
    return ax


def _text(key: str, lang: str, **values) -> str:
    from .i18n import text

    return text(key, lang, **values)


def _require_columns(frame, columns) -> None:
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s): {', '.join(map(str, missing))} "
                         f"(has: {', '.join(map(str, frame.columns))})")


def plot_threshold_bars(frame, value: str, threshold: float | None, label: str, *, ax=None,
                        lang: str = "zh", title: str | None = None, xlabel: str | None = None,
                        highlight: str | None = None, direction: str = "higher"):
    """Horizontal bars of ``frame[value]`` per ``frame[label]``, coloured by the threshold.

    Bars meeting the threshold are green, the others red; a dashed line marks the threshold.
    With ``threshold`` None or NaN (a standard without thresholds) every bar is blue and no
    line is drawn. Sorted by value so the weakest schools are easy to find.

    Parameters
    ----------
    frame : DataFrame
        One row per bar.
    value, label : str
        Columns holding the numbers and the bar labels (e.g. school names).
    threshold : float or None
        The value to meet; None or NaN: none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}, default "zh"
        Language of the threshold line's name in the legend.
    title : str, optional
        Title of the Axes.
    xlabel : str, optional
        Label of the value axis.
    highlight : str, optional
        A label to draw with a thick black edge (e.g. the selected school).
    direction : {"higher", "lower"}
        Whether values at or above (``higher``) or at or below (``lower``) the threshold pass.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> use_style()
    >>> df = pd.DataFrame({"school": ["甲小学", "乙小学"], "area": [4.0, 5.0]})
    >>> ax = plot_threshold_bars(df, "area", 4.5, "school")
    >>> [float(p.get_width()) for p in ax.patches]
    [4.0, 5.0]
    >>> plt.close("all")
    """
    _require_columns(frame, [value, label])
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")
    data = frame[[label, value]].dropna(subset=[value]).sort_values(value, kind="stable")
    has_threshold = threshold is not None and np.isfinite(float(threshold))
    values = data[value].to_numpy(dtype=float)
    if has_threshold:
        ok = values >= threshold if direction == "higher" else values <= threshold
        colours = np.where(ok, STATUS_COLOURS["passed"], STATUS_COLOURS["failed"])
    else:
        colours = np.full(len(values), PALETTE[0])
    height = max(2.5, 0.22 * len(data) + 1.2)
    ax = _axes(ax, figsize=(8, min(height, 30)))
    positions = np.arange(len(data))
    bars = ax.barh(positions, values, color=colours)
    ax.set_yticks(positions, labels=data[label].astype(str).tolist())
    if highlight is not None:
        for bar, name in zip(bars, data[label].astype(str), strict=True):
            if name == str(highlight):
                bar.set_edgecolor("black")
                bar.set_linewidth(2)
    if has_threshold:
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1,
                   label=_text("figure.threshold", lang, value=f"{threshold:g}"))
        ax.legend(loc="lower right")
    ax.set_xlabel(xlabel or value)
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    ax.set_ylim(-0.6, len(data) - 0.4)
    return ax


def plot_over_years(frame, value: str, *, year: str = "year", hue: str | None = None,
                    limit: float | None = None, ax=None, lang: str = "zh",
                    title: str | None = None, ylabel: str | None = None):
    """A line per ``hue`` group of ``value`` over ``year``, with an optional dashed limit.

    Parameters
    ----------
    frame : DataFrame
        Tidy: one row per year (and group).
    value : str
        Column of the numbers.
    year : str, default "year"
        Column of the years.
    hue : str, optional
        Column of the groups (a line each).
    limit : float, optional
        Drawn as a dashed horizontal line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}, default "zh"
        Language of the limit line's name in the legend.
    title : str, optional
        Title of the Axes.
    ylabel : str, optional
        Label of the value axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> use_style()
    >>> df = pd.DataFrame({"year": [2016, 2017], "cv": [0.6, 0.5]})
    >>> ax = plot_over_years(df, "cv", limit=0.65)
    >>> ax.lines[0].get_ydata().tolist()
    [0.6, 0.5]
    >>> plt.close("all")
    """
    _require_columns(frame, [value, year, hue])
    ax = _axes(ax)
    groups = [(None, frame)] if hue is None else frame.groupby(hue, sort=False)
    for index, (name, group) in enumerate(groups):
        group = group.sort_values(year)
        ax.plot(group[year].to_numpy(), group[value].to_numpy(dtype=float), marker="o",
                color=PALETTE[index % len(PALETTE)], label=None if name is None else str(name))
    if limit is not None and np.isfinite(float(limit)):
        ax.axhline(limit, color="black", linestyle="--", linewidth=1,
                   label=_text("figure.limit", lang, limit=f"{limit:g}"))
    years = sorted(frame[year].dropna().unique())
    if years:
        ax.set_xticks(years, labels=[str(int(y)) for y in years])
    ax.set_xlabel(year)
    ax.set_ylabel(ylabel or value)
    if title:
        ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    return ax


def plot_rank_intervals(frame, label: str, estimate: str, low: str | None = None,
                       high: str | None = None, *, highlight=None, reference: float | None = None,
                       ax=None, title: str | None = None, xlabel: str | None = None):
    """Dot (and interval) per unit sorted by ``estimate``: county ranks, coefficients, CVs.

    ``low``/``high`` draw horizontal intervals (e.g. rank ranges from an uncertainty analysis or
    confidence intervals of coefficients). ``highlight`` (a label or list of labels) is drawn in
    the accent colour; ``reference`` draws a dashed vertical line (a limit, or zero).

    Parameters
    ----------
    frame : DataFrame
        One row per unit.
    label, estimate : str
        Columns of the unit names and of the values they are sorted by.
    low, high : str, optional
        Columns of the interval's ends.
    highlight : str or list of str, optional
        Labels drawn in the accent colour.
    reference : float, optional
        A dashed vertical line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Title of the Axes.
    xlabel : str, optional
        Label of the value axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> use_style()
    >>> df = pd.DataFrame({"county": ["甲县", "乙县"], "cv": [0.4, 0.3]})
    >>> ax = plot_rank_intervals(df, "county", "cv", highlight="甲县", reference=0.35)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['乙县', '甲县']
    >>> plt.close("all")
    """
    _require_columns(frame, [label, estimate, low, high])
    data = frame.dropna(subset=[estimate]).sort_values(estimate, kind="stable")
    highlighted = set(map(str, [highlight] if isinstance(highlight, str) or highlight is None
                          else highlight)) - {"None"}
    ax = _axes(ax, figsize=(8, min(max(2.5, 0.25 * len(data) + 1.2), 30)))
    positions = np.arange(len(data))
    names = data[label].astype(str).to_numpy()
    colours = np.where(np.isin(names, list(highlighted)), PALETTE[1], PALETTE[0])
    if low is not None and high is not None:
        ax.hlines(positions, data[low].to_numpy(dtype=float), data[high].to_numpy(dtype=float),
                  colors=colours, linewidth=2)
    ax.scatter(data[estimate].to_numpy(dtype=float), positions, c=colours, zorder=3)
    ax.set_yticks(positions, labels=names.tolist())
    if reference is not None and np.isfinite(float(reference)):
        ax.axvline(reference, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel(xlabel or estimate)
    ax.set_ylim(-0.6, len(data) - 0.4)
    if title:
        ax.set_title(title)
    return ax


def plot_distribution(frame, value: str, by: str, *, highlight=None,
                      threshold: float | None = None, ax=None, title: str | None = None,
                      xlabel: str | None = None):
    """Box plot of ``value`` per ``by`` group (e.g. schools per county across the province).

    Groups are ordered by median.

    Parameters
    ----------
    frame : DataFrame
        One row per observation (school).
    value : str
        Column of the numbers.
    by : str
        Column of the groups.
    highlight : str, optional
        A group drawn in the accent colour.
    threshold : float, optional
        A dashed vertical line.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Title of the Axes.
    xlabel : str, optional
        Label of the value axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> use_style()
    >>> df = pd.DataFrame({"county": ["甲县"] * 3 + ["乙县"] * 3, "x": [1, 2, 3, 4, 5, 6]})
    >>> ax = plot_distribution(df, "x", "county", highlight="乙县")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['甲县', '乙县']
    >>> plt.close("all")
    """
    _require_columns(frame, [value, by])
    data = frame[[by, value]].dropna()
    order = data.groupby(by, sort=False)[value].median().sort_values(kind="stable").index
    groups = [data.loc[data[by] == name, value].to_numpy(dtype=float) for name in order]
    ax = _axes(ax, figsize=(8, min(max(2.5, 0.3 * len(order) + 1.2), 30)))
    if groups:
        boxes = ax.boxplot(groups, patch_artist=True, showfliers=False, widths=0.6,
                           **_HORIZONTAL)
        for box, name in zip(boxes["boxes"], order, strict=True):
            box.set_facecolor(PALETTE[1] if highlight is not None and str(name) == str(highlight)
                              else "#c6dbef")
        ax.set_yticks(np.arange(1, len(order) + 1), labels=[str(n) for n in order])
    if threshold is not None and np.isfinite(float(threshold)):
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel(xlabel or value)
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- text size

SMALLEST_FONT_KEY = "Smallest font (pt)"
"""The PNG text chunk naming the size of a figure's smallest text (slides write it, so that
a browser test can turn it into pixels on the screen)."""


def smallest_font_pt(fig) -> float:
    """The size in points of the smallest visible, non-empty text of ``fig``.

    Parameters
    ----------
    fig : matplotlib Figure

    Returns
    -------
    float
        ``nan`` for a figure without text.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("标题", fontsize=16); _ = ax.text(0, 0, "注", fontsize=9)
    >>> smallest_font_pt(fig)
    9.0
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()
             and (t.axes is None or t.axes.get_visible())]
    return float(min(sizes)) if sizes else float("nan")


# --------------------------------------------------------------------------- label repel

def label_boxes(texts, renderer=None, pad: float = 0.0) -> np.ndarray:
    """The window extents of ``texts`` in display pixels, ``(n, 4)``: x0, y0, x1, y1.

    ``pad`` pixels are added on every side.

    Parameters
    ----------
    texts : sequence of matplotlib.text.Text
    renderer : matplotlib renderer, optional
        Default: that of the first text's figure.
    pad : float

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> label_boxes([ax.text(0.5, 0.5, "x")]).shape
    (1, 4)
    >>> plt.close(fig)
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, 4))
    if renderer is None:
        renderer = texts[0].figure.canvas.get_renderer()
    boxes = np.array([t.get_window_extent(renderer).extents for t in texts], dtype=float)
    return boxes + np.array([-pad, -pad, pad, pad])


def overlapping_pairs(boxes, others=None) -> np.ndarray:
    """Index pairs ``(i, j)`` of boxes (x0, y0, x1, y1) that overlap.

    Without ``others``: pairs within ``boxes`` (``i < j``); with ``others``: pairs of a box of
    ``boxes`` and one of ``others``.

    Parameters
    ----------
    boxes : array-like of shape (n, 4)
    others : array-like of shape (m, 4), optional

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` index pairs.

    Examples
    --------
    >>> overlapping_pairs(np.array([[0, 0, 2, 1], [1, 0, 3, 1], [5, 5, 6, 6]])).tolist()
    [[0, 1]]
    """
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    second = boxes if others is None else np.asarray(others, dtype=float).reshape(-1, 4)
    wide = (np.minimum(boxes[:, None, 2], second[None, :, 2])
            - np.maximum(boxes[:, None, 0], second[None, :, 0]))
    high = (np.minimum(boxes[:, None, 3], second[None, :, 3])
            - np.maximum(boxes[:, None, 1], second[None, :, 1]))
    hit = (wide > 0) & (high > 0)
    if others is None:
        hit = np.triu(hit, k=1)
    return np.argwhere(hit)


def _place(boxes: np.ndarray, fixed: np.ndarray, frame, radius: float = 300.0) -> np.ndarray:
    """Move boxes, the widest first, to the nearest free place.

    Boxes moved, one after the other (the widest first), to the nearest place that overlaps no box placed
    before it, stays inside ``frame`` and, where it can, covers none of ``fixed``.

    Candidate places are the box shifted by rings of offsets (every 3 px up to ``radius``,
    24 directions); each box takes the candidate with the least overlap with the boxes
    already placed, then the fewest ``fixed`` boxes covered, then the shortest shift.
    """
    rings = np.arange(0.0, radius + 3.0, 3.0)
    angles = np.linspace(0.0, 2 * np.pi, 24, endpoint=False)
    offsets = np.vstack([[0.0, 0.0], (rings[1:, None, None] * np.stack(
        [np.cos(angles), np.sin(angles)], axis=-1)[None]).reshape(-1, 2)])
    distance = np.hypot(offsets[:, 0], offsets[:, 1])
    placed = np.zeros((0, 4))
    out = boxes.copy()
    # The widest first: they need the most room, the short ones fit around them.
    for index in np.argsort(-(boxes[:, 2] - boxes[:, 0]), kind="stable"):
        box = boxes[index]
        candidates = box[None, :] + np.tile(offsets, 2)
        inside = ((candidates[:, 0] >= frame[0]) & (candidates[:, 1] >= frame[1])
                  & (candidates[:, 2] <= frame[2]) & (candidates[:, 3] <= frame[3]))
        clash = _overlap_area(candidates, placed).sum(axis=1)
        covered = (_overlap_area(candidates, fixed) > 0).sum(axis=1)
        # Lexicographic: inside the Axes, no overlap, fewest points covered, shortest shift.
        order = np.lexsort((distance, covered, clash, ~inside))
        out[index] = candidates[order[0]]
        placed = np.vstack([placed, out[index]])
    return out


def _overlap_area(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Areas of overlap of every box of ``first`` with every box of ``second``, ``(n, m)``."""
    if not len(second):
        return np.zeros((len(first), 0))
    wide = (np.minimum(first[:, None, 2], second[None, :, 2])
            - np.maximum(first[:, None, 0], second[None, :, 0]))
    high = (np.minimum(first[:, None, 3], second[None, :, 3])
            - np.maximum(first[:, None, 1], second[None, :, 1]))
    return np.clip(wide, 0, None) * np.clip(high, 0, None)


def repel_labels(texts, ax=None, *, points=None, pad: float = 2.0, max_shift: float = 300.0,
                 leader_after: float = 12.0) -> int:
    """Nudge text labels apart until no two overlap (and none covers a point), in place.

    A simple label-repel step, label by label, the widest first: each label's box (display
    pixels, plus ``pad``) moves to the nearest place, within ``max_shift`` pixels, that
    overlaps no label placed before it and stays inside the Axes, and where it can covers no
    point of ``points`` (labels may cover a point when there is no room; they never cover
    each other while any room is left). Labels drawn with
    ``ax.annotate(..., textcoords="offset points")`` keep their anchor and get a thin leader
    line when they end up more than ``leader_after`` pixels from where they started; other
    texts are moved in data coordinates. Run it once the figure has its final size and
    layout (the offsets are in points, so a later change of the Axes' scale can bring labels
    back together).

    Parameters
    ----------
    texts : sequence of matplotlib.text.Text
    ax : matplotlib Axes, optional
        The Axes the labels stay inside (default: that of the first text).
    points : array-like of shape (n, 2), optional
        Data coordinates of markers labels must not cover.
    pad : float
        Pixels of space kept around each label.
    max_shift : float
        Pixels a label may move at most.
    leader_after : float
        Pixels a label moves before a leader line joins it to its anchor.

    Returns
    -------
    int
        The number of overlapping label pairs left (0 when the step succeeded).

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> texts = [ax.annotate(name, (0.5, 0.5), xytext=(3, 3), textcoords="offset points")
    ...          for name in ("甲县", "乙县", "丙县")]
    >>> repel_labels(texts, ax)
    0
    >>> len(overlapping_pairs(label_boxes(texts)))
    0
    >>> plt.close(fig)
    """
    from matplotlib.lines import Line2D
    from matplotlib.text import Annotation

    texts = list(texts)
    if not texts:
        return 0
    ax = ax or texts[0].axes
    figure = ax.figure
    # The data-to-pixel scale must stay what the labels were placed for.
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    leaders: list = []
    renderer = figure.canvas.get_renderer()
    boxes = label_boxes(texts, renderer, pad)
    start = boxes.copy()
    frame = ax.get_window_extent(renderer).extents
    if points is not None and len(points):
        centres = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
        radius = 4.0 * figure.dpi / 72  # a marker of s=36 is 6 pt across
        fixed = np.column_stack([centres - radius, centres + radius])
    else:
        fixed = np.zeros((0, 4))
    boxes = _place(boxes, fixed, frame, radius=max_shift)
    moved = boxes[:, :2] - start[:, :2]
    to_points = 72.0 / figure.dpi
    inverse = ax.transData.inverted()
    for index, (text_, (dx, dy)) in enumerate(zip(texts, moved, strict=True)):
        if not dx and not dy:
            continue
        if isinstance(text_, Annotation) and text_.anncoords == "offset points":
            x, y = text_.xyann
            text_.xyann = (x + dx * to_points, y + dy * to_points)
            if np.hypot(dx, dy) > leader_after and text_.xycoords == "data":
                anchor = ax.transData.transform(text_.xy)
                box = boxes[index] - np.array([-pad, -pad, pad, pad])
                end = np.clip(anchor, box[:2], box[2:])
                line = np.vstack([anchor, end])
                leaders.append(Line2D(*inverse.transform(line).T, color="0.6", linewidth=0.7,
                                      zorder=1))
                ax.add_line(leaders[-1])
        else:
            where = text_.get_transform().transform(text_.get_position())
            text_.set_transform(ax.transData)
            text_.set_position(inverse.transform(where + np.array([dx, dy])))
    return len(overlapping_pairs(label_boxes(texts, renderer)))
