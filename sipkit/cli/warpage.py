"""``sipkit warpage``: warpage of a package or a solid model, at a temperature or across reflow."""

from __future__ import annotations

from ._common import EXIT_FAILED, EXIT_OK, emit


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser(
        "warpage", help="package warpage at a temperature or across a reflow profile",
        description="Estimate package warpage (laminate theory per tile and a free Kirchhoff plate) of a "
                    "package design or a solid-model file, at one temperature (--at, 25 °C by default) or "
                    "across a reflow profile (--profile). Sign per JEDEC JESD22-B112A / JEITA ED-7306: "
                    "positive convex (centre above the corners seen from the top). Exit 1 when the warpage "
                    "leaves the allowed band for the ball pitch.")
    s.add_argument("design", help="package design or solid-model file (.yaml/.json)")
    when = s.add_mutually_exclusive_group()
    when.add_argument("--profile", metavar="PRESET",
                      help="reflow profile preset (reflow-jedec-pbfree) or a profile file")
    when.add_argument("--at", metavar="T", help="temperature (°C), e.g. 260 or '260 degC'")
    s.add_argument("--stress-free", metavar="T",
                   help="stress-free temperature (°C); default: the model's, or 175")
    s.add_argument("--pitch", metavar="P", help="ball pitch for the allowed band, e.g. 800 (µm) or '0.8 mm'; "
                                               "a package's own pitch by default")
    s.add_argument("--standard", help="band table: jeita-ed-7306 (default) or jedec-spp-024")
    s.add_argument("--limits", metavar="LO,HI",
                   help="explicit allowed band of signed warpage (µm), e.g. --limits=-80,80")
    s.add_argument("--grid", type=int, metavar="N", help="plate cells along the longer side (default 100)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--plot", metavar="FILE", help="write a figure (.png, .svg or .pdf)")
    s.add_argument("-o", "--output", help="write the report to this file instead of standard output")
    s.set_defaults(run=run)


def _limits(text):
    from ..errors import DesignError

    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise DesignError(f"--limits expects LO,HI in µm, got {text!r}") from None
    return lo, hi


def run(args) -> int:
    """Run the subcommand."""
    import sys

    from ..errors import DesignError
    from ..warpage import estimate

    if args.grid is not None and args.grid < 3:
        raise DesignError(f"--grid needs at least 3 cells, got {args.grid}")
    result = estimate(args.design, temperature=args.at, profile=args.profile, stress_free=args.stress_free,
                      grid=args.grid, pitch=args.pitch, standard=args.standard,
                      limits=_limits(args.limits) if args.limits else None)
    text = result.to_json() if args.format == "json" else result.summary()
    emit(text, args.output)
    if args.plot:
        result.save_figure(args.plot)
        if args.format == "text" and args.output is None:
            print(f"wrote {args.plot}")
    if result.passed is False:
        band = result.band
        where, worst = result.temperature, result.signed
        if result.profile is not None:
            prof = result.profile
            excess = [max(band.lower - s, s - band.upper) for s in prof.signed]
            k = max(range(len(excess)), key=excess.__getitem__)
            where, worst = float(prof.temperatures[k]), float(prof.signed[k])
        print(f"sipkit: warpage {worst:+.1f} µm at {where:g} °C leaves the allowed band "
              f"[{band.lower:+.0f}, {band.upper:+.0f}] µm ({band.standard})", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
