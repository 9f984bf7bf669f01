"""Parameter checks and result writing shared by every notebook."""
import json
import os
import types

import numpy as np
import pandas as pd
import pytest

from edubalance.run.notebook import (
    ParameterError,
    check_notebook_parameters,
    neutralise_formulas,
    to_jsonable,
    write_results,
)

SPEC = {"data_path": str, "county": str, "year": int, "threshold": float, "cluster": (str, type(None)),
        "features": list, "standardize": bool, "output_dir": str}
GOOD = {"data_path": "x.csv", "county": "灵武市", "year": 2017, "threshold": 0.5, "cluster": None,
        "features": [], "standardize": True, "output_dir": "out"}


def test_good_parameters_pass_and_modules_functions_and_private_names_are_ignored():
    namespace = dict(GOOD, eb=types.ModuleType("eb"), _private=1, In=[], Out={}, helper=len,
                     Path=os.PathLike)
    assert check_notebook_parameters(namespace, SPEC) == GOOD


def test_int_is_accepted_for_float_but_bool_is_not_an_int():
    assert check_notebook_parameters(dict(GOOD, threshold=1), SPEC)["threshold"] == 1
    with pytest.raises(ParameterError, match=r"year=True should be int"):
        check_notebook_parameters(dict(GOOD, year=True), SPEC)


def test_old_name_of_the_check_warns_and_checks_the_same():
    from edubalance.run import notebook

    with pytest.warns(DeprecationWarning, match="check_notebook_parameters"):
        assert notebook.check_parameters(GOOD, SPEC) == GOOD
    with pytest.warns(DeprecationWarning), pytest.raises(ParameterError, match="yeer"):
        notebook.check_parameters(dict(GOOD, yeer=1), SPEC)


def test_every_problem_is_reported_at_once():
    bad = dict(GOOD, yeer=2017, county=640181)
    del bad["output_dir"]
    with pytest.raises(ParameterError) as error:
        check_notebook_parameters(bad, SPEC)
    message = str(error.value)
    assert "unknown parameter(s): yeer" in message
    assert "missing parameter(s): output_dir" in message
    assert "county=640181 should be str, not int" in message
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("灵武市", "灵武市"), ("a=b", "a=b"),
])
def test_formula_cells_are_neutralised(text, expected):
    frame = pd.DataFrame({"name": [text], "value": [-3.5]})
    out = neutralise_formulas(frame)
    assert out.loc[0, "name"] == expected
    assert out.loc[0, "value"] == -3.5  # numbers untouched
    assert frame.loc[0, "name"] == text  # input untouched


def test_json_conversion_writes_null_for_nan():
    value = {"a": np.float64("nan"), "b": [np.int64(2), pd.NA], "c": np.bool_(False), "d": float("inf")}
    assert to_jsonable(value) == {"a": None, "b": [2, None], "c": False, "d": None}


def test_write_results_is_complete_and_safe(tmp_path):
    table = pd.DataFrame({"county": ["=cmd|' /C calc'!A0", "灵武市"], "cv": [0.1, np.nan]})
    written = write_results(tmp_path / "out", {"cv": np.nan, "county": "灵武市"}, {"cv": table})
    assert set(written) == {"cv", "summary"}
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary == {"cv": None, "county": "灵武市"}
    raw = (tmp_path / "out" / "cv.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese correctly
    back = pd.read_csv(tmp_path / "out" / "cv.csv", encoding="utf-8-sig")
    assert back.loc[0, "county"].startswith("'=")
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_write_results_leaves_nothing_on_failure(tmp_path):
    # The tables are written first; the summary then fails to serialise.
    with pytest.raises(TypeError):
        write_results(tmp_path, {"a": object()}, {"good": pd.DataFrame({"a": [1]})})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stem", ["../escape", "a/b", "..", ""])
def test_table_names_cannot_escape_the_output_folder(tmp_path, stem):
    with pytest.raises(ValueError):
        write_results(tmp_path / "out", None, {stem: pd.DataFrame({"a": [1]})})


def test_categorical_text_columns_are_neutralised_too():
    frame = pd.DataFrame({"name": pd.Categorical(["=1+1", "灵武市"])})
    assert neutralise_formulas(frame)["name"].tolist() == ["'=1+1", "灵武市"]


def test_data_files_are_found_from_the_notebooks_folder(root, monkeypatch):
    # JupyterLab and Voila start kernels in notebooks/; papermill and the batch in the root.
    from edubalance.run.notebook import find_data_file

    monkeypatch.chdir(root / "notebooks")
    found = find_data_file("data/sample/schools.csv")
    assert found.resolve() == (root / "data" / "sample" / "schools.csv").resolve()
    with pytest.raises(FileNotFoundError, match="looked in"):
        find_data_file("data/sample/no_such_file.csv")
