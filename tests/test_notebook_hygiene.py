"""Every committed notebook: stripped outputs, the edubalance kernel, one strict parameters cell."""
import ast
import json

import pytest

from conftest import NOTEBOOKS

NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: a code cell has outputs; run `make strip`"
            assert cell.get("execution_count") is None, f"{path.name}: execution counts left in"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_kernelspec_and_parameters_cell(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "edubalance"
    cells = notebook["cells"]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged `parameters`"
    body = ast.parse(_source(cells[tagged[0]])).body
    assert body and all(isinstance(node, (ast.Assign, ast.AnnAssign)) for node in body), \
        f"{path.name}: the parameters cell must hold plain assignments only"
    following = next(_source(c) for c in cells[tagged[0] + 1:] if c["cell_type"] == "code")
    assert "check_parameters(globals()" in following, \
        f"{path.name}: the cell after `parameters` must call eb.notebook.check_parameters(globals(), ...)"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_unknown_parameter_fails_before_any_work(path, tmp_path):
    import papermill as pm

    out = tmp_path / "out"
    with pytest.raises(pm.PapermillExecutionError) as error:
        pm.execute_notebook(str(path), str(tmp_path / "executed.ipynb"), kernel_name="edubalance",
                            parameters={"output_dir": str(out), "no_such_parameter": 1},
                            progress_bar=False, cwd=str(NOTEBOOKS.parent))
    assert "no_such_parameter" in str(error.value)
    assert not out.exists() or not any(out.iterdir()), "work was done before the check"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_runs_with_its_defaults_from_the_notebooks_folder(path, tmp_path):
    # JupyterLab starts the kernel in notebooks/, so the default relative data paths must
    # resolve from there too; only output_dir is overridden.
    import papermill as pm

    out = tmp_path / "out"
    pm.execute_notebook(str(path), str(tmp_path / "executed.ipynb"), kernel_name="edubalance",
                        parameters={"output_dir": str(out)}, progress_bar=False,
                        cwd=str(NOTEBOOKS))
    assert any(out.iterdir()), f"{path.name} wrote no results"
