"""One figure style for the whole project, with a CJK font so Chinese names render.

The font is Noto Sans CJK SC, shipped by the ``mplfonts`` package from PyPI (a dependency),
so figures look the same on every machine without system fonts.
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager

__all__ = ["cjk_font_path", "use_style", "save_figure", "missing_glyphs_as_errors", "PALETTE"]

CJK_FAMILY = "Noto Sans CJK SC"
PALETTE = ["#1b6ca8", "#e07b39", "#3a9d5d", "#c23b3b", "#7b5ea7", "#8c6d46", "#d17fb5",
           "#6b6b6b", "#b5b82e", "#2bb0c2"]
STATUS_COLOURS = {"passed": "#3a9d5d", "failed": "#c23b3b", "not assessed": "#9a9a9a"}


def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font file (from the ``mplfonts`` package)."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise FileNotFoundError(f"CJK font not found at {path}; reinstall mplfonts")
    return path


_registered = False


def _register_font() -> None:
    global _registered
    if not _registered:
        font_manager.fontManager.addfont(str(cjk_font_path()))
        _registered = True


def use_style(context: str = "notebook") -> None:
    """Apply the project style: seaborn ``whitegrid``, the palette and the CJK font.

    Examples
    --------
    >>> use_style()
    >>> import matplotlib.pyplot as plt
    >>> plt.rcParams["font.family"][0]
    'sans-serif'
    >>> plt.rcParams["font.sans-serif"][0]
    'Noto Sans CJK SC'
    """
    import seaborn as sns

    _register_font()
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
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


def save_figure(fig, output_dir, name: str, formats=("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` in ``output_dir`` (atomically)."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if Path(name).name != name:
        raise ValueError(f"figure name {name!r} must be a plain file name")
    paths = []
    for fmt in formats:
        target = output_dir / f"{name}.{fmt}"
        tmp = output_dir / f".{name}.{fmt}.tmp"
        fig.savefig(tmp, format=fmt)
        os.replace(tmp, target)
        paths.append(target)
    return paths


@contextmanager
def missing_glyphs_as_errors():
    """Turn matplotlib's "Glyph ... missing from font" warnings into errors inside the block."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph.*missing.*")
        warnings.filterwarnings("error", message=r".*missing from (current )?font.*")
        yield
