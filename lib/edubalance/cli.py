"""The ``edubalance`` command.

Each module that offers a sub-command defines ``register_cli(subparsers)``, which adds its
parser(s) with ``set_defaults(func=...)``; ``func(args)`` returns the exit code. A command
with a ``--lang`` option also gets ``args.say(key, **values)``: the message catalogue
(:mod:`edubalance.report.i18n`) in that language, so a command defined in a lower layer
(``validate``, in :mod:`edubalance.io.load`) answers in the user's language. Bad input
(``ValueError`` subclasses such as ``DataError`` and ``ParameterError``) and every ``OSError``
(an output path that is a file, a read-only folder) are reported in one readable message naming
the path, with exit code 1, never as a traceback; a closed pipe (``validate ... | head -1``)
ends the command quietly. Control characters from data files are escaped on output.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

from . import __version__
from .run import skip_slow_optional_imports

# Modules that contribute sub-commands, in the order they appear in --help.
CLI_MODULES = ("io.sample", "io.load", "run.reports", "run.batch", "run.index",
               "report.slides", "report.pdf", "report.evidence_form")
# The module of each sub-command (tests/test_cli.py checks it against CLI_MODULES): a command
# line naming one imports only that module. Most of the others import pandas at the top, half
# a second (more on a loaded machine) that ``edubalance batch`` would spend before its workers
# start.
COMMAND_MODULES = {"sample": "io.sample", "validate": "io.load", "report": "run.reports",
                   "batch": "run.batch", "index": "run.index", "slides": "report.slides",
                   "pdf": "report.pdf", "evidence-form": "report.evidence_form"}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``edubalance`` command's parser, with the sub-commands of ``CLI_MODULES``.

    Parameters
    ----------
    command : str, optional
        A sub-command's name: only the module that defines it (``COMMAND_MODULES``) is
        imported and registered, when it is one of ``CLI_MODULES``. Default (or an unknown
        name): every module's sub-commands, as ``--help`` lists them.

    Returns
    -------
    argparse.ArgumentParser
        Each sub-command's parser sets ``func`` (its handler) in the parsed arguments.

    Examples
    --------
    >>> build_parser("batch").parse_args(["batch", "jobs.yaml"]).command
    'batch'
    """
    parser = argparse.ArgumentParser(
        prog="edubalance",
        description="Measure and score the balance of compulsory-education resources "
                    "(义务教育均衡发展) across schools and counties.")
    parser.add_argument("--version", action="version", version=f"edubalance {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = CLI_MODULES
    if COMMAND_MODULES.get(command) in CLI_MODULES:
        modules = (COMMAND_MODULES[command],)
    for name in modules:
        module = import_module(f"edubalance.{name}")
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(subparsers)
    return parser


class SafeOutput:
    r"""A text stream that writes control and invisible characters as ``\u001b``.

    Nothing from a data file (a school name holding ESC) reaches the terminal raw. Every other
    attribute is the wrapped stream's.

    Parameters
    ----------
    stream : text stream
        Where the escaped text goes (``sys.stdout``).
    """

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` to the stream, its control and invisible characters escaped.

        Parameters
        ----------
        text : str
            The text to write.

        Returns
        -------
        int
            What the wrapped stream's ``write`` returns (characters written, escaped).
        """
        from .io.characters import escape

        return self._stream.write(escape(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _os_message(error: OSError) -> str:
    """One line for an OSError: what failed and on which path."""
    import errno as codes

    path = error.filename or ""
    reason = {codes.EACCES: "permission denied", codes.EROFS: "read-only file system",
              codes.ENOTDIR: "a part of the path is a file, not a folder",
              codes.EEXIST: "already exists", codes.EISDIR: "is a folder, not a file",
              codes.ENOSPC: "no space left on the device",
              codes.ENOENT: "no such file or folder"}.get(error.errno,
                                                          error.strerror or str(error))
    if isinstance(error, (NotADirectoryError, FileExistsError)) and error.filename:
        reason = {NotADirectoryError: "a part of the path is a file, not a folder",
                  FileExistsError: "a file is in the way (a folder is needed)"}[type(error)]
    return f"cannot write or read {path!s}: {reason}" if path else f"{reason}"


def main(argv: list[str] | None = None) -> int:
    """Run the ``edubalance`` command (the console script's entry point).

    Errors are reported as the module docstring says, never as a traceback.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program's name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: the sub-command's (0 on success), 1 for bad input or a file system
        error, 2 without a sub-command (the help is printed), 130 when interrupted, 141 when
        the output pipe was closed. ``--help``, ``--version`` and a command line argparse
        rejects exit through :class:`SystemExit` instead.
    """
    skip_slow_optional_imports()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2

    def escape(text: str) -> str:  # io.characters imports pandas: only when there is an error
        from .io.characters import escape

        return escape(text)

    stdout = sys.stdout
    sys.stdout = SafeOutput(stdout)
    if getattr(args, "lang", None) is not None and not hasattr(args, "say"):
        from .report.i18n import text

        args.say = lambda key, **values: text(key, args.lang, **values)
    try:
        code = int(args.func(args) or 0)
        stdout.flush()  # a closed pipe is seen here, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader went away (``validate ... | head -1``): stop quietly, as cat does.
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except (ValueError, FileNotFoundError) as error:
        print(escape(f"edubalance {args.command}: error: {error}"), file=sys.stderr)
        return 1
    except OSError as error:
        print(escape(f"edubalance {args.command}: error: {_os_message(error)}"),
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"edubalance {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = stdout


def console() -> int:
    """The ``edubalance`` console script: :func:`main`, then an exit without a last collection.

    What is alive when the command ends is left out of the interpreter's garbage collections
    at exit (``gc.freeze``): objects are still released and finalised one by one, files
    closed, ``atexit`` handlers run; only the full passes over every object of pandas,
    Jupyter's and the report's libraries are skipped, 0.1 s at the end of each ``edubalance
    batch`` (measured with ``strace``: from the index's rename to ``exit_group``, 0.11 ->
    0.02 s). Not in :func:`main`, which tests and users call in a process that goes on.

    Returns
    -------
    int
        :func:`main`'s exit code.
    """
    import gc

    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(console())
