"""The ``edubalance`` command.

Each module that offers a sub-command defines ``register_cli(subparsers)``, which adds its
parser(s) with ``set_defaults(func=...)``; ``func(args)`` returns the exit code. A command
with a ``--lang`` option also gets ``args.say(key, **values)``: the message catalogue
(:mod:`edubalance.report.i18n`) in that language, so a command defined in a lower layer
(``validate``, in :mod:`edubalance.io.load`) answers in the user's language. Bad input
(``ValueError`` subclasses such as ``DataError`` and ``ParameterError``) is reported in one
readable message with exit code 1, never as a traceback.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

from . import __version__
from .run import skip_slow_optional_imports

# Modules that contribute sub-commands, in the order they appear in --help.
CLI_MODULES = ("io.sample", "io.load", "run.reports", "run.batch", "report.html",
               "report.slides", "report.pdf")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edubalance",
        description="Measure and score the balance of compulsory-education resources "
                    "(义务教育均衡发展) across schools and counties.")
    parser.add_argument("--version", action="version", version=f"edubalance {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in CLI_MODULES:
        module = import_module(f"edubalance.{name}")
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    skip_slow_optional_imports()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    if getattr(args, "lang", None) is not None and not hasattr(args, "say"):
        from .report.i18n import text

        args.say = lambda key, **values: text(key, args.lang, **values)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as error:
        print(f"edubalance {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"edubalance {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
