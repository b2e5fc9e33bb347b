"""Numba kernel: exact area of a set of polygon rings in each cell of a grid.

Green's theorem.  For a region R bounded by rings oriented with the region on the left
(exteriors counter-clockwise, holes clockwise; a ring given the other way round has its
contributions negated), the length of R ∩ [y_j, y_j+1] on the
vertical line at abscissa x is the sum, over the boundary crossings at x, of
``f_j(y) = clip(y, y_j, y_j+1) - y_j`` taken with sign ``-sign(dx)``.  So the area of R
in cell (i, j) is ``-Σ_edges ∫ f_j(y(x)) dx`` over the part of each edge in column i.

Each edge is split at the vertical grid lines; each piece adds, in its column,

- nothing to the rows entirely above it (f = 0),
- ``-dx × h_j`` to every row j entirely below it, which the kernel records once, in a
  per-column array at the highest such row, and spreads with a reverse cumulative sum
  over rows at the end, so the work is O(pieces × rows the piece crosses),
- the exact integral of the clipped linear function to each row it crosses.

Parts of edges left or right of the grid add nothing; parts above the top row add a
full row height to the whole column, below the bottom row nothing.  Vertical edges add
nothing.  The kernel sees only arrays: ring vertices and cell edges, float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _add_piece(area, full, i, ye, sw, ya, yb):
    """Add the piece of signed width `sw` from height `ya` to `yb` to column `i`."""
    ny = ye.size - 1
    p = min(ya, yb)
    q = max(ya, yb)
    if p >= ye[ny]:
        # above the grid: a full row height in every row of the column
        full[ny - 1, i] += sw
        return
    j = np.searchsorted(ye, p, side="right") - 1  # row holding p; -1 below the grid
    if j >= 1:
        full[j - 1, i] += sw  # rows 0 .. j-1 lie entirely below the piece
    if q == p:  # horizontal
        if j >= 0:
            area[j, i] += sw * (p - ye[j])
        return
    if j < 0:
        j = 0
    inv = 1.0 / (q - p)
    while j < ny and ye[j] < q:
        lo = ye[j]
        hi = ye[j + 1]
        a = max(p, lo)
        b = min(q, hi)
        v = 0.0
        if b > a:  # the part of the piece inside the row: mean height above lo
            v += (b - a) * inv * (0.5 * (a + b) - lo)
        if q > hi:  # the part above the row: full height
            v += (q - max(p, hi)) * inv * (hi - lo)
        area[j, i] += sw * v
        j += 1


@njit(cache=True)
def _add_edge(area, full, xe, ye, ax, ay, bx, by, sign):
    """Add the edge (ax, ay) -> (bx, by), its contribution times `sign`, column by column."""
    nx = xe.size - 1
    if ax == bx:
        return  # vertical: no contribution
    if ax < bx:
        sgn = -sign
        xl, yl, xr, yr = ax, ay, bx, by
    else:
        sgn = sign
        xl, yl, xr, yr = bx, by, ax, ay
    if xr <= xe[0] or xl >= xe[nx]:
        return
    ylo = min(yl, yr)
    yhi = max(yl, yr)
    dx = xr - xl
    dy = yr - yl
    if xl <= xe[0]:
        i = 0
        xa = xe[0]
        ya = min(max(yl + (xa - xl) / dx * dy, ylo), yhi)
    else:
        i = np.searchsorted(xe, xl, side="right") - 1
        xa = xl
        ya = yl
    while i < nx and xa < xr:
        xn = xe[i + 1]
        if xr <= xn:
            xb = xr
            yb = yr
        else:
            xb = xn
            yb = min(max(yl + (xn - xl) / dx * dy, ylo), yhi)
        w = xb - xa
        if w > 0.0:
            _add_piece(area, full, i, ye, sgn * w, ya, yb)
        xa = xb
        ya = yb
        i += 1


@njit(cache=True, nogil=True)
def _coverage_kernel(x, y, ring_start, ring_sign, xe, ye):
    """Fraction of each cell inside the rings, shape (ny, nx), not clipped.

    Ring k is the closed vertex sequence ``x[ring_start[k]:ring_start[k + 1]]`` (first
    vertex repeated last); ``ring_sign[k]`` is +1 if the region lies on its left
    (counter-clockwise exterior, clockwise hole) and -1 otherwise.
    """
    nx = xe.size - 1
    ny = ye.size - 1
    area = np.zeros((ny, nx))
    full = np.zeros((ny, nx))  # signed widths of pieces lying above rows 0 .. j
    for k in range(ring_start.size - 1):
        sign = ring_sign[k]
        for m in range(ring_start[k], ring_start[k + 1] - 1):
            _add_edge(area, full, xe, ye, x[m], y[m], x[m + 1], y[m + 1], sign)
    w = np.empty(nx)
    for i in range(nx):
        w[i] = xe[i + 1] - xe[i]
    acc = np.zeros(nx)
    for j in range(ny - 1, -1, -1):  # reverse cumulative sum of `full` over rows
        h = ye[j + 1] - ye[j]
        for i in range(nx):
            acc[i] += full[j, i]
            area[j, i] = (area[j, i] + acc[i] * h) / (h * w[i])
    return area
