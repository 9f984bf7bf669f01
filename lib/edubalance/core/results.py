"""How every result object of the package shows itself: a short ``repr`` and a table in Jupyter.

Results are frozen dataclasses whose data are attributes (DataFrames, arrays, numbers). A
result class that derives from :class:`ResultDisplay` (and is declared with
``@dataclass(frozen=True, repr=False)`` so that the dataclass keeps this ``__repr__``) gets

- ``repr(result)``: one line naming the class, its scalar fields and the *shape* of each table
  (``counties=22x14``), never a dumped DataFrame;
- ``result._repr_html_()``: that line and the first rows of ``result.summary()``, escaped, which
  JupyterLab shows when the result is the last expression of a cell.

``summary()`` is each class's own: a formatted table (a DataFrame) of what a reader looks at
first. The machine-readable record a notebook writes to ``summary.json`` is ``to_dict()``.

Examples
--------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True, repr=False)
... class Fit(ResultDisplay):
...     method: str
...     coefficients: pd.DataFrame
...     def summary(self):
...         return self.coefficients
>>> fit = Fit("ols", pd.DataFrame({"term": ["x"], "estimate": [0.5]}))
>>> fit
Fit(method='ols', coefficients=1x2)
"""
from __future__ import annotations

import dataclasses
import html

import numpy as np
import pandas as pd

__all__ = ["ResultDisplay", "describe_value"]

_HTML_ROWS = 20
_TEXT_WIDTH = 60


def describe_value(value) -> str | None:
    """A few characters that stand for one field of a result in its ``repr``.

    Parameters
    ----------
    value : object
        The field's value.

    Returns
    -------
    str or None
        ``"22x14"`` for a table, ``"array(5,)"`` for an array, ``repr`` for a number, a
        short string or a boolean, the class name in angle brackets for anything else, and
        None for None (the field is left out).

    Examples
    --------
    >>> describe_value(pd.DataFrame({"a": [1, 2]}))
    '2x1'
    >>> describe_value(np.zeros((3, 2)))
    'array(3, 2)'
    >>> describe_value("quality-2017")
    "'quality-2017'"
    """
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        return f"{value.shape[0]}x{value.shape[1]}"
    if isinstance(value, pd.Series):
        return f"series({len(value)})"
    if isinstance(value, np.ndarray):
        return f"array({', '.join(map(str, value.shape))}{',' if value.ndim == 1 else ''})"
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return repr(value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, str):
        text = value if len(value) <= _TEXT_WIDTH else value[:_TEXT_WIDTH - 1] + "…"
        return repr(text)
    if isinstance(value, (list, tuple)) and len(value) <= 8 and all(
            isinstance(item, (str, int, float, bool)) for item in value):
        return repr(list(value))
    if isinstance(value, (list, tuple, dict)):
        return f"<{type(value).__name__} of {len(value)}>"
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return f"<{type(value).__name__} {name}>"
    return f"<{type(value).__name__}>"


class ResultDisplay:
    """Mixin: a one-line ``repr`` and an HTML table for Jupyter, from the dataclass fields.

    Subclasses are dataclasses declared with ``repr=False``. ``summary()`` is their table to
    read: by default ``to_frame()`` (every result has one); a class overrides it where a
    shorter table reads better. What a notebook writes to ``summary.json`` is a result's
    ``to_dict()`` (``EquityAnalysis``, ``ClusteringAnalysis``, ``EventStudyResult``), never its
    ``summary()``. Should a ``summary()`` not give a table, Jupyter shows ``to_frame()``.
    """

    __slots__ = ()

    def summary(self) -> pd.DataFrame:
        """The result as a table to read (by default :meth:`to_frame`).

        Returns
        -------
        DataFrame
        """
        return self.to_frame()

    def __repr__(self) -> str:
        parts = []
        for field in dataclasses.fields(self):
            if not field.repr:
                continue
            shown = describe_value(getattr(self, field.name))
            if shown is not None:
                parts.append(f"{field.name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _repr_html_(self) -> str:
        table = self.summary()
        if not isinstance(table, pd.DataFrame) and hasattr(self, "to_frame"):
            table = self.to_frame()
        if isinstance(table, pd.DataFrame):
            rows = table.head(_HTML_ROWS).to_html(index=False, escape=True, na_rep="—")
            more = (f"<p>… {len(table) - _HTML_ROWS} more rows: <code>.summary()</code></p>"
                    if len(table) > _HTML_ROWS else "")
        else:  # a result with no table still shows its line
            rows, more = "", ""
        return f"<p><code>{html.escape(repr(self))}</code></p>{rows}{more}"
