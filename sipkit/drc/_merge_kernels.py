"""Numba kernels: merging the polygons of a layer into their union (non-zero winding).

The merge works on edges in int64 database units, in four steps:

1. ``ring_edges``: every ring becomes edges, oriented counter-clockwise (the polygon on
   the left); rings of zero area are dropped.  Keyhole rings (holes joined to the hull
   by a cut there and back) need nothing special: their cut edges cancel in step 3.
2. ``intersections`` + ``split_edges``: edges are split where they cross, touch or
   overlap another edge (crossings rounded to the database grid), so that afterwards
   edges meet only at end points.  Rings that touch are joined (union-find).
3. ``unique_edges``: coincident edges become one edge with a multiplicity (+1 per edge
   running left to right, -1 per edge running back), zero multiplicities vanish.
4. ``sweep``: a sweep line (lexicographic in x, y) keeps the edges it crosses in order;
   the winding number just below each edge is the one just above its lower neighbour,
   so every edge learns the winding numbers on both sides.  Edges with copper (winding
   number > 0) on exactly one side are the boundary of the union; they are returned
   oriented with the copper on their right (hulls clockwise, holes counter-clockwise,
   as KLayout orients polygons).  Rings whose regions touch are joined, so the groups
   of rings are the merged polygons (touching at a single point joins, as in KLayout's
   default "maximum coherence").

``chain_edges`` then links boundary edges into contours and joins collinear edges.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._grid import build_grid
from ._threads import run_chunks, threads

# --------------------------------------------------------------------------------------
# small exact predicates (int64)


@njit(cache=True)
def orient(ax, ay, bx, by, cx, cy):
    """Sign of the turn a -> b -> c: +1 left (counter-clockwise), -1 right, 0 collinear."""
    v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    if v > 0:
        return 1
    if v < 0:
        return -1
    return 0


@njit(cache=True)
def lexless(ax, ay, bx, by):
    return ax < bx or (ax == bx and ay < by)


@njit(cache=True)
def find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True)
def union(parent, a, b):
    ra = find(parent, a)
    rb = find(parent, b)
    if ra != rb:
        if ra < rb:
            parent[rb] = ra
        else:
            parent[ra] = rb


@njit(cache=True)
def apply_unions(parent, ra, rb):
    for k in range(ra.size):
        union(parent, ra[k], rb[k])


@njit(cache=True)
def find_all(parent, idx):
    out = np.empty(idx.size, np.int64)
    for k in range(idx.size):
        out[k] = find(parent, idx[k])
    return out


# --------------------------------------------------------------------------------------
# 1. rings to edges


@njit(cache=True)
def ring_min_x(xs, ring_start):
    """Smallest x of every ring."""
    nr = ring_start.size - 1
    out = np.empty(nr, np.int64)
    for r in range(nr):
        a = ring_start[r]
        b = ring_start[r + 1]
        out[r] = xs[a:b].min() if b > a else 0
    return out


@njit(cache=True)
def ring_edges(xs, ys, ring_start, ring_sign, ring_order):
    """Edges of every ring, rings in `ring_order`; returns x1, y1, x2, y2, ring.

    Rings with ``ring_sign`` +1 are turned counter-clockwise (they add copper), rings
    with -1 clockwise (holes given as rings of their own).  Taking the rings in the
    order of the sweep (by their smallest x) keeps every later pass over the edges
    local in memory.
    """
    nr = ring_start.size - 1
    total = ring_start[nr]
    ex1 = np.empty(total, np.int64)
    ey1 = np.empty(total, np.int64)
    ex2 = np.empty(total, np.int64)
    ey2 = np.empty(total, np.int64)
    er = np.empty(total, np.int32)
    m = 0
    for r in ring_order:
        a = ring_start[r]
        b = ring_start[r + 1]
        while b - a > 1 and xs[b - 1] == xs[a] and ys[b - 1] == ys[a]:
            b -= 1  # closing point(s)
        if b - a < 3:
            continue
        # twice the signed area, relative to the first point (float: only the sign matters)
        area = 0.0
        x0 = xs[a]
        y0 = ys[a]
        for k in range(a, b):
            k2 = k + 1 if k + 1 < b else a
            area += float(xs[k] - x0) * float(ys[k2] - y0) - float(xs[k2] - x0) * float(ys[k] - y0)
        if area == 0.0:
            continue
        if ring_sign[r] < 0:
            area = -area
        for k in range(a, b):
            k2 = k + 1 if k + 1 < b else a
            if xs[k] == xs[k2] and ys[k] == ys[k2]:
                continue
            if area > 0:
                ex1[m] = xs[k]
                ey1[m] = ys[k]
                ex2[m] = xs[k2]
                ey2[m] = ys[k2]
            else:
                ex1[m] = xs[k2]
                ey1[m] = ys[k2]
                ex2[m] = xs[k]
                ey2[m] = ys[k]
            er[m] = r
            m += 1
    return ex1[:m], ey1[:m], ex2[:m], ey2[:m], er[:m]


# --------------------------------------------------------------------------------------
# 2. intersections


@njit(cache=True)
def _inside_open(ax, ay, bx, by, px, py):
    """Whether p (known to lie on the line a-b) lies strictly between a and b."""
    if ax != bx:
        return min(ax, bx) < px < max(ax, bx)
    return min(ay, by) < py < max(ay, by)


@njit(cache=True)
def _pair(i, j, x1, y1, x2, y2, out_e, out_x, out_y, n, write):
    """Split points of edges i and j (appended to out_*); returns (n, ref x, ref y, touch).

    The reference point (a point both edges contain) decides which grid cell handles
    the pair; ``touch`` says whether the edges meet at all.
    """
    ax, ay, bx, by = x1[i], y1[i], x2[i], y2[i]
    cx, cy, dx, dy = x1[j], y1[j], x2[j], y2[j]
    if max(ax, bx) < min(cx, dx) or max(cx, dx) < min(ax, bx):
        return n, 0.0, 0.0, False
    if max(ay, by) < min(cy, dy) or max(cy, dy) < min(ay, by):
        return n, 0.0, 0.0, False
    d1 = orient(ax, ay, bx, by, cx, cy)
    d2 = orient(ax, ay, bx, by, dx, dy)
    if d1 == 0 and d2 == 0:
        # collinear: overlap along the dominant axis
        if ax != bx:
            lo = max(min(ax, bx), min(cx, dx))
            hi = min(max(ax, bx), max(cx, dx))
        else:
            lo = max(min(ay, by), min(cy, dy))
            hi = min(max(ay, by), max(cy, dy))
        if lo > hi:
            return n, 0.0, 0.0, False
        # reference: the smallest point of the overlap among the four end points
        rx = 0.0
        ry = 0.0
        best = False
        for k in range(4):
            px = ax if k == 0 else (bx if k == 1 else (cx if k == 2 else dx))
            py = ay if k == 0 else (by if k == 1 else (cy if k == 2 else dy))
            v = px if ax != bx else py
            if lo <= v <= hi:
                if not best or lexless(px, py, rx, ry):
                    rx = px
                    ry = py
                    best = True
        for k in range(2):
            px = cx if k == 0 else dx
            py = cy if k == 0 else dy
            if _inside_open(ax, ay, bx, by, px, py):
                if write:
                    out_e[n] = i
                    out_x[n] = px
                    out_y[n] = py
                n += 1
            px = ax if k == 0 else bx
            py = ay if k == 0 else by
            if _inside_open(cx, cy, dx, dy, px, py):
                if write:
                    out_e[n] = j
                    out_x[n] = px
                    out_y[n] = py
                n += 1
        return n, float(rx), float(ry), True
    d3 = orient(cx, cy, dx, dy, ax, ay)
    d4 = orient(cx, cy, dx, dy, bx, by)
    if d1 * d2 > 0 or d3 * d4 > 0:
        return n, 0.0, 0.0, False
    if d1 != 0 and d2 != 0 and d3 != 0 and d4 != 0:
        # proper crossing: split both at the rounded intersection point
        den = float(bx - ax) * float(dy - cy) - float(by - ay) * float(dx - cx)
        t = (float(cx - ax) * float(dy - cy) - float(cy - ay) * float(dx - cx)) / den
        fx = ax + t * (bx - ax)
        fy = ay + t * (by - ay)
        px = np.int64(np.round(fx))
        py = np.int64(np.round(fy))
        if write:
            out_e[n] = i
            out_x[n] = px
            out_y[n] = py
            out_e[n + 1] = j
            out_x[n + 1] = px
            out_y[n + 1] = py
        return n + 2, fx, fy, True
    # an end point of one edge lies on the other
    rx = 0.0
    ry = 0.0
    if d1 == 0:
        rx, ry = float(cx), float(cy)
        if _inside_open(ax, ay, bx, by, cx, cy):
            if write:
                out_e[n] = i
                out_x[n] = cx
                out_y[n] = cy
            n += 1
    if d2 == 0:
        rx, ry = float(dx), float(dy)
        if _inside_open(ax, ay, bx, by, dx, dy):
            if write:
                out_e[n] = i
                out_x[n] = dx
                out_y[n] = dy
            n += 1
    if d3 == 0:
        rx, ry = float(ax), float(ay)
        if _inside_open(cx, cy, dx, dy, ax, ay):
            if write:
                out_e[n] = j
                out_x[n] = ax
                out_y[n] = ay
            n += 1
    if d4 == 0:
        rx, ry = float(bx), float(by)
        if _inside_open(cx, cy, dx, dy, bx, by):
            if write:
                out_e[n] = j
                out_x[n] = bx
                out_y[n] = by
            n += 1
    return n, rx, ry, True


@njit(cache=True)
def _cell_pairs(k, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, ny,
                out_e, out_x, out_y, out_ra, out_rb, write):
    n = 0
    nt = 0
    a0 = start[k]
    a1 = start[k + 1]
    for p in range(a0, a1):
        i = items[p]
        for q in range(p + 1, a1):
            j = items[q]
            if not (dirty[i] or dirty[j]):
                continue
            if ring[i] == ring[j] and (
                    (x2[i] == x1[j] and y2[i] == y1[j]) or (x2[j] == x1[i] and y2[j] == y1[i])):
                # consecutive edges of one ring: nothing unless they fold back on each other
                if orient(x1[i], y1[i], x2[i], y2[i], x1[j], y1[j]) != 0 or \
                        orient(x1[i], y1[i], x2[i], y2[i], x2[j], y2[j]) != 0:
                    continue
            n2, rx, ry, touch = _pair(i, j, x1, y1, x2, y2, out_e, out_x, out_y, n, False)
            if not touch:
                continue
            c = int(np.floor((rx - gx0) / cell))
            r = int(np.floor((ry - gy0) / cell))
            if c * ny + r != k:
                continue
            if write:
                n = _pair(i, j, x1, y1, x2, y2, out_e, out_x, out_y, n, True)[0]
                if ring[i] != ring[j]:
                    out_ra[nt] = ring[i]
                    out_rb[nt] = ring[j]
            else:
                n = n2
            if ring[i] != ring[j]:
                nt += 1
    return n, nt


@njit(cache=True, nogil=True)
def _count_cells(k0, k1, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, ny, cnt, cntt):
    e0 = np.empty(0, np.int64)
    r0 = np.empty(0, np.int32)
    for k in range(k0, k1):
        if start[k + 1] - start[k] > 1:
            cnt[k], cntt[k] = _cell_pairs(k, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, ny,
                                          e0, e0, e0, r0, r0, False)


@njit(cache=True, nogil=True)
def _write_cells(k0, k1, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, ny, cnt, cntt, off, offt,
                 out_e, out_x, out_y, out_ra, out_rb):
    for k in range(k0, k1):
        if cnt[k] > 0 or cntt[k] > 0:
            _cell_pairs(k, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, ny,
                        out_e[off[k]:off[k + 1]], out_x[off[k]:off[k + 1]], out_y[off[k]:off[k + 1]],
                        out_ra[offt[k]:offt[k + 1]], out_rb[offt[k]:offt[k + 1]], True)


def intersections(x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, nx, ny):
    """Split points (edge, x, y) and touching ring pairs (ring a, ring b) of all edges."""
    start, items = build_grid(x1, y1, x2, y2, 2.0, gx0, gy0, cell, nx, ny)
    ncell = nx * ny
    cnt = np.zeros(ncell, np.int64)
    cntt = np.zeros(ncell, np.int64)
    args = (start, items, x1, y1, x2, y2, ring, dirty, float(gx0), float(gy0), float(cell), int(ny))
    run_chunks(lambda a, b: _count_cells(a, b, *args, cnt, cntt), ncell)
    off = np.zeros(ncell + 1, np.int64)
    offt = np.zeros(ncell + 1, np.int64)
    np.cumsum(cnt, out=off[1:])
    np.cumsum(cntt, out=offt[1:])
    out_e = np.empty(off[ncell], np.int64)
    out_x = np.empty(off[ncell], np.int64)
    out_y = np.empty(off[ncell], np.int64)
    out_ra = np.empty(offt[ncell], np.int32)
    out_rb = np.empty(offt[ncell], np.int32)
    outs = (out_e, out_x, out_y, out_ra, out_rb)
    run_chunks(lambda a, b: _write_cells(a, b, *args, cnt, cntt, off, offt, *outs), ncell)
    return out_e, out_x, out_y, out_ra, out_rb


@njit(cache=True)
def split_edges(x1, y1, x2, y2, ring, se, sx, sy, order):
    """Split edges at the points (se: edge, sx, sy); returns new edges and a 'dirty' flag.

    `order` sorts the split points by edge, then by position along the edge.  A piece is
    dirty when one of its end points is a split point off the original line (a rounded
    crossing), so that it may cross edges its parent did not.
    """
    m = x1.size
    ns = se.size
    cnt = np.zeros(m + 1, np.int64)
    for k in range(ns):
        cnt[se[k] + 1] += 1
    for e in range(m):
        cnt[e + 1] += cnt[e]
    total = m + ns
    nx1 = np.empty(total, np.int64)
    ny1 = np.empty(total, np.int64)
    nx2 = np.empty(total, np.int64)
    ny2 = np.empty(total, np.int64)
    nr = np.empty(total, np.int32)
    dirty = np.zeros(total, np.bool_)
    n = 0
    for e in range(m):
        a = cnt[e]
        b = cnt[e + 1]
        px = x1[e]
        py = y1[e]
        pdirty = False
        if b > a:
            for t in range(a, b):
                k = order[t]
                qx = sx[k]
                qy = sy[k]
                if qx == px and qy == py:
                    continue
                if qx == x2[e] and qy == y2[e]:
                    continue
                off = orient(x1[e], y1[e], x2[e], y2[e], qx, qy) != 0
                nx1[n] = px
                ny1[n] = py
                nx2[n] = qx
                ny2[n] = qy
                nr[n] = ring[e]
                dirty[n] = pdirty or off
                n += 1
                px = qx
                py = qy
                pdirty = off
        if px == x2[e] and py == y2[e]:
            continue
        nx1[n] = px
        ny1[n] = py
        nx2[n] = x2[e]
        ny2[n] = y2[e]
        nr[n] = ring[e]
        dirty[n] = pdirty
        n += 1
    return nx1[:n], ny1[:n], nx2[:n], ny2[:n], nr[:n], dirty[:n]


# --------------------------------------------------------------------------------------
# 3. coincident edges


@njit(cache=True)
def canonical_edges(x1, y1, x2, y2):
    """Edges left to right (lexicographic), their direction (+1 kept, -1 reversed) and point keys.

    Returns cx1, cy1, cx2, cy2, w, k1 (key of the left end), k2 (key of the right end);
    keys order points as the sweep meets them (by x, then y).
    """
    m = x1.size
    cx1 = np.empty(m, np.int64)
    cy1 = np.empty(m, np.int64)
    cx2 = np.empty(m, np.int64)
    cy2 = np.empty(m, np.int64)
    w = np.empty(m, np.int64)
    k1 = np.empty(m, np.int64)
    k2 = np.empty(m, np.int64)
    if m == 0:
        return cx1, cy1, cx2, cy2, w, k1, k2
    xmin = min(x1.min(), x2.min())
    ymin = min(y1.min(), y2.min())
    span = max(y1.max(), y2.max()) - ymin + 1
    for i in range(m):
        if lexless(x1[i], y1[i], x2[i], y2[i]):
            cx1[i], cy1[i], cx2[i], cy2[i], w[i] = x1[i], y1[i], x2[i], y2[i], 1
        else:
            cx1[i], cy1[i], cx2[i], cy2[i], w[i] = x2[i], y2[i], x1[i], y1[i], -1
        k1[i] = (cx1[i] - xmin) * span + (cy1[i] - ymin)
        k2[i] = (cx2[i] - xmin) * span + (cy2[i] - ymin)
    return cx1, cy1, cx2, cy2, w, k1, k2


@njit(cache=True)
def unique_edges(cx1, cy1, cx2, cy2, w, k1, k2, order, ring, parent):
    """Coincident edges as one with their multiplicity (zero dropped), in sweep order.

    `order` sorts `k1` (the left end points).  Edges come out ordered by their left end
    point, so the sweep inserts them in array order.  Rings owning coincident edges are
    joined in `parent`.  Returns ux1, uy1, ux2, uy2, uw, ur, uk1, uk2.
    """
    m = cx1.size
    ux1 = np.empty(m, np.int64)
    uy1 = np.empty(m, np.int64)
    ux2 = np.empty(m, np.int64)
    uy2 = np.empty(m, np.int64)
    uw = np.empty(m, np.int64)
    ur = np.empty(m, np.int32)
    uk1 = np.empty(m, np.int64)
    uk2 = np.empty(m, np.int64)
    used = np.zeros(m, np.bool_)
    n = 0
    a = 0
    while a < m:
        b = a + 1
        while b < m and k1[order[b]] == k1[order[a]]:
            b += 1
        for s in range(a, b):
            i = order[s]
            if used[i]:
                continue
            used[i] = True
            tot = w[i]
            for q in range(s + 1, b):
                j = order[q]
                if not used[j] and k2[j] == k2[i]:
                    used[j] = True
                    tot += w[j]
                    union(parent, ring[i], ring[j])
            if tot != 0:
                ux1[n], uy1[n], ux2[n], uy2[n], uw[n], ur[n] = cx1[i], cy1[i], cx2[i], cy2[i], tot, ring[i]
                uk1[n] = k1[i]
                uk2[n] = k2[i]
                n += 1
        a = b
    return ux1[:n], uy1[:n], ux2[:n], uy2[:n], uw[:n], ur[:n], uk1[:n], uk2[:n]


# --------------------------------------------------------------------------------------
# 4. sweep


@njit(cache=True)
def _below(a, b, x1, y1, x2, y2):
    """Whether edge a lies below edge b where the sweep line crosses both."""
    if not lexless(x1[a], y1[a], x1[b], y1[b]):
        o = orient(x1[b], y1[b], x2[b], y2[b], x1[a], y1[a])
        if o == 0:
            o = orient(x1[b], y1[b], x2[b], y2[b], x2[a], y2[a])
        return o < 0
    o = orient(x1[a], y1[a], x2[a], y2[a], x1[b], y1[b])
    if o == 0:
        o = orient(x1[a], y1[a], x2[a], y2[a], x2[b], y2[b])
    return o > 0


@njit(cache=True)
def sweep_events(k1, k2, by_end):
    """Sweep events in order: keys (2 * point key, + 1 for insertions) and event codes.

    Edges are in order of their left end points (`k1` sorted); `by_end` sorts `k2`.
    Event ``2 i`` removes edge i, ``2 i + 1`` inserts it; at one point removals come first.
    """
    m = k1.size
    keys = np.empty(2 * m, np.int64)
    order = np.empty(2 * m, np.int64)
    i = 0
    r = 0
    for k in range(2 * m):
        if i < m and (r >= m or k1[i] * 2 + 1 < k2[by_end[r]] * 2):
            keys[k] = k1[i] * 2 + 1
            order[k] = 2 * i + 1
            i += 1
        else:
            e = by_end[r]
            keys[k] = k2[e] * 2
            order[k] = 2 * e
            r += 1
    return keys, order


#: Capacity of one block of the sweep's active list (a sorted list of sorted blocks).
_BLOCK = 128


@njit(cache=True)
def _block_of(s, bl, blen, border, nb, x1, y1, x2, y2, find):
    """Index (into border) of the first block whose last edge is not below s (or is s when `find`)."""
    lo = 0
    hi = nb
    while lo < hi:
        mid = (lo + hi) >> 1
        b = border[mid]
        last = bl[b, blen[b] - 1]
        if (not find or last != s) and _below(last, s, x1, y1, x2, y2):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _pos_in(s, bl, b, n, x1, y1, x2, y2, find):
    lo = 0
    hi = n
    while lo < hi:
        mid = (lo + hi) >> 1
        e = bl[b, mid]
        if (not find or e != s) and _below(e, s, x1, y1, x2, y2):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _order_inserts(x1, y1, x2, y2, keys, order):
    """Edges starting at one point go in from the lowest to the highest (in place), so
    that each finds its final lower neighbour when it is inserted."""
    n = keys.size
    k = 0
    while k < n:
        t = k + 1
        while t < n and keys[t] == keys[k]:
            t += 1
        if t - k > 1 and order[k] & 1:
            for a in range(k + 1, t):
                ev = order[a]
                b = a - 1
                while b >= k:
                    p = order[b] >> 1
                    q = ev >> 1
                    cr = (x2[p] - x1[p]) * (y2[q] - y1[q]) - (y2[p] - y1[p]) * (x2[q] - x1[q])
                    if cr >= 0:
                        break
                    order[b + 1] = order[b]
                    b -= 1
                order[b + 1] = ev
        k = t


@njit(cache=True)
def _sort_active(idx, x1, y1, x2, y2):
    """Sort edges that are all active at one moment of the sweep, bottom to top (merge sort)."""
    n = idx.size
    a = idx.copy()
    b = np.empty_like(a)
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i = lo
            j = mid
            k = lo
            while i < mid and j < hi:
                if _below(a[j], a[i], x1, y1, x2, y2):
                    b[k] = a[j]
                    j += 1
                else:
                    b[k] = a[i]
                    i += 1
                k += 1
            while i < mid:
                b[k] = a[i]
                i += 1
                k += 1
            while j < hi:
                b[k] = a[j]
                j += 1
                k += 1
        a, b = b, a
        width *= 2
    return a


@njit(cache=True, nogil=True)
def _sweep_slab(e0, e1, x1, y1, x2, y2, w, ring, order, ins_pos, rem_pos, wb, wa, ua, ub):
    """The sweep over events e0 .. e1 - 1, starting from the edges active at e0.

    Fills wb, wa of the edges inserted in the slab and the ring pairs to join (ua, ub);
    returns the number of pairs.
    """
    m = x1.size
    # edges inserted before e0 and removed at or after it, bottom to top; the winding
    # number below each is the sum of the multiplicities below it
    n_in = 0
    for i in range(m):
        if ins_pos[i] < e0 and rem_pos[i] >= e0:
            n_in += 1
    init = np.empty(n_in, np.int64)
    n_in = 0
    for i in range(m):
        if ins_pos[i] < e0 and rem_pos[i] >= e0:
            init[n_in] = i
            n_in += 1
    init = _sort_active(init, x1, y1, x2, y2)
    # local winding above the initial edges (their global wb/wa belong to other slabs)
    wa_init = np.empty(n_in, np.int64)
    acc = 0
    for k in range(n_in):
        acc += w[init[k]]
        wa_init[k] = acc
    half = _BLOCK // 2
    maxb = (e1 - e0) // half + n_in // half + 4
    bl = np.empty((maxb, _BLOCK), np.int64)
    blen = np.zeros(maxb, np.int64)
    border = np.empty(maxb, np.int64)  # blocks in order, bottom to top
    free = np.empty(maxb, np.int64)
    nfree = 0
    nblocks = 0
    nb = 0
    for k in range(0, n_in, half):
        b = nblocks
        nblocks += 1
        cnt = min(half, n_in - k)
        for t in range(cnt):
            bl[b, t] = init[k + t]
        blen[b] = cnt
        border[nb] = b
        nb += 1
    nu = 0
    for k in range(e0, e1):
        ev = order[k]
        s = ev >> 1
        if ev & 1:
            if nb == 0:
                if nfree > 0:
                    nfree -= 1
                    b = free[nfree]
                else:
                    b = nblocks
                    nblocks += 1
                border[0] = b
                nb = 1
                blen[b] = 0
                j = 0
                pos = 0
            else:
                j = _block_of(s, bl, blen, border, nb, x1, y1, x2, y2, False)
                if j == nb:  # above every active edge: the end of the last block
                    j = nb - 1
                    b = border[j]
                    pos = blen[b]
                else:
                    b = border[j]
                    pos = _pos_in(s, bl, b, blen[b], x1, y1, x2, y2, False)
            if pos > 0:
                low = bl[b, pos - 1]
            elif j > 0:
                pb = border[j - 1]
                low = bl[pb, blen[pb] - 1]
            else:
                low = -1
            n = blen[b]
            for t in range(n, pos, -1):
                bl[b, t] = bl[b, t - 1]
            bl[b, pos] = s
            blen[b] = n + 1
            if blen[b] == _BLOCK:  # split the full block in two
                if nfree > 0:
                    nfree -= 1
                    c = free[nfree]
                else:
                    c = nblocks
                    nblocks += 1
                for t in range(half, _BLOCK):
                    bl[c, t - half] = bl[b, t]
                blen[b] = half
                blen[c] = _BLOCK - half
                for t in range(nb, j + 1, -1):
                    border[t] = border[t - 1]
                border[j + 1] = c
                nb += 1
            if low < 0:
                below = 0
            elif ins_pos[low] >= e0:
                below = wa[low]
            else:  # an initial edge: its winding from the prefix sums
                lo_ = 0
                hi_ = n_in
                below = 0
                while lo_ < hi_:  # init is sorted bottom to top, find `low` in it
                    mid = (lo_ + hi_) >> 1
                    e = init[mid]
                    if e != low and _below(e, low, x1, y1, x2, y2):
                        lo_ = mid + 1
                    else:
                        hi_ = mid
                if lo_ < n_in and init[lo_] == low:
                    below = wa_init[lo_]
                else:
                    for q in range(n_in):
                        if init[q] == low:
                            below = wa_init[q]
                            break
            wb[s] = below
            wa[s] = below + w[s]
            # copper between s and its lower neighbour: one polygon (this also joins a
            # ring lying inside another polygon, at its first edge)
            if below > 0 and low >= 0:
                ua[nu] = ring[s]
                ub[nu] = ring[low]
                nu += 1
        else:
            j = _block_of(s, bl, blen, border, nb, x1, y1, x2, y2, True)
            found = False
            if j < nb:
                b = border[j]
                pos = _pos_in(s, bl, b, blen[b], x1, y1, x2, y2, True)
                found = pos < blen[b] and bl[b, pos] == s
            if not found:  # inconsistent order (rounding): search everywhere
                for jj in range(nb):
                    bb = border[jj]
                    for t in range(blen[bb]):
                        if bl[bb, t] == s:
                            j = jj
                            b = bb
                            pos = t
                            found = True
                            break
                    if found:
                        break
                if not found:
                    continue
            n = blen[b]
            for t in range(pos, n - 1):
                bl[b, t] = bl[b, t + 1]
            blen[b] = n - 1
            if n - 1 == 0:  # drop the empty block
                for t in range(j, nb - 1):
                    border[t] = border[t + 1]
                nb -= 1
                free[nfree] = b
                nfree += 1
    return nu


@njit(cache=True)
def sweep_plan(x1, y1, x2, y2, keys, order, nslabs):
    """Prepare the sweep: events in final order, each edge's event positions, the slabs.

    `keys` and `order` are the events of :func:`sweep_events` (``keys[k]`` belongs to
    event ``order[k]``).  Returns (order, ins_pos, rem_pos, bounds, offs): the events,
    where each edge goes in and out, the slab boundaries (equal shares of the events,
    moved to where the point changes) and each slab's offset into the arrays of ring
    pairs (at most one pair per insertion).
    """
    m = x1.size
    order = order.copy()
    _order_inserts(x1, y1, x2, y2, keys, order)
    ne = 2 * m
    ins_pos = np.empty(m, np.int64)
    rem_pos = np.empty(m, np.int64)
    for k in range(ne):
        ev = order[k]
        if ev & 1:
            ins_pos[ev >> 1] = k
        else:
            rem_pos[ev >> 1] = k
    bounds = np.zeros(nslabs + 1, np.int64)
    for s in range(1, nslabs):
        k = s * ne // nslabs
        while 0 < k < ne and (keys[k] >> 1) == (keys[k - 1] >> 1):
            k += 1
        bounds[s] = max(k, bounds[s - 1])
    bounds[nslabs] = ne
    offs = np.zeros(nslabs + 1, np.int64)
    for s in range(nslabs):
        cnt = 0
        for k in range(bounds[s], bounds[s + 1]):
            cnt += order[k] & 1
        offs[s + 1] = offs[s] + cnt
    return order, ins_pos, rem_pos, bounds, offs


def sweep(x1, y1, x2, y2, w, ring, keys, order, nslabs, n_threads=None):
    """Winding numbers below/above every (left-to-right) edge, and the rings to join.

    The events (:func:`sweep_events`) are cut into `nslabs` runs swept independently
    on `n_threads` threads (numba's number by default): each starts from the edges
    active at its first event, sorted bottom to top, whose winding numbers are the
    running sums of their multiplicities
    (a vertical ray down from the sweep line crosses exactly the active edges below).
    The active edges are kept in order in blocks of at most ``_BLOCK`` edges, so an
    insertion or removal costs a binary search and a shift within one block, whatever
    their number.

    Returns (wb, wa, ra, rb): the winding number just below and just above each edge,
    and pairs of rings whose copper meets (to be joined).
    """
    m = x1.size
    wb = np.zeros(m, np.int64)
    wa = np.zeros(m, np.int64)
    if m == 0:
        z = np.empty(0, np.int64)
        return wb, wa, z, z
    n_threads = threads() if n_threads is None else n_threads
    order, ins_pos, rem_pos, bounds, offs = sweep_plan(x1, y1, x2, y2, keys, order, nslabs)
    ua = np.empty(m, np.int64)
    ub = np.empty(m, np.int64)

    def slab(s):
        if bounds[s + 1] <= bounds[s]:
            return 0
        return _sweep_slab(bounds[s], bounds[s + 1], x1, y1, x2, y2, w, ring, order, ins_pos, rem_pos,
                           wb, wa, ua[offs[s]:offs[s + 1]], ub[offs[s]:offs[s + 1]])

    if n_threads > 1 and nslabs > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(n_threads) as pool:
            nus = list(pool.map(slab, range(nslabs)))
    else:
        nus = [slab(s) for s in range(nslabs)]
    ra = np.concatenate([ua[offs[s]:offs[s] + n] for s, n in enumerate(nus)])
    rb = np.concatenate([ub[offs[s]:offs[s] + n] for s, n in enumerate(nus)])
    return wb, wa, ra, rb


# --------------------------------------------------------------------------------------
# contours


@njit(cache=True)
def _point_keys(x, y, xmin, ymin, span):
    out = np.empty(x.size, np.int64)
    for i in range(x.size):
        out[i] = (x[i] - xmin) * span + (y[i] - ymin)
    return out


@njit(cache=True)
def _pseudo_angle(dx, dy):
    """A monotonic stand-in for atan2(dy, dx) in [0, 4)."""
    fx = float(dx)
    fy = float(dy)
    p = fy / (abs(fx) + abs(fy))
    if fx < 0:
        return 2.0 - p
    if fy < 0:
        return 4.0 + p
    return p


@njit(cache=True)
def end_keys(x1, y1, x2, y2):
    """Point keys of the start and end point of every edge (equal keys: equal points)."""
    m = x1.size
    if m == 0:
        e = np.empty(0, np.int64)
        return e, e
    xmin = min(x1.min(), x2.min())
    ymin = min(y1.min(), y2.min())
    span = max(y1.max(), y2.max()) - ymin + 1
    return _point_keys(x1, y1, xmin, ymin, span), _point_keys(x2, y2, xmin, ymin, span)


@njit(cache=True)
def _link_at(i, a, b, by_start, x1, y1, x2, y2, prv):
    """The outgoing edge (among by_start[a:b]) that follows incoming edge i: the first
    counter-clockwise from the way back that no other edge took yet."""
    back = _pseudo_angle(x1[i] - x2[i], y1[i] - y2[i])
    best = -1
    bestang = 10.0
    for t in range(a, b):
        j = by_start[t]
        if prv[j] >= 0:
            continue
        ang = _pseudo_angle(x2[j] - x1[j], y2[j] - y1[j]) - back
        if ang <= 0.0:
            ang += 4.0
        if ang < bestang:
            bestang = ang
            best = j
    return best


@njit(cache=True)
def chain_edges(x1, y1, x2, y2, ks, ke, by_start, by_end):
    """Link boundary edges (copper on the right) into contours and join collinear edges.

    `ks`, `ke` are the edges' start and end point keys (:func:`end_keys`), `by_start`
    and `by_end` their argsorts.  On a closed boundary every point has as many edges
    in as out, so both sorted key lists agree position by position and each edge's
    successor is found without a search.  Returns (mx1, my1, mx2, my2, src, nxt): the
    joined edges, for each the index of its first input edge, and the joined edge that
    follows it on its contour.
    """
    m = x1.size
    if m == 0:
        e = np.empty(0, np.int64)
        return e, e, e, e, e, e
    nxt = -np.ones(m, np.int64)
    prv = -np.ones(m, np.int64)
    outdeg = np.zeros(m, np.int64)  # out-degree at the end point of each edge
    aligned = True
    for k in range(m):
        if ks[by_start[k]] != ke[by_end[k]]:
            aligned = False
            break
    if aligned:
        a = 0
        while a < m:
            key = ks[by_start[a]]
            b = a + 1
            while b < m and ks[by_start[b]] == key:
                b += 1
            if b - a == 1:
                i = by_end[a]
                outdeg[i] = 1
                nxt[i] = by_start[a]
                prv[by_start[a]] = i
            else:
                incoming = by_end[a:b].copy()  # in index order, as a plain search would
                for t in range(1, b - a):
                    v = incoming[t]
                    u = t - 1
                    while u >= 0 and incoming[u] > v:
                        incoming[u + 1] = incoming[u]
                        u -= 1
                    incoming[u + 1] = v
                for i in incoming:
                    outdeg[i] = b - a
                    j = _link_at(i, a, b, by_start, x1, y1, x2, y2, prv)
                    nxt[i] = j
                    if j >= 0:
                        prv[j] = i
            a = b
    else:  # not a closed boundary (should not happen): search each end point
        sorted_ks = ks[by_start]
        for i in range(m):
            a = np.searchsorted(sorted_ks, ke[i], side="left")
            b = np.searchsorted(sorted_ks, ke[i], side="right")
            outdeg[i] = b - a
            if b - a == 1:
                nxt[i] = by_start[a]
            elif b > a:
                nxt[i] = _link_at(i, a, b, by_start, x1, y1, x2, y2, prv)
            if nxt[i] >= 0:
                prv[nxt[i]] = i
    # an edge continues its predecessor when they are collinear, same way, at a plain vertex
    cont = np.zeros(m, np.bool_)
    for j in range(m):
        i = prv[j]
        if i < 0 or outdeg[i] != 1:
            continue
        dx1 = x2[i] - x1[i]
        dy1 = y2[i] - y1[i]
        dx2 = x2[j] - x1[j]
        dy2 = y2[j] - y1[j]
        if dx1 * dy2 - dy1 * dx2 == 0 and dx1 * dx2 + dy1 * dy2 > 0:
            cont[j] = True
    # a contour made only of continuations cannot close; guard anyway
    newid = -np.ones(m, np.int64)
    n = 0
    for i in range(m):
        if not cont[i]:
            newid[i] = n
            n += 1
    mx1 = np.empty(n, np.int64)
    my1 = np.empty(n, np.int64)
    mx2 = np.empty(n, np.int64)
    my2 = np.empty(n, np.int64)
    src = np.empty(n, np.int64)
    mnxt = -np.ones(n, np.int64)
    for i in range(m):
        if cont[i]:
            continue
        k = newid[i]
        e = i
        steps = 0
        while nxt[e] >= 0 and cont[nxt[e]] and steps < m:
            e = nxt[e]
            steps += 1
        mx1[k] = x1[i]
        my1[k] = y1[i]
        mx2[k] = x2[e]
        my2[k] = y2[e]
        src[k] = i
        if nxt[e] >= 0:
            mnxt[k] = newid[nxt[e]]
    return mx1, my1, mx2, my2, src, mnxt


def boundary(x1, y1, x2, y2, wb, wa):
    """Indices of boundary edges and their orientation flag (True: reverse for copper right)."""
    idx = np.flatnonzero((wb > 0) != (wa > 0))
    return idx, wa[idx] > 0  # copper above a left-to-right edge: run it right to left
