"""``sipkit thermal``: steady or transient temperatures of a package or a solid model."""

from __future__ import annotations

from ._common import EXIT_FAILED, EXIT_OK, emit


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser(
        "thermal", help="junction temperatures and JEDEC metrics (steady or transient)",
        description="Solve heat conduction in a package design or a solid-model file. A package gets "
                    "the JEDEC still-air preset on the JESD51-7 board unless --boundary says otherwise; "
                    "a solid model keeps its own boundaries.")
    s.add_argument("design", help="package design or solid-model file (.yaml/.json)")
    s.add_argument("--boundary", help="boundary preset (still-air, forced-air-1ms, forced-air-2ms, "
                                      "forced-air-3ms, cold-plate) or a preset file")
    s.add_argument("--power", action="append", default=[], metavar="NAME=W",
                   help="power of a die, passive or box (repeatable), e.g. --power npu=3.5")
    s.add_argument("--ambient", type=float, help="ambient temperature (°C)")
    s.add_argument("--resolution", help="largest in-plane cell, e.g. 200 (µm) or '0.2 mm'")
    s.add_argument("--no-board", action="store_true", help="do not mount a package on the preset's board")
    s.add_argument("--linear", action="store_true", help="keep conductivities at their card values")
    s.add_argument("--jedec", action="store_true", help="also compute θJC and θJB (two more solves)")
    s.add_argument("--precision", choices=("auto", "float32", "float64"), default="auto",
                   help="arithmetic of the multigrid cycle (auto: float32 from 200,000 cells)")
    s.add_argument("--limit", type=float, metavar="TJ", help="exit 1 if a junction exceeds this (°C)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--plot", metavar="FILE", help="write a figure (.png, .svg or .pdf)")
    s.add_argument("-o", "--output", help="write the report to this file instead of standard output")
    t = s.add_argument_group("transient")
    t.add_argument("--transient", action="store_true", help="run a transient instead of a steady solve")
    t.add_argument("--end", help="end time, e.g. 10 (s) or '50 ms'")
    t.add_argument("--pulse", metavar="PERIOD,DUTY", help="pulse train: period (s) and duty cycle (0-1)")
    t.add_argument("--step-at", metavar="T", help="power switches on at this time (s); default 0")
    t.add_argument("--times", metavar="T1,T2,...", help="output times (s); default 60 log-spaced times")
    t.add_argument("--dt", help="first time step (s)")
    t.add_argument("--initial", default="ambient", help="initial state: ambient, steady, or a temperature")
    s.set_defaults(run=run)


def _powers(items):
    from ..errors import DesignError

    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise DesignError(f"--power expects NAME=W, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _times(text):
    from ..errors import DesignError

    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise DesignError(f"--times expects comma-separated seconds, got {text!r}") from None


def run(args) -> int:
    """Run the subcommand."""
    import json

    from ..errors import DesignError
    from ..thermal import Waveform, load_design, solve, transient
    from ..thermal.plots import save_thermal_figure

    design = load_design(args.design)
    common = {"power": _powers(args.power) or None, "ambient": args.ambient,
              "resolution": args.resolution, "board": not args.no_board, "precision": args.precision}
    if args.transient:
        if args.end is None:
            raise DesignError("a transient run needs --end (the end time)")
        if args.pulse and args.step_at:
            raise DesignError("give --pulse or --step-at, not both")
        if args.pulse:
            try:
                period, duty = (float(v) for v in args.pulse.split(","))
            except ValueError:
                raise DesignError(f"--pulse expects PERIOD,DUTY, got {args.pulse!r}") from None
            wave = Waveform.pulse(period, duty)
        else:
            wave = Waveform.step(float(args.step_at) if args.step_at else 0.0)
        initial = args.initial
        if initial not in ("ambient", "steady"):
            try:
                initial = float(initial)
            except ValueError:
                raise DesignError(f"--initial expects ambient, steady or a temperature, got {initial!r}") \
                    from None
        result = transient(design, args.boundary, t_end=args.end, waveform=wave, nonlinear=not args.linear,
                           times=_times(args.times) if args.times else None, dt=args.dt, initial=initial,
                           **common)
        peak = max((float(d["tj_max"].max()) for d in result.dies.values()), default=float("nan"))
        if args.format == "json":
            text = json.dumps(result.to_dict(), indent=1, allow_nan=False)
        else:
            lines = [f"Transient: {result.steps} steps to {result.times[-1]:.4g} s, {result.info.iterations} "
                     f"iterations, worst residual {result.info.residual:.1e}, energy balance "
                     f"{result.info.energy_balance:.1e}",
                     f"  {'t (s)':>10s} " + " ".join(f"{n[:12]:>12s}" for n in result.dies)]
            for n, t in enumerate(result.times):
                row = " ".join(f"{d['tj_max'][n]:12.2f}" for d in result.dies.values())
                lines.append(f"  {t:10.4g} {row}")
            text = "\n".join(lines)
    else:
        result = solve(design, args.boundary, nonlinear=not args.linear, jedec=args.jedec, **common)
        peak = max((d.tj_max for d in result.dies.values()), default=result.max)
        text = result.to_json() if args.format == "json" else result.summary()
    emit(text, args.output)
    if args.plot:
        save_thermal_figure(result, args.plot)
        if args.format == "text" and args.output is None:
            print(f"wrote {args.plot}")
    if args.limit is not None and peak > args.limit:
        import sys

        print(f"sipkit: junction temperature {peak:.2f} °C exceeds the limit {args.limit:g} °C",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
