"""A plain-text summary of a package: stack-up, components and counts."""

from __future__ import annotations

__all__ = ["summary", "summary_data"]


def _table(headers, rows) -> list[str]:
    cells = [headers] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in cells[1:]]
    return ["  " + line.rstrip() for line in lines]


def summary(pkg) -> str:
    """Stack-up table, components and counts of `pkg` as text."""
    sub = pkg.substrate
    x0, y0, x1, y1 = sub.bbox()
    lines = [f"Package {pkg.name}" + (f": {pkg.description}" if pkg.description else ""),
             f"  body {(x1 - x0) / 1000:g} x {(y1 - y0) / 1000:g} mm, substrate {sub.thickness:g} µm, "
             f"{len(sub.conductor_layers)} conductor layers, total power {pkg.total_power():g} W",
             "", "Stack-up (top to bottom)"]
    rows = []
    for la in sub.stackup:
        z0, z1 = sub.layer_z(la.name)
        extra = ""
        if la.is_conductor:
            r = sub.routing_of(la.name)
            n_tr = len(r.traces) if r else 0
            n_sh = len(r.shapes) if r else 0
            extra = f"{n_tr} traces, {n_sh} shapes, fill {sub.fill_material(la.name)}"
        rows.append([la.name, la.kind, f"{la.thickness:g}", la.material, f"{z0:g}..{z1:g}", extra])
    lines += _table(["layer", "kind", "µm", "material", "z µm", "content"], rows)
    lines += ["", "Components"]
    rows = []
    for b in pkg.components:
        z0, z1 = pkg.z_range(b.name)
        kind = type(b).__name__.lower()
        how = ""
        if getattr(b, "flip_chip", None):
            fc = b.flip_chip
            how = f"flip chip, {len(fc.positions(b.size))} {fc.bump.kind.replace('_', ' ')}s"
        elif getattr(b, "wire_bond", None):
            how = f"wire bond, {len(b.wire_bond.wires)} wires"
        w, h = b.size
        where = b.side if b.on == "substrate" else f"{b.side}, on {b.on}"
        rows.append([b.name, kind, f"{w / 1000:g} x {h / 1000:g} mm", where, f"{z0:g}..{z1:g}",
                     f"{b.total_power:g}", how])
    lines += _table(["name", "kind", "size", "side", "z µm", "W", "attach"], rows)
    n_vias = len(sub.all_vias())
    n_traces = sum(len(r.traces) for r in sub.routing)
    parts = [f"{n_traces} traces", f"{n_vias} vias", f"{len(sub.fingers)} bond fingers",
             f"{len(sub.all_lands())} lands", f"{len(pkg.nets())} nets"]
    lines += ["", "Counts: " + ", ".join(parts)]
    extras = []
    for m in pkg.molds:
        extras.append(f"mold ({m.side}) {m.thickness:g} µm {m.material}")
    if pkg.lid:
        extras.append(f"lid {pkg.lid.thickness:g} µm {pkg.lid.material}")
    if pkg.heatsink:
        extras.append(f"heat sink {pkg.heatsink.material}")
    for c in pkg.coins:
        extras.append(f"coin {c.name} ({c.from_layer}..{c.to_layer})")
    if pkg.shield:
        extras.append(f"EMI shield {pkg.shield.thickness:g} µm {pkg.shield.material}")
    if extras:
        lines.append("Also: " + "; ".join(extras))
    return "\n".join(lines)


def summary_data(pkg) -> dict:
    """The summary of `pkg` as plain data (µm, W), for ``sipkit show --format json``."""
    sub = pkg.substrate
    layers = []
    for la in sub.stackup:
        z0, z1 = sub.layer_z(la.name)
        item = {"name": la.name, "kind": la.kind, "thickness_um": la.thickness, "material": la.material,
                "z_um": [z0, z1]}
        if la.is_conductor:
            r = sub.routing_of(la.name)
            item.update(fill=sub.fill_material(la.name), traces=len(r.traces) if r else 0,
                        shapes=len(r.shapes) if r else 0)
        layers.append(item)
    comps = []
    for b in pkg.components:
        item = {"name": b.name, "kind": type(b).__name__.lower(), "size_um": list(b.size),
                "at_um": list(b.at), "side": b.side, "on": b.on, "z_um": list(pkg.z_range(b.name)),
                "power_W": b.total_power}
        if getattr(b, "flip_chip", None):
            item["attach"] = "flip_chip"
            item["bumps"] = len(b.flip_chip.positions(b.size))
        elif getattr(b, "wire_bond", None):
            item["attach"] = "wire_bond"
            item["wires"] = len(b.wire_bond.wires)
        comps.append(item)
    x0, y0, x1, y1 = sub.bbox()
    return {
        "name": pkg.name,
        "body_um": [x1 - x0, y1 - y0],
        "substrate_thickness_um": sub.thickness,
        "total_power_W": pkg.total_power(),
        "stackup": layers,
        "components": comps,
        "counts": {"traces": sum(len(r.traces) for r in sub.routing), "vias": len(sub.all_vias()),
                   "fingers": len(sub.fingers), "lands": len(sub.all_lands()), "nets": len(pkg.nets())},
    }
