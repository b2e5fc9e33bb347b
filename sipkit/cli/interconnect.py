"""``sipkit interconnect``: wire-bond parasitics, bump reliability and attachment advice."""

from __future__ import annotations

from ._common import EXIT_FAILED, EXIT_OK, emit, load_design


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser("interconnect",
                       help="wire loops, parasitics, bump EM, solder fatigue, wire bond vs flip chip",
                       description="Analyse the interconnect of a design. Exit status 1 when a given "
                                   "limit is exceeded (wire current, wire gap, EM life, fatigue life).")
    s.add_argument("design", help="design file (.yaml/.json)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("-o", "--output", help="write to this file instead of standard output")
    s.add_argument("--temperature", type=float, default=25.0, metavar="C",
                   help="operating temperature of wires and bumps (°C, default 25)")
    s.add_argument("--frequency", type=float, metavar="GHZ", help="signal frequency (GHz)")
    s.add_argument("--wire-current", type=float, metavar="A",
                   help="current per wire, checked against its limit")
    s.add_argument("--bump-current", type=float, default=0.0, metavar="A", help="current per bump (A)")
    s.add_argument("--cycle", type=float, nargs=2, default=(0.0, 100.0), metavar=("TMIN", "TMAX"),
                   help="temperature cycle for solder fatigue (°C, default 0 100)")
    s.add_argument("--dwell", type=float, default=15.0, metavar="MIN", help="half-cycle dwell (minutes)")
    s.add_argument("--cycles", type=float, metavar="N", help="required fatigue life (cycles)")
    s.add_argument("--em-hours", type=float, metavar="H", help="required median EM life of the bumps (hours)")
    s.add_argument("--min-wire-gap", type=float, metavar="UM", help="required gap between wires (µm)")
    s.add_argument("--volume", choices=("low", "medium", "high"), default="medium",
                   help="production volume class")
    s.add_argument("--catalog", action="append", default=[], metavar="FILE",
                   help="extra wire/bump catalog file or folder (repeatable)")
    s.set_defaults(run=run)


def run(args) -> int:
    """Run the subcommand."""
    from ..interconnect import analyze, load_catalog

    pkg = load_design(args.design)
    catalog = load_catalog(*args.catalog) if args.catalog else None
    report = analyze(pkg, temperature=args.temperature,
                     frequency=args.frequency * 1e9 if args.frequency else None,
                     wire_current=args.wire_current, bump_current=args.bump_current, cycle=tuple(args.cycle),
                     dwell=args.dwell, cycles_target=args.cycles, em_target=args.em_hours,
                     min_wire_gap=args.min_wire_gap, volume=args.volume, catalog=catalog)
    emit(report.to_json() if args.format == "json" else report.text(), args.output)
    return EXIT_OK if report.ok else EXIT_FAILED
