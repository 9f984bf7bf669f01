r"""Reading batch files safely: size and alias limits, duplicate keys, paths that resolve.

A batch file is YAML read with a ``yaml.SafeLoader`` subclass that

- refuses files over :data:`MAX_BYTES` before parsing,
- refuses more than :data:`MAX_ALIASES` aliases and any document whose expansion (aliases
  counted as copies) exceeds :data:`MAX_NODES` values, before anything uses it (a 491-byte
  "billion laughs" file fails in milliseconds instead of hanging the batch),
- rejects a key given twice in one mapping (YAML would silently keep the last one).

Relative paths (the notebook, and ``*_path`` / ``*_file`` parameters) are looked up from the
working folder first, then from the batch file's folder; an error names both places tried.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "nb.ipynb").write_text("{}")
>>> _ = (folder / "b.yaml").write_text("notebook: nb.ipynb\ngrid: {county: [a, 640181]}\n")
>>> spec = load_batch_file(folder / "b.yaml")
>>> spec["grid"], spec["notebook"] == folder / "nb.ipynb"
({'county': ['a', 640181]}, True)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import yaml

from ..errors import ParameterError

__all__ = ["MAX_BYTES", "MAX_ALIASES", "MAX_NODES", "safe_yaml", "load_batch_file",
           "counties_in", "is_path_parameter", "BATCH_KEYS", "batch_spec"]

MAX_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_NODES = 100_000
BATCH_KEYS = frozenset({"notebook", "parameters", "grid", "description", "title"})


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases and rejects duplicate keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name), refused "
                                     f"(line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # SafeLoader reports unhashable keys itself
            if key in seen:
                raise yaml.YAMLError(f"key {key!r} given twice (lines {seen[key]} and "
                                     f"{key_node.start_mark.line + 1}); keep one")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, limit: int) -> int:
    # Counts values as if every alias were a copy, stopping as soon as the limit is passed;
    # shared nodes are counted each time they are reached, which is the point.
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
    return count


def safe_yaml(path: str | os.PathLike, what: str = "file") -> Any:
    r"""Parse a YAML file within the limits above; ``ParameterError`` naming the file otherwise.

    Parameters
    ----------
    path : str or path-like
        The YAML file (read as UTF-8, undecodable bytes replaced).
    what : str, default "file"
        What the file is, as the error messages name it (``"batch file"``).

    Returns
    -------
    object
        The parsed document (plain dicts, lists and scalars); None for an empty file.

    Raises
    ------
    ParameterError
        The file has more than :data:`MAX_BYTES` bytes, more than :data:`MAX_ALIASES`
        aliases, expands to more than :data:`MAX_NODES` values, gives a key twice in one
        mapping, or is not valid YAML.
    OSError
        The file cannot be read (``FileNotFoundError`` when it does not exist).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bomb = pathlib.Path(tempfile.mkdtemp()) / "bomb.yaml"
    >>> _ = bomb.write_text('a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    ...                     + "".join(f'{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n'
    ...                               for p, c in zip("abcdefgh", "bcdefghi")))
    >>> safe_yaml(bomb)
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: ...bomb.yaml: not accepted as a file: it expands to more than 100000 values (nested aliases), refused
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ParameterError(f"{path}: {size:,} bytes, more than the {MAX_BYTES:,} a {what} "
                             "may have")
    text = path.read_bytes().decode("utf-8", errors="replace")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, MAX_NODES) > MAX_NODES:
            raise ParameterError(f"{path}: not accepted as a {what}: it expands to more than "
                                 f"{MAX_NODES} values (nested aliases), refused")
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise ParameterError(f"{path}: not valid YAML: {error}") from None
    finally:
        loader.dispose()


def is_path_parameter(name: str) -> bool:
    """Parameters naming files: ``*_path`` and ``*_file`` (``output_dir`` is the runner's).

    Parameters
    ----------
    name : str
        A parameter name.

    Returns
    -------
    bool
        Whether ``name`` ends in ``_path`` or ``_file``.

    Examples
    --------
    >>> is_path_parameter("data_path"), is_path_parameter("output_dir")
    (True, False)
    """
    return name.endswith(("_path", "_file"))


def _resolve(text: str, folder: Path, source: Path, what: str,
             must_exist: bool = True) -> str | Path:
    path = Path(text).expanduser()
    if path.is_absolute():
        if must_exist and not path.exists():
            raise FileNotFoundError(f"{source}: {what} not found: {text}")
        return path
    here, there = Path.cwd() / path, folder / path
    if here.exists():
        return here.resolve()
    if there.exists():
        return there.resolve()
    if must_exist:
        raise FileNotFoundError(f"{source}: {what} not found: {text} (looked in the working "
                                f"folder {Path.cwd()} and in the batch file's folder {folder})")
    return text


def _resolve_value(name: str, value: Any, folder: Path, source: Path) -> Any:
    # A data path found from the working folder is kept as written (the jobs run there, and
    # the folder names stay short); one found only next to the batch file becomes absolute.
    if not (is_path_parameter(name) and isinstance(value, str) and value.strip()):
        return value
    if Path(value).expanduser().is_absolute() or (Path.cwd() / value).exists():
        return value
    resolved = _resolve(value, folder, source, f"{name}")
    return str(resolved)


def load_batch_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check one batch file.

    Returns a dict with ``source`` (the file), ``notebook`` (absolute :class:`Path`),
    ``notebook_text`` (as written), ``parameters`` (dict) and ``grid`` (dict of name -> list,
    or ``"all"`` for ``county``).

    Parameters
    ----------
    path : str or path-like
        The batch file (YAML, read by :func:`safe_yaml`).

    Returns
    -------
    dict
        The checked batch, as :func:`batch_spec` returns it (keys as above).

    Raises
    ------
    ParameterError, FileNotFoundError
        Naming the file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"batch file not found: {path}")
    return batch_spec(safe_yaml(path, "batch file"), source=path)


def batch_spec(content: Any, source: str | os.PathLike | None = None) -> dict[str, Any]:
    """Check a batch given as a mapping (what a batch file holds), built in memory.

    ``edubalance report`` builds its batch this way instead of writing a YAML file; relative
    paths are looked up from the working folder, then from ``source``'s folder (the working
    folder when ``source`` is None). Returns what :func:`load_batch_file` returns.

    Parameters
    ----------
    content : mapping
        Keys ``notebook``, ``parameters``, ``grid`` (and optionally ``title``,
        ``description``), as in a batch file.
    source : path, optional
        What to name in error messages (default ``<command line>``).

    Returns
    -------
    dict
        ``source`` (a :class:`Path`), ``notebook`` (absolute :class:`Path`),
        ``notebook_text`` (as written), ``parameters`` (dict, path parameters resolved) and
        ``grid`` (dict of name -> list of values, or ``"all"`` for ``county``).

    Raises
    ------
    ParameterError
        ``content`` is not a mapping, has an unknown key, no notebook, a ``parameters`` or
        ``grid`` that is not a mapping, a name that is not text, an empty grid list, or a
        name both in ``parameters`` and in ``grid``.
    FileNotFoundError
        The notebook, or a file named by a ``*_path`` / ``*_file`` parameter, is found
        neither from the working folder nor from ``source``'s folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "nb.ipynb").write_text("{}")
    >>> spec = batch_spec({"notebook": str(folder / "nb.ipynb"), "grid": {"year": 2017}})
    >>> spec["grid"], spec["source"]
    ({'year': [2017]}, PosixPath('<command line>'))
    """
    path = Path(source) if source is not None else Path("<command line>")
    if source is None:
        path_folder = Path.cwd()
    else:
        path_folder = path.resolve().parent
    if not isinstance(content, dict):
        raise ParameterError(f"{path}: a batch file is a mapping with keys notebook, "
                             "parameters, grid")
    unknown = sorted(set(map(str, content)) - BATCH_KEYS)
    if unknown:
        raise ParameterError(f"{path}: unknown key(s) {', '.join(unknown)} "
                             f"(allowed: {', '.join(sorted(BATCH_KEYS))})")
    notebook = content.get("notebook")
    if not isinstance(notebook, str) or not notebook.strip():
        raise ParameterError(f"{path}: 'notebook' must be the path of a .ipynb file")
    folder = path_folder
    notebook_path = Path(_resolve(notebook, folder, path, "notebook")).resolve()
    if not notebook_path.is_file():
        raise FileNotFoundError(f"{path}: notebook not found: {notebook}")
    parameters = content.get("parameters") or {}
    grid = content.get("grid") or {}
    for key, value in (("parameters", parameters), ("grid", grid)):
        if not isinstance(value, dict):
            raise ParameterError(f"{path}: '{key}' must be a mapping of parameter names to "
                                 "values")
    for name in [*parameters, *grid]:
        if not isinstance(name, str):
            raise ParameterError(f"{path}: parameter name {name!r} is not text")
    clean_grid: dict[str, Any] = {}
    for name, values in grid.items():
        if values == "all" and name == "county":
            clean_grid[name] = "all"
        elif isinstance(values, list):
            if not values:
                raise ParameterError(f"{path}: grid '{name}' is an empty list")
            clean_grid[name] = [_resolve_value(name, v, folder, path) for v in values]
        else:
            clean_grid[name] = [_resolve_value(name, values, folder, path)]
    overlap = sorted(set(parameters) & set(clean_grid))
    if overlap:
        raise ParameterError(f"{path}: {', '.join(overlap)} given both in parameters and in "
                             "grid")
    parameters = {name: _resolve_value(name, value, folder, path)
                  for name, value in parameters.items()}
    return {"source": path, "notebook": notebook_path, "notebook_text": notebook,
            "parameters": parameters, "grid": clean_grid}


def counties_in(data_path: str | os.PathLike, years: Iterable[Any] | None = None, *,
                by_code: bool = False) -> list[str]:
    """Unique ``county_name`` values of a schools (or counties) file in file order.

    Read with ``edubalance.io.load.load_table`` (Chinese headers, Excel and Parquet work);
    ``years`` keeps only those years. ``by_code=True`` (what ``county: all`` uses): one entry
    per ``county_code``, named by the county's name where no other code shares it and by its
    code where one does (two counties named 朝阳区, 110105 and 220104, both get a job).

    Parameters
    ----------
    data_path : str or path-like
        The schools (or counties) file.
    years : iterable, optional
        Keep only the rows of these years (compared as text); default every year, and every
        year too when the file has no ``year`` column.
    by_code : bool, default False
        One entry per ``county_code`` (named as above) instead of one per distinct name;
        ignored when the file has no ``county_code`` column.

    Returns
    -------
    list of str
        County names (or codes, see ``by_code``), in the order of their first row.

    Raises
    ------
    ParameterError
        The file has no ``county_name`` column.
    """
    from ..io.load import load_table

    frame = load_table(data_path)
    if "county_name" not in frame.columns:
        raise ParameterError(f"{data_path}: no county_name column, cannot expand county: all")
    if years is not None and "year" in frame.columns:
        wanted = {str(year) for year in years}
        frame = frame[frame["year"].astype(str).isin(wanted)]
    if by_code and "county_code" in frame.columns:
        pairs = frame[["county_code", "county_name"]].dropna().astype(str) \
            .drop_duplicates("county_code")
        shared = pairs["county_name"].duplicated(keep=False)
        return pairs["county_code"].where(shared, pairs["county_name"]).tolist()
    names = frame["county_name"].dropna().astype(str)
    return list(dict.fromkeys(names))
