"""3-D wire-bond loop geometry: from the die pad to the bond finger (or another die's pad).

Every wire is returned as a polyline in package coordinates (µm), **pad end first**,
sampled finely enough for the inductance integrals (segments of at most
`max_segment`).  The same geometry feeds the parasitics, the clearance check and the
DRC's wire rules.

The loop lies in the vertical plane through both bond points.  In that plane, with s
the horizontal distance from the pad and h the height above the pad (away from the
substrate), each profile is a few control points joined by a shape-preserving cubic
(PCHIP), so the loop never rises above its control points and its highest point is
exactly the loop height H:

``standard``
    forward loop, ball on the pad: a vertical neck to 0.8 H, a rounded kink reaching H
    at about 12 % of the span, then a nearly straight descent to the second bond;
``low``
    low loop: a short neck, a flat run at H that reaches past the die edge, then a
    nearly straight descent;
``reverse``
    reverse (stand-off stitch) bond, ball on the finger and stitch on a stud on the pad:
    the wire leaves the pad at a shallow angle, runs flat at H beyond the die edge and
    drops vertically onto the finger.

The loop height is measured above the die pad for all three profiles (for a reverse
bond that is the height of the wire over the die, which is how reverse loops are
specified; the ball on the finger lies lower).  Should the far end lie higher than
``H - 2 d`` above the pad (a bond up to a taller die), the loop rises to the far end's
height plus two wire diameters instead.  Bottom-side dies loop downwards.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError

__all__ = ["WirePath", "loop_points", "pack_paths", "wire_paths"]

#: Default longest segment of a sampled loop (µm).
MAX_SEGMENT = 20.0


@dataclass(frozen=True, eq=False)
class WirePath:
    """One bond wire as a 3-D polyline.

    Attributes
    ----------
    name : str
        The wire's name, or ``die.pad-to`` when the design gives none.
    die, pad : str
        Die and pad of the wire's pad end (where the design lists it).
    to : str
        Bond finger name, or ``die.pad`` for a die-to-die bond.
    kind : {"finger", "die"}
        What the far end lands on.
    net : str or None
        Net of the pad.
    profile : {"standard", "low", "reverse"}
    material : str
        Wire material card.
    diameter : float
        Wire diameter (µm).
    loop_height : float
        Design loop height above the pad (µm).
    points : ndarray, shape (n, 3)
        Centreline from the pad end to the far end (µm).
    field : str
        Field path of the wire in the design, for messages.
    up : {1, -1}
        +1 for top-side dies (loops rise in +z), -1 for bottom-side dies.
    """

    name: str
    die: str
    pad: str
    to: str
    kind: str
    net: str | None
    profile: str
    material: str
    diameter: float
    loop_height: float
    points: np.ndarray = dataclasses.field(repr=False)
    field: str = ""
    up: int = 1

    @property
    def first(self) -> np.ndarray:
        """Pad end of the centreline (µm)."""
        return self.points[0]

    @property
    def second(self) -> np.ndarray:
        """Far end: the finger, or the other die's pad (µm)."""
        return self.points[-1]

    @property
    def radius(self) -> float:
        """Wire radius (µm)."""
        return self.diameter / 2

    @property
    def length(self) -> float:
        """Length of the centreline (µm)."""
        return float(np.linalg.norm(np.diff(self.points, axis=0), axis=1).sum())

    @property
    def span(self) -> float:
        """Horizontal distance between the two bonds (µm)."""
        d = self.points[-1, :2] - self.points[0, :2]
        return float(math.hypot(d[0], d[1]))

    @property
    def height(self) -> float:
        """Highest point of the loop above the pad (µm, away from the substrate)."""
        return float(np.max(self.up * (self.points[:, 2] - self.points[0, 2])))

    @property
    def bbox(self) -> tuple[float, float, float, float, float, float]:
        """(x0, y0, z0, x1, y1, z1) of the centreline (µm)."""
        lo = self.points.min(axis=0)
        hi = self.points.max(axis=0)
        return (*map(float, lo), *map(float, hi))


def _edge_distance(footprint, p, e) -> float:
    """Distance from `p` along the unit xy direction `e` to the edge of rectangle `footprint`."""
    x0, y0, x1, y1 = footprint
    t = math.inf
    for lo, hi, pc, ec in ((x0, x1, p[0], e[0]), (y0, y1, p[1], e[1])):
        if ec > 1e-12:
            t = min(t, (hi - pc) / ec)
        elif ec < -1e-12:
            t = min(t, (lo - pc) / ec)
    return max(0.0, t) if math.isfinite(t) else 0.0


def _along(a, b, f):
    """The point a fraction `f` of the way from `a` to `b` (a straight descent after a kink)."""
    return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))


def _control_points(profile: str, span: float, drop: float, height: float, edge: float,
                     diameter: float):
    """Control points (s, h) of a loop in its vertical plane, pad end first."""
    S, H, d = span, height, diameter
    if profile == "standard":
        c = min(max(0.12 * S, 2 * d), 0.3 * S)
        return [(0.0, 0.0), (0.0, 0.8 * H), (c, H), _along((c, H), (S, drop), 0.3), (S, drop)]
    if profile == "low":
        c1 = min(max(0.06 * S, 2 * d), 0.2 * S)
        c2 = min(max(edge + 0.1 * S, c1 + 0.1 * S), 0.75 * S)
        return [(0.0, 0.0), (0.0, 0.6 * H), (c1, H), (c2, H), _along((c2, H), (S, drop), 0.3), (S, drop)]
    if profile == "reverse":
        b = min(max(edge, 0.15 * S), 0.5 * S)
        n = min(0.05 * S, H)
        c = max(S - n, b + 1e-6 * S)
        return [(0.0, 0.0), (b, H), (c, H), (S, 0.5 * (H + drop)), (S, drop)]
    raise DesignError(f"unknown loop profile {profile!r}; expected standard, low or reverse")


def loop_points(first, second, loop_height: float, profile: str = "standard", *, up: int = 1,
                edge: float | None = None, diameter: float = 25.0,
                max_segment: float = MAX_SEGMENT) -> np.ndarray:
    """Centreline of a wire loop between two bond points.

    Parameters
    ----------
    first : array_like, shape (3,)
        Pad end (µm); the loop height is measured from its z.
    second : array_like, shape (3,)
        Far end (µm).
    loop_height : float
        Highest point above `first` (µm).
    profile : {"standard", "low", "reverse"}
    up : {1, -1}
        Direction the loop rises (-1 for bottom-side dies).
    edge : float, optional
        Horizontal distance from the pad to the die edge along the wire (µm); the low
        and reverse profiles run flat past it.  A tenth of the span by default.
    diameter : float
        Wire diameter (µm), for the smallest kink offsets.
    max_segment : float
        Longest segment of the returned polyline (µm).

    Returns
    -------
    ndarray, shape (n, 3)
        Points from `first` to `second`, both included exactly.

    Examples
    --------
    >>> pts = loop_points([0, 0, 300], [1500, 0, 180], 150)
    >>> bool(np.isclose(pts[:, 2].max() - 300, 150))
    True
    >>> bool(np.allclose(pts[[0, -1]], [[0, 0, 300], [1500, 0, 180]]))
    True
    """
    from scipy.interpolate import PchipInterpolator

    p0 = np.asarray(first, dtype=float).reshape(3)
    p1 = np.asarray(second, dtype=float).reshape(3)
    if not (loop_height > 0 and math.isfinite(loop_height)):
        raise DesignError(f"loop height must be a positive length, got {loop_height!r}")
    if not (max_segment > 0):
        raise DesignError(f"max_segment must be positive, got {max_segment!r}")
    dxy = p1[:2] - p0[:2]
    span = float(math.hypot(dxy[0], dxy[1]))
    if span < 1e-6:
        raise DesignError("the two bonds of a wire lie on top of each other (zero span)")
    e = dxy / span
    drop = up * float(p1[2] - p0[2])
    height = max(float(loop_height), drop + 2 * diameter)
    ctrl = np.array(_control_points(profile, span, drop, height,
                                    0.1 * span if edge is None else float(edge), diameter))
    keep = np.ones(len(ctrl), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(ctrl, axis=0)) > 1e-9 * span, axis=1)
    ctrl = ctrl[keep]
    u = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(ctrl, axis=0).T))])
    fine_u = np.unique(np.concatenate([np.linspace(0.0, u[-1], 64 * len(ctrl)), u]))
    s = PchipInterpolator(u, ctrl[:, 0])(fine_u)
    h = PchipInterpolator(u, ctrl[:, 1])(fine_u)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(s), np.diff(h)))])
    n = max(8, math.ceil(arc[-1] / max_segment))
    t = np.linspace(0.0, arc[-1], n + 1)
    s_t = np.interp(t, arc, s)
    h_t = np.interp(t, arc, h)
    # the sampled peak: keep the exact highest point of the fine curve
    k = int(np.argmax(h))
    if h[k] > h_t.max() + 1e-9:
        j = int(np.searchsorted(t, arc[k]))
        t = np.insert(t, j, arc[k])
        s_t = np.insert(s_t, j, s[k])
        h_t = np.insert(h_t, j, h[k])
    pts = np.empty((len(t), 3))
    pts[:, 0] = p0[0] + s_t * e[0]
    pts[:, 1] = p0[1] + s_t * e[1]
    pts[:, 2] = p0[2] + up * h_t
    pts[0] = p0
    pts[-1] = p1
    return pts


def _finger_z(pkg, finger, die, field_path: str) -> float:
    sub = pkg.substrate
    conductors = [c.name for c in sub.conductor_layers]
    layer = finger.layer or conductors[0]
    if layer == conductors[0]:
        z, side = sub.thickness, "top"
    elif layer == conductors[-1]:
        z, side = 0.0, "bottom"
    else:
        raise DesignError(f"bond finger {finger.name!r} lies on inner layer {layer!r}; a wire can "
                          "reach fingers on the top or bottom conductor only", field_path)
    if side != die.side:
        raise DesignError(f"die {die.name!r} sits on the {die.side} side but finger {finger.name!r} is "
                          f"on the {side} conductor", field_path)
    return z


def _pad_point(pkg, die, pad_name: str) -> np.ndarray:
    pad = die.pad(pad_name)
    xy = die.to_package(pad.at)[0]
    lo, hi = pkg.z_range(die.name)
    return np.array([xy[0], xy[1], hi if die.side == "top" else lo])


def wire_paths(pkg, max_segment: float = MAX_SEGMENT) -> list[WirePath]:
    """Every bond wire of a package as a 3-D polyline (cached on the package).

    The pad end is at the die pad on the die's active face (top face for top-side
    dies), x/y from the pad position; the far end is the bond finger's centre on the
    substrate surface, or the other die's pad.

    Parameters
    ----------
    pkg : Package
    max_segment : float
        Longest polyline segment (µm).

    Returns
    -------
    list of WirePath
        In design order: dies in order, wires in order.

    Raises
    ------
    DesignError
        For a wire whose bonds coincide in x/y or that cannot reach its finger,
        naming the wire's field.
    """
    key = ("wire_paths", float(max_segment))
    cached = pkg._cache.get(key)
    if cached is not None:
        return list(cached)
    dies = {d.name: d for d in pkg.dies}
    fingers = {f.name: f for f in pkg.substrate.fingers}
    out: list[WirePath] = []
    used: dict[str, int] = {}
    for i, die in enumerate(pkg.dies):
        if die.wire_bond is None:
            continue
        up = 1 if die.side == "top" else -1
        for j, w in enumerate(die.wire_bond.wires):
            field_path = f"dies[{i}].wire_bond.wires[{j}]"
            first = _pad_point(pkg, die, w.pad)
            if w.to in fingers:
                f = fingers[w.to]
                second = np.array([f.at[0], f.at[1], _finger_z(pkg, f, die, field_path)])
                kind = "finger"
            else:
                other, pad = w.to.split(".", 1)
                second = _pad_point(pkg, dies[other], pad)
                kind = "die"
            dxy = second[:2] - first[:2]
            span = math.hypot(dxy[0], dxy[1])
            if span < 1e-6:
                raise DesignError("the two bonds of this wire lie on top of each other in x/y", field_path)
            edge = _edge_distance(die.footprint, first, dxy / span)
            try:
                pts = loop_points(first, second, w.loop_height, w.profile, up=up, edge=edge,
                                  diameter=w.wire.diameter, max_segment=max_segment)
            except DesignError as err:
                raise DesignError(err.message, field_path) from None
            name = w.name or f"{die.name}.{w.pad}-{w.to}"
            if name in used:
                used[name] += 1
                name = f"{name}#{used[name]}"
            else:
                used[name] = 1
            pad = die.pad(w.pad)
            out.append(WirePath(name=name, die=die.name, pad=w.pad, to=w.to, kind=kind, net=pad.net,
                                profile=w.profile, material=w.wire.material, diameter=w.wire.diameter,
                                loop_height=w.loop_height, points=pts, field=field_path, up=up))
    pkg._cache[key] = tuple(out)
    return out


def pack_paths(paths) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate wire polylines for the kernels.

    Returns
    -------
    points : ndarray, shape (N, 3), float64
        All points, wire after wire.
    starts : ndarray, shape (n_wires + 1,), int64
        Wire k is ``points[starts[k]:starts[k + 1]]``.
    """
    arrays = [np.asarray(p.points if hasattr(p, "points") else p, dtype=np.float64) for p in paths]
    starts = np.zeros(len(arrays) + 1, dtype=np.int64)
    if arrays:
        np.cumsum([len(a) for a in arrays], out=starts[1:])
        pts = np.ascontiguousarray(np.concatenate(arrays))
    else:
        pts = np.zeros((0, 3))
    return pts, starts
