"""The warm engine makes kernel messages into outputs without a schema check per output; the
executed notebook is still validated whole when its report is exported."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import nbbase, output_from_msg

from edubalance.report.html import export_html
from edubalance.run import engines

# A display message with a field the output schema does not allow.
ODD = {"header": {"msg_type": "display_data"},
       "content": {"data": {"text/plain": "x"}, "metadata": {}, "transient": {}}}


def odd_output():
    output = output_from_msg(ODD)
    output["metadata"] = "metadata must be a mapping"
    return output


def test_outputs_are_not_validated_one_by_one_inside_the_block_only():
    real = nbbase.validate
    with pytest.raises(nbformat.ValidationError):
        nbbase.new_output("display_data", data={"text/plain": "x"}, bogus=1)
    with engines._outputs_unvalidated():
        output = nbbase.new_output("display_data", data={"text/plain": "x"}, bogus=1)
        assert output["bogus"] == 1
        assert output_from_msg(ODD)["data"] == {"text/plain": "x"}
    assert nbbase.validate is real
    with pytest.raises(RuntimeError), engines._outputs_unvalidated():
        raise RuntimeError("a job that fails")
    assert nbbase.validate is real   # given back after an error too
    with pytest.raises(nbformat.ValidationError):
        nbbase.new_output("display_data", data={"text/plain": "x"}, bogus=1)


def test_the_export_still_validates_the_executed_notebook(tmp_path):
    cell = nbformat.v4.new_code_cell("1")
    with engines._outputs_unvalidated():
        cell.outputs = [odd_output()]
        notebook = nbformat.v4.new_notebook(cells=[cell])
    with pytest.raises(nbformat.ValidationError):
        export_html(notebook, tmp_path / "report.html")
    cell.outputs[0]["metadata"] = {}
    assert export_html(notebook, tmp_path / "report.html").is_file()
