"""The substrate: outline, stack-up, routing, vias, mask openings, fingers and lands.

Coordinates are package coordinates in µm (x right, y up, seen from the top); the
stack-up is listed from the top surface down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._schema import (
    Spec,
    choice,
    counts,
    flag,
    many,
    names,
    nested,
    pair,
    point,
    points,
    polygons,
    quantity,
    text,
)
from ..errors import DesignError

__all__ = [
    "LAYER_KINDS",
    "Ball",
    "BondFinger",
    "Land",
    "LandArray",
    "Layer",
    "LayerRouting",
    "MaskOpening",
    "Shape",
    "Substrate",
    "Trace",
    "Via",
    "ViaArray",
]

#: Kinds of stack-up layers. Only ``conductor`` layers carry routing.
LAYER_KINDS = ("conductor", "dielectric", "core", "prepreg", "buildup", "solder_mask")

#: JEDEC area-array row letters (JEP95 skips I, O, Q, S, X, Z).
_ROW_LETTERS = "ABCDEFGHJKLMNPRTUVWY"


def _polygon_problem(pts) -> str | None:
    """Why `pts` is not a usable simple polygon, or None."""
    import shapely

    poly = shapely.Polygon(pts)
    if poly.convex_hull.area <= 0:
        return "is empty (zero area)"
    if not poly.is_valid:
        reason = shapely.is_valid_reason(poly)
        return f"is not a simple polygon ({reason})"
    return None


def canonical_ring(pts, ccw: bool) -> tuple:
    """`pts` as a ring: no closing point, (counter-)clockwise, from its lowest-left vertex."""
    pts = tuple(pts)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    twice_area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True))
    if (twice_area > 0) != ccw:
        pts = pts[::-1]
    start = min(range(len(pts)), key=lambda i: (pts[i][1], pts[i][0]))
    return pts[start:] + pts[:start]


def check_polygon(pts, field: str) -> None:
    """Raise DesignError if `pts` is empty or self-intersecting."""
    problem = _polygon_problem(pts)
    if problem:
        raise DesignError(f"polygon {problem}", field)


@dataclass(frozen=True)
class Layer(Spec):
    """One layer of the substrate stack-up.

    Parameters
    ----------
    name : str
        Unique layer name, e.g. ``L1`` or ``CORE``.
    kind : str
        One of :data:`LAYER_KINDS`.
    thickness : float or str
        Thickness (µm).
    material : str
        Material card name; for conductors the metal.
    fill : str, optional
        Conductor layers only: the dielectric between the copper shapes. By default
        the nearest dielectric layer on the outer side (solder mask on outer layers,
        the laminated build-up film on inner ones).
    """

    name: str = text()
    kind: str = choice(LAYER_KINDS)
    thickness: float = quantity("length", positive=True)
    material: str = text()
    fill: str | None = text(None)

    def _validate(self):
        if self.fill is not None and self.kind != "conductor":
            raise DesignError("only conductor layers have a fill material", "fill")

    @property
    def is_conductor(self) -> bool:
        """Whether the layer carries routing."""
        return self.kind == "conductor"


@dataclass(frozen=True)
class Trace(Spec):
    """A routed trace: a path of a given width (a GDSII PATH).

    Parameters
    ----------
    points : list of [x, y]
        Centre line (µm), at least two points.
    width : float or str
        Trace width (µm).
    net : str, optional
        Net name.
    ends : {"flush", "extended", "round"}
        End style as in GDSII: flush ends at the end points, extended by half the
        width, or rounded.
    """

    points: tuple = points(2)
    width: float = quantity("length", positive=True)
    net: str | None = text(None)
    ends: str = choice(("flush", "extended", "round"), "flush")

    def _validate(self):
        pts = self.points
        for i in range(1, len(pts)):
            if pts[i] == pts[i - 1]:
                raise DesignError(f"points {i - 1} and {i} coincide (zero-length segment)", "points")


@dataclass(frozen=True)
class Shape(Spec):
    """A copper polygon (pad, plane, pour), optionally with holes (anti-pads).

    Parameters
    ----------
    points : list of [x, y] or {rect: [x0, y0, x1, y1]}
        Outer boundary (µm).
    holes : list of polygons, optional
        Cut-outs inside the boundary.
    net : str, optional
        Net name.
    """

    points: tuple = points(3)
    holes: tuple = polygons()
    net: str | None = text(None)

    def _validate(self):
        check_polygon(self.points, "points")
        for i, hole in enumerate(self.holes):
            check_polygon(hole, f"holes[{i}]")
        # one stored form for one geometry: layouts and tools that rewrite rings (GDSII
        # keyholes) then give back equal shapes
        object.__setattr__(self, "points", canonical_ring(self.points, ccw=True))
        holes = sorted(canonical_ring(h, ccw=False) for h in self.holes)
        object.__setattr__(self, "holes", tuple(holes))
        if self.holes:
            import shapely

            poly = shapely.Polygon(self.points, self.holes)
            if not poly.is_valid:
                raise DesignError(
                    f"holes must lie inside the boundary without touching each other "
                    f"({shapely.is_valid_reason(poly)})",
                    "holes",
                )


@dataclass(frozen=True)
class LayerRouting(Spec):
    """The routing of one conductor layer."""

    layer: str = text()
    traces: tuple = many(Trace)
    shapes: tuple = many(Shape)


def _check_drill(via) -> None:
    """Pad, drill and plating of a via or via array fit together."""
    if via.pad < via.drill:
        raise DesignError(f"pad ({via.pad} µm) is smaller than the drill ({via.drill} µm)", "pad")
    if not via.filled and 2 * via.plating > via.drill:
        raise DesignError("plating fills more than the drill; set filled: true", "plating")


@dataclass(frozen=True)
class Via(Spec):
    """A via between two conductor layers (microvia, buried, blind or through).

    Parameters
    ----------
    at : [x, y]
        Centre (µm).
    from_layer, to_layer : str
        Top and bottom conductor layers it connects (``from``/``to`` in files).
    drill : float or str
        Hole (or laser-via) diameter (µm).
    pad : float or str
        Capture/landing pad diameter on every layer of its span (µm).
    net : str, optional
    filled : bool
        Copper-filled (microvias, stacked vias) or a plated barrel (through holes).
    plating : float or str
        Barrel plating thickness of an unfilled via (µm).
    """

    at: tuple = point()
    from_layer: str = text(key="from")
    to_layer: str = text(key="to")
    drill: float = quantity("length", positive=True)
    pad: float = quantity("length", positive=True)
    net: str | None = text(None)
    filled: bool = flag(True)
    plating: float = quantity("length", 15.0, positive=True)

    def _validate(self):
        _check_drill(self)


def _array_sites(center, pitch, count):
    """(i, j, x, y) of a regular array's positions, row by row from the lower left."""
    nx, ny = count
    px, py = pitch
    x0 = center[0] - (nx - 1) * px / 2
    y0 = center[1] - (ny - 1) * py / 2
    for j in range(ny):
        for i in range(nx):
            yield i, j, x0 + i * px, y0 + j * py


@dataclass(frozen=True)
class ViaArray(Spec):
    """A regular array of identical vias, e.g. a thermal via field under a die.

    Parameters
    ----------
    center : [x, y]
        Centre of the array (µm).
    pitch : [px, py]
        Spacing (µm).
    count : [nx, ny]
        Number of vias along x and y.
    """

    center: tuple = point()
    pitch: tuple = pair("length", positive=True)
    count: tuple = counts()
    from_layer: str = text(key="from")
    to_layer: str = text(key="to")
    drill: float = quantity("length", positive=True)
    pad: float = quantity("length", positive=True)
    net: str | None = text(None)
    filled: bool = flag(True)
    plating: float = quantity("length", 15.0, positive=True)

    def _validate(self):
        _check_drill(self)

    def centers(self) -> list[tuple[float, float]]:
        """Centres of the members, row by row from the lower left."""
        return [(x, y) for _, _, x, y in _array_sites(self.center, self.pitch, self.count)]

    def vias(self) -> list[Via]:
        """The individual vias, row by row from the lower left."""
        common = dict(from_layer=self.from_layer, to_layer=self.to_layer, drill=self.drill,
                      pad=self.pad, net=self.net, filled=self.filled, plating=self.plating)
        # the fields are checked already: skip parsing them again for every member
        return [Via.from_internal(at=at, **common) for at in self.centers()]


@dataclass(frozen=True)
class MaskOpening(Spec):
    """An opening in a solder-mask layer."""

    layer: str = text()
    points: tuple = points(3)

    def _validate(self):
        check_polygon(self.points, "points")


def _rotated_rect(center, size, rotation_deg):
    cx, cy = center
    hw, hh = size[0] / 2, size[1] / 2
    c, s = math.cos(math.radians(rotation_deg)), math.sin(math.radians(rotation_deg))
    corners = ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh))
    return tuple((cx + c * x - s * y, cy + s * x + c * y) for x, y in corners)


@dataclass(frozen=True)
class BondFinger(Spec):
    """A wire-bond finger (bond pad on the substrate).

    Parameters
    ----------
    name : str
        Unique finger name, referenced by wire bonds.
    at : [x, y]
        Centre (µm).
    size : [length, width]
        Length along the finger's axis and width across it (µm).
    rotation : float
        Angle of the finger axis from +x (degrees).
    layer : str, optional
        Conductor layer; the top conductor by default.
    net : str, optional
    """

    name: str = text()
    at: tuple = point()
    size: tuple = pair("length", positive=True)
    rotation: float = quantity("angle", 0.0)
    layer: str | None = text(None)
    net: str | None = text(None)

    @property
    def polygon(self) -> tuple:
        """The finger's corners in package coordinates."""
        return _rotated_rect(self.at, self.size, self.rotation)


@dataclass(frozen=True)
class Ball(Spec):
    """A solder ball on a BGA land."""

    diameter: float = quantity("length", positive=True)
    height: float = quantity("length", positive=True)
    material: str = text("sac305")


@dataclass(frozen=True)
class Land(Spec):
    """A BGA/LGA land on a conductor layer (the bottom one by default)."""

    name: str = text()
    at: tuple = point()
    diameter: float = quantity("length", positive=True)
    net: str | None = text(None)
    layer: str | None = text(None)
    kind: str = choice(("bga", "lga"), "bga")
    ball: Ball | None = nested(Ball)


@dataclass(frozen=True)
class LandArray(Spec):
    """A full area array of BGA/LGA lands named JEDEC style (A1 at the lower left).

    Parameters
    ----------
    center : [x, y]
        Centre of the array (µm).
    pitch : [px, py]
    count : [columns, rows]
    diameter : float
        Land diameter (µm).
    depopulate : list of names, optional
        Positions left empty (e.g. ``[F6, F7]``).
    """

    center: tuple = point()
    pitch: tuple = pair("length", positive=True)
    count: tuple = counts()
    diameter: float = quantity("length", positive=True)
    layer: str | None = text(None)
    kind: str = choice(("bga", "lga"), "bga")
    ball: Ball | None = nested(Ball)
    depopulate: tuple = names()
    prefix: str | None = text(None)

    def _validate(self):
        positions = {self._name(i, j) for j in range(self.count[1]) for i in range(self.count[0])}
        for i, name in enumerate(self.depopulate):
            if name not in positions:
                raise DesignError(f"no array position named {name!r}", f"depopulate[{i}]")

    def _name(self, i: int, j: int) -> str:
        row = ""
        n = j
        while True:
            row = _ROW_LETTERS[n % len(_ROW_LETTERS)] + row
            n = n // len(_ROW_LETTERS) - 1
            if n < 0:
                break
        return f"{self.prefix or ''}{row}{i + 1}"

    def sites(self) -> list[tuple[str, tuple[float, float]]]:
        """(name, centre) of the populated positions, row by row from the lower left."""
        skip = set(self.depopulate)
        sites = _array_sites(self.center, self.pitch, self.count)
        named = ((self._name(i, j), (x, y)) for i, j, x, y in sites)
        return [(name, at) for name, at in named if name not in skip]

    def lands(self) -> list[Land]:
        """The individual lands, skipping depopulated positions."""
        return [Land.from_internal(name=name, at=at, diameter=self.diameter, layer=self.layer, kind=self.kind,
                                   ball=self.ball) for name, at in self.sites()]


@dataclass(frozen=True)
class Substrate(Spec):
    """The package substrate.

    Parameters
    ----------
    outline : list of [x, y] or {rect: [...]}
        Substrate outline (µm).
    stackup : list of Layer
        Layers from the top surface down.
    routing : list of LayerRouting
        Routing per conductor layer (a mapping ``{L1: {traces, shapes}}`` in files).
    vias, via_arrays, mask_openings, fingers, lands, land_arrays : lists
        See the respective classes.
    """

    outline: tuple = points(3)
    stackup: tuple = many(Layer)
    routing: tuple = many(LayerRouting, keyed_by="layer")
    vias: tuple = many(Via)
    via_arrays: tuple = many(ViaArray)
    mask_openings: tuple = many(MaskOpening)
    fingers: tuple = many(BondFinger)
    lands: tuple = many(Land)
    land_arrays: tuple = many(LandArray)

    def _validate(self):
        check_polygon(self.outline, "outline")
        if not self.stackup:
            raise DesignError("the stack-up needs at least one layer", "stackup")
        by_name = {}
        for i, layer in enumerate(self.stackup):
            if layer.name in by_name:
                raise DesignError(f"duplicate layer name {layer.name!r}", f"stackup[{i}].name")
            by_name[layer.name] = i
        conductors = [la.name for la in self.stackup if la.is_conductor]
        if not conductors:
            raise DesignError("the stack-up needs at least one conductor layer", "stackup")

        def conductor(name, field):
            if name not in by_name:
                raise DesignError(f"unknown layer {name!r}; conductor layers: {', '.join(conductors)}", field)
            if not self.stackup[by_name[name]].is_conductor:
                raise DesignError(f"layer {name!r} is a {self.stackup[by_name[name]].kind} layer, "
                                  f"not a conductor", field)

        seen = set()
        for i, r in enumerate(self.routing):
            conductor(r.layer, f"routing[{i}].layer")
            if r.layer in seen:
                raise DesignError(f"routing for layer {r.layer!r} given twice", f"routing[{i}].layer")
            seen.add(r.layer)
        for group in ("vias", "via_arrays"):
            for i, v in enumerate(getattr(self, group)):
                conductor(v.from_layer, f"{group}[{i}].from")
                conductor(v.to_layer, f"{group}[{i}].to")
                if by_name[v.from_layer] >= by_name[v.to_layer]:
                    raise DesignError(f"'from' layer {v.from_layer!r} must be above 'to' layer "
                                      f"{v.to_layer!r}", f"{group}[{i}]")
        for i, m in enumerate(self.mask_openings):
            if by_name.get(m.layer) is None or self.stackup[by_name[m.layer]].kind != "solder_mask":
                raise DesignError(f"{m.layer!r} is not a solder_mask layer", f"mask_openings[{i}].layer")
        names = set()
        for i, f in enumerate(self.fingers):
            if f.layer is not None:
                conductor(f.layer, f"fingers[{i}].layer")
            if f.name in names:
                raise DesignError(f"duplicate finger name {f.name!r}", f"fingers[{i}].name")
            names.add(f.name)
        names = set()
        for group in ("lands", "land_arrays"):
            for i, item in enumerate(getattr(self, group)):
                if item.layer is not None:
                    conductor(item.layer, f"{group}[{i}].layer")
                for land in ([item] if group == "lands" else item.lands()):
                    if land.name in names:
                        raise DesignError(f"duplicate land name {land.name!r}", f"{group}[{i}]")
                    names.add(land.name)
        import shapely

        outline = shapely.Polygon(self.outline)
        for i, f in enumerate(self.fingers):
            if not outline.covers(shapely.Polygon(f.polygon)):
                raise DesignError("bond finger lies outside the substrate outline", f"fingers[{i}]")

    # -- queries ------------------------------------------------------------------------
    @property
    def thickness(self) -> float:
        """Total stack-up thickness (µm)."""
        return math.fsum(la.thickness for la in self.stackup)

    @property
    def conductor_layers(self) -> tuple[Layer, ...]:
        """The conductor layers, top first."""
        return tuple(la for la in self.stackup if la.is_conductor)

    def layer(self, name: str) -> Layer:
        """The stack-up layer called `name`."""
        for la in self.stackup:
            if la.name == name:
                return la
        raise DesignError(f"no layer {name!r}; layers: {', '.join(la.name for la in self.stackup)}")

    def layer_z(self, name: str) -> tuple[float, float]:
        """Bottom and top z of a layer (µm), z = 0 at the substrate bottom."""
        z = self.thickness
        for la in self.stackup:
            if la.name == name:
                return (z - la.thickness, z)
            z -= la.thickness
        raise DesignError(f"no layer {name!r}")

    def fill_material(self, name: str) -> str:
        """The dielectric between the copper of conductor layer `name` (see Layer.fill)."""
        layer = self.layer(name)
        if layer.fill:
            return layer.fill
        idx = self.stackup.index(layer)
        z0, z1 = self.layer_z(name)
        outward = -1 if (z0 + z1) / 2 > self.thickness / 2 else 1
        for step in (outward, -outward):
            j = idx + step
            while 0 <= j < len(self.stackup):
                if not self.stackup[j].is_conductor:
                    return self.stackup[j].material
                j += step
        return "air"

    def routing_of(self, layer: str) -> LayerRouting | None:
        """The routing of conductor layer `layer`, or None."""
        for r in self.routing:
            if r.layer == layer:
                return r
        return None

    def all_vias(self) -> list[Via]:
        """Vias with via arrays expanded."""
        out = list(self.vias)
        for a in self.via_arrays:
            out.extend(a.vias())
        return out

    def all_lands(self) -> list[Land]:
        """Lands with land arrays expanded."""
        out = list(self.lands)
        for a in self.land_arrays:
            out.extend(a.lands())
        return out

    def finger(self, name: str) -> BondFinger:
        """The bond finger called `name`."""
        for f in self.fingers:
            if f.name == name:
                return f
        raise DesignError(f"no bond finger {name!r}")

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the outline (µm)."""
        xs = [p[0] for p in self.outline]
        ys = [p[1] for p in self.outline]
        return (min(xs), min(ys), max(xs), max(ys))
