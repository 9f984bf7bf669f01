"""The CJK font PDFs are printed with: a TrueType build of the bundled Noto Sans CJK SC.

The Noto Sans CJK SC that ``mplfonts`` bundles (the figures' font) is a CID-keyed CFF
OpenType font of 65,535 glyphs. Chromium's PDF backend (Skia) cannot subset such a font: it
draws every Chinese glyph as a Type3 path, which made a report's PDF large (950 KB) and slow
to print (about half of its CPU), and its text extract as Kangxi radicals (⼩ for 小).
:func:`build_print_font` converts the characters a report uses (GB 2312's 7,445 characters,
the font's Latin, Greek, Cyrillic and symbols, CJK punctuation and full-width forms) to a
TrueType-outline font of its own family, :data:`PRINT_FONT_FAMILY`, which Skia embeds as a
subset (Type0 / CIDFontType2) with a plain character map. Any other character still prints
with the original font (as before). The font is built once per machine (about 10 CPU-seconds)
into a durable cache (:func:`font_cache_root`), beside the fontconfig file and fontconfig's
own cache, so that no launch of Chromium scans fonts again.

Examples
--------
>>> PRINT_FONT_FAMILY
'Edubalance CJK SC'
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ..io.write import exclusive_lock

__all__ = ["BOLD_STRENGTH", "FONT_CACHE_ENV", "PRINT_BOLD_FILE", "PRINT_FONT_FAMILY",
           "PRINT_FONT_FILE", "build_print_font", "cjk_font_path", "embolden",
           "font_cache_root", "print_characters", "print_font_folder"]

FONT_CACHE_ENV = "EDUBALANCE_FONT_CACHE"
PRINT_FONT_FAMILY = "Edubalance CJK SC"
PRINT_FONT_FILE = "EdubalanceCJKSC-Regular.ttf"
PRINT_BOLD_FILE = "EdubalanceCJKSC-Bold.ttf"
_POSTSCRIPT_NAME = "EdubalanceCJKSC"
BOLD_STRENGTH = 1 / 24
"""How much :func:`embolden` widens strokes, in ems: FreeType's synthetic bold (Chromium's)."""
_BUILD = "3"  # changes whenever the build below changes (a new cache folder)
_FALLBACK = "fallback"  # the original font, for characters outside the TrueType build


def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font file (from the ``mplfonts`` package).

    The figures' font (:mod:`~edubalance.report.plotting` gives matplotlib this one) and the
    source of the print font. Found without importing ``mplfonts``, which imports matplotlib:
    half a core-second that a process printing PDFs (``edubalance batch --pdf``) need not spend.

    Returns
    -------
    Path

    Raises
    ------
    ModuleNotFoundError
        ``mplfonts`` is not installed.
    FileNotFoundError
        The font file is missing (reinstall ``mplfonts``).

    Examples
    --------
    >>> cjk_font_path().name
    'NotoSansCJKsc-Regular.otf'
    """
    import importlib.util

    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("No module named 'mplfonts'", name="mplfonts")
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise FileNotFoundError(f"CJK font not found at {path}; reinstall mplfonts")
    return path


def font_cache_root() -> Path:
    """The folder of the durable font cache.

    ``$EDUBALANCE_FONT_CACHE``, else ``$XDG_CACHE_HOME/edubalance/fonts``, else
    ``~/.cache/edubalance/fonts``.

    Returns
    -------
    Path

    Examples
    --------
    >>> font_cache_root().is_absolute() or FONT_CACHE_ENV in os.environ
    True
    """
    if os.environ.get(FONT_CACHE_ENV):
        return Path(os.environ[FONT_CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "edubalance" / "fonts"


def print_characters() -> set[int]:
    """The code points of the CJK print font, besides those below U+2E80 (Latin, symbols...).

    GB 2312 (6,763 hanzi and its punctuation), CJK symbols and punctuation (U+3000-U+303F) and
    the half- and full-width forms (U+FF00-U+FFEF). The Kangxi radicals (U+2F00-U+2FDF) and the
    CJK radicals supplement are left out on purpose: the font draws 小 and ⼩ with one glyph,
    and a PDF's text would then read ⼩.

    Returns
    -------
    set of int

    Examples
    --------
    >>> chars = print_characters()
    >>> ord("小") in chars, ord("⼩") in chars, len(chars) > 7000
    (True, False, True)
    """
    characters = set()
    for row in range(0xA1, 0xF8):  # GB 2312's rows and columns: 8,000 two-byte codes
        for column in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes((row, column)).decode("gb2312")))
            except UnicodeDecodeError:  # an unassigned code
                pass
    characters.update(range(0x3000, 0x3040))
    characters.update(range(0xFF00, 0xFFF0))
    return characters


def build_print_font(source: str | os.PathLike, target: str | os.PathLike,
                     characters=None) -> Path:
    """Write a TrueType-outline subset of the CFF font ``source`` to ``target``.

    The glyphs of ``characters`` (and all the font's characters below U+2E80) are converted
    from cubic (CFF) to quadratic (TrueType) outlines; the layout tables (only needed for
    vertical text and Japanese or Korean forms) are dropped, but for kerning and the
    half-width punctuation (``kern``, ``halt``, ``chws``); the family is renamed
    :data:`PRINT_FONT_FAMILY` so that it cannot be taken for the original. Its licence and
    copyright names are kept (SIL Open Font License).

    Parameters
    ----------
    source : str or path
        An OpenType CFF font (the bundled ``NotoSansCJKsc-Regular.otf``).
    target : str or path
        The TrueType font to write (atomically).
    characters : iterable of str or int, optional
        The characters to keep, besides those below U+2E80; default :func:`print_characters`.

    Returns
    -------
    Path
        ``target``.

    Examples
    --------
    >>> build_print_font(cjk_font_path(), "/tmp/small.ttf", "小学")  # doctest: +SKIP
    PosixPath('/tmp/small.ttf')
    """
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    from ..io.write import atomic_target

    font = TTFont(str(source), lazy=False)
    wanted = print_characters() if characters is None else {
        c if isinstance(c, int) else ord(c) for c in characters}
    available = set(font.getBestCmap())
    keep = {c for c in available if c < 0x2E80} | (wanted & available)

    options = subset.Options()
    # Kerning, and the half-width forms of CJK punctuation that Chromium's text-spacing-trim
    # uses (two punctuation marks in a row); no substitutions (vertical, Japanese, Korean forms)
    options.layout_features = ["kern", "halt", "chws"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["VORG", "GSUB", "BASE", "JSTF", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)

    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:  # once per machine: ~8,600 glyphs
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    font.sfntVersion = "\0\1\0\0"
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
                  "maxComponentDepth", "maxPoints", "maxContours", "maxCompositePoints",
                  "maxCompositeContours"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    _rename(font["name"])

    target = Path(target)
    with atomic_target(target) as tmp:
        font.save(str(tmp))
    return target


def _rename(names, style: str = "Regular") -> None:
    """The family names of the font, :data:`PRINT_FONT_FAMILY` in every language."""
    for record in list(names.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17, 18, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, value in ((1, PRINT_FONT_FAMILY), (2, style),
                           (3, f"{_POSTSCRIPT_NAME}-{style};{_BUILD}"),
                           (4, f"{PRINT_FONT_FAMILY} {style}"), (6, f"{_POSTSCRIPT_NAME}-{style}")):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)


def embolden(regular: str | os.PathLike, target: str | os.PathLike,
             strength: float = BOLD_STRENGTH) -> Path:
    """Write the bold face of the TrueType print font ``regular``: each outline made thicker.

    Chromium draws bold Chinese by thickening the regular glyphs (synthetic bold), and its PDF
    backend then draws them as Type3 paths, even from a TrueType font. A real bold face of the
    same family, thickened the way FreeType does it (each point moved outwards along the
    bisector of its two edges' normals, by ``strength / 2`` ems on each side, advances kept),
    prints the same and is embedded as a subset font.

    Parameters
    ----------
    regular : str or path
        The regular face (:func:`build_print_font`).
    target : str or path
        The bold face to write (atomically).
    strength : float
        How much wider each stroke becomes, in ems.

    Returns
    -------
    Path
        ``target``.

    Examples
    --------
    >>> embolden("EdubalanceCJKSC-Regular.ttf", "EdubalanceCJKSC-Bold.ttf")  # doctest: +SKIP
    PosixPath('EdubalanceCJKSC-Bold.ttf')
    """
    import numpy as np
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import GlyphCoordinates

    from ..io.write import atomic_target

    font = TTFont(str(regular))
    half = strength * font["head"].unitsPerEm / 2
    glyf, hmtx = font["glyf"], font["hmtx"]
    for name in font.getGlyphOrder():  # once per machine: ~8,600 glyphs, vectorised within
        glyph = glyf[name]
        if glyph.numberOfContours <= 0:
            continue
        points = np.asarray(glyph.coordinates, dtype=float)
        ends = np.asarray(glyph.endPtsOfContours)
        starts = np.concatenate(([0], ends[:-1] + 1))
        index = np.arange(len(points))
        contour = np.searchsorted(ends, index)
        previous = np.where(index == starts[contour], ends[contour], index - 1)
        following = np.where(index == ends[contour], starts[contour], index + 1)
        incoming = points - points[previous]
        outgoing = points[following] - points
        for vector in (incoming, outgoing):
            length = np.hypot(vector[:, 0], vector[:, 1])
            vector /= np.where(length > 0, length, 1)[:, None]
        # FreeType's FT_Outline_EmboldenXY, for TrueType's (clockwise) outlines.
        cosine = np.einsum("ij,ij->i", incoming, outgoing)
        shift = np.stack((-(incoming[:, 1] + outgoing[:, 1]), incoming[:, 0] + outgoing[:, 0]),
                         axis=1)
        d = cosine + 1
        q = -(outgoing[:, 0] * incoming[:, 1] - outgoing[:, 1] * incoming[:, 0])
        scale = np.where(q <= d, half / np.where(d > 0, d, 1), half / np.where(q != 0, q, 1))
        shift *= np.where(cosine > -0.9375, scale, 0)[:, None]
        glyph.coordinates = GlyphCoordinates(np.rint(points + shift).astype(int).tolist())
        glyph.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["OS/2"].usWeightClass = 700
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0x0041) | 0x0020  # BOLD
    font["head"].macStyle |= 0x0001
    _rename(font["name"], "Bold")
    target = Path(target)
    with atomic_target(target) as tmp:
        font.save(str(tmp))
    return target


def _fonts_conf(folder: Path) -> str:
    aliases = "".join(
        f"  <alias><family>{generic}</family><prefer><family>{PRINT_FONT_FAMILY}</family>"
        "</prefer></alias>\n" for generic in ("sans-serif", "serif", "monospace"))
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        # The cache first: fontconfig writes the caches it builds into the first writable one.
        f"  <cachedir>{folder / 'cache'}</cachedir>\n"
        # TrueType before CFF, whatever the family asked for: Chromium asks for Noto Sans CJK
        # SC by name for Chinese, and gets the print font (which has the same glyphs); the
        # original font, the only CFF one, still draws the characters the print font lacks.
        '  <match target="pattern"><edit name="fontformat" mode="append">'
        "<string>TrueType</string></edit></match>\n"
        f"{aliases}"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{folder / 'fonts'}</dir>\n"
        "</fontconfig>\n")


def print_font_folder(source: str | os.PathLike | None = None, *,
                      root: str | os.PathLike | None = None) -> Path:
    """The durable folder of the print font, built on first use; its ``fonts.conf``.

    The folder (named after the source font's path, size and time and the build's version)
    holds ``fonts/`` (:data:`PRINT_FONT_FILE` and a link to ``source`` for the other
    characters), ``fonts.conf`` (for ``FONTCONFIG_FILE``) and ``cache/`` (fontconfig's cache,
    written by the first Chromium that uses it and reused by every later one). It is built in
    a temporary folder and renamed into place: processes building it at the same time leave
    one complete folder, the first one building it while the others wait (a lock file).

    Parameters
    ----------
    source : str or path, optional
        The CFF font; default :func:`cjk_font_path`.
    root : str or path, optional
        The cache folder; default :func:`font_cache_root`.

    Returns
    -------
    Path
        The folder; ``folder / "fonts.conf"`` is the fontconfig file.

    Raises
    ------
    FileNotFoundError
        The source font is missing.
    OSError
        The cache folder cannot be written.

    Examples
    --------
    >>> (print_font_folder() / "fonts.conf").is_file()  # doctest: +SKIP
    True
    """
    if source is None:
        source = cjk_font_path()
    source = Path(source).resolve()
    stat = source.stat()
    key = hashlib.sha256(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}\0{_BUILD}".encode())
    root = Path(root) if root is not None else font_cache_root()
    folder = root / f"cjk-{key.hexdigest()[:16]}"
    if (folder / "fonts.conf").is_file():
        return folder
    with exclusive_lock(root / ".lock"):  # one build at a time (test workers, two batches)
        if not (folder / "fonts.conf").is_file():  # else built while this one waited
            _build_folder(source, root, folder)
    return folder


def _build_folder(source: Path, root: Path, folder: Path) -> None:
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        building.chmod(0o755)
        (building / "fonts").mkdir()
        (building / "cache").mkdir()
        build_print_font(source, building / "fonts" / PRINT_FONT_FILE)
        embolden(building / "fonts" / PRINT_FONT_FILE, building / "fonts" / PRINT_BOLD_FILE)
        fallback = building / "fonts" / _FALLBACK
        fallback.mkdir()
        (fallback / source.name).symlink_to(source)
        (building / "fonts.conf").write_text(_fonts_conf(folder), encoding="utf-8")
        try:
            building.rename(folder)
        except OSError:  # built meanwhile by a process that did not take the lock
            if not (folder / "fonts.conf").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
