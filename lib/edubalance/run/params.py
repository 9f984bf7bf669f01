"""One parameter model for a notebook: used by its first cell and by the batch's up-front check.

A notebook declares its parameters twice over, in two places that must agree: the cell
tagged ``parameters`` (plain assignments; a bare annotation ``county: str`` means required)
and the next cell, ``eb.run.notebook.check_notebook_parameters(globals(), {"year": int, ...})``, which
names the accepted types. :class:`ParameterModel` is that declaration as data:

- in the notebook, :meth:`ParameterModel.check_namespace` checks ``globals()`` (every public
  name must be declared, every declared name present, types right);
- in the batch, :func:`model_of_notebook` reads the same two cells with ``ast`` (no kernel),
  and :meth:`ParameterModel.check_values` checks each job's parameters before any job runs.
  So a type the notebook accepts (``county: (str, int)``: an integer county code) is
  accepted by the batch too, with the same rules (``int`` for ``float``; ``bool`` is never an
  ``int``).

This module imports nothing from the rest of the package but :mod:`edubalance.errors`, so
any layer may use it.

Examples
--------
>>> model = ParameterModel.from_spec({"year": int, "county": (str, int)})
>>> model.check_values({"year": 2017, "county": 640181})
[]
>>> for problem in model.check_values({"year": "2017", "yaer": 1}):
...     print(problem.batch_text())
parameter year='2017' should be int, not str
unknown parameter 'yaer' (allowed: year, county)
missing required parameter 'county'
"""
from __future__ import annotations

import ast
import os
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .._compat import moved_names as _moved_names
from ..errors import ParameterError

__all__ = ["Parameter", "ParameterProblem", "ParameterModel", "model_of_notebook",
           "notebook_parameters", "RUNNER_PARAMETERS"]

# The notebook's check call whose spec gives the types, by its name and by its old name (still
# read in notebooks written before issue 28).
_CHECK_CALLS = ("check_notebook_parameters", "check_parameters")
# Parameters the batch runner sets itself (a batch file must not).
RUNNER_PARAMETERS = frozenset({"output_dir"})
# Names IPython puts in a kernel's namespace on its own.
_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}
_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict,
          "tuple": tuple}


def _type_name(expected: tuple[type, ...]) -> str:
    return " or ".join("null" if t is type(None) else t.__name__ for t in expected)


def type_ok(value: Any, expected: tuple[type, ...] | None) -> bool:
    """The one type rule for a parameter's value.

    ``int`` passes for ``float``, ``bool`` never for ``int``/``float``, ``tuple`` for ``list``.

    Examples
    --------
    >>> type_ok(1, (float,)), type_ok(True, (int,)), type_ok((1, 2), (list,))
    (True, False, True)
    """
    if expected is None:
        return True
    allowed = tuple(expected)
    if float in allowed:
        allowed += (int,)
    if list in allowed:
        allowed += (tuple,)
    if isinstance(value, bool) and bool not in allowed:
        return False
    return isinstance(value, allowed)


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: accepted types (None: any), required or not, its default.

    Parameters
    ----------
    name : str
        The parameter's name (a variable of the notebook's ``parameters`` cell).
    types : tuple of type or None, default None
        The accepted types; ``None`` accepts any value.
    required : bool, default False
        Whether it is declared without a default (a bare annotation ``county: str``).
    default : Any, default None
        Its default value in the ``parameters`` cell (``None`` when it has none).
    """

    name: str
    types: tuple[type, ...] | None = None
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class ParameterProblem:
    """One thing wrong with a set of parameters; rendered for the notebook or for a batch.

    Parameters
    ----------
    kind : str
        ``"unknown"`` (not declared), ``"missing"`` (required, not given), ``"type"`` (a
        value of a type not accepted) or ``"runner"`` (set by the runner, not the batch).
    name : str
        The parameter's name.
    value : Any, default None
        The value given (for ``"type"``).
    expected : tuple of type or None, default None
        The accepted types (for ``"type"``).
    allowed : tuple of str, default ()
        The names that are accepted (for ``"unknown"``).
    """

    kind: str  # unknown | missing | type | runner
    name: str
    value: Any = None
    expected: tuple[type, ...] | None = None
    allowed: tuple[str, ...] = ()

    def batch_text(self) -> str:
        """The problem as one line of a batch's error.

        Returns
        -------
        str
            For example ``parameter year='2017' should be int, not str``.
        """
        if self.kind == "unknown":
            return f"unknown parameter {self.name!r} (allowed: {', '.join(self.allowed)})"
        if self.kind == "missing":
            return f"missing required parameter {self.name!r}"
        if self.kind == "runner":
            return f"parameter {self.name} is set by the runner, remove it"
        return (f"parameter {self.name}={self.value!r} should be {_type_name(self.expected)}, "
                f"not {type(self.value).__name__}")


@dataclass(frozen=True)
class ParameterModel:
    """The parameters a notebook takes, by name (order kept).

    Parameters
    ----------
    parameters : dict of str to Parameter, optional
        The declared parameters by name, in the notebook's order (default: none).
    """

    parameters: dict[str, Parameter] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any],
                  defaults: Mapping[str, Parameter] | None = None) -> "ParameterModel":
        """From a ``{name: type or tuple of types}`` spec (what notebooks pass).

        Parameters
        ----------
        spec : mapping
            Accepted type (or tuple of types) by parameter name, in order.
        defaults : mapping of str to Parameter, optional
            Declarations whose ``required`` and ``default`` are kept (their types are
            replaced by the spec's); a name not in it is optional with default ``None``.

        Returns
        -------
        ParameterModel
            One :class:`Parameter` per name of ``spec``.
        """
        defaults = defaults or {}
        parameters = {}
        for name, expected in spec.items():
            kinds = expected if isinstance(expected, tuple) else (expected,)
            base = defaults.get(name, Parameter(name))
            parameters[name] = Parameter(name, tuple(kinds), base.required, base.default)
        return cls(parameters)

    def __contains__(self, name: str) -> bool:
        return name in self.parameters

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[name]

    def __iter__(self):
        return iter(self.parameters)

    def check_values(self, values: Mapping[str, Any], *, runner: frozenset = frozenset(),
                     require: bool = True) -> list[ParameterProblem]:
        """Problems of a set of values: unknown names, wrong types, missing required ones.

        ``runner`` names parameters the caller sets itself (reported if given). With
        ``require`` False only the parameters declared without a default are required.

        Parameters
        ----------
        values : mapping
            Parameter values by name (a job's parameters, a notebook's namespace).
        runner : frozenset of str, optional
            Names the caller sets itself: given in ``values``, each is a ``"runner"``
            problem; never missing, never listed as allowed.
        require : bool, default True
            Whether every declared parameter must be given; if False only those declared
            ``required`` must.

        Returns
        -------
        list of ParameterProblem
            Problems of the given values in their order, then the missing ones in declared
            order; empty when nothing is wrong.
        """
        problems = []
        allowed = tuple(name for name in self.parameters if name not in runner)
        for name, value in values.items():
            if name in runner:
                problems.append(ParameterProblem("runner", name))
            elif name not in self.parameters:
                problems.append(ParameterProblem("unknown", name, allowed=allowed))
            elif not type_ok(value, self.parameters[name].types):
                problems.append(ParameterProblem("type", name, value, self.parameters[name].types))
        for name, parameter in self.parameters.items():
            if name in values or name in runner:
                continue
            if require or parameter.required:
                problems.append(ParameterProblem("missing", name))
        return problems

    def check_namespace(self, namespace: Mapping[str, Any]) -> dict[str, Any]:
        """Check a notebook's ``globals()``; raise :class:`ParameterError` listing everything.

        Private names, modules, callables and IPython's own names are not parameters.

        Parameters
        ----------
        namespace : mapping
            The notebook's ``globals()`` after its ``parameters`` cell (and papermill's
            injected one).

        Returns
        -------
        dict
            The declared parameters' values by name, in declared order.

        Raises
        ------
        ParameterError
            Listing every unknown, missing and wrongly typed parameter.
        """
        candidates = {
            name: value for name, value in namespace.items()
            if not name.startswith("_") and name not in _KERNEL_NAMES
            and not isinstance(value, types.ModuleType) and not callable(value)
        }
        problems = self.check_values(candidates)
        texts = []
        unknown = sorted(p.name for p in problems if p.kind == "unknown")
        if unknown:
            texts.append(f"unknown parameter(s): {', '.join(unknown)} "
                         f"(allowed: {', '.join(self.parameters)})")
        missing = [p.name for p in problems if p.kind == "missing"]
        if missing:
            texts.append(f"missing parameter(s): {', '.join(missing)}")
        texts += [p.batch_text() for p in problems if p.kind == "type"]
        if texts:
            raise ParameterError("; ".join(texts))
        return {name: candidates[name] for name in self.parameters}


# --------------------------------------------------------------------------- from a notebook

def _declaration(name: str, value_node: ast.AST | None) -> Parameter:
    if value_node is None:
        return Parameter(name, None, True, None)
    try:
        default = ast.literal_eval(value_node)
    except (ValueError, SyntaxError, TypeError):
        return Parameter(name)
    return Parameter(name, None if default is None else (type(default),), False, default)


def _spec_types(node: ast.AST) -> tuple[type, ...] | None:
    """Types of one value of a ``check_parameters`` spec literal.

    Understood: ``str``, ``(int, str)``, ``type(None)``; None when not understood (then any
    value passes here).
    """
    if isinstance(node, ast.Tuple):
        parts = [_spec_types(element) for element in node.elts]
        if any(part is None for part in parts):
            return None
        return tuple(t for part in parts for t in part)
    if isinstance(node, ast.Name) and node.id in _TYPES:
        return (_TYPES[node.id],)
    if isinstance(node, ast.Constant) and node.value is None:
        return (type(None),)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
            and node.args[0].value is None):
        return (type(None),)
    return None


def _check_call_spec(source: str) -> dict[str, tuple[type, ...] | None] | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr",
                                                   getattr(node.func, "id", None))
                in _CHECK_CALLS and len(node.args) >= 2
                and isinstance(node.args[1], ast.Dict)):
            spec = {}
            for key, value in zip(node.args[1].keys, node.args[1].values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    spec[key.value] = _spec_types(value)
            return spec
    return None


def code_cells(notebook: str | os.PathLike) -> list[dict[str, Any]]:
    r"""The code cells of a notebook file: ``{"source": str, "tags": list}`` each.

    A version-4 notebook is read as plain JSON: the batch reads sources and tags before any
    job starts, and nbformat's import (its schema validator) cost the start of every batch
    a third of a second and more; other versions, or a file JSON cannot read, go through
    nbformat (its conversions and its error messages).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "nb.ipynb"
    >>> _ = path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
    ...     "cells": [{"cell_type": "code", "source": ["a = 1\n", "b = 2"],
    ...                "metadata": {"tags": ["parameters"]}, "outputs": [],
    ...                "execution_count": None}]}))
    >>> code_cells(path)
    [{'source': 'a = 1\nb = 2', 'tags': ['parameters']}]
    """
    import json

    try:
        with open(notebook, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
            cells = []
            for cell in data["cells"]:
                if cell.get("cell_type") != "code":
                    continue
                source = cell.get("source", "")
                cells.append({"source": source if isinstance(source, str) else "".join(source),
                              "tags": list((cell.get("metadata") or {}).get("tags") or [])})
            return cells
    except (OSError, ValueError, AttributeError, TypeError):
        pass   # nbformat says what is wrong with it
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    return [{"source": cell.source, "tags": list(cell.metadata.get("tags", []))}
            for cell in nb.cells if cell.cell_type == "code"]


def model_of_notebook(notebook: str | os.PathLike) -> ParameterModel:
    """The parameter model of a notebook file, read without a kernel.

    Names, defaults and required-ness come from the ``parameters`` cell; types from the
    ``check_notebook_parameters(globals(), {...})`` call that follows it when there is one (so the
    batch accepts exactly what the notebook accepts), else from the defaults' types.

    Parameters
    ----------
    notebook : str or os.PathLike
        Path of the ``.ipynb`` file.

    Returns
    -------
    ParameterModel
        The declared parameters in the ``parameters`` cell's order, then any named only by
        the check call.

    Raises
    ------
    ParameterError
        If the notebook has no cell tagged ``parameters``, or that cell is not valid Python.
    OSError
        If the file cannot be read.
    """
    code = code_cells(notebook)
    tagged = [i for i, cell in enumerate(code) if "parameters" in cell["tags"]]
    if not tagged:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    source = code[tagged[0]]["source"]
    declared: dict[str, Parameter] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ParameterError(f"{notebook}: the parameters cell is not valid Python: {error}") \
            from None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                declared[target.id] = _declaration(target.id, value)
    spec = None
    for cell in code[tagged[0] + 1:tagged[0] + 3]:
        spec = _check_call_spec(cell["source"])
        if spec is not None:
            break
    if spec:
        for name, kinds in spec.items():
            base = declared.get(name, Parameter(name))
            declared[name] = Parameter(name, kinds if kinds is not None else base.types,
                                       base.required, base.default)
    return ParameterModel(declared)


def notebook_parameters(notebook: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Parameters declared by a notebook: name -> ``{"type", "required", "default"}``.

    ``type`` is the first accepted type (None: any value). Kept for callers of the former
    ``edubalance.run.batch.notebook_parameters``; :func:`model_of_notebook` gives the full model.

    Parameters
    ----------
    notebook : str or os.PathLike
        Path of the ``.ipynb`` file.

    Returns
    -------
    dict
        ``{name: {"type", "types", "required", "default"}}`` in declared order; ``types`` is
        the tuple of accepted types (None: any).

    Raises
    ------
    ParameterError, OSError
        As :func:`model_of_notebook`.
    """
    model = model_of_notebook(Path(notebook))
    return {name: {"type": None if p.types is None else p.types[0], "types": p.types,
                   "required": p.required, "default": p.default}
            for name, p in model.parameters.items()}


# ``Problem`` was ParameterProblem's name, as it is edubalance.errors.Problem's (a data
# problem naming file, row, column and value).
__getattr__ = _moved_names(__name__, {"Problem": f"{__name__}:ParameterProblem"})
