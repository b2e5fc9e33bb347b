"""``sipkit convert``: design files between YAML and JSON, or a layout of the package."""

from __future__ import annotations

from pathlib import Path

from ._common import EXIT_OK, LAYOUT_SUFFIXES, load_design


def add_parser(sub) -> None:
    """Register the subcommand."""
    s = sub.add_parser("convert", help="convert a design: .yaml <-> .json, or export a layout (.gds/.oas)")
    s.add_argument("input", help="design file (.yaml/.json)")
    s.add_argument("output", help="output file: .yaml, .json, .gds or .oas")
    s.add_argument("--routing-gds", metavar="FILE",
                   help="with a .yaml/.json output: write the routing to this layout file and reference it")
    s.set_defaults(run=run)


def run(args) -> int:
    """Run the subcommand."""
    from ..errors import DesignError

    suffix = Path(args.output).suffix.lower()
    if suffix not in (*LAYOUT_SUFFIXES, ".yaml", ".yml", ".json"):
        raise DesignError(f"unknown output type {suffix!r}; use .yaml, .json, .gds or .oas", file=args.output)
    pkg = load_design(args.input)
    if suffix in LAYOUT_SUFFIXES:
        if args.routing_gds:
            raise DesignError("--routing-gds applies to .yaml/.json outputs only")
        from ..io.gds import export_layout

        layer_map = export_layout(pkg, Path(args.output))
        print(f"wrote {args.output}")
        for name, spec in layer_map.items():
            print(f"  {spec!s:>7}  {name}")
        return EXIT_OK
    pkg.save(args.output, routing_gds=args.routing_gds)
    print(f"wrote {args.output}")
    return EXIT_OK
