"""Rules on package features: vias, bond fingers, shorts, and the placement of components."""

from __future__ import annotations

import math

import numpy as np

from .report import Violation

__all__ = ["RUNNERS"]


def _v(rule, value, marker, bbox, layers=(), nets=(), message=""):
    return Violation(rule.id, rule.check, tuple(layers), tuple(n for n in nets if n), value, rule.limit_text,
                     marker, tuple(float(v) for v in bbox), rule.severity, message)


def _circle_box(x, y, r):
    return (x - r, y - r, x + r, y + r)


def annular_ring(rule, pkg):
    """Capture pad beyond the drill, per side: (pad - drill) / 2 of every via."""
    out = []
    for v in pkg.substrate.all_vias():
        ring = (v.pad - v.drill) / 2
        if ring < rule.min:
            out.append(_v(rule, round(ring, 6), ("point", v.at), _circle_box(*v.at, v.pad / 2),
                          (v.from_layer, v.to_layer), (v.net,)))
    return out


def via_spacing(rule, pkg):
    """Drill edge to drill edge between vias that pass through a common dielectric.

    Vias meeting on one conductor only (stacked microvias, L1-L2 on L2-L3) are drilled
    through different dielectrics and are not compared.
    """
    from scipy.spatial import cKDTree

    vias = pkg.substrate.all_vias()
    if len(vias) < 2:
        return []
    order = {la.name: i for i, la in enumerate(pkg.substrate.conductor_layers)}
    xy = np.array([v.at for v in vias])
    r = np.array([v.drill / 2 for v in vias])
    span = np.array([(order[v.from_layer], order[v.to_layer]) for v in vias])
    tree = cKDTree(xy)
    out = []
    for i, j in sorted(tree.query_pairs(2 * r.max() + rule.min)):
        if max(span[i, 0], span[j, 0]) >= min(span[i, 1], span[j, 1]):
            continue  # no dielectric in common
        gap = float(np.hypot(*(xy[i] - xy[j])) - r[i] - r[j])
        if gap < rule.min:
            a, b = vias[i], vias[j]
            box = (min(a.at[0], b.at[0]), min(a.at[1], b.at[1]), max(a.at[0], b.at[0]), max(a.at[1], b.at[1]))
            out.append(_v(rule, round(gap, 6), ("box", box), box, (a.from_layer, a.to_layer), (a.net, b.net)))
    return out


def finger_width(rule, pkg):
    """Width (the smaller side) of every bond finger."""
    out = []
    for f in pkg.substrate.fingers:
        w = min(f.size)
        if w < rule.min:
            pts = f.polygon
            xs = [p[0] for p in pts]
            ys = [p[1] for p in pts]
            out.append(_v(rule, round(w, 6), ("polygon", pts), (min(xs), min(ys), max(xs), max(ys)),
                          (f.layer or pkg.substrate.conductor_layers[0].name,), (f.net,), f.name))
    return out


def finger_pitch(rule, pkg):
    """Centre distance between each bond finger and its nearest neighbour on the same layer."""
    from scipy.spatial import cKDTree

    fingers = pkg.substrate.fingers
    if len(fingers) < 2:
        return []
    top = pkg.substrate.conductor_layers[0].name
    out = []
    xy = np.array([f.at for f in fingers])
    tree = cKDTree(xy)
    for i, j in sorted(tree.query_pairs(rule.min)):
        a, b = fingers[i], fingers[j]
        if (a.layer or top) != (b.layer or top):
            continue
        d = float(np.hypot(*(xy[i] - xy[j])))
        if d < rule.min:
            box = (min(a.at[0], b.at[0]), min(a.at[1], b.at[1]), max(a.at[0], b.at[0]), max(a.at[1], b.at[1]))
            out.append(_v(rule, round(d, 6), ("box", box), box, (a.layer or top,), (a.net, b.net),
                          f"{a.name} - {b.name}"))
    return out


def _bodies(pkg, flip_only=False):
    items = [*pkg.dies, *pkg.interposers]
    return [b for b in items if not flip_only or b.flip_chip is not None]


def bump_pitch(rule, pkg):
    """Centre pitch of the bumps of each flip-chip die or interposer."""
    from scipy.spatial import cKDTree

    out = []
    for b in _bodies(pkg, flip_only=True):
        pts = b.to_package(b.flip_chip.positions(b.size))
        if len(pts) < 2:
            continue
        tree = cKDTree(pts)
        for i, j in sorted(tree.query_pairs(rule.min)):
            d = float(np.hypot(*(pts[i] - pts[j])))
            if d < rule.min:
                box = (min(pts[i, 0], pts[j, 0]), min(pts[i, 1], pts[j, 1]),
                       max(pts[i, 0], pts[j, 0]), max(pts[i, 1], pts[j, 1]))
                out.append(_v(rule, round(d, 6), ("box", box), box, (), (), b.name))
    return out


def bump_die_edge(rule, pkg):
    """Bump edge to the edge of its die or interposer."""
    out = []
    for b in _bodies(pkg, flip_only=True):
        local = b.flip_chip.positions(b.size)
        r = b.flip_chip.bump.diameter / 2
        sides = [local[:, 0], local[:, 1], b.size[0] - local[:, 0], b.size[1] - local[:, 1]]
        gap = np.minimum.reduce(sides) - r
        pts = b.to_package(local)
        for k in np.nonzero(gap < rule.min)[0].tolist():
            out.append(_v(rule, round(float(gap[k]), 6), ("point", tuple(pts[k])), _circle_box(*pts[k], r),
                          (), (), b.name))
    return out


def _box_gap(a, b) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return math.hypot(dx, dy)


def die_spacing(rule, pkg):
    """Die to die on the same side and support (edge to edge)."""
    out = []
    bodies = _bodies(pkg)
    for i, a in enumerate(bodies):
        for b in bodies[i + 1:]:
            if a.side != b.side or getattr(a, "on", "substrate") != getattr(b, "on", "substrate"):
                continue
            g = _box_gap(a.footprint, b.footprint)
            if g < rule.min:
                box = (min(a.footprint[0], b.footprint[0]), min(a.footprint[1], b.footprint[1]),
                       max(a.footprint[2], b.footprint[2]), max(a.footprint[3], b.footprint[3]))
                out.append(_v(rule, round(g, 6), ("box", box), box, (), (), f"{a.name} - {b.name}"))
    return out


def die_package_edge(rule, pkg):
    """Die (on the substrate) to the substrate outline."""
    import shapely

    outline = shapely.Polygon(pkg.substrate.outline)
    edge = outline.exterior
    out = []
    for b in _bodies(pkg):
        if getattr(b, "on", "substrate") != "substrate":
            continue
        box = shapely.box(*b.footprint)
        g = float(edge.distance(box)) if outline.covers(box) else 0.0
        if g < rule.min:
            out.append(_v(rule, round(g, 6), ("box", b.footprint), b.footprint, (), (), b.name))
    return out


def passive_keepout(rule, pkg):
    """Passive bodies to the underfill region (die plus fillet) on the same side."""
    out = []
    for d in _bodies(pkg, flip_only=True):
        uf = d.flip_chip.underfill
        if uf is None or getattr(d, "on", "substrate") != "substrate":
            continue
        f = uf.fillet
        x0, y0, x1, y1 = d.footprint
        region = (x0 - f, y0 - f, x1 + f, y1 + f)
        for p in pkg.passives:
            if p.side != d.side:
                continue
            g = _box_gap(region, p.footprint)
            if g < rule.min:
                out.append(_v(rule, round(g, 6), ("box", p.footprint), p.footprint, (), (p.net,),
                              f"{p.name} near {d.name}"))
    return out


def _surface_features(pkg):
    """Pads a component must not cover, by substrate side: (side, name, shapely polygon).

    Bond fingers on an outer conductor, and BGA/LGA lands with their solder balls (the
    ball's diameter where it has one) on the bottom conductor.
    """
    import shapely

    from ..model.geometry import circle

    sub = pkg.substrate
    conductors = [c.name for c in sub.conductor_layers]
    side_of = {conductors[0]: "top", conductors[-1]: "bottom"}
    out = []
    for f in sub.fingers:
        side = side_of.get(f.layer or conductors[0])
        if side:
            out.append((side, f"finger {f.name}", shapely.Polygon(f.polygon)))
    for land in sub.all_lands():
        side = side_of.get(land.layer or conductors[-1])
        if side:
            d = max(land.diameter, land.ball.diameter if land.ball is not None else 0.0)
            out.append((side, f"land {land.name}", circle(land.at, d)))
    return out


def component_overlap(rule, pkg):
    """Components overlapping each other, a bond finger or a land/ball on their side.

    Dies, interposers and passives on the substrate must not cover each other (the model
    refuses such designs too), nor the bond fingers on their side, nor, on the bottom
    (land) side of a double-sided assembly, the BGA/LGA lands and their balls.
    """
    import shapely

    out = []
    comps = list(pkg.components)
    for i, a in enumerate(comps):
        for b in comps[i + 1:]:
            if a.side != b.side or getattr(a, "on", "substrate") != getattr(b, "on", "substrate"):
                continue
            fa, fb = a.footprint, b.footprint
            w = min(fa[2], fb[2]) - max(fa[0], fb[0])
            h = min(fa[3], fb[3]) - max(fa[1], fb[1])
            if w > 0 and h > 0:
                box = (max(fa[0], fb[0]), max(fa[1], fb[1]), min(fa[2], fb[2]), min(fa[3], fb[3]))
                out.append(_v(rule, round(w * h, 6), ("box", box), box, (), (), f"{a.name} - {b.name}"))
    feats = _surface_features(pkg)
    if feats:
        geoms = np.array([g for _, _, g in feats], dtype=object)
        tree = shapely.STRtree(geoms)
        for c in comps:
            if getattr(c, "on", "substrate") != "substrate":
                continue
            body = shapely.box(*c.footprint)
            for k in sorted(tree.query(body, predicate="intersects").tolist()):
                side, name, g = feats[k]
                if side != c.side:
                    continue
                inter = body.intersection(g)
                if inter.area > 0:
                    box = inter.bounds
                    out.append(_v(rule, round(float(inter.area), 6), ("box", box), box, (), (),
                                  f"{c.name} over {name}"))
    return out


def pads_under_mask(rule, pkg, mask: str, copper: str):
    """Bond fingers and lands on `copper` that an opening of `mask` exposes only in part.

    A pad the solder mask partly covers is solder-mask defined: the opening does not
    clear it at all (value 0).  Traces may leave an opening, pads may not.
    """
    import shapely

    from ..model.geometry import circle

    sub = pkg.substrate
    conductors = [c.name for c in sub.conductor_layers]
    pads = [(f"finger {f.name}", f.net, shapely.Polygon(f.polygon)) for f in sub.fingers
            if (f.layer or conductors[0]) == copper]
    pads += [(f"land {la.name}", la.net, circle(la.at, la.diameter)) for la in sub.all_lands()
             if (la.layer or conductors[-1]) == copper]
    openings = [shapely.Polygon(m.points) for m in sub.mask_openings if m.layer == mask]
    if not pads or not openings:
        return []
    region = shapely.union_all(openings)
    out = []
    for name, net, g in pads:
        if g.intersects(region) and not region.covers(g):
            covered = g.difference(region)
            box = covered.bounds
            out.append(_v(rule, 0.0, ("box", box), box, (mask, copper), (net,),
                          f"the mask covers part of {name}"))
    return out


def short(rule, pkg, layer: str):
    """Copper of different nets touching or overlapping on one layer."""
    import shapely

    from ..model.geometry import layer_polygons

    items = [(p, n) for p, n in layer_polygons(pkg, layer) if n]
    if len(items) < 2:
        return []
    geoms = np.array([p for p, _ in items], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    out = []
    seen = set()
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or items[i][1] == items[j][1]:
            continue
        key = (min(items[i][1], items[j][1]), max(items[i][1], items[j][1]))
        inter = geoms[i].intersection(geoms[j])
        box = inter.bounds if not inter.is_empty else geoms[i].bounds
        cell = (key, round(box[0]), round(box[1]))
        if cell in seen:
            continue
        seen.add(cell)
        out.append(_v(rule, None, ("box", box), box, (layer,), key, f"{key[0]} touches {key[1]}"))
    return out


#: Package rules by check name: function(rule, pkg) -> list of Violation.
RUNNERS = {
    "annular_ring": annular_ring,
    "via_spacing": via_spacing,
    "finger_width": finger_width,
    "finger_pitch": finger_pitch,
    "bump_pitch": bump_pitch,
    "bump_die_edge": bump_die_edge,
    "die_spacing": die_spacing,
    "die_package_edge": die_package_edge,
    "passive_keepout": passive_keepout,
    "component_overlap": component_overlap,
}
