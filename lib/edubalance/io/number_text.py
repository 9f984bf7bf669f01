"""A number as text, the lowest layer's part of the package's one number format.

:func:`edubalance.report.tables.format_value` (every number a person reads in a table, report or
slide) and the messages of the loaders (:mod:`edubalance.io.plausibility`: "implausible per
student: 12,345,678") both end here, so a number never shows in scientific notation, as
``nan``, or as ``-0.00``, wherever it is shown. It lives in ``io`` because ``io`` is the lowest
layer that shows numbers: every layer above may import it.

Examples
--------
>>> plain_number(1234567.891, 2), plain_number(-0.0001, 2), plain_number(None)
('1,234,567.89', '0.00', '—')
>>> plain_number(12345678.9, significant=6), plain_number(0.000123456789, significant=3)
('12,345,700', '0.000123')
>>> plain_number(1e-9), plain_number(2017.0, grouping=False), plain_number(float("inf"), 1)
('0.000000001', '2017', '—')
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["MISSING", "plain_number", "plain_numbers"]

MISSING = "—"
"""What a missing number shows as (None, NaN, NA, an infinity), in every table and message."""

_WHOLE_LIMIT = 1e15
"""Floats up to this size that hold a whole number are shown without decimals; beyond it a
float's integer part is no longer exact to the unit."""


def plain_number(value, digits: int | None = None, *, significant: int | None = None,
                 grouping: bool = True, missing: str = MISSING) -> str:
    """``value`` as text: never scientific notation, ``nan`` or a negative zero.

    Parameters
    ----------
    value : float, int or None
        The number; None, NaN, ``pandas.NA`` and infinities are missing.
    digits : int, optional
        Decimals to show (rounded). Without ``digits`` and ``significant``: as many as the
        number needs (its shortest exact form), none for a whole number.
    significant : int, optional
        Significant digits to show instead (``12,345,700`` for 12,345,678.9 at 6), trailing
        zeros after the point dropped; for messages about values of any size.
    grouping : bool, default True
        Thousands separators (``12,345``); False for years and codes.
    missing : str, default "—"
        Shown for a missing value.

    Returns
    -------
    str

    Examples
    --------
    >>> plain_number(2.5, 0), plain_number(12345, grouping=False), plain_number(0.1 + 0.2)
    ('2', '12345', '0.30000000000000004')
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return missing
    if not math.isfinite(number):
        return missing
    if digits is not None:
        shown = f"{number:{',' if grouping else ''}.{int(digits)}f}"
    else:
        if significant is not None:
            # Positional, not scientific, whatever the size (numpy's "%g" without exponent).
            shown = np.format_float_positional(number, precision=int(significant), unique=False,
                                               fractional=False, trim="-")
        elif number.is_integer() and abs(number) < _WHOLE_LIMIT:
            shown = str(int(number))
        else:
            shown = np.format_float_positional(number, trim="-")
        if grouping:
            whole, point, fraction = shown.partition(".")
            shown = f"{int(whole):,}" + point + fraction if whole.lstrip("-") else shown
            if whole == "-0":
                shown = "-" + shown
    if shown.lstrip("-").strip("0.,") == "":  # -0.00 -> 0.00
        shown = shown.lstrip("-")
    return shown


def plain_numbers(values, digits: int = 3) -> np.ndarray:
    """Many numbers as short text at once: :func:`plain_number`'s vectorised sibling.

    For messages built for every county and level of a national file in one pass (the
    reasons in :func:`edubalance.core.scoring.score`): rounded to ``digits`` decimals, no
    trailing zeros, no thousands separators, whole numbers without ``.0``.

    Parameters
    ----------
    values : array_like of float
        The numbers.
    digits : int, default 3
        Decimals to round to (trailing zeros are not shown).

    Returns
    -------
    ndarray of str (object)
        One text per value; :data:`MISSING` for NaN or an infinity.

    Examples
    --------
    >>> plain_numbers([0.65, 2.0, 0.123456, float("nan"), -0.0001, 1e20], 3).tolist()
    ['0.65', '2', '0.123', '—', '0', '100000000000000000000']
    """
    numbers = np.asarray(values, dtype=float)
    # np.round scales by 10**digits: beyond _WHOLE_LIMIT that would change the integer part.
    rounded = np.where(np.abs(numbers) < _WHOLE_LIMIT, np.round(numbers, digits), numbers)
    rounded = rounded + 0.0  # no "-0"
    finite = np.isfinite(rounded)
    text = np.full(rounded.shape, MISSING, dtype=object)
    # "%f" never writes scientific notation; its trailing zeros (and a bare point) go.
    fixed = np.char.mod(f"%.{digits}f", rounded[finite])
    if digits > 0:
        fixed = np.char.rstrip(np.char.rstrip(fixed, "0"), ".")
    text[finite] = fixed.astype(object)
    return text
