"""Bond-wire rules on the 3-D wire loops of :mod:`sipkit.interconnect`.

Every rule works on :func:`sipkit.interconnect.wire_paths` (each wire's centreline as
a 3-D polyline, pad end first) and, for wire-to-wire distance and crossings, on
:func:`sipkit.interconnect.wire_clearance`.  Heights are measured away from the
substrate (downwards for bottom-side dies).  A wire's marker is its top-view polyline.
"""

from __future__ import annotations

import math

import numpy as np

from .report import Violation

__all__ = ["RUNNERS"]

#: Measured values are compared with the limits after rounding to 1e-6 (µm, degrees, or a
#: plain ratio): a wire exactly at a limit passes whatever the floating-point round-off.
_DIGITS = 6


def _r(x) -> float:
    return round(float(x), _DIGITS)


def _paths(pkg):
    from ..interconnect import wire_paths

    return wire_paths(pkg)


def _marker(w):
    pts = tuple((float(x), float(y)) for x, y in w.points[:, :2])
    xs = w.points[:, 0]
    ys = w.points[:, 1]
    return ("path", pts), (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def _v(rule, w, value, message, nets=None, marker=None, bbox=None):
    if marker is None:
        marker, bbox = _marker(w)
    nets = tuple(n for n in (nets if nets is not None else (w.net,)) if n)
    return Violation(rule.id, rule.check, (), nets, None if value is None else round(float(value), 6),
                     rule.limit_text, marker, tuple(float(v) for v in bbox), rule.severity, message)


def wire_length(rule, pkg):
    """3-D length of every wire against rule.min and rule.max."""
    out = []
    for w in _paths(pkg):
        n = _r(w.length)
        if (rule.min is not None and n < rule.min) or (rule.max is not None and n > rule.max):
            out.append(_v(rule, w, n, w.name))
    return out


def wire_ratio(rule, pkg):
    """Length over diameter of every wire against rule.max."""
    out = []
    for w in _paths(pkg):
        r = _r(w.length / w.diameter)
        if r > rule.max:
            out.append(_v(rule, w, r, f"{w.name}: {w.length:.0f} µm long, {w.diameter:g} µm thick"))
    return out


def _clearance(pkg, reach: float):
    from ..interconnect import wire_clearance

    paths = _paths(pkg)
    dmax = max((w.diameter for w in paths), default=0.0)
    return paths, wire_clearance(paths, max_distance=reach + dmax + 1.0)


def wire_clearance(rule, pkg):
    """Surface-to-surface 3-D distance of every pair of wires that do not share a bond."""
    paths, wc = _clearance(pkg, rule.min)
    out = []
    bad = np.flatnonzero(~wc.connected & (np.round(wc.gap, _DIGITS) < rule.min))
    for k in bad[np.argsort(wc.gap[bad], kind="stable")].tolist():
        a, b = paths[wc.pair_i[k]], paths[wc.pair_j[k]]
        x, y, z = (float(v) for v in wc.where[k])
        h = max(rule.min, 1.0) / 2
        box = (x - h, y - h, x + h, y + h)
        out.append(_v(rule, a, wc.gap[k], f"{a.name} - {b.name} at z = {z:.1f} µm", nets=(a.net, b.net),
                      marker=("box", box), bbox=box))
    return out


def wire_crossing(rule, pkg):
    """Wires that cross in top view (value: their vertical centreline separation there)."""
    paths, wc = _clearance(pkg, 1.0)
    out = []
    for i, j, xy, dz in zip(wc.cross_i.tolist(), wc.cross_j.tolist(), wc.cross_xy, wc.cross_dz, strict=True):
        a, b = paths[i], paths[j]
        x, y = float(xy[0]), float(xy[1])
        out.append(_v(rule, a, dz, f"{a.name} crosses {b.name}", nets=(a.net, b.net),
                      marker=("point", (x, y)), bbox=(x, y, x, y)))
    return out


def bond_angle(rule, pkg):
    """Angle between a wire (top view) and the axis of the bond finger it lands on (degrees)."""
    fingers = {f.name: f for f in pkg.substrate.fingers}
    out = []
    for w in _paths(pkg):
        if w.kind != "finger":
            continue
        f = fingers[w.to]
        d = w.first[:2] - w.second[:2]
        a = abs(math.degrees(math.atan2(d[1], d[0])) - f.rotation) % 180.0
        a = _r(min(a, 180.0 - a))
        if a > rule.max:
            out.append(_v(rule, w, a, f"{w.name} on finger {f.name}"))
    return out


def loop_height(rule, pkg):
    """Mold above the top of every loop: mold top minus the loop's outer surface (µm)."""
    out = []
    t = pkg.substrate.thickness
    for w in _paths(pkg):
        side = "top" if w.up > 0 else "bottom"
        mold = pkg.mold(side)
        if mold is None:
            continue
        z = w.points[:, 2]
        if w.up > 0:
            clear = (t + mold.thickness) - (float(z.max()) + w.radius)
        else:
            clear = (float(z.min()) - w.radius) - (-mold.thickness)
        clear = _r(clear)
        if clear < rule.min:
            out.append(_v(rule, w, clear, f"{w.name}: {clear:.1f} µm of mold above the loop"))
    return out


def _edge_crossings(xy, z, box):
    """(s, z) where the top-view polyline crosses the rectangle's boundary."""
    x0, y0, x1, y1 = box
    a = xy[:-1]
    d = xy[1:] - a
    za = z[:-1]
    dz = z[1:] - za
    hits = []
    for axis, value, lo, hi in ((0, x0, y0, y1), (0, x1, y0, y1), (1, y0, x0, x1), (1, y1, x0, x1)):
        other = 1 - axis
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (value - a[:, axis]) / d[:, axis]
            q = a[:, other] + t * d[:, other]
        ok = (d[:, axis] != 0) & (t >= 0) & (t <= 1) & (q >= lo) & (q <= hi)
        for k in np.flatnonzero(ok):
            p = a[k] + t[k] * d[k]
            hits.append((float(p[0]), float(p[1]), float(za[k] + t[k] * dz[k])))
    return hits


def wire_die_edge(rule, pkg):
    """Height of the wire's surface above the edge of every die it passes over (µm).

    Where the wire's top view crosses the outline of a die or interposer on its side,
    the clearance is the wire centreline's height above that body's top face minus the
    wire radius; negative when the wire runs into the body.
    """
    bodies = [*pkg.dies, *pkg.interposers]
    out = []
    for w in _paths(pkg):
        xy = w.points[:, :2]
        z = w.points[:, 2]
        side = "top" if w.up > 0 else "bottom"
        worst = None
        for b in bodies:
            if b.side != side:
                continue
            lo, hi = pkg.z_range(b.name)
            face = hi if w.up > 0 else lo
            for x, y, zc in _edge_crossings(xy, z, b.footprint):
                clear = _r(w.up * (zc - face) - w.radius)
                if worst is None or clear < worst[0]:
                    worst = (clear, x, y, b.name)
        if worst is not None and worst[0] < rule.min:
            clear, x, y, name = worst
            box = (x, y, x, y)
            out.append(_v(rule, w, clear, f"{w.name} over the edge of {name}", marker=("point", (x, y)),
                          bbox=box))
    return out


#: Wire rules by check name: function(rule, pkg) -> list of Violation.
RUNNERS = {
    "wire_length": wire_length,
    "wire_ratio": wire_ratio,
    "wire_clearance": wire_clearance,
    "wire_crossing": wire_crossing,
    "bond_angle": bond_angle,
    "loop_height": loop_height,
    "wire_die_edge": wire_die_edge,
}
