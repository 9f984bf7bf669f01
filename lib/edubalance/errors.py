"""One exception hierarchy for the whole package.

Catch :class:`EdubalanceError` to handle anything the package reports about its input;
the subclasses say where the problem lies. Each is also a :class:`ValueError`, because
callers (and the CLI) have long relied on that.

Examples
--------
>>> from edubalance.errors import DataError, EdubalanceError
>>> issubclass(DataError, EdubalanceError) and issubclass(DataError, ValueError)
True
"""
from __future__ import annotations

__all__ = ["EdubalanceError", "DataError", "ParameterError", "StandardError"]


class EdubalanceError(ValueError):
    """Base of every error the package raises about its input."""


class DataError(EdubalanceError):
    """A data file or table is unreadable or invalid (names file, row, column and value)."""


class ParameterError(EdubalanceError):
    """A notebook or batch parameter is unknown, missing or of the wrong type or value."""


class StandardError(EdubalanceError):
    """A standard (YAML rule set) is unknown or malformed."""
