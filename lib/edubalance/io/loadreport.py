"""The load report: what loading did to a file.

Sheets read, conversions, dropped rows with their text, ignored columns and notes, attached
to every loaded frame as ``frame.attrs["load_report"]``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np

from .clean import rows_text

__all__ = ["LoadReport", "ReportDict"]


@dataclass(frozen=True)
class LoadReport:
    """What loading did: sheets read, conversions, dropped rows, ignored columns, notes.

    ``frame.attrs["load_report"]`` holds ``report.to_dict()``; :meth:`lines` is what
    ``edubalance validate`` prints.

    Parameters
    ----------
    source : str
        The file's name (``"<DataFrame>"`` for a frame).
    kind : str
        The kind of table (``"schools"``, ``"counties"``, ``"teachers"``).
    rows : int
        The rows loaded.
    sheets : tuple of str, optional
        The sheets read.
    skipped_sheets : tuple of (str, str), optional
        Each sheet not read, with why.
    conversions : tuple of str, optional
        The unit and value conversions done, one line each.
    dropped_rows : tuple of tuple, optional
        ``(sheet, reason, lines[, texts])`` per kind of dropped row (totals, notes, blanks).
    ignored_columns : tuple of str, optional
        Columns of the file that map to no known column.
    notes : tuple of str, optional
        Anything else worth telling (e.g. characters removed).
    facts : tuple of (str, object), optional
        County and year found in the title rows or given as arguments.
    allowed : tuple of str, optional
        The plausibility rules waived with ``allow=``.
    """

    source: str
    kind: str
    rows: int
    sheets: tuple[str, ...] = ()
    skipped_sheets: tuple[tuple[str, str], ...] = ()
    conversions: tuple[str, ...] = ()
    dropped_rows: tuple[tuple, ...] = ()  # (sheet, reason, lines[, texts])
    ignored_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    facts: tuple[tuple[str, Any], ...] = ()       # county/year from the title or arguments
    allowed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values (tuples as lists, dropped rows as dicts).

        Returns
        -------
        dict
        """
        out = asdict(self)
        out["skipped_sheets"] = [list(s) for s in self.skipped_sheets]
        out["dropped_rows"] = [{"sheet": d[0], "reason": d[1], "rows": list(d[2]),
                                "texts": list(d[3]) if len(d) > 3 else []}
                               for d in self.dropped_rows]
        out["facts"] = dict(self.facts)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LoadReport":
        """The report back from ``frame.attrs["load_report"]``."""
        return cls(
            source=data["source"], kind=data["kind"], rows=data["rows"],
            sheets=tuple(data["sheets"]), skipped_sheets=tuple(map(tuple, data["skipped_sheets"])),
            conversions=tuple(data["conversions"]),
            dropped_rows=tuple((d["sheet"], d["reason"], tuple(d["rows"]),
                                tuple(d.get("texts", ()))) for d in data["dropped_rows"]),
            ignored_columns=tuple(data["ignored_columns"]), notes=tuple(data["notes"]),
            facts=tuple(data["facts"].items()), allowed=tuple(data["allowed"]))

    def lines(self, file_names: bool = True) -> list[str]:
        """The report as text lines (``file_names=False``: without the file name prefix).

        Parameters
        ----------
        file_names : bool, default True
            Keep the file name in front of each conversion.

        Returns
        -------
        list of str
        """
        out = []
        if self.sheets:
            out.append("sheets read: " + ", ".join(self.sheets))
        for name, reason in self.skipped_sheets:
            out.append(f"sheet '{name}' not read: {reason}")
        out += [f"converted: {c if file_names else c.split(': ', 1)[-1]}"
                for c in self.conversions]
        for sheet, reason, lines, *texts in self.dropped_rows:
            where = f"sheet '{sheet}' " if sheet else ""
            shown = [f"{line} ({text})" if text else str(line)
                     for line, text in zip(lines, (texts[0] if texts else ()), strict=False)]
            listed = ", ".join(shown[:8]) + (f" and {len(lines) - 8} more" if len(lines) > 8
                                             else "") if shown else rows_text(np.asarray(lines))
            out.append(f"dropped {len(lines)} {reason} row(s): {where}rows {listed}")
        if self.ignored_columns:
            out.append("ignored columns: " + ", ".join(self.ignored_columns))
        for key, value in self.facts:
            out.append(f"{key} = {value}")
        if self.allowed:
            out.append("plausibility rules waived: " + ", ".join(self.allowed))
        return out


class ReportDict(dict):
    """The load report as ``frame.attrs["load_report"]``: a plain, read-only dict.

    pandas deep-copies ``attrs`` on every operation; this copy is free (the report never
    changes), so a large report does not slow down work on the frame.
    """

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

    def _read_only(self, *args, **kwargs):
        """Every change to the report (``update``, ``pop``, item assignment...) raises.

        Parameters
        ----------
        *args, **kwargs : object
            Whatever the dict method was given; ignored.

        Raises
        ------
        TypeError
            Always: the load report is read-only.
        """
        raise TypeError("the load report is read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only

    def __reduce__(self):
        return (ReportDict, (dict(self),))
