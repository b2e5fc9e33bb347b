"""``sipkit plot``: top view and cross-section of a design as a picture."""

from __future__ import annotations

from pathlib import Path

from ._common import EXIT_OK, load_design


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser("plot", help="draw a design: top view and cross-section")
    s.add_argument("design", help="design file (.yaml/.json)")
    s.add_argument("-o", "--output", required=True, help="picture file (.png, .svg or .pdf)")
    s.add_argument("--view", choices=("top", "section", "both"), default="both")
    s.add_argument("--layers", help="comma-separated conductor layers for the top view (default all)")
    s.add_argument("--side", choices=("top", "bottom"), default="top", help="side seen in the top view")
    s.add_argument("--dpi", type=int, default=150)
    s.set_defaults(run=run)


def run(args) -> int:
    """Run the subcommand."""
    from ..errors import DesignError
    from ..plot import save_figure

    suffix = Path(args.output).suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise DesignError(f"unknown picture type {suffix!r}; use .png, .svg or .pdf", file=args.output)
    pkg = load_design(args.design)
    layers = [s.strip() for s in args.layers.split(",") if s.strip()] if args.layers else None
    options = {"layers": layers, "side": args.side} if args.view != "section" else {}
    save_figure(pkg, args.output, kind=args.view, dpi=args.dpi, **options)
    print(f"wrote {args.output}")
    return EXIT_OK
