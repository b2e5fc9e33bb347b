"""Wire-to-wire clearance: minimum 3-D distance and top-view crossings over all wires.

All wire segments are binned on a uniform 2-D grid (cell about the search distance);
each pair of segments of different wires that share a cell and whose boxes, grown by
half the search distance, overlap is measured once (in the cell holding the corner of
their boxes' overlap) by an exact segment-to-segment distance, and tested for an
intersection in top view.  The work grows with the number of segments and their close
neighbours, not with the square of the wire count: 5,000 wires take a fraction of a
second once the kernel is compiled.

Wires that share a bond point (two wires on one finger, or a die-to-die bond landing on
a pad that has its own wire) touch by design: they are reported as ``connected`` and left
out of the nearest-neighbour figures, the violations and the crossings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError

__all__ = ["WireClearance", "wire_clearance"]


@dataclass(frozen=True, eq=False)
class WireClearance:
    """Result of :func:`wire_clearance`.

    Attributes
    ----------
    names : tuple of str
        Wire names, in the order of the input.
    max_distance : float
        Search distance between centrelines (µm); farther pairs are not reported.
    pair_i, pair_j : ndarray of int
        Wire pairs (i < j) whose centrelines come within `max_distance`.
    distance : ndarray
        Their minimum centreline distance (µm).
    gap : ndarray
        Their minimum surface-to-surface distance (µm): distance minus both radii.
    where : ndarray, shape (n_pairs, 3)
        Midpoint of the closest points.
    connected : ndarray of bool
        The two wires share a bond point.
    nearest : ndarray of int
        For each wire the closest unconnected wire within `max_distance`, or -1.
    nearest_gap : ndarray
        Surface gap to it (µm), inf if none.
    cross_i, cross_j : ndarray of int
        Unconnected wire pairs that cross in top view.
    cross_xy : ndarray, shape (n_cross, 2)
        Where they cross.
    cross_dz : ndarray
        Vertical centreline separation there (µm).
    """

    names: tuple
    max_distance: float
    pair_i: np.ndarray
    pair_j: np.ndarray
    distance: np.ndarray
    gap: np.ndarray
    where: np.ndarray
    connected: np.ndarray
    nearest: np.ndarray
    nearest_gap: np.ndarray
    cross_i: np.ndarray
    cross_j: np.ndarray
    cross_xy: np.ndarray
    cross_dz: np.ndarray

    @property
    def min_gap(self) -> float:
        """Smallest surface gap between unconnected wires (µm), inf if none within range."""
        g = self.gap[~self.connected]
        return float(g.min()) if g.size else math.inf

    def violations(self, min_gap: float) -> list[dict]:
        """Unconnected wire pairs closer than `min_gap` (surface to surface, µm)."""
        bad = np.flatnonzero((~self.connected) & (self.gap < min_gap))
        return [{"wire_a": self.names[self.pair_i[k]], "wire_b": self.names[self.pair_j[k]],
                 "gap_um": float(self.gap[k]), "required_um": float(min_gap),
                 "where_um": [float(v) for v in self.where[k]]} for k in bad[np.argsort(self.gap[bad])]]

    def crossings(self) -> list[dict]:
        """Top-view crossings of unconnected wires, with their vertical separation."""
        return [{"wire_a": self.names[a], "wire_b": self.names[b], "x_um": float(xy[0]),
                 "y_um": float(xy[1]), "dz_um": float(dz)}
                for a, b, xy, dz in zip(self.cross_i, self.cross_j, self.cross_xy, self.cross_dz,
                                        strict=True)]


def _segments(paths, tolerance, max_len):
    """Segments of all wires after simplification, with the wire index of each."""
    from ._kernels import simplify

    arrays = []
    for k, p in enumerate(paths):
        pts = np.asarray(p.points if hasattr(p, "points") else p, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) < 2 or not np.all(np.isfinite(pts)):
            raise DesignError(f"wire {k}: expected at least two finite 3-D points, shape (n, 3)")
        arrays.append(pts)
    if not arrays:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    starts = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=starts[1:])
    pts, starts = simplify(np.ascontiguousarray(np.concatenate(arrays)), starts, tolerance, max_len)
    counts = np.diff(starts)
    wire = np.repeat(np.arange(len(arrays), dtype=np.int64), counts - 1)
    last = np.zeros(len(pts), dtype=bool)
    last[starts[1:] - 1] = True
    first = np.zeros(len(pts), dtype=bool)
    first[starts[:-1]] = True
    return np.ascontiguousarray(pts[~last]), np.ascontiguousarray(pts[~first]), wire


def _cell_size(A, B, radius):
    """A grid cell near the search distance, but with no more cells than about 4 per segment."""
    m = len(A)
    lo = np.minimum(A, B).min(axis=0)
    hi = np.maximum(A, B).max(axis=0)
    seg = np.hypot(B[:, 0] - A[:, 0], B[:, 1] - A[:, 1])
    cell = max(radius, float(np.median(seg)) if m else 1.0, 1e-3)
    area = max((hi[0] - lo[0] + radius) * (hi[1] - lo[1] + radius), 1e-9)
    cell = max(cell, math.sqrt(area / (4.0 * m + 1024)))
    return cell


def _connected_pairs(paths, diameters):
    """Set of (i, j), i < j, of wires whose end points coincide within the wire diameters."""
    from scipy.spatial import cKDTree

    n = len(paths)
    if n < 2:
        return set()
    ends = np.array([[p.points[0], p.points[-1]] if hasattr(p, "points") else
                     [np.asarray(p)[0], np.asarray(p)[-1]] for p in paths], dtype=float).reshape(-1, 3)
    owner = np.repeat(np.arange(n), 2)
    tol = float(max(diameters)) if len(diameters) else 0.0
    out = set()
    for a, b in cKDTree(ends).query_pairs(max(tol, 1e-6)):
        i, j = owner[a], owner[b]
        if i != j:
            out.add((min(i, j), max(i, j)))
    return out


def wire_clearance(paths, max_distance: float = 100.0, *, tolerance: float = 0.1) -> WireClearance:
    """Minimum 3-D distance and top-view crossings between all wires.

    Parameters
    ----------
    paths : list of WirePath
        E.g. :func:`sipkit.interconnect.wire_paths`.  Plain (n, 3) point arrays are
        accepted too (diameter 0, names ``wire0``, ``wire1``, ...).
    max_distance : float
        Search distance between centrelines (µm): pairs farther apart are not reported.
        Choose it above the largest spacing a rule checks plus the wire diameter.
    tolerance : float
        Each polyline is first simplified (Douglas-Peucker) to within this distance
        (µm), which makes the check fast; distances are exact for the simplified wires
        and so within ``2 * tolerance`` of the input's.  0 keeps every point that is not
        exactly collinear with its neighbours.

    Returns
    -------
    WireClearance
    """
    from ._kernels import clearance_kernel, closest_points

    paths = list(paths)
    radius = float(max_distance)
    if not (radius > 0 and math.isfinite(radius)):
        raise DesignError(f"max_distance must be a positive length, got {max_distance!r}")
    n = len(paths)
    names = tuple(getattr(p, "name", f"wire{k}") for k, p in enumerate(paths))
    diam = np.array([float(getattr(p, "diameter", 0.0)) for p in paths])
    tolerance = float(tolerance)
    if not (tolerance >= 0 and math.isfinite(tolerance)):
        raise DesignError(f"tolerance must be zero or a positive length, got {tolerance!r}")
    A, B, wire = _segments(paths, tolerance, 2.0 * radius)
    empty_i = np.zeros(0, dtype=np.int64)
    if len(A) == 0:
        return WireClearance(names, radius, empty_i, empty_i, np.zeros(0), np.zeros(0), np.zeros((0, 3)),
                             np.zeros(0, bool), np.full(n, -1), np.full(n, math.inf), empty_i, empty_i,
                             np.zeros((0, 2)), np.zeros(0))
    cell = _cell_size(A, B, radius)
    cp, cq, cd2, xp, xq, xtp, xtq = clearance_kernel(A, B, wire, n, radius, cell, 1e-9 * max(cell, 1.0))
    connected = _connected_pairs(paths, diam)
    order = np.lexsort((wire[cq], wire[cp]))
    cp, cq, cd2 = cp[order], cq[order], cd2[order]
    pi, pj = wire[cp], wire[cq]
    dist = np.sqrt(cd2)
    pa, pb = closest_points(A, B, cp, cq)
    gap = dist - 0.5 * (diam[pi] + diam[pj])
    conn_codes = np.array(sorted(a * n + b for a, b in connected), dtype=np.int64)
    conn = np.isin(pi * n + pj, conn_codes)
    nearest = np.full(n, -1, dtype=np.int64)
    nearest_gap = np.full(n, math.inf)
    u = np.concatenate([pi[~conn], pj[~conn]])
    v = np.concatenate([pj[~conn], pi[~conn]])
    g = np.concatenate([gap[~conn], gap[~conn]])
    order = np.lexsort((g, u))
    u, v, g = u[order], v[order], g[order]
    head = np.ones(len(u), dtype=bool)
    head[1:] = u[1:] != u[:-1]
    nearest[u[head]] = v[head]
    nearest_gap[u[head]] = g[head]
    # crossings: one per wire pair, the one with the smallest vertical separation
    xi, xj = wire[xp], wire[xq]
    za = A[xp, 2] + xtp * (B[xp, 2] - A[xp, 2])
    zb = A[xq, 2] + xtq * (B[xq, 2] - A[xq, 2])
    dz = np.abs(za - zb)
    xy = A[xp, :2] + xtp[:, None] * (B[xp, :2] - A[xp, :2])
    keep = ~np.isin(xi * n + xj, conn_codes)
    xi, xj, dz, xy = xi[keep], xj[keep], dz[keep], xy[keep]
    order = np.lexsort((dz, xj, xi))
    xi, xj, dz, xy = xi[order], xj[order], dz[order], xy[order]
    firstx = np.ones(len(xi), dtype=bool)
    firstx[1:] = (xi[1:] != xi[:-1]) | (xj[1:] != xj[:-1])
    return WireClearance(names, radius, pi, pj, dist, gap, 0.5 * (pa + pb), conn, nearest, nearest_gap,
                         xi[firstx], xj[firstx], xy[firstx].reshape(-1, 2), dz[firstx])
