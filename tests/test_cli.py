"""The `edubalance` command: every promised verb is there, bad input never shows a traceback."""
import subprocess
import sys

import pytest

from edubalance.cli import main
from helpers import imported_by, run_python


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
    code = ("import sys\n"
            "from edubalance.cli import skip_slow_optional_imports\n"
            "skip_slow_optional_imports()\n"
            "import nbformat\n"
            "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))\n")
    done = run_python(code, check=True)
    assert done.stdout.strip() == "None", done.stdout + done.stderr


# --------------------------------------------------------------------------- issue 30

def test_sample_out_onto_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["sample", "--scale", "province", "--seed", "1", "--out", str(target)]) == 1
    assert main(["sample", "--scale", "province", "--seed", "1", "--out",
                 str(target / "sub")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
    assert f"{target}:" in err and "a file is in the way" in err
    assert "a part of the path is a file" in err


def test_read_only_folder_is_one_line(tmp_path, monkeypatch, capsys):
    import errno

    from edubalance.run import index

    def refuse(output, lang="zh"):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "index.html"))

    monkeypatch.setattr(index, "write_index", refuse)
    monkeypatch.setattr("edubalance.run.index.write_index", refuse, raising=False)
    assert main(["index", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "permission denied" in err and str(tmp_path) in err and "Traceback" not in err


def test_control_characters_from_data_are_escaped_on_output(tmp_path, capsys):
    from helpers import valid_schools

    frame = valid_schools()
    frame.loc[0, "school_name"] = "\x1b[32mOK\x1b[0m\x07"
    frame.loc[1, "school_id"] = "\x1b]0;pwned\x07"
    path = tmp_path / "s\x1b[1m.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert "\x1b" not in both and "\x07" not in both
    assert "U+001B" in both and "\\u001b" in both


def test_validate_into_a_closed_pipe_has_no_traceback(tmp_path):
    from helpers import valid_schools

    files = []
    for i in range(40):
        path = tmp_path / f"s{i}.csv"
        valid_schools().to_csv(path, index=False)
        files.append(str(path))
    done = subprocess.run(f"{sys.executable} -m edubalance.cli validate {' '.join(files)} "
                          "| head -1", shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_index_refuses_a_folder_with_someone_elses_index(tmp_path, capsys):
    (tmp_path / "index.html").write_text("<html>our intranet</html>", encoding="utf-8")
    assert main(["index", str(tmp_path)]) == 1
    assert "did not write" in capsys.readouterr().err
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "<html>our intranet</html>"


def test_command_modules_name_the_module_of_every_command():
    # A command line naming a command imports only its module: the map must not drift.
    from edubalance import cli

    full = cli.build_parser()
    commands = next(action for action in full._actions
                    if action.dest == "command").choices
    assert set(commands) == set(cli.COMMAND_MODULES)
    assert set(cli.COMMAND_MODULES.values()) == set(cli.CLI_MODULES)
    for command, module in cli.COMMAND_MODULES.items():
        alone = cli.build_parser(command)
        choices = next(action for action in alone._actions if action.dest == "command").choices
        assert command in choices, (command, module)


def test_batch_command_line_imports_neither_pandas_nor_the_other_commands():
    # edubalance batch starts its workers sooner: building its parser imports no pandas.
    code = ("from edubalance.cli import build_parser\n"
            "args = build_parser('batch').parse_args(['batch', 'jobs.yaml'])\n"
            "assert args.command == 'batch'\n")
    heavy = ("pandas", "numpy", "matplotlib", "nbconvert", "papermill", "playwright",
             "edubalance.io.sample", "edubalance.report.pdf")
    assert imported_by(code, heavy) == []


def test_the_console_script_runs_main_and_leaves_the_last_collection_out(monkeypatch):
    import gc
    import tomllib
    from pathlib import Path

    from edubalance import cli

    calls = []
    monkeypatch.setattr(cli, "main", lambda: calls.append("main") or 3)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    assert cli.console() == 3
    assert calls == ["main", "freeze"]

    def interrupted():
        calls.append("main")
        raise SystemExit(2)   # argparse's --help and errors end this way

    calls.clear()
    monkeypatch.setattr(cli, "main", interrupted)
    with pytest.raises(SystemExit):
        cli.console()
    assert calls == ["main", "freeze"]
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["edubalance"] == "edubalance.cli:console"
