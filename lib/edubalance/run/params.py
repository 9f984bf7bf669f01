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
    """The one type rule: ``int`` passes for ``float``, ``bool`` never for ``int``/``float``,
    ``tuple`` for ``list``.

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
    """One declared parameter: accepted types (None: any), required or not, its default."""

    name: str
    types: tuple[type, ...] | None = None
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class ParameterProblem:
    """One thing wrong with a set of parameters; rendered for the notebook or for a batch."""

    kind: str  # unknown | missing | type | runner
    name: str
    value: Any = None
    expected: tuple[type, ...] | None = None
    allowed: tuple[str, ...] = ()

    def batch_text(self) -> str:
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
    """The parameters a notebook takes, by name (order kept)."""

    parameters: dict[str, Parameter] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any],
                  defaults: Mapping[str, Parameter] | None = None) -> "ParameterModel":
        """From a ``{name: type or tuple of types}`` spec (what notebooks pass)."""
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
    """Types of one value of a ``check_parameters`` spec literal: ``str``, ``(int, str)``,
    ``type(None)``; None when not understood (then any value passes here)."""
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


def model_of_notebook(notebook: str | os.PathLike) -> ParameterModel:
    """The parameter model of a notebook file, read without a kernel.

    Names, defaults and required-ness come from the ``parameters`` cell; types from the
    ``check_notebook_parameters(globals(), {...})`` call that follows it when there is one (so the
    batch accepts exactly what the notebook accepts), else from the defaults' types.

    Raises
    ------
    ParameterError
        If the notebook has no cell tagged ``parameters``.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    tagged = [i for i, cell in enumerate(code) if "parameters" in cell.metadata.get("tags", [])]
    if not tagged:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    source = code[tagged[0]].source
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
        spec = _check_call_spec(cell.source)
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
    """
    model = model_of_notebook(Path(notebook))
    return {name: {"type": None if p.types is None else p.types[0], "types": p.types,
                   "required": p.required, "default": p.default}
            for name, p in model.parameters.items()}


def __getattr__(name):
    # ``Problem`` was ParameterProblem's name, as it is edubalance.errors.Problem's (a data
    # problem naming file, row, column and value).
    if name == "Problem":
        import warnings

        warnings.warn("edubalance.run.params.Problem is now ParameterProblem (errors.Problem "
                      "is a problem of the data)", DeprecationWarning, stacklevel=2)
        return ParameterProblem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
