"""Every committed notebook: stripped outputs, the edubalance kernel, one strict parameters cell.

Nothing here starts a kernel: the notebooks' own tests execute each notebook once. These
checks read the files, and use the parameter model the batch uses
(:mod:`edubalance.run.params`) to see that each notebook's parameters cell and its
``check_notebook_parameters`` call agree.
"""
import ast
import json
from pathlib import Path

import pytest

from edubalance.run.params import model_of_notebook, type_ok
from paths import NOTEBOOKS

NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
ROOT = NOTEBOOKS.parent


def _notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _parameters_cell(path):
    cells = _notebook(path)["cells"]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged `parameters`"
    return cells, tagged[0]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    notebook = _notebook(path)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: a code cell has outputs; run `make strip`"
            assert cell.get("execution_count") is None, f"{path.name}: execution counts left in"
    assert "widgets" not in notebook["metadata"], f"{path.name}: widget state left in"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_kernelspec_and_parameters_cell(path):
    notebook = _notebook(path)
    assert notebook["metadata"]["kernelspec"]["name"] == "edubalance"
    cells, tagged = _parameters_cell(path)
    body = ast.parse(_source(cells[tagged])).body
    assert body and all(isinstance(node, (ast.Assign, ast.AnnAssign)) for node in body), \
        f"{path.name}: the parameters cell must hold plain assignments only"
    following = next(_source(c) for c in cells[tagged + 1:] if c["cell_type"] == "code")
    first = ast.parse(following).body[0]
    assert "check_notebook_parameters(globals()" in ast.get_source_segment(following, first), \
        f"{path.name}: the first statement after `parameters` must be " \
        "eb.run.notebook.check_notebook_parameters(globals(), ...), so nothing runs before the check"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_parameters_cell_and_check_agree(path):
    # The batch reads the types from the check_parameters call: every parameter must be in
    # it, with a type its own default passes, and an unknown name must be refused.
    model = model_of_notebook(path)
    cells, tagged = _parameters_cell(path)
    declared = [node.targets[0].id if isinstance(node, ast.Assign) else node.target.id
                for node in ast.parse(_source(cells[tagged])).body]
    assert set(declared) == set(model.parameters), \
        f"{path.name}: parameters cell and check_parameters name different parameters"
    for name in declared:
        parameter = model[name]
        assert parameter.types is not None, f"{path.name}: {name} has no type in check_parameters"
        assert type_ok(parameter.default, parameter.types), \
            f"{path.name}: default {name}={parameter.default!r} fails its own check"
    assert "output_dir" in model.parameters
    problems = model.check_values({"no_such_parameter": 1}, require=False)
    assert [p.kind for p in problems] == ["unknown"]
    assert "no_such_parameter" in problems[0].batch_text()


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_default_data_files_exist(path):
    # Defaults must run as committed (from the project root or notebooks/, find_data_file).
    for name, parameter in model_of_notebook(path).parameters.items():
        if name.endswith(("_path", "_file")) and isinstance(parameter.default, str) \
                and parameter.default:
            assert (ROOT / parameter.default).exists(), f"{path.name}: {name} default missing"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_lang_parameter(path):
    model = model_of_notebook(path)
    if "lang" not in model.parameters:
        pytest.xfail(f"{path.name} has no lang parameter yet (issue 15, notebooks helper)")
    assert model["lang"].default == "zh" and model["lang"].types == (str,)


@pytest.mark.parametrize("call_name", ["check_notebook_parameters", "check_parameters"])
def test_model_reads_types_from_check_parameters(tmp_path, call_name):
    """The batch reads the types from the check call, by its name or its old name."""
    import nbformat

    cell = nbformat.v4.new_code_cell('county = "大武口区"\nyear = 2017\ncluster = None\n'
                                     'output_dir = "out"')
    cell.metadata["tags"] = ["parameters"]
    check = nbformat.v4.new_code_cell(
        f'params = eb.run.notebook.{call_name}(globals(), {{"county": (str, int), '
        '"year": int, "cluster": (str, type(None)), "output_dir": str})')
    nbformat.write(nbformat.v4.new_notebook(cells=[cell, check]), tmp_path / "nb.ipynb")
    model = model_of_notebook(Path(tmp_path / "nb.ipynb"))
    assert model["county"].types == (str, int)  # an integer county code is accepted
    assert model["cluster"].types == (str, type(None))
    assert model.check_values({"county": 640181, "cluster": None}, require=False) == []
    assert [p.batch_text() for p in model.check_values({"year": 2017.5}, require=False)] \
        == ["parameter year=2017.5 should be int, not float"]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_papermill_sees_every_parameter(path):
    """`papermill --help-notebook` and papermill's type inference parse each line of the
    parameters cell: a comment it cannot read (one holding ``=``) hides that parameter."""
    from papermill.translators import PythonTranslator

    cells, tagged = _parameters_cell(path)
    source = _source(cells[tagged])
    names = [target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    found = [parameter.name for parameter in PythonTranslator.inspect({"source": source})]
    assert found == names, f"{path.name}: papermill reads {found}, the cell sets {names}"
