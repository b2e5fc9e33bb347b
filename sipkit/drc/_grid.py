"""Numba kernels: a uniform grid of cells over edges, for finding nearby edge pairs.

An edge is listed in every cell that holds a point within ``margin`` of it (a slightly
larger set, never a smaller one), so two edges closer than ``margin`` share every cell
holding a point of one of them that is nearest the other.  A pair is then handled in
exactly one cell (the one holding a reference point both edges are listed for), with
no duplicate to remove.  Coordinates are int64 database units.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _row_span(x1, y1, x2, y2, ylo, yhi):
    """x range of the part of segment (x1, y1)-(x2, y2) with ylo <= y <= yhi (empty: lo > hi)."""
    if y1 == y2:
        if y1 < ylo or y1 > yhi:
            return 1.0, 0.0
        return float(min(x1, x2)), float(max(x1, x2))
    dy = float(y2 - y1)
    ta = (ylo - y1) / dy
    tb = (yhi - y1) / dy
    if ta > tb:
        ta, tb = tb, ta
    ta = max(ta, 0.0)
    tb = min(tb, 1.0)
    if ta > tb:
        return 1.0, 0.0
    xa = x1 + ta * (x2 - x1)
    xb = x1 + tb * (x2 - x1)
    return min(xa, xb), max(xa, xb)


@njit(cache=True)
def _cells_of(x1, y1, x2, y2, margin, gx0, gy0, cell, nx, ny, out, write):
    """Count (and with `write`, store into `out`) the cells within `margin` of a segment."""
    n = 0
    r0 = math.floor((min(y1, y2) - margin - gy0) / cell)
    r1 = math.floor((max(y1, y2) + margin - gy0) / cell)
    r0 = max(r0, 0)
    r1 = min(r1, ny - 1)
    for r in range(r0, r1 + 1):
        ylo = gy0 + r * cell - margin
        yhi = gy0 + (r + 1) * cell + margin
        xa, xb = _row_span(x1, y1, x2, y2, ylo, yhi)
        if xa > xb:
            continue
        c0 = max(math.floor((xa - margin - gx0) / cell), 0)
        c1 = min(math.floor((xb + margin - gx0) / cell), nx - 1)
        for c in range(c0, c1 + 1):
            if write:
                out[n] = c * ny + r
            n += 1
    return n


@njit(cache=True, nogil=True)
def build_grid(x1, y1, x2, y2, margin, gx0, gy0, cell, nx, ny):
    """Cells as CSR: ``items[start[k]:start[k + 1]]`` are the edges listed in cell k.

    Within a cell, edges are in increasing index order.
    """
    m = x1.size
    counts = np.empty(m, np.int64)
    dummy = np.empty(0, np.int64)
    for i in range(m):
        counts[i] = _cells_of(x1[i], y1[i], x2[i], y2[i], margin, gx0, gy0, cell, nx, ny, dummy, False)
    offs = np.empty(m + 1, np.int64)
    offs[0] = 0
    for i in range(m):
        offs[i + 1] = offs[i] + counts[i]
    total = offs[m]
    cells = np.empty(total, np.int64)
    for i in range(m):
        _cells_of(x1[i], y1[i], x2[i], y2[i], margin, gx0, gy0, cell, nx, ny,
                  cells[offs[i]:offs[i + 1]], True)
    ncell = nx * ny
    start = np.zeros(ncell + 1, np.int64)
    for k in range(total):
        start[cells[k] + 1] += 1
    for k in range(ncell):
        start[k + 1] += start[k]
    fill = start[:-1].copy()
    items = np.empty(total, np.int32)
    for i in range(m):  # edge order kept within each cell
        for k in range(offs[i], offs[i + 1]):
            c = cells[k]
            items[fill[c]] = i
            fill[c] += 1
    return start, items


def grid_for(x1, y1, x2, y2, margin: float, per_cell: float = 6.0, max_cells: int = 1 << 24):
    """Grid parameters (gx0, gy0, cell, nx, ny) for edges and a pair distance `margin`.

    The cell size aims at about `per_cell` edges per cell over the bounding box, is at
    least twice the margin (so an edge is listed in few cells) and keeps the number of
    cells below `max_cells`.
    """
    n = max(int(x1.size), 1)
    gx0 = float(min(x1.min(), x2.min())) - 1.0
    gy0 = float(min(y1.min(), y2.min())) - 1.0
    w = float(max(x1.max(), x2.max())) + 1.0 - gx0
    h = float(max(y1.max(), y2.max())) + 1.0 - gy0
    cell = math.sqrt(w * h * per_cell / n)
    cell = max(cell, 2.0 * margin, 1.0)
    while math.ceil(w / cell) * math.ceil(h / cell) > max_cells:
        cell *= 1.5
    nx = max(math.ceil(w / cell), 1)
    ny = max(math.ceil(h / cell), 1)
    return gx0, gy0, cell, nx, ny
