"""``sipkit drc``: check a design or a layout against a rule deck."""

from __future__ import annotations

from ._common import EXIT_FAILED, EXIT_OK, emit


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser("drc", help="design-rule check of a design file or a GDSII/OASIS layout")
    s.add_argument("design", help="design file (.yaml/.json) or layout (.gds/.oas)")
    s.add_argument("--deck", default="organic-25um",
                   help="built-in deck name or deck file (default organic-25um)")
    s.add_argument("--format", choices=("text", "json", "lyrdb", "junit"), default="text")
    s.add_argument("--cell", help="top cell of a layout with several top cells")
    s.add_argument("-o", "--output", help="write the report to this file instead of standard output")
    s.set_defaults(run=run)


def run(args) -> int:
    """Run the subcommand: exit 1 when a rule of severity error found violations."""
    from ..drc import check

    report = check(args.design, deck=args.deck, cell=args.cell)
    writers = {"text": report.to_text, "json": report.to_json, "lyrdb": report.to_lyrdb,
               "junit": report.to_junit}
    emit(writers[args.format](), args.output)
    return EXIT_OK if report.clean else EXIT_FAILED
