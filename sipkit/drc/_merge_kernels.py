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
from numba import njit, prange

from ._grid import build_grid

# --------------------------------------------------------------------------------------
# small exact predicates (int64)


@njit(cache=True, inline="always")
def orient(ax, ay, bx, by, cx, cy):
    """Sign of the turn a -> b -> c: +1 left (counter-clockwise), -1 right, 0 collinear."""
    v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    if v > 0:
        return 1
    if v < 0:
        return -1
    return 0


@njit(cache=True, inline="always")
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
def ring_edges(xs, ys, ring_start, ring_sign):
    """Edges of every ring; returns x1, y1, x2, y2, ring.

    Rings with ``ring_sign`` +1 are turned counter-clockwise (they add copper), rings
    with -1 clockwise (holes given as rings of their own).
    """
    nr = ring_start.size - 1
    total = ring_start[nr]
    ex1 = np.empty(total, np.int64)
    ey1 = np.empty(total, np.int64)
    ex2 = np.empty(total, np.int64)
    ey2 = np.empty(total, np.int64)
    er = np.empty(total, np.int32)
    m = 0
    for r in range(nr):
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


@njit(cache=True, inline="always")
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
def _cell_pairs(k, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, nx,
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
            if r * nx + c != k:
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


@njit(cache=True, parallel=True)
def intersections(x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, nx, ny):
    """Split points (edge, x, y) and touching ring pairs (ring a, ring b) of all edges."""
    start, items = build_grid(x1, y1, x2, y2, 2.0, gx0, gy0, cell, nx, ny)
    ncell = nx * ny
    cnt = np.zeros(ncell, np.int64)
    cntt = np.zeros(ncell, np.int64)
    e0 = np.empty(0, np.int64)
    f0 = np.empty(0, np.int64)
    r0 = np.empty(0, np.int32)
    for k in prange(ncell):
        if start[k + 1] - start[k] > 1:
            cnt[k], cntt[k] = _cell_pairs(k, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, nx,
                                          e0, f0, f0, r0, r0, False)
    off = np.zeros(ncell + 1, np.int64)
    offt = np.zeros(ncell + 1, np.int64)
    for k in range(ncell):
        off[k + 1] = off[k] + cnt[k]
        offt[k + 1] = offt[k] + cntt[k]
    out_e = np.empty(off[ncell], np.int64)
    out_x = np.empty(off[ncell], np.int64)
    out_y = np.empty(off[ncell], np.int64)
    out_ra = np.empty(offt[ncell], np.int32)
    out_rb = np.empty(offt[ncell], np.int32)
    for k in prange(ncell):
        if cnt[k] > 0 or cntt[k] > 0:
            _cell_pairs(k, start, items, x1, y1, x2, y2, ring, dirty, gx0, gy0, cell, nx,
                        out_e[off[k]:off[k + 1]], out_x[off[k]:off[k + 1]], out_y[off[k]:off[k + 1]],
                        out_ra[offt[k]:offt[k + 1]], out_rb[offt[k]:offt[k + 1]], True)
    return out_e, out_x, out_y, out_ra, out_rb


@njit(cache=True)
def split_edges(x1, y1, x2, y2, ring, se, sx, sy):
    """Split edges at the points (se: edge, sx, sy); returns new edges and a 'dirty' flag.

    A piece is dirty when one of its end points is a split point off the original line
    (a rounded crossing), so that it may cross edges its parent did not.
    """
    m = x1.size
    ns = se.size
    # order split points by edge, then by position along the edge
    pos = np.empty(ns, np.float64)
    for k in range(ns):
        e = se[k]
        pos[k] = float(sx[k] - x1[e]) * float(x2[e] - x1[e]) + float(sy[k] - y1[e]) * float(y2[e] - y1[e])
    key = np.empty(ns, np.float64)
    order = np.argsort(se, kind="mergesort")
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
            idx = order[a:b]
            for t in range(b - a):
                key[t] = pos[idx[t]]
            sub = np.argsort(key[: b - a])
            for t in range(b - a):
                k = idx[sub[t]]
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
def unique_edges(x1, y1, x2, y2, ring, parent):
    """Coincident edges as one, left to right, with their multiplicity (zero dropped).

    Rings owning coincident edges are joined in `parent`.
    """
    m = x1.size
    cx1 = np.empty(m, np.int64)
    cy1 = np.empty(m, np.int64)
    cx2 = np.empty(m, np.int64)
    cy2 = np.empty(m, np.int64)
    w = np.empty(m, np.int64)
    h = np.empty(m, np.uint64)
    for i in range(m):
        if lexless(x1[i], y1[i], x2[i], y2[i]):
            cx1[i], cy1[i], cx2[i], cy2[i], w[i] = x1[i], y1[i], x2[i], y2[i], 1
        else:
            cx1[i], cy1[i], cx2[i], cy2[i], w[i] = x2[i], y2[i], x1[i], y1[i], -1
        v = np.uint64(14695981039346656037)
        for c in (cx1[i], cy1[i], cx2[i], cy2[i]):
            v = (v ^ np.uint64(c & 0xFFFFFFFFFFFF)) * np.uint64(1099511628211)
            v ^= v >> np.uint64(29)
        h[i] = v
    order = np.argsort(h)
    ux1 = np.empty(m, np.int64)
    uy1 = np.empty(m, np.int64)
    ux2 = np.empty(m, np.int64)
    uy2 = np.empty(m, np.int64)
    uw = np.empty(m, np.int64)
    ur = np.empty(m, np.int32)
    used = np.zeros(m, np.bool_)
    n = 0
    a = 0
    while a < m:
        b = a + 1
        while b < m and h[order[b]] == h[order[a]]:
            b += 1
        for s in range(a, b):
            i = order[s]
            if used[i]:
                continue
            used[i] = True
            tot = w[i]
            for t in range(s + 1, b):
                j = order[t]
                if not used[j] and cx1[j] == cx1[i] and cy1[j] == cy1[i] and cx2[j] == cx2[i] \
                        and cy2[j] == cy2[i]:
                    used[j] = True
                    tot += w[j]
                    union(parent, ring[i], ring[j])
            if tot != 0:
                ux1[n], uy1[n], ux2[n], uy2[n], uw[n], ur[n] = cx1[i], cy1[i], cx2[i], cy2[i], tot, ring[i]
                n += 1
        a = b
    return ux1[:n], uy1[:n], ux2[:n], uy2[:n], uw[:n], ur[:n]


# --------------------------------------------------------------------------------------
# 4. sweep


@njit(cache=True, inline="always")
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
def sweep(x1, y1, x2, y2, w, ring, parent):
    """Winding numbers below/above every (left-to-right) edge; joins rings that touch.

    Returns (wb, wa): winding number just below and just above each edge.
    """
    m = x1.size
    wb = np.zeros(m, np.int64)
    wa = np.zeros(m, np.int64)
    if m == 0:
        return wb, wa
    xmin = min(x1.min(), x2.min())
    ymin = min(y1.min(), y2.min())
    span = max(y1.max(), y2.max()) - ymin + 1
    keys = np.empty(2 * m, np.int64)
    for i in range(m):
        keys[2 * i] = ((x2[i] - xmin) * span + (y2[i] - ymin)) * 2  # removal first
        keys[2 * i + 1] = ((x1[i] - xmin) * span + (y1[i] - ymin)) * 2 + 1
    order = np.argsort(keys)
    # edges starting at one point go in from the lowest to the highest, so that each
    # finds its final lower neighbour when it is inserted
    k = 0
    while k < 2 * m:
        t = k + 1
        while t < 2 * m and keys[order[t]] == keys[order[k]]:
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
    act = np.empty(m, np.int64)
    na = 0
    for k in range(2 * m):
        ev = order[k]
        s = ev >> 1
        if ev & 1:
            # insert: first position whose edge is not below s
            lo = 0
            hi = na
            while lo < hi:
                mid = (lo + hi) >> 1
                if _below(act[mid], s, x1, y1, x2, y2):
                    lo = mid + 1
                else:
                    hi = mid
            for t in range(na, lo, -1):
                act[t] = act[t - 1]
            act[lo] = s
            na += 1
            below = wa[act[lo - 1]] if lo > 0 else 0
            wb[s] = below
            wa[s] = below + w[s]
            # copper between s and its lower neighbour: one polygon (this also joins a
            # ring lying inside another polygon, at its first edge).  The upper neighbour
            # is not final yet (edges starting at the same point come after s).
            if below > 0 and lo > 0:
                union(parent, ring[s], ring[act[lo - 1]])
        else:
            lo = 0
            hi = na
            while lo < hi:
                mid = (lo + hi) >> 1
                if act[mid] != s and _below(act[mid], s, x1, y1, x2, y2):
                    lo = mid + 1
                else:
                    hi = mid
            if lo >= na or act[lo] != s:  # inconsistent order (rounding): search around
                lo = -1
                for t in range(na):
                    if act[t] == s:
                        lo = t
                        break
                if lo < 0:
                    continue
            for t in range(lo, na - 1):
                act[t] = act[t + 1]
            na -= 1
    return wb, wa


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
def chain_edges(x1, y1, x2, y2):
    """Link boundary edges (copper on the right) into contours and join collinear edges.

    Returns (mx1, my1, mx2, my2, src, nxt): the joined edges, for each the index of its
    first input edge, and the joined edge that follows it on its contour.
    """
    m = x1.size
    if m == 0:
        e = np.empty(0, np.int64)
        return e, e, e, e, e, e
    xmin = min(x1.min(), x2.min())
    ymin = min(y1.min(), y2.min())
    span = max(y1.max(), y2.max()) - ymin + 1
    ks = _point_keys(x1, y1, xmin, ymin, span)
    ke = _point_keys(x2, y2, xmin, ymin, span)
    by_start = np.argsort(ks)
    sorted_ks = ks[by_start]
    nxt = -np.ones(m, np.int64)
    prv = -np.ones(m, np.int64)
    outdeg = np.zeros(m, np.int64)  # out-degree at the end point of each edge
    for i in range(m):
        a = np.searchsorted(sorted_ks, ke[i], side="left")
        b = np.searchsorted(sorted_ks, ke[i], side="right")
        outdeg[i] = b - a
        if b - a == 1:
            nxt[i] = by_start[a]
        elif b > a:
            # the first outgoing edge counter-clockwise from the way back
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
            nxt[i] = best
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


@njit(cache=True, parallel=True)
def boundary(x1, y1, x2, y2, wb, wa):
    """Indices of boundary edges and their orientation flag (True: reverse for copper right)."""
    m = x1.size
    keep = np.zeros(m, np.bool_)
    for i in prange(m):
        keep[i] = (wb[i] > 0) != (wa[i] > 0)
    idx = np.nonzero(keep)[0]
    rev = np.empty(idx.size, np.bool_)
    for k in prange(idx.size):
        rev[k] = wa[idx[k]] > 0  # copper above a left-to-right edge: run it right to left
    return idx, rev
