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
    "copper_coverage",
    "coverage_grid",
    "layer_geometry",
    "layer_polygons",
    "nets",
    "polygon_coverage",
    "ring_coverage",
    "stack_at",
    "trace_polygon",
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


def circle(center, diameter):
    """A regular polygon of CIRCLE_SEGMENTS vertices standing for a round pad."""
    import shapely

    return shapely.Point(center).buffer(diameter / 2, quad_segs=CIRCLE_SEGMENTS // 4)


def layer_polygons(pkg, layer: str):
    """Unmerged copper of conductor layer `layer`: a list of (shapely polygon, net)."""
    import shapely

    sub = pkg.substrate
    la = sub.layer(layer)
    if not la.is_conductor:
        raise DesignError(f"layer {layer!r} is a {la.kind} layer, not a conductor")
    conductors = [c.name for c in sub.conductor_layers]
    top, bottom = conductors[0], conductors[-1]
    order = {c: i for i, c in enumerate(conductors)}
    out = []
    routing = sub.routing_of(layer)
    if routing is not None:
        out += [(trace_polygon(t), t.net) for t in routing.traces]
        out += [(shapely.Polygon(s.points, s.holes), s.net) for s in routing.shapes]
    for v in sub.all_vias():
        if order[v.from_layer] <= order[layer] <= order[v.to_layer]:
            out.append((circle(v.at, v.pad), v.net))
    out += [(shapely.Polygon(f.polygon), f.net) for f in sub.fingers if (f.layer or top) == layer]
    out += [(circle(land.at, land.diameter), land.net) for land in sub.all_lands()
            if (land.layer or bottom) == layer]
    return out


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
    import shapely

    x0, y0, x1, y1 = (float(v) for v in rect)
    if not (x1 > x0 and y1 > y0):
        raise DesignError(f"expected a rectangle (x0, y0, x1, y1) with x1 > x0 and y1 > y0, got {rect}")
    geom = layer_geometry(pkg, layer)
    return float(shapely.clip_by_rect(geom, x0, y0, x1, y1).area / ((x1 - x0) * (y1 - y0)))


def polygon_coverage(geom, x_edges, y_edges) -> np.ndarray:
    """Exact area fraction of a merged shapely geometry in each cell of a grid, (ny, nx).

    The numba kernel behind :func:`coverage_grid`, for any geometry (imported on first
    use so that ``import sipkit`` does not load numba).
    """
    from ._coverage import polygon_coverage as kernel

    return kernel(geom, x_edges, y_edges)


def ring_coverage(x, y, ring_start, ring_sign, x_edges, y_edges) -> np.ndarray:
    """Raw area fraction per grid cell, shape (ny, nx), of rings given as flat arrays.

    Ring ``k`` has vertices ``x[ring_start[k]:ring_start[k + 1]]`` (implicitly closed) and
    counts with ``ring_sign[k]`` (+1 where counter-clockwise rings enclose area, -1 for the
    reverse).  For callers that hold edges already (the DRC's merged layers); no clipping
    to [0, 1] is done.
    """
    from ._coverage_kernels import _coverage_kernel

    def f64(a):
        return np.ascontiguousarray(a, dtype=np.float64)

    return _coverage_kernel(f64(x), f64(y), np.ascontiguousarray(ring_start, dtype=np.int64),
                            f64(ring_sign), f64(x_edges), f64(y_edges))


def coverage_grid(pkg, layer: str, x_edges, y_edges) -> np.ndarray:
    """Copper area fraction of `layer` in each cell of a rectilinear grid.

    Parameters
    ----------
    x_edges, y_edges : array_like
        Increasing cell edges (µm), lengths nx + 1 and ny + 1.

    Returns
    -------
    ndarray, shape (ny, nx)
        Exact area fractions (to floating point), row j between y_edges[j] and
        y_edges[j + 1].
    """
    xe = np.ascontiguousarray(x_edges, dtype=np.float64)
    ye = np.ascontiguousarray(y_edges, dtype=np.float64)
    if xe.ndim != 1 or ye.ndim != 1 or len(xe) < 2 or len(ye) < 2:
        raise DesignError("grid edges must be 1-D with at least two values each")
    if np.any(np.diff(xe) <= 0) or np.any(np.diff(ye) <= 0):
        raise DesignError("grid edges must be strictly increasing")
    return polygon_coverage(layer_geometry(pkg, layer), xe, ye)


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
