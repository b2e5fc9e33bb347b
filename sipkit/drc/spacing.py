"""Width, space (notch + isolated) and enclosure checks on merged layers.

Thin wrappers over :mod:`._kernels`: they lay out the edge arrays, pick a grid, run the
parallel pair search and drop shielded pairs.  Results are :class:`EdgePairs`: for each
violation the two edges involved, the relation, and the two violating edge parts in
database units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kernels as kn
from ._grid import grid_for
from .layers import DBU, MergedLayer

__all__ = ["RELATIONS", "EdgePairs", "distance_checks", "enclosure_check", "to_dbu"]

#: Relation names by code.
RELATIONS = ("width", "notch", "isolated", "enclosure")


def to_dbu(value_um: float) -> int:
    """A distance in µm as whole database units (rounded to the nearest)."""
    return round(float(value_um) / DBU)


@dataclass
class EdgePairs:
    """Violating edge pairs.

    Attributes
    ----------
    a, b : ndarray of int64
        Edge indices (for enclosure: `a` in the enclosing layer, `b` in the enclosed one).
    rel : ndarray of int8
        Relation code, an index into :data:`RELATIONS`.
    parts : ndarray of int64, shape (n, 8)
        First part (x1, y1, x2, y2) on edge a, second part on edge b, database units.
    """

    a: np.ndarray
    b: np.ndarray
    rel: np.ndarray
    parts: np.ndarray

    def __len__(self) -> int:
        return int(self.a.size)

    def select(self, mask) -> EdgePairs:
        """The pairs where `mask` is true."""
        return EdgePairs(self.a[mask], self.b[mask], self.rel[mask], self.parts[mask])

    def distances(self) -> np.ndarray:
        """Smallest distance (µm) between the two parts of each pair."""
        p = self.parts.astype(np.float64)
        out = np.empty(len(self))
        for k in range(len(self)):
            out[k] = _seg_distance(p[k, 0:4], p[k, 4:8])
        return out * DBU


def _seg_distance(s, t) -> float:
    def point_seg(px, py, x1, y1, x2, y2):
        dx, dy = x2 - x1, y2 - y1
        ll = dx * dx + dy * dy
        u = 0.0 if ll == 0 else min(max(((px - x1) * dx + (py - y1) * dy) / ll, 0.0), 1.0)
        return float(np.hypot(px - (x1 + u * dx), py - (y1 + u * dy)))

    return min(point_seg(s[0], s[1], *t), point_seg(s[2], s[3], *t),
               point_seg(t[0], t[1], *s), point_seg(t[2], t[3], *s))


def _run(x1, y1, x2, y2, poly, layer, dw, dn, di, de) -> EdgePairs:
    if not x1.size:
        z = np.zeros(0, np.int64)
        return EdgePairs(z, z, np.zeros(0, np.int8), np.zeros((0, 8), np.int64))
    dmax = max(dw, dn, di, de)
    gx0, gy0, cell, nx, ny = grid_for(x1, y1, x2, y2, float(dmax), per_cell=6.0)
    a, b, rel, xy, start, items = kn.edge_checks(x1, y1, x2, y2, poly, layer, dw, dn, di, de,
                                                 gx0, gy0, cell, nx, ny)
    pairs = EdgePairs(a, b, rel, xy)
    if len(pairs):
        flag = kn.shielded(a, b, rel, xy, x1, y1, x2, y2, poly, layer, start, items, gx0, gy0, cell, nx, ny)
        pairs = pairs.select(~flag)
    return pairs


def distance_checks(layer: MergedLayer, width: float = 0.0, notch: float = 0.0,
                    isolated: float = 0.0) -> EdgePairs:
    """Width, notch and isolated-space violations of one merged layer in one pass.

    Parameters
    ----------
    layer : MergedLayer
    width, notch, isolated : float
        Minimum distances (µm); 0 leaves a check out.  ``space`` is notch + isolated.
    """
    z = np.zeros(layer.n_edges, np.int64)
    return _run(layer.x1, layer.y1, layer.x2, layer.y2, layer.poly, z,
                to_dbu(width), to_dbu(notch), to_dbu(isolated), 0)


def enclosure_check(outer: MergedLayer, inner: MergedLayer, distance: float) -> EdgePairs:
    """Where `outer` encloses `inner` by less than `distance` (µm), KLayout's enclosing_check.

    Edge indices `a` refer to `outer`, `b` to `inner`.
    """
    n = outer.n_edges
    x1 = np.concatenate((outer.x1, inner.x1))
    y1 = np.concatenate((outer.y1, inner.y1))
    x2 = np.concatenate((outer.x2, inner.x2))
    y2 = np.concatenate((outer.y2, inner.y2))
    poly = np.concatenate((outer.poly, inner.poly + outer.n_polygons))
    layer = np.concatenate((np.zeros(n, np.int64), np.ones(inner.n_edges, np.int64)))
    pairs = _run(x1, y1, x2, y2, poly, layer, 0, 0, 0, to_dbu(distance))
    pairs.b = pairs.b - n
    return pairs
