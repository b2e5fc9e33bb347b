"""Lowering a Package to a solid model.

Each body of :func:`sipkit.model.bodies` becomes one or more boxes, in the same
precedence order (later boxes override earlier ones), with these effective layers:

* conductor layers: the fill dielectric with tiles of the layer's real copper
  (exact coverage per cell from the merged layout); via barrels landing on or passing
  through the layer count as through-going columns;
* dielectric layers crossed by vias: the dielectric with tiles of the barrels' copper
  as columns (a filled via is its drill, a plated one a ring of the same copper area);
* bump layers: the underfill (or the mold around the bumps, or air) with the bumps
  as columns; a copper pillar with a solder cap is one column material, pillar and
  cap in series along z;
* die attach, TIM, lid, heat sink, fins, coins, shield, mold: plain boxes;
* dies: the die's material with its power on its active face (the bumped face of a
  flip chip, the top of a wire-bonded die); a power map becomes one box per block
  (rectangles) or per cell (grids), the background power stays on the die box;
  passives with power dissipate in their volume.

Footprints that are not rectangles are split into rectangles (:mod:`.rects`).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DesignError
from ..materials import Material, mix
from .model import SolidBox, SolidModel
from .rects import rectangles
from .tiles import GeometryTiles

__all__ = ["add_board", "from_package"]


def _rect_boxes(name, footprint, z0, z1, material, *, role, owner=None, tiles=None, power=0.0,
                power_on="volume"):
    rects = rectangles(footprint)
    if not rects:
        return []
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in rects)
    out = []
    for n, (x0, y0, x1, y1) in enumerate(rects):
        label = name if len(rects) == 1 else f"{name}#{n + 1}"
        share = power * (x1 - x0) * (y1 - y0) / area if power else 0.0
        out.append(SolidBox.from_internal(name=label, min=(x0, y0, z0), max=(x1, y1, z1), material=material,
                                          power=share, power_on=power_on, role=role, owner=owner,
                                          tiles=tiles))
    return out


def _barrel_diameter(v) -> float:
    if v.filled:
        return v.drill
    return math.sqrt(v.drill ** 2 - (v.drill - 2 * v.plating) ** 2)


def _circles(points, diameters):
    """Disks as one geometry for coverage: their union.

    Disjoint disks (bump and via arrays, checked with a k-d tree) are returned as a plain
    MultiPolygon without the union's cost.
    """
    import shapely
    from scipy.spatial import cKDTree

    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) == 0:
        return None
    d = np.broadcast_to(np.asarray(diameters, dtype=float), (len(pts),))
    # the same centre twice (stacked vias): keep the larger disk
    key = np.round(pts, 6)
    order = np.lexsort((-d, key[:, 1], key[:, 0]))
    key, pts, d = key[order], pts[order], d[order]
    first = np.ones(len(pts), dtype=bool)
    first[1:] = np.any(key[1:] != key[:-1], axis=1)
    pts, d = pts[first], d[first]
    disks = shapely.buffer(shapely.points(pts), d / 2, quad_segs=16)
    if len(pts) > 1:
        dist, _ = cKDTree(pts).query(pts, k=2)
        if np.all(dist[:, 1] > d.max()):
            return shapely.multipolygons(disks)
    return shapely.union_all(disks)


def _via_sets(sub):
    """(from, to, centres (n, 2), barrel diameter) of every via and via array."""
    out = []
    for v in sub.vias:
        out.append((v.from_layer, v.to_layer, np.array([v.at], dtype=float), _barrel_diameter(v)))
    for a in sub.via_arrays:
        nx, ny = a.count
        px, py = a.pitch
        xs = a.center[0] + (np.arange(nx) - (nx - 1) / 2) * px
        ys = a.center[1] + (np.arange(ny) - (ny - 1) / 2) * py
        gx, gy = np.meshgrid(xs, ys)
        out.append((a.from_layer, a.to_layer, np.column_stack((gx.ravel(), gy.ravel())), _barrel_diameter(a)))
    return out


def _via_columns(pkg):
    """Per stack-up layer index: (barrel geometry, via metal) of the vias touching it."""
    sub = pkg.substrate
    index = {la.name: i for i, la in enumerate(sub.stackup)}
    per_layer: dict[int, list] = {}
    for frm, to, centres, diameter in _via_sets(sub):
        for i in range(index[frm], index[to] + 1):
            per_layer.setdefault(i, []).append((frm, centres, diameter))
    out = {}
    for i, sets in per_layer.items():
        metal = sub.layer(sets[0][0]).material
        pts = np.concatenate([c for _, c, _ in sets])
        dia = np.concatenate([np.full(len(c), d) for _, c, d in sets])
        out[i] = (_circles(pts, dia), metal)
    return out


def _layer_boxes(pkg, body, vias):
    sub = pkg.substrate
    la = sub.layer(body.name)
    i = sub.stackup.index(la)
    column, metal = vias.get(i, (None, None))
    if la.is_conductor:
        tiles = GeometryTiles(metal=la.material, columns=column,
                              coverage=lambda xe, ye, _n=la.name: pkg.coverage_grid(_n, xe, ye))
        material = sub.fill_material(la.name)
    elif column is not None:
        tiles = GeometryTiles(metal=metal, columns=column)
        material = la.material
    else:
        tiles = None
        material = la.material
    return _rect_boxes(body.name, body.footprint, body.z0, body.z1, material, role="layer",
                       owner=body.owner, tiles=tiles)


def _gap_matrix(pkg, comp, body):
    """What fills the gap between bumps: underfill, else the mold around, else air."""
    fc = comp.flip_chip
    if fc.underfill is not None:
        return fc.underfill.material
    mold = pkg.mold(comp.side)
    if mold is not None:
        t = pkg.substrate.thickness
        z = (t, t + mold.thickness) if mold.side == "top" else (-mold.thickness, 0.0)
        if z[0] <= body.z0 and body.z1 <= z[1]:
            return mold.material
    return "air"


def _bump_boxes(pkg, body, extra_cards):
    comp = pkg.component(body.owner)
    fc = comp.flip_chip
    bump = fc.bump
    pts = comp.to_package(fc.positions(comp.size))
    column = _circles(pts, np.full(len(pts), bump.diameter))
    metal = bump.material
    if bump.cap_material and bump.cap_height > 0:
        metal = f"{comp.name}.bump"
        frac = bump.cap_height / bump.height
        lib = pkg.library
        card = mix(metal, [lib[bump.material], lib[bump.cap_material]], [1 - frac, frac])
        extra_cards[metal] = card
    tiles = GeometryTiles(metal=metal, columns=column)
    return _rect_boxes(body.name, body.footprint, body.z0, body.z1, _gap_matrix(pkg, comp, body),
                       role="bumps", owner=body.owner, tiles=tiles)


def _active_face(comp) -> str:
    """'top' or 'bottom': the face of a die that dissipates."""
    faces_down = comp.flip_chip is not None  # a flip chip's active face meets its bumps
    if comp.side == "bottom":
        faces_down = not faces_down
    return "bottom" if faces_down else "top"


def _die_boxes(pkg, body, power_override):
    import shapely

    comp = pkg.component(body.owner)
    total = comp.total_power
    override = power_override.get(comp.name)
    scale = 1.0
    if override is not None:
        if total > 0:
            scale = override / total
        else:
            total = override
    face = _active_face(comp)
    pm = comp.power_map
    if pm is None or (override is not None and comp.total_power == 0):
        return _rect_boxes(body.name, body.footprint, body.z0, body.z1, comp.material, role="die",
                           owner=comp.name, power=total * scale if override is None else total,
                           power_on=face)
    out = _rect_boxes(body.name, body.footprint, body.z0, body.z1, comp.material, role="die",
                      owner=comp.name, power=pm.background * scale, power_on=face)
    blocks = []
    for n, r in enumerate(pm.rects):
        blocks.append((r.name or f"block{n + 1}", r.min, r.max, r.power))
    if pm.grid:
        rows = len(pm.grid)
        cols = len(pm.grid[0])
        w, h = comp.size
        for j, row in enumerate(pm.grid):
            for i, p in enumerate(row):
                if p > 0:
                    blocks.append((f"cell{j}_{i}", (i * w / cols, j * h / rows),
                                   ((i + 1) * w / cols, (j + 1) * h / rows), p))
    for label, lo, hi, p in blocks:
        corners = comp.to_package([lo, hi])
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        out += _rect_boxes(f"{comp.name}.{label}", shapely.box(x0, y0, x1, y1), body.z0, body.z1,
                           comp.material, role="die", owner=comp.name, power=p * scale, power_on=face)
    return out


def _ball_boxes(pkg, z_low):
    """The solder-ball layer under the substrate (air with ball columns), or nothing.

    The balls span from the substrate bottom (z = 0) down by the tallest ball, or
    further down to `z_low` when components hang lower.
    """
    import shapely

    lands = [land for land in pkg.substrate.all_lands() if land.ball is not None]
    if not lands:
        return []
    height = max(land.ball.height for land in lands)
    metal = lands[0].ball.material
    column = _circles([land.at for land in lands], [land.diameter for land in lands])
    outline = shapely.Polygon(pkg.substrate.outline)
    return _rect_boxes("balls", outline, min(-height, z_low), 0.0, "air", role="balls", owner="balls",
                       tiles=GeometryTiles(metal=metal, columns=column))


def add_board(model: SolidModel, board, center=None, z_top=None, fanout=None) -> SolidModel:
    """`model` with a test board (a :class:`sipkit.thermal.presets.Board`) under it.

    The board's top lies at `z_top` (the model's bottom by default), centred on
    `center` (the model's centre by default).  Trace layers with a copper fraction
    are a mixture of copper and the board dielectric over the fan-out region
    (`fanout`: x0, y0, x1, y1, µm; the model's footprint grown by the board's
    fan-out margin by default), plain dielectric elsewhere.
    """
    import dataclasses

    lo = [min(b.min[a] for b in model.boxes) for a in range(3)]
    hi = [max(b.max[a] for b in model.boxes) for a in range(3)]
    if center is None:
        center = ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2)
    if z_top is None:
        z_top = lo[2]
    w, h = board.size
    x0, y0 = center[0] - w / 2, center[1] - h / 2
    x1, y1 = x0 + w, y0 + h
    if x0 > lo[0] or y0 > lo[1] or x1 < hi[0] or y1 < hi[1]:
        raise DesignError(f"the package ({hi[0] - lo[0]:g} x {hi[1] - lo[1]:g} µm) does not fit on the "
                          f"board {board.name!r} ({w:g} x {h:g} µm)", "board")
    if fanout is None:
        m = board.fanout_margin
        fanout = (lo[0] - m, lo[1] - m, hi[0] + m, hi[1] + m)
    fx0, fy0 = max(fanout[0], x0), max(fanout[1], y0)
    fx1, fy1 = min(fanout[2], x1), min(fanout[3], y1)
    cards = []
    boxes = []
    z = z_top
    for layer in board.layers:
        z1, z = z, z - layer.thickness
        name = f"board.{layer.name}"
        if layer.copper >= 1.0:
            boxes.append(SolidBox.from_internal(name=name, min=(x0, y0, z), max=(x1, y1, z1),
                                                material=board.copper_material, role="board", owner="board"))
            continue
        boxes.append(SolidBox.from_internal(name=name, min=(x0, y0, z), max=(x1, y1, z1),
                                            material=layer.material,
                                            role="board", owner="board"))
        if layer.copper > 0:
            card = f"{board.name}.{layer.name}"
            cards.append(Material(name=card, mix={board.copper_material: layer.copper,
                                                  layer.material: 1.0 - layer.copper}))
            region = (fx0, fy0, fx1, fy1) if layer.fanout else (x0, y0, x1, y1)
            boxes.append(SolidBox.from_internal(name=f"{name}.traces", min=(region[0], region[1], z),
                                                max=(region[2], region[3], z1), material=card, role="board",
                                                owner="board"))
    have = {m.name for m in model.materials}
    cards = [c for c in cards if c.name not in have]
    return dataclasses.replace(model, boxes=tuple(boxes) + tuple(model.boxes),
                               materials=tuple(model.materials) + tuple(cards))


def from_package(pkg, *, board=None, power=None, name: str | None = None) -> SolidModel:
    """Lower a Package into a SolidModel (see module notes).

    Parameters
    ----------
    pkg : Package
    board : Board, optional
        A test board (:class:`sipkit.thermal.presets.Board`) to mount the package
        on, with its solder balls (air with ball columns) in between.
    power : mapping of component name to W, optional
        Override dies' and passives' power (a power map is scaled).
    name : str, optional
        Model name; the package's by default.

    Returns
    -------
    SolidModel
        Boxes in precedence order, materials resolved against the package's
        library; no boundaries (add them, or let the thermal solver's preset do it).
    """
    from ..model import bodies
    from ..units import to_internal

    overrides = {}
    for key, value in (power or {}).items():
        comp = pkg.component(key) if key in {c.name for c in pkg.components} else None
        if comp is None:
            names = ", ".join(c.name for c in pkg.components)
            raise DesignError(f"no die or passive named {key!r}; components: {names}", "power")
        overrides[key] = to_internal(value, "power", f"power[{key}]")
    vias = _via_columns(pkg)
    extra: dict[str, Material] = {}
    boxes: list[SolidBox] = []
    for body in bodies(pkg):
        role = body.role
        if role == "layer":
            boxes += _layer_boxes(pkg, body, vias)
        elif role == "bumps":
            boxes += _bump_boxes(pkg, body, extra)
        elif role == "die":
            boxes += _die_boxes(pkg, body, overrides)
        elif role == "passive":
            comp = pkg.component(body.owner)
            p = overrides.get(comp.name, comp.total_power)
            boxes += _rect_boxes(body.name, body.footprint, body.z0, body.z1, body.material, role=role,
                                 owner=body.owner, power=p)
        else:
            boxes += _rect_boxes(body.name, body.footprint, body.z0, body.z1, body.material, role=role,
                                 owner=body.owner)
    if board is not None:
        balls = _ball_boxes(pkg, min(b.min[2] for b in boxes))
        boxes = balls + boxes
    model = SolidModel(name=name or pkg.name, boxes=tuple(boxes), materials=tuple(extra.values()),
                       library_base=pkg.library)
    if board is not None:
        x0, y0, x1, y1 = pkg.bbox()
        model = add_board(model, board, center=((x0 + x1) / 2, (y0 + y1) / 2),
                          z_top=min(b.min[2] for b in boxes))
    return model
