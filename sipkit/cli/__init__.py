"""The ``sipkit`` command line: a thin layer over the library.

Exit codes: 0 success, 1 a check found violations or limits were exceeded, 2 unusable
input or usage.  User errors print one line (``sipkit: error: ...``), never a
traceback.  Each subcommand imports what it needs when it runs, so ``sipkit --help``
stays instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

_LAYOUT_SUFFIXES = (".gds", ".gds2", ".gdsii", ".oas", ".oasis")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"sipkit: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sipkit", description="System-in-Package engineering: model, checks and analyses.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("show", help="stack-up, components and counts of a design")
    s.add_argument("design", help="design file (.yaml/.json)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("-o", "--output", help="write to this file instead of standard output")
    s.set_defaults(run=_cmd_show)

    s = sub.add_parser("plot", help="draw a design: top view and cross-section")
    s.add_argument("design", help="design file (.yaml/.json)")
    s.add_argument("-o", "--output", required=True, help="picture file (.png, .svg or .pdf)")
    s.add_argument("--view", choices=("top", "section", "both"), default="both")
    s.add_argument("--layers", help="comma-separated conductor layers for the top view (default all)")
    s.add_argument("--side", choices=("top", "bottom"), default="top", help="side seen in the top view")
    s.add_argument("--dpi", type=int, default=150)
    s.set_defaults(run=_cmd_plot)

    s = sub.add_parser("convert", help="convert a design: .yaml <-> .json, or export a layout (.gds/.oas)")
    s.add_argument("input", help="design file (.yaml/.json)")
    s.add_argument("output", help="output file: .yaml, .json, .gds or .oas")
    s.add_argument("--routing-gds", metavar="FILE",
                   help="with a .yaml/.json output: write the routing to this layout file and reference it")
    s.set_defaults(run=_cmd_convert)
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
    except OSError as err:
        name = f"{err.filename}: " if err.filename else ""
        print(f"sipkit: error: {name}{err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except KeyboardInterrupt:
        print("sipkit: interrupted", file=sys.stderr)
        return 130


def _load_design(path: str):
    from ..errors import DesignError
    from ..io import load

    if Path(path).suffix.lower() in _LAYOUT_SUFFIXES:
        raise DesignError("a layout has no stack-up or components: give a design file (.yaml/.json); "
                          "a design can take its routing from a layout with substrate.routing_gds",
                          file=path)
    return load(path)


def _emit(text: str, output: str | None) -> None:
    if output:
        from ..io.design import _write_atomic

        _write_atomic(Path(output), text if text.endswith("\n") else text + "\n")
    else:
        print(text)


def _cmd_show(args) -> int:
    pkg = _load_design(args.design)
    if args.format == "json":
        from ..model.summary import summary_data

        _emit(json.dumps(summary_data(pkg), indent=1), args.output)
    else:
        _emit(pkg.summary(), args.output)
    return EXIT_OK


def _cmd_plot(args) -> int:
    from ..errors import DesignError
    from ..plot import save_figure

    suffix = Path(args.output).suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise DesignError(f"unknown picture type {suffix!r}; use .png, .svg or .pdf", file=args.output)
    pkg = _load_design(args.design)
    layers = [s.strip() for s in args.layers.split(",") if s.strip()] if args.layers else None
    options = {"layers": layers, "side": args.side} if args.view != "section" else {}
    save_figure(pkg, args.output, kind=args.view, dpi=args.dpi, **options)
    print(f"wrote {args.output}")
    return EXIT_OK


def _cmd_convert(args) -> int:
    from ..errors import DesignError

    pkg = _load_design(args.input)
    suffix = Path(args.output).suffix.lower()
    if suffix in _LAYOUT_SUFFIXES:
        if args.routing_gds:
            raise DesignError("--routing-gds applies to .yaml/.json outputs only")
        from ..io.gds import export_layout

        layer_map = export_layout(pkg, Path(args.output))
        print(f"wrote {args.output}")
        for name, spec in layer_map.items():
            print(f"  {spec:>7}  {name}")
        return EXIT_OK
    if suffix not in (".yaml", ".yml", ".json"):
        raise DesignError(f"unknown output type {suffix!r}; use .yaml, .json, .gds or .oas", file=args.output)
    pkg.save(args.output, routing_gds=args.routing_gds)
    print(f"wrote {args.output}")
    return EXIT_OK
