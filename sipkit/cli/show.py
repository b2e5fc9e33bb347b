"""``sipkit show``: stack-up, components and counts of a design."""

from __future__ import annotations

from ._common import EXIT_OK, emit, load_design


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser("show", help="stack-up, components and counts of a design")
    s.add_argument("design", help="design file (.yaml/.json)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("-o", "--output", help="write to this file instead of standard output")
    s.set_defaults(run=run)


def run(args) -> int:
    """Run the subcommand."""
    pkg = load_design(args.design)
    if args.format == "json":
        import json

        from ..model.summary import summary_data

        emit(json.dumps(summary_data(pkg), indent=1), args.output)
    else:
        emit(pkg.summary(), args.output)
    return EXIT_OK
