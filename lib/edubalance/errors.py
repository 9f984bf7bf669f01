"""One exception hierarchy for the whole package.

Catch :class:`EdubalanceError` to handle anything the package reports about its input;
the subclasses say where the problem lies. Each is also a :class:`ValueError`, because
callers (and the CLI) have long relied on that.

:class:`DataError` is structured: ``error.problems`` lists :class:`Problem` objects (file,
sheet, row, column, header, value, school id), ``error.total`` counts every problem found.

Examples
--------
>>> from edubalance.errors import DataError, EdubalanceError, Problem
>>> issubclass(DataError, EdubalanceError) and issubclass(DataError, ValueError)
True
>>> error = DataError([Problem("a.csv", "negative value", row=3, column="books", value=-5)])
>>> print(error)
a.csv: 1 problem
  - row 3, column 'books': negative value (value '-5')
>>> str(DataError("no rows"))
'no rows'
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

__all__ = ["EdubalanceError", "DataError", "ParameterError", "StandardError", "Problem",
           "did_you_mean"]


class EdubalanceError(ValueError):
    """Base of every error the package raises about its input."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file or table.

    Parameters
    ----------
    file : str
        The file's name as the user gave it ("" for a table in memory).
    message : str
        What is wrong, in English (the CLI and reports translate).
    sheet : str, optional
        The workbook sheet.
    row : int, optional
        The line as a spreadsheet shows it (header = line 1).
    column : str, optional
        The canonical column name.
    header : str, optional
        The column's header as written in the file (shown beside ``column``).
    value : object, optional
        The offending cell as read.
    school_id : str, optional
        The school of the row, where there is one.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: Any = None
    school_id: str | None = None

    def location(self, with_file: bool = True) -> str:
        """Where the problem is: file, sheet, row, column (with its header) and school.

        Parameters
        ----------
        with_file : bool, default True
            Name the file and sheet (False when a message names them once for all).

        Returns
        -------
        str
            ``""`` when nothing is known.

        Examples
        --------
        >>> Problem("a.csv", "x", row=3, column="books", header="图书册数").location()
        "a.csv, row 3, column '图书册数 (books)'"
        """
        parts = []
        if with_file:
            if self.file:
                parts.append(self.file)
            if self.sheet:
                parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            shown = self.column if not self.header or self.header == self.column \
                else f"{self.header} ({self.column})"
            parts.append(f"column '{shown}'")
        if self.school_id:
            parts.append(f"school {self.school_id}")
        return ", ".join(parts)

    def describe(self, with_file: bool = True) -> str:
        """The problem in one line: where, what, and the value.

        Parameters
        ----------
        with_file : bool, default True
            Name the file and sheet.

        Returns
        -------
        str
        """
        where = self.location(with_file)
        value = "" if self.value is None else f" (value {_show(self.value)})"
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"

    def __str__(self) -> str:
        return self.describe()

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (for JSON load reports).

        Returns
        -------
        dict
        """
        return asdict(self)


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


class DataError(EdubalanceError):
    """A data file or table is unreadable or invalid (names file, row, column and value).

    ``.problems`` lists what is wrong (structured); ``str(error)`` names the file (and sheet)
    once, then one line per problem, then "... and N more" when more were found than listed.
    A plain message is accepted too (``DataError("text")``): it becomes one problem.

    Parameters
    ----------
    problems : sequence of Problem, or str
        What is wrong; a string is a plain message.
    total : int, optional
        How many problems were found in all, when only the first are listed.
    """

    def __init__(self, problems: Sequence[Problem] | str = (), total: int | None = None):
        if isinstance(problems, str):
            self._plain = problems
            problems = [Problem("", problems)]
        else:
            self._plain = None
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        super().__init__(self.format())

    def format(self) -> str:
        """The message: the file once, then one line per problem.

        Returns
        -------
        str
        """
        if self._plain is not None:
            return self._plain
        if not self.problems:
            return "invalid data"
        first = self.problems[0]
        head = first.file + (f", sheet '{first.sheet}'" if first.sheet else "")
        same_place = all(p.file == first.file and p.sheet == first.sheet for p in self.problems)
        count = f"{self.total} problem{'s' if self.total != 1 else ''}"
        lines = [f"{head}: {count}" if same_place and head else count]
        lines += [f"  - {p.describe(with_file=not same_place)}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)

    def __reduce__(self):  # picklable across batch workers
        return (_rebuild, (self._plain if self._plain is not None else self.problems,
                           self.total))


def _rebuild(problems, total):
    return DataError(problems, total)


class ParameterError(EdubalanceError):
    """A notebook or batch parameter is unknown, missing or of the wrong type or value."""


class StandardError(EdubalanceError):
    """A standard (YAML rule set) is unknown or malformed."""


def did_you_mean(names: Sequence[str] | str, choices, *, cutoff: float = 0.6) -> str:
    """The closest known names to unknown ``names``, as the text of an error message.

    One helper for every "unknown column/level/standard" message of the package, so they all
    offer the same hint.

    Parameters
    ----------
    names : str or sequence of str
        The names the user gave that are not known.
    choices : iterable of str or mapping
        The known names. A mapping maps each known spelling (an alias, a Chinese name) to the
        name to suggest, so several spellings may suggest one name.
    cutoff : float, default 0.6
        How similar a choice must be to be offered (``difflib`` ratio, 0 to 1).

    Returns
    -------
    str
        ``"; did you mean x, y?"`` (at most three suggestions over all names, closest first),
        or ``""`` when nothing is close; compared without case and surrounding spaces.

    Examples
    --------
    >>> did_you_mean(["teaching_area_per_studnet"], ["teaching_area_per_student", "books"])
    '; did you mean teaching_area_per_student?'
    >>> did_you_mean("zz", ["books"])
    ''
    """
    import difflib

    names = [names] if isinstance(names, str) else list(names)
    suggest = dict(choices) if hasattr(choices, "items") else {str(c): str(c) for c in choices}
    lowered = {" ".join(str(key).split()).lower(): value for key, value in suggest.items()}
    found: dict[str, None] = {}
    for name in names:
        text = " ".join(str(name).split()).lower()
        for close in difflib.get_close_matches(text, list(lowered), n=3, cutoff=cutoff):
            found.setdefault(lowered[close], None)
    hints = list(found)[:3]
    return f"; did you mean {', '.join(hints)}?" if hints else ""
