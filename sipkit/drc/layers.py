"""Merged layers: the polygons of one layer as their union, held as oriented edges.

A :class:`MergedLayer` is what every geometric check works on: the boundary edges of
the union of a layer's shapes in int64 database units (1 nm), each with the copper on
its right (hulls clockwise, holes counter-clockwise, as in KLayout), the merged polygon
it belongs to and the next edge along its contour.  Abutting and overlapping shapes
and the cut lines of keyhole polygons leave no edge inside copper; shapes that touch,
even at a single point, form one polygon.

:func:`merge_rings` builds one from ring arrays; :func:`rings_from_shapely` and
:func:`rings_from_points` make those arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _merge_kernels as mk
from ._grid import grid_for
from ._threads import threads

__all__ = ["DBU", "MergedLayer", "merge_rings", "rings_from_points", "rings_from_shapely"]

#: Database unit (µm): coordinates are snapped to 1 nm, the layout convention of sipkit.
DBU = 1e-3

_MAX_ROUNDS = 6
#: Fewest edges per slab of the parallel sweep.
_SLAB_EDGES = 50000


@dataclass
class MergedLayer:
    """The union of a layer's shapes as oriented boundary edges (database units).

    Attributes
    ----------
    name : str
    x1, y1, x2, y2 : ndarray of int64
        Edges, copper on the right.
    poly : ndarray of int64
        Merged polygon of each edge, 0 .. n_polygons - 1.
    nxt : ndarray of int64
        The edge that follows each edge on its contour.
    poly_nets : list of frozenset
        Nets of the shapes that make up each merged polygon.
    """

    name: str
    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    poly: np.ndarray
    nxt: np.ndarray
    poly_nets: list = field(default_factory=list)
    _contours: tuple | None = field(default=None, repr=False)

    @property
    def n_edges(self) -> int:
        """Number of boundary edges."""
        return int(self.x1.size)

    @property
    def n_polygons(self) -> int:
        """Number of merged polygons."""
        return int(self.poly.max()) + 1 if self.poly.size else 0

    def bbox(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) in µm, or None when the layer is empty."""
        if not self.x1.size:
            return None
        return (float(self.x1.min()) * DBU, float(self.y1.min()) * DBU,
                float(self.x1.max()) * DBU, float(self.y1.max()) * DBU)

    def contours(self):
        """Contours as (contour of each edge, edge order, contour start, signed area in dbu²).

        The signed area is negative for hulls (clockwise) and positive for holes.
        """
        if self._contours is None:
            self._contours = _contours(self.x1, self.y1, self.x2, self.y2, self.nxt)
        return self._contours

    def polygon_areas(self) -> np.ndarray:
        """Area of each merged polygon (µm²), holes subtracted."""
        cross = (self.x1.astype(np.float64) * self.y2 - self.x2.astype(np.float64) * self.y1)
        return -np.bincount(self.poly, weights=cross, minlength=self.n_polygons) / 2 * DBU * DBU

    def ring_points(self, contour: int) -> np.ndarray:
        """Vertices (µm) of one contour, shape (n, 2)."""
        _, order, start, _ = self.contours()
        idx = order[start[contour]:start[contour + 1]]
        return np.column_stack((self.x1[idx], self.y1[idx])).astype(np.float64) * DBU


def _contours(x1, y1, x2, y2, nxt):
    m = x1.size
    cid = -np.ones(m, np.int64)
    order = np.empty(m, np.int64)
    starts = [0]
    n = 0
    pos = 0
    for i in range(m):
        if cid[i] >= 0:
            continue
        e = i
        while e >= 0 and cid[e] < 0:
            cid[e] = n
            order[pos] = e
            pos += 1
            e = nxt[e]
        n += 1
        starts.append(pos)
    start = np.asarray(starts, np.int64)
    cross = x1.astype(np.float64) * y2 - x2.astype(np.float64) * y1
    area = np.bincount(cid, weights=cross, minlength=n) / 2 if m else np.zeros(0)
    return cid, order, start, area


def rings_from_points(rings, signs=None):
    """Ring arrays from a list of (n, 2) point arrays in µm.

    Returns xs, ys (int64 dbu), ring_start (int64) and ring_sign (int64, +1 unless
    `signs` says otherwise).
    """
    if not len(rings):
        e = np.zeros(0, np.int64)
        return e, e, np.zeros(1, np.int64), e
    lens = np.fromiter((len(r) for r in rings), np.int64, len(rings))
    pts = np.concatenate([np.asarray(r, np.float64).reshape(-1, 2) for r in rings])
    q = np.round(pts / DBU).astype(np.int64)
    start = np.zeros(len(rings) + 1, np.int64)
    np.cumsum(lens, out=start[1:])
    sign = np.ones(len(rings), np.int64) if signs is None else np.asarray(signs, np.int64)
    return np.ascontiguousarray(q[:, 0]), np.ascontiguousarray(q[:, 1]), start, sign


def rings_from_shapely(polygons):
    """Ring arrays of shapely polygons (holes as rings of their own); also each ring's polygon."""
    import shapely

    polys = np.asarray(polygons, dtype=object)
    if not polys.size:
        e = np.zeros(0, np.int64)
        return e, e, np.zeros(1, np.int64), e, e
    rings, owner = shapely.get_rings(polys, return_index=True)
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = owner[1:] != owner[:-1]
    counts = shapely.get_num_coordinates(rings)
    xy = shapely.get_coordinates(rings)
    q = np.round(xy / DBU).astype(np.int64)
    start = np.zeros(len(rings) + 1, np.int64)
    np.cumsum(counts, out=start[1:])
    sign = np.where(exterior, 1, -1).astype(np.int64)
    return np.ascontiguousarray(q[:, 0]), np.ascontiguousarray(q[:, 1]), start, sign, owner.astype(np.int64)


def merge_rings(name, xs, ys, ring_start, ring_sign=None, ring_net=None, nets=()) -> MergedLayer:
    """Merge rings (int64 dbu) into a :class:`MergedLayer`.

    Parameters
    ----------
    name : str
    xs, ys : ndarray of int64
        Ring vertices; ring k is ``ring_start[k]:ring_start[k + 1]`` (closing point
        optional).  Keyhole rings and rings that overlap or abut are fine.
    ring_sign : ndarray of int64, optional
        +1 for rings that add copper, -1 for holes given as rings of their own.
    ring_net : ndarray of int64, optional
        Index into `nets` of each ring's net, -1 for none.
    nets : sequence of str
    """
    nr = ring_start.size - 1
    if ring_sign is None:
        ring_sign = np.ones(nr, np.int64)
    xs = np.ascontiguousarray(xs, np.int64)
    ys = np.ascontiguousarray(ys, np.int64)
    # sweep along the longer side: fewer edges cross the sweep line
    rotate = xs.size > 0 and (ys.max() - ys.min()) > (xs.max() - xs.min())
    if rotate:
        xs, ys = -ys, xs.copy()
    ring_start = np.ascontiguousarray(ring_start, np.int64)
    ex1, ey1, ex2, ey2, er = mk.ring_edges(xs, ys, ring_start, np.ascontiguousarray(ring_sign, np.int64),
                                           np.argsort(mk.ring_min_x(xs, ring_start), kind="stable"))
    parent = np.arange(max(nr, 1), dtype=np.int64)
    dirty = np.ones(ex1.size, np.bool_)
    for _ in range(_MAX_ROUNDS):
        if not ex1.size:
            break
        gx0, gy0, cell, nx, ny = grid_for(ex1, ey1, ex2, ey2, 2.0, per_cell=1.0)
        se, sx, sy, ra, rb = mk.intersections(ex1, ey1, ex2, ey2, er, dirty, gx0, gy0, cell, nx, ny)
        _unions(parent, ra, rb)
        if not se.size:
            break
        # split points by edge, then along it
        pos = ((sx - ex1[se]).astype(np.float64) * (ex2[se] - ex1[se])
               + (sy - ey1[se]).astype(np.float64) * (ey2[se] - ey1[se]))
        by_edge = np.lexsort((pos, se))
        ex1, ey1, ex2, ey2, er, dirty = mk.split_edges(ex1, ey1, ex2, ey2, er, se, sx, sy, by_edge)
        if not dirty.any():
            break
    cx1, cy1, cx2, cy2, cw, k1, k2 = mk.canonical_edges(ex1, ey1, ex2, ey2)
    del ex1, ey1, ex2, ey2, dirty  # free memory as we go: layers of millions of edges
    # sorts of nearly sorted keys (edges come ring by ring in sweep order): stable is fastest
    by_k1 = np.argsort(k1, kind="stable")
    ux1, uy1, ux2, uy2, uw, ur, uk1, uk2 = mk.unique_edges(cx1, cy1, cx2, cy2, cw, k1, k2, by_k1, er, parent)
    del cx1, cy1, cx2, cy2, cw, k1, k2, by_k1, er
    keys, order = mk.sweep_events(uk1, uk2, np.argsort(uk2, kind="stable"))
    nslabs = max(1, min(2 * threads(), ux1.size // _SLAB_EDGES))
    wb, wa, ra, rb = mk.sweep(ux1, uy1, ux2, uy2, uw, ur.astype(np.int64), keys, order, nslabs)
    _unions(parent, ra, rb)
    del keys, order
    idx, rev = mk.boundary(ux1, uy1, ux2, uy2, wb, wa)
    bx1 = np.where(rev, ux2[idx], ux1[idx])
    by1 = np.where(rev, uy2[idx], uy1[idx])
    bx2 = np.where(rev, ux1[idx], ux2[idx])
    by2 = np.where(rev, uy1[idx], uy2[idx])
    bring = ur[idx]
    del ux1, uy1, ux2, uy2, uw, ur, uk1, uk2, wb, wa, idx, rev
    if rotate:
        bx1, by1 = by1, -bx1
        bx2, by2 = by2, -bx2
    ks, ke = mk.end_keys(bx1, by1, bx2, by2)
    mx1, my1, mx2, my2, src, nxt = mk.chain_edges(bx1, by1, bx2, by2, ks, ke, np.argsort(ks, kind="stable"),
                                                  np.argsort(ke, kind="stable"))
    del bx1, by1, bx2, by2, ks, ke
    roots = _roots(parent, bring[src].astype(np.int64)) if src.size else np.zeros(0, np.int64)
    # polygons numbered by their root ring (what np.unique would give, without sorting)
    used = np.zeros(max(nr, 1), np.int64)
    used[roots] = 1
    label = np.cumsum(used) - 1
    uniq = np.flatnonzero(used)
    poly = label[roots]
    poly_nets = []
    if ring_net is not None and len(nets) and uniq.size:
        all_roots = _roots(parent, np.arange(nr, dtype=np.int64))
        rn = np.asarray(ring_net, np.int64)
        where = np.searchsorted(uniq, all_roots)
        ok = (where < uniq.size) & (rn >= 0)
        ok[ok] &= uniq[where[ok]] == all_roots[ok]
        groups = [set() for _ in range(uniq.size)]
        for p, n in zip(where[ok].tolist(), rn[ok].tolist(), strict=True):
            groups[p].add(nets[n])
        poly_nets = [frozenset(g) for g in groups]
    else:
        poly_nets = [frozenset() for _ in range(uniq.size)]
    return MergedLayer(name, mx1, my1, mx2, my2, poly.astype(np.int64), nxt, poly_nets)


def _unions(parent, ra, rb):
    if ra.size:
        mk.apply_unions(parent, ra, rb)


def _roots(parent, idx):
    return mk.find_all(parent, idx)
