"""The ``sipkit`` command line: a thin layer over the library.

Exit codes: 0 success, 1 a check found violations or limits were exceeded, 2 unusable
input or usage.  User errors print one line (``sipkit: error: ...``), never a
traceback.  Each subcommand imports what it needs when it runs, so ``sipkit --help``
stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

__all__ = ["main"]

from ._common import EXIT_BAD_INPUT, EXIT_OK

#: Subcommand modules of this package, in the order ``--help`` lists them. Each has
#: ``add_parser(subparsers)`` (registering ``run`` as the default ``run``) and imports
#: nothing heavy at module level.
COMMANDS = ["show", "plot", "convert", "drc", "thermal", "warpage", "interconnect"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"sipkit: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sipkit", description="System-in-Package engineering: model, checks and analyses.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f".{name}", __name__)
        module.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from ..errors import SipkitError

    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from .. import __version__

        print(f"sipkit {__version__}")
        return EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except SipkitError as err:
        print(f"sipkit: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        sys.stdout = open(os.devnull, "w")  # kept open for the flush at exit
        return EXIT_OK
    except OSError as err:
        name = f"{err.filename}: " if err.filename else ""
        print(f"sipkit: error: {name}{err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("sipkit: interrupted", file=sys.stderr)
        return 130
