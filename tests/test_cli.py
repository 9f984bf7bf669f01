"""The `edubalance` command: every promised verb is there, bad input never shows a traceback."""
import subprocess
import sys

import pytest

from edubalance.cli import main


def test_help_lists_every_verb(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for verb in ["batch", "sample", "validate", "index", "slides"]:
        assert verb in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_installed_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "edubalance.cli", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "edubalance" in result.stdout


def test_bad_input_is_one_line_not_a_traceback(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    code = main(["validate", str(missing)])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err + captured.out
    assert "nope.csv" in captured.err + captured.out


def test_batch_help_offers_the_running_options(capsys):
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    out = capsys.readouterr().out
    for option in ["--pdf", "--keep", "--engine", "--resume", "--lang", "--first", "--wait-lock"]:
        assert option in out
    assert "warm (default)" in out


def test_bad_batch_file_is_one_line(tmp_path, capsys):
    spec = tmp_path / "b.yaml"
    spec.write_text("notebook: nb.ipynb\nnotebook: other.ipynb\n")
    assert main(["batch", str(spec), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "given twice" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_edubalance_processes_skip_the_slow_iri_grammar_and_still_validate_notebooks():
    import subprocess
    import sys

    code = ("import sys\n"
            "from edubalance.cli import skip_slow_optional_imports\n"
            "skip_slow_optional_imports()\n"
            "import nbformat\n"
            "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "None", done.stdout + done.stderr
