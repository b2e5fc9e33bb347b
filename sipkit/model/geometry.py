"""Geometry queries on a Package: layer copper, coverage, bodies and vertical stacks.

These are the queries engines build on: the merged copper of a layer (per net), its
area coverage in a rectangle or on a grid, the package as a list of 3-D bodies, and the
vertical stack at a point.  Results that take time are cached on the (immutable)
package.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError
from .components import Die

__all__ = [
    "CIRCLE_SEGMENTS",
    "Body",
    "StackItem",
    "bodies",
    "circle",
    "circle_vertices",
    "copper_coverage",
    "coverage_grid",
    "land_pads",
    "layer_geometry",
    "layer_polygons",
    "layer_rings",
    "nets",
    "polygon_coverage",
    "ring_coverage",
    "stack_at",
    "trace_polygon",
    "union_coverage",
    "via_pads",
]

#: Vertices of the polygons that stand for round pads, lands and bumps.
CIRCLE_SEGMENTS = 64

_CAPS = {"flush": "flat", "extended": "square", "round": "round"}


def trace_polygon(trace):
    """The copper of a trace as a shapely polygon (GDSII path semantics, mitred joins)."""
    import shapely

    line = shapely.LineString(trace.points)
    return line.buffer(trace.width / 2, quad_segs=CIRCLE_SEGMENTS // 4, cap_style=_CAPS[trace.ends],
                       join_style="mitre", mitre_limit=10.0)


def _trace_polygons(traces) -> list:
    """:func:`trace_polygon` of many traces at once (the same polygons, vectorised)."""
    import shapely

    out = [None] * len(traces)
    for ends, cap in _CAPS.items():
        idx = [i for i, t in enumerate(traces) if t.ends == ends]
        if not idx:
            continue
        pts = [traces[i].points for i in idx]
        counts = np.fromiter((len(p) for p in pts), np.int64, len(pts))
        lines = shapely.linestrings(np.concatenate(pts), indices=np.repeat(np.arange(len(pts)), counts))
        half = np.array([traces[i].width / 2 for i in idx])
        polys = shapely.buffer(lines, half, quad_segs=CIRCLE_SEGMENTS // 4, cap_style=cap,
                               join_style="mitre", mitre_limit=10.0)
        for i, p in zip(idx, polys, strict=True):
            out[i] = p
    return out


def circle(center, diameter):
    """A regular polygon of CIRCLE_SEGMENTS vertices standing for a round pad."""
    import shapely

    return shapely.Point(center).buffer(diameter / 2, quad_segs=CIRCLE_SEGMENTS // 4)


_UNIT_CIRCLE: list = []


def circle_vertices(centers, diameters) -> np.ndarray:
    """Vertices of the :func:`circle` polygons of many pads at once, shape (n, CIRCLE_SEGMENTS + 1, 2).

    The same coordinates as ``circle(center, diameter)`` (closing point included),
    without building shapely objects.
    """
    if not _UNIT_CIRCLE:
        import shapely

        _UNIT_CIRCLE.append(shapely.get_coordinates(shapely.Point(0.0, 0.0).buffer(
            1.0, quad_segs=CIRCLE_SEGMENTS // 4)))
    unit = _UNIT_CIRCLE[0]
    c = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
    r = np.broadcast_to(np.asarray(diameters, dtype=np.float64), (len(c),)) / 2
    return c[:, None, :] + r[:, None, None] * unit[None]


def _conductor_order(pkg, layer: str):
    """(index of `layer` among the conductors, that order by name, top and bottom conductor)."""
    sub = pkg.substrate
    la = sub.layer(layer)
    if not la.is_conductor:
        raise DesignError(f"layer {layer!r} is a {la.kind} layer, not a conductor")
    conductors = [c.name for c in sub.conductor_layers]
    order = {c: i for i, c in enumerate(conductors)}
    return order[layer], order, conductors[0], conductors[-1]


def via_pads(pkg, layer: str):
    """Pads of the vias whose span includes conductor `layer`, in ``all_vias()`` order.

    Returns centres (n, 2), pad diameters (n,) and nets (list), without building a
    Via object per member of a via array.
    """
    here, order, _, _ = _conductor_order(pkg, layer)
    sub = pkg.substrate
    pts, dia, nets = [], [], []
    single = [v for v in sub.vias if order[v.from_layer] <= here <= order[v.to_layer]]
    if single:
        pts.append(np.array([v.at for v in single], dtype=np.float64))
        dia.append(np.array([v.pad for v in single], dtype=np.float64))
        nets += [v.net for v in single]
    for a in sub.via_arrays:
        if order[a.from_layer] <= here <= order[a.to_layer]:
            p = np.array(a.centers(), dtype=np.float64)
            pts.append(p)
            dia.append(np.full(len(p), a.pad))
            nets += [a.net] * len(p)
    if not pts:
        return np.zeros((0, 2)), np.zeros(0), []
    return np.concatenate(pts), np.concatenate(dia), nets


def land_pads(pkg, layer: str):
    """Lands on conductor `layer` in ``all_lands()`` order: centres (n, 2), diameters (n,), nets."""
    _, _, _, bottom = _conductor_order(pkg, layer)
    sub = pkg.substrate
    pts, dia, nets = [], [], []
    single = [land for land in sub.lands if (land.layer or bottom) == layer]
    if single:
        pts.append(np.array([land.at for land in single], dtype=np.float64))
        dia.append(np.array([land.diameter for land in single], dtype=np.float64))
        nets += [land.net for land in single]
    for a in sub.land_arrays:
        if (a.layer or bottom) != layer:
            continue
        p = np.array([at for _, at in a.sites()], dtype=np.float64).reshape(-1, 2)
        pts.append(p)
        dia.append(np.full(len(p), a.diameter))
        nets += [None] * len(p)
    if not pts:
        return np.zeros((0, 2)), np.zeros(0), []
    return np.concatenate(pts), np.concatenate(dia), nets


def layer_polygons(pkg, layer: str):
    """Unmerged copper of conductor layer `layer`: a list of (shapely polygon, net).

    In this order: traces, shapes, via pads (:func:`via_pads`), bond fingers, lands.
    """
    import shapely

    _, _, top, _ = _conductor_order(pkg, layer)
    sub = pkg.substrate
    out = []
    routing = sub.routing_of(layer)
    if routing is not None:
        out += list(zip(_trace_polygons(routing.traces), (t.net for t in routing.traces), strict=True))
        out += [(shapely.Polygon(s.points, s.holes), s.net) for s in routing.shapes]
    centers, dia, nets = via_pads(pkg, layer)
    if len(centers):
        out += list(zip(shapely.polygons(circle_vertices(centers, dia)), nets, strict=True))
    out += [(shapely.Polygon(f.polygon), f.net) for f in sub.fingers if (f.layer or top) == layer]
    centers, dia, nets = land_pads(pkg, layer)
    if len(centers):
        out += list(zip(shapely.polygons(circle_vertices(centers, dia)), nets, strict=True))
    return out


def layer_rings(pkg, layer: str):
    """The unmerged copper of a conductor layer as flat ring arrays (cached).

    The polygons of :func:`layer_polygons`, without building shapely objects for pads,
    shapes and fingers: x, y (float64, µm), ring_start (int64; ring k is
    ``x[ring_start[k]:ring_start[k + 1]]``) and ring_sign (+1 for copper, -1 for the
    holes of shapes and of traces that close on themselves).  Pads repeated at one
    place (stacked vias) are listed once.  The input of :func:`union_coverage`.
    """
    key = ("rings", layer)
    cached = pkg._cache.get(key)
    if cached is not None:
        return cached
    import shapely

    _, _, top, _ = _conductor_order(pkg, layer)
    sub = pkg.substrate
    blocks: list[np.ndarray] = []  # vertices, (n, 2), of whole rings
    counts: list[int] = []  # vertices per ring
    signs: list[float] = []
    routing = sub.routing_of(layer)
    if routing is not None and routing.traces:
        rings, owner = shapely.get_rings(np.asarray(_trace_polygons(routing.traces), dtype=object),
                                         return_index=True)
        exterior = np.ones(len(rings), dtype=bool)
        exterior[1:] = owner[1:] != owner[:-1]
        blocks.append(shapely.get_coordinates(rings))
        counts += shapely.get_num_coordinates(rings).tolist()
        signs += np.where(exterior, 1.0, -1.0).tolist()
    plain = []
    if routing is not None:
        for s in routing.shapes:
            plain.append((s.points, 1.0))
            plain += [(h, -1.0) for h in s.holes]
    plain += [(f.polygon, 1.0) for f in sub.fingers if (f.layer or top) == layer]
    if plain:
        blocks.append(np.array([p for ring, _ in plain for p in ring], dtype=np.float64).reshape(-1, 2))
        counts += [len(ring) for ring, _ in plain]
        signs += [sign for _, sign in plain]
    pads = (via_pads(pkg, layer), land_pads(pkg, layer))
    centers = np.concatenate([p[0] for p in pads])
    if len(centers):
        dia = np.concatenate([p[1] for p in pads])
        keys = np.unique(np.column_stack((centers, dia)), axis=0)  # stacked pads once
        blocks.append(circle_vertices(keys[:, :2], keys[:, 2]).reshape(-1, 2))
        counts += [CIRCLE_SEGMENTS + 1] * len(keys)
        signs += [1.0] * len(keys)
    xy = np.concatenate(blocks) if blocks else np.zeros((0, 2))
    ring_start = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ring_start[1:])
    cached = (np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), ring_start,
              np.asarray(signs, dtype=np.float64))
    pkg._cache[key] = cached
    return cached


def layer_geometry(pkg, layer: str, net: str | None = None):
    """Merged copper of a conductor layer as one shapely geometry (cached).

    Parameters
    ----------
    pkg : Package
    layer : str
        Conductor layer name.
    net : str, optional
        Only shapes of this net.
    """
    import shapely

    key = ("layer", layer, net)
    cached = pkg._cache.get(key)
    if cached is None:
        polys = [p for p, n in layer_polygons(pkg, layer) if net is None or n == net]
        cached = shapely.union_all(polys) if polys else shapely.Polygon()
        pkg._cache[key] = cached
    return cached


def copper_coverage(pkg, layer: str, rect) -> float:
    """Copper area fraction of `layer` inside rect (x0, y0, x1, y1), in [0, 1]."""
    x0, y0, x1, y1 = (float(v) for v in rect)
    if not (x1 > x0 and y1 > y0):
        raise DesignError(f"expected a rectangle (x0, y0, x1, y1) with x1 > x0 and y1 > y0, got {rect}")
    return float(coverage_grid(pkg, layer, [x0, x1], [y0, y1])[0, 0])


def polygon_coverage(geom, x_edges, y_edges) -> np.ndarray:
    """Exact area fraction of a merged shapely geometry in each cell of a grid, (ny, nx).

    The numba kernel for any merged geometry (imported on first use so that
    ``import sipkit`` does not load numba).
    """
    from ._coverage import polygon_coverage as kernel

    return kernel(geom, x_edges, y_edges)


def ring_coverage(x, y, ring_start, ring_sign, x_edges, y_edges) -> np.ndarray:
    """Raw area fraction per grid cell, shape (ny, nx), of rings given as flat arrays.

    Ring ``k`` has the edges between consecutive vertices of
    ``x[ring_start[k]:ring_start[k + 1]]`` (repeat the first vertex at the end to close
    it; two vertices make a single edge) and counts with ``ring_sign[k]`` (+1 where
    counter-clockwise rings enclose area, -1 for the reverse).  The rings must bound
    regions that do not overlap (for overlapping ones see :func:`union_coverage`).
    For callers that hold edges already (the DRC's merged layers); no clipping to
    [0, 1] is done.
    """
    from ._coverage_kernels import _coverage_kernel

    def f64(a):
        return np.ascontiguousarray(a, dtype=np.float64)

    return _coverage_kernel(f64(x), f64(y), np.ascontiguousarray(ring_start, dtype=np.int64),
                            f64(ring_sign), f64(x_edges), f64(y_edges))


def union_coverage(x, y, ring_start, ring_sign, x_edges, y_edges) -> np.ndarray:
    """Area fraction of the union of rings per grid cell, shape (ny, nx), exact to round-off.

    Rings may overlap, touch and coincide (overlaps count once); ring ``k`` is
    ``x[ring_start[k]:ring_start[k + 1]]``, closed implicitly, in either orientation,
    adding copper where ``ring_sign[k]`` is +1 and cutting a hole in its hull where it
    is -1.  No merge is built: see :mod:`sipkit.model._union_kernels`.
    """
    from ._coverage import union_coverage as kernel

    return kernel(x, y, ring_start, ring_sign, x_edges, y_edges)


def coverage_grid(pkg, layer: str, x_edges, y_edges) -> np.ndarray:
    """Copper area fraction of `layer` in each cell of a rectilinear grid.

    The fraction of each cell covered by the union of the layer's copper (the
    polygons of :func:`layer_polygons`, so the same copper as :func:`layer_geometry`),
    computed from the unmerged rings (:func:`layer_rings`, :func:`union_coverage`)
    without merging them: exact to floating-point round-off, with no snapping.

    Parameters
    ----------
    x_edges, y_edges : array_like
        Increasing cell edges (µm), lengths nx + 1 and ny + 1.

    Returns
    -------
    ndarray, shape (ny, nx)
        Area fractions in [0, 1], row j between y_edges[j] and y_edges[j + 1].
    """
    xe = np.ascontiguousarray(x_edges, dtype=np.float64)
    ye = np.ascontiguousarray(y_edges, dtype=np.float64)
    if xe.ndim != 1 or ye.ndim != 1 or len(xe) < 2 or len(ye) < 2:
        raise DesignError("grid edges must be 1-D with at least two values each")
    if np.any(np.diff(xe) <= 0) or np.any(np.diff(ye) <= 0):
        raise DesignError("grid edges must be strictly increasing")
    return union_coverage(*layer_rings(pkg, layer), xe, ye)


# ------------------------------------------------------------------------------------
# the package as 3-D bodies


@dataclass(frozen=True)
class Body:
    """A prismatic body of the package: a footprint extruded from z0 to z1 (µm).

    ``role`` says what it is: ``layer``, ``coin``, ``mold``, ``underfill``, ``bumps``,
    ``attach``, ``die``, ``interposer``, ``passive``, ``tim``, ``lid``, ``heatsink``,
    ``fin``, ``shield``.  Later bodies in :func:`bodies` take precedence where they
    overlap earlier ones (mold is listed before what it encapsulates).
    """

    name: str
    role: str
    material: str
    footprint: object  # shapely Polygon
    z0: float
    z1: float
    owner: str | None = None  # the component or layer a body belongs to

    @property
    def bounds(self) -> tuple[float, float, float, float, float, float]:
        """(x0, y0, z0, x1, y1, z1) of the body (µm)."""
        x0, y0, x1, y1 = self.footprint.bounds
        return (x0, y0, self.z0, x1, y1, self.z1)


def _box(rect):
    import shapely

    return shapely.box(*rect)


def bodies(pkg) -> list[Body]:
    """The package as a list of bodies, in precedence order (later wins)."""
    cached = pkg._cache.get("bodies")
    if cached is not None:
        return cached
    import shapely

    sub = pkg.substrate
    t = sub.thickness
    outline = shapely.Polygon(sub.outline)
    out: list[Body] = []
    for m in pkg.molds:
        region = shapely.Polygon(m.region) if m.region else outline
        z = (t, t + m.thickness) if m.side == "top" else (-m.thickness, 0.0)
        out.append(Body(f"mold_{m.side}", "mold", m.material, region, *z))
    for la in sub.stackup:
        out.append(Body(la.name, "layer", la.material, outline, *sub.layer_z(la.name), owner=la.name))
    for c in pkg.coins:
        z0 = sub.layer_z(c.to_layer)[0]
        z1 = sub.layer_z(c.from_layer)[1]
        out.append(Body(c.name, "coin", c.material, shapely.Polygon(c.region), z0, z1, owner=c.name))
    for b in pkg.components:
        lo, hi = pkg.z_range(b.name)
        fc = getattr(b, "flip_chip", None)
        wb = getattr(b, "wire_bond", None)
        gap = (hi, hi + b.attach_height) if b.side == "bottom" else (lo - b.attach_height, lo)
        if fc is not None:
            if fc.underfill is not None:
                x0, y0, x1, y1 = b.footprint
                f = fc.underfill.fillet
                out.append(Body(f"{b.name}.underfill", "underfill", fc.underfill.material,
                                _box((x0 - f, y0 - f, x1 + f, y1 + f)), *gap, owner=b.name))
            out.append(Body(f"{b.name}.bumps", "bumps", fc.bump.material, _box(b.footprint), *gap,
                            owner=b.name))
        elif wb is not None:
            out.append(Body(f"{b.name}.attach", "attach", wb.attach.material, _box(b.footprint), *gap,
                            owner=b.name))
        role = type(b).__name__.lower()
        out.append(Body(b.name, role, b.material, _box(b.footprint), lo, hi, owner=b.name))
    out += _top_parts(pkg, outline, t)
    pkg._cache["bodies"] = out
    return out


def _top_parts(pkg, outline, t) -> list[Body]:
    """Lid (with TIM and foot), heat sink (with TIM and fins) and shield."""
    import shapely

    out: list[Body] = []
    top = [b for b in pkg.components if b.side == "top"]
    mold = pkg.mold("top")
    level = max([pkg.z_range(b.name)[1] for b in top] + [t + (mold.thickness if mold else 0.0)])
    lid = pkg.lid
    if lid is not None:
        region = shapely.Polygon(lid.region) if lid.region else outline
        under = [b for b in top if shapely.box(*b.footprint).intersects(region)]
        tim_t = lid.tim.thickness if lid.tim else 0.0
        tops = [pkg.z_range(b.name)[1] for b in under]
        z0 = max([*tops, t + (mold.thickness if mold else 0.0)]) + tim_t
        if lid.tim is not None:
            # the bond line fills the gap between each die and the lid
            for b in under:
                if isinstance(b, Die):
                    bt = pkg.z_range(b.name)[1]
                    out.append(Body(f"{b.name}.tim", "tim", lid.tim.material,
                                    shapely.box(*b.footprint).intersection(region), bt, z0, owner=b.name))
        if lid.foot_width > 0:
            ring = region.difference(region.buffer(-lid.foot_width, join_style="mitre"))
            adh = lid.adhesive.thickness
            out.append(Body("lid.adhesive", "attach", lid.adhesive.material, ring, t, t + adh, owner="lid"))
            out.append(Body("lid.foot", "lid", lid.material, ring, t + adh, z0, owner="lid"))
        out.append(Body("lid", "lid", lid.material, region, z0, z0 + lid.thickness, owner="lid"))
        level = z0 + lid.thickness
        lid_region = region
    else:
        lid_region = None
    hs = pkg.heatsink
    if hs is not None:
        region = shapely.Polygon(hs.region) if hs.region else (lid_region or outline)
        z = level
        if hs.tim is not None:
            out.append(Body("heatsink.tim", "tim", hs.tim.material, region, z, z + hs.tim.thickness,
                            owner="heatsink"))
            z += hs.tim.thickness
        out.append(Body("heatsink", "heatsink", hs.material, region, z, z + hs.base_thickness,
                        owner="heatsink"))
        z += hs.base_thickness
        if hs.fins is not None:
            x0, y0, x1, y1 = region.bounds
            n, th = hs.fins.count, hs.fins.thickness
            along_x = hs.fins.direction == "x"
            span = (y1 - y0) if along_x else (x1 - x0)
            step = (span - th) / (n - 1) if n > 1 else 0.0
            for i in range(n):
                a = (y0 if along_x else x0) + (i * step if n > 1 else (span - th) / 2)
                rect = (x0, a, x1, a + th) if along_x else (a, y0, a + th, y1)
                out.append(Body(f"heatsink.fin{i}", "fin", hs.material, _box(rect), z, z + hs.fins.height,
                                owner="heatsink"))
    sh = pkg.shield
    if sh is not None and mold is not None:
        x0, y0, x1, y1 = outline.bounds
        ztop = t + mold.thickness
        s = sh.thickness
        out.append(Body("shield.top", "shield", sh.material, _box((x0 - s, y0 - s, x1 + s, y1 + s)),
                        ztop, ztop + s, owner="shield"))
        for name, rect in (("west", (x0 - s, y0 - s, x0, y1 + s)), ("east", (x1, y0 - s, x1 + s, y1 + s)),
                           ("south", (x0, y0 - s, x1, y0)), ("north", (x0, y1, x1, y1 + s))):
            out.append(Body(f"shield.{name}", "shield", sh.material, _box(rect), 0.0, ztop, owner="shield"))
    return out


@dataclass(frozen=True)
class StackItem:
    """One slab of the vertical stack at a point (µm, bottom to top)."""

    name: str
    role: str
    material: str
    z0: float
    z1: float

    @property
    def thickness(self) -> float:
        """Slab thickness (µm)."""
        return self.z1 - self.z0


def _point_material(pkg, body: Body, x: float, y: float) -> str:
    """Material at (x, y) inside `body`, resolving copper vs fill and bumps vs gaps."""
    import shapely

    if body.role == "layer":
        la = pkg.substrate.layer(body.name)
        if la.is_conductor:
            inside = layer_geometry(pkg, la.name).covers(shapely.Point(x, y))
            return la.material if inside else pkg.substrate.fill_material(la.name)
        return la.material
    if body.role == "bumps":
        comp = pkg.component(body.owner)
        pts = comp.bump_positions() if hasattr(comp, "bump_positions") else comp.to_package(
            comp.flip_chip.positions(comp.size))
        r = comp.flip_chip.bump.diameter / 2
        if len(pts) and np.min(np.hypot(pts[:, 0] - x, pts[:, 1] - y)) <= r:
            return body.material
        return ""  # a gap between bumps: whatever lies below in precedence
    return body.material


def stack_at(pkg, x: float, y: float) -> list[StackItem]:
    """The vertical stack at (x, y): the material of every slab, bottom to top.

    Gaps between bumps show the underfill or mold around them; regions no body covers
    (air under a lid, say) are left out.
    """
    import shapely

    if not (math.isfinite(x) and math.isfinite(y)):
        raise DesignError(f"expected a finite point, got ({x}, {y})")
    p = shapely.Point(x, y)
    hits = [(i, b) for i, b in enumerate(bodies(pkg)) if b.footprint.covers(p)]
    cuts = sorted({z for _, b in hits for z in (b.z0, b.z1)})
    items: list[StackItem] = []
    for z0, z1 in itertools.pairwise(cuts):
        zm = (z0 + z1) / 2
        chosen = None
        for _i, b in reversed(hits):
            if b.z0 <= zm <= b.z1:
                material = _point_material(pkg, b, x, y)
                if material:
                    chosen = (b, material)
                    break
        if chosen is None:
            continue
        b, material = chosen
        if items and items[-1].name == b.name and items[-1].material == material:
            items[-1] = StackItem(b.name, b.role, material, items[-1].z0, z1)
        else:
            items.append(StackItem(b.name, b.role, material, z0, z1))
    return items


def nets(pkg) -> set[str]:
    """Every net name of the package."""
    sub = pkg.substrate
    found = set()
    for r in sub.routing:
        found.update(t.net for t in r.traces)
        found.update(s.net for s in r.shapes)
    found.update(v.net for v in sub.vias)
    found.update(v.net for v in sub.via_arrays)
    found.update(f.net for f in sub.fingers)
    found.update(land.net for land in sub.lands)
    for d in pkg.dies:
        if d.wire_bond:
            found.update(p.net for p in d.wire_bond.pads)
    for b in (*pkg.dies, *pkg.interposers):
        if b.flip_chip:
            found.update(x.net for x in b.flip_chip.bumps)
            found.update(x.net for x in b.flip_chip.arrays)
    found.discard(None)
    return found
