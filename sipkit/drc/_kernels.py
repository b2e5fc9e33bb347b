"""Numba kernels: edge-pair distance checks (width, notch, isolated space, enclosure).

Edges are int64 database units, oriented with the polygon on their right (hulls
clockwise), as merged layers come out of :mod:`._merge_kernels`.  The semantics are
KLayout's defaults (``Region.width_check``, ``notch_check``, ``isolated_check``,
``enclosing_check`` with Euclidean metrics, ignore angle 90°, shielding on, zero
distance counted where edges touch):

* two edges are compared only when they run against each other (their directions make
  more than 90°): edges meeting at 90° or more, such as a trace ending on a pad, are
  never a violation, while the two sides of an acute tip or wedge are;
* for each of the two edges, the part of the *other* edge that lies on its inner side
  (copper for width, space for space checks) and within the distance is found, in the
  Euclidean metric; a pair is a violation when both parts have a length (so a distance
  of exactly the limit is not a violation: ``distance < min`` is);
* a violation is dropped when a third edge cuts through both sides of the quadrilateral
  the pair spans (shielding).

Each kernel evaluates candidate pairs from a grid of cells in parallel (one cell per
pair, no duplicates) and returns the violating edge pairs: the two edge indices, the
relation, and the two violating edge parts.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._grid import build_grid
from ._merge_kernels import orient  # +1 if p is left of a -> b, -1 right, 0 on it
from ._threads import run_chunks

EPS = 1e-10

#: Relations (``rel`` codes in the results).
WIDTH, NOTCH, ISOLATED, ENCLOSURE = 0, 1, 2, 3


@njit(cache=True)
def _segments_touch(ax, ay, bx, by, cx, cy, dx, dy):
    """Whether two closed segments have a point in common."""
    if max(ax, bx) < min(cx, dx) or max(cx, dx) < min(ax, bx):
        return False
    if max(ay, by) < min(cy, dy) or max(cy, dy) < min(ay, by):
        return False
    d1 = orient(ax, ay, bx, by, cx, cy)
    d2 = orient(ax, ay, bx, by, dx, dy)
    d3 = orient(cx, cy, dx, dy, ax, ay)
    d4 = orient(cx, cy, dx, dy, bx, by)
    if d1 == 0 and d2 == 0:
        return True  # collinear with overlapping boxes
    return d1 * d2 <= 0 and d3 * d4 <= 0


@njit(cache=True)
def _on_segment(px, py, x1, y1, x2, y2):
    """Whether point p lies on the closed segment (x1, y1)-(x2, y2)."""
    if px < min(x1, x2) or px > max(x1, x2) or py < min(y1, y2) or py > max(y1, y2):
        return False
    return orient(x1, y1, x2, y2, px, py) == 0


@njit(cache=True)
def _line_cut(gx1, gy1, gx2, gy2, ex1, ey1, ex2, ey2):
    """Point where the line of g meets the line of e, rounded to the grid."""
    gdx = float(gx2 - gx1)
    gdy = float(gy2 - gy1)
    edx = float(ex2 - ex1)
    edy = float(ey2 - ey1)
    den = gdx * edy - gdy * edx
    t = (float(ex1 - gx1) * edy - float(ey1 - gy1) * edx) / den
    return np.int64(np.round(gx1 + t * gdx)), np.int64(np.round(gy1 + t * gdy))


@njit(cache=True)
def _include_zero(ex1, ey1, ex2, ey2, gx1, gy1, gx2, gy2):
    """Zero distance counts where the edges touch (KLayout's default zero-distance mode)."""
    s1 = orient(ex1, ey1, ex2, ey2, gx1, gy1)
    s2 = orient(ex1, ey1, ex2, ey2, gx2, gy2)
    if s1 == 0 and s2 == 0:
        return _segments_touch(ex1, ey1, ex2, ey2, gx1, gy1, gx2, gy2)
    if (s1 == 0 or s2 == 0) and not (ex1 == gx2 and ey1 == gy2) and not (ex2 == gx1 and ey2 == gy1):
        return _segments_touch(ex1, ey1, ex2, ey2, gx1, gy1, gx2, gy2)
    return False


@njit(cache=True)
def near_part(ex1, ey1, ex2, ey2, gx1, gy1, gx2, gy2, d):
    """The part of edge g on the inner (right) side of edge e and within distance d of it.

    Returns (found, x1, y1, x2, y2); the part is rounded to the grid.
    """
    if ex1 == ex2 and ey1 == ey2:
        return False, 0, 0, 0, 0
    s1 = orient(ex1, ey1, ex2, ey2, gx1, gy1)
    s2 = orient(ex1, ey1, ex2, ey2, gx2, gy2)
    thr = 0 if _include_zero(ex1, ey1, ex2, ey2, gx1, gy1, gx2, gy2) else -1
    if s1 > thr and s2 > thr:
        return False, 0, 0, 0, 0
    if s2 > thr:
        gx2, gy2 = _line_cut(gx1, gy1, gx2, gy2, ex1, ey1, ex2, ey2)
    elif s1 > thr:
        gx1, gy1 = _line_cut(gx1, gy1, gx2, gy2, ex1, ey1, ex2, ey2)
    fd = float(d)
    edx = float(ex2 - ex1)
    edy = float(ey2 - ey1)
    if gx1 == gx2 and gy1 == gy2:
        if orient(ex1, ey1, ex2, ey2, gx1, gy1) > thr:
            return False, 0, 0, 0, 0
        a = edx * edx + edy * edy
        b = (float(ex1 - gx1) * edx + float(ey1 - gy1) * edy) / a
        c = (float(ex1 - gx1) ** 2 + float(ey1 - gy1) ** 2 - fd * fd) / a
        s = b * b - c
        if s >= -EPS:
            r = math.sqrt(max(s, 0.0))
            if max(0.0, -b - r) <= min(1.0, -b + r):
                return True, gx1, gy1, gx2, gy2
        return False, 0, 0, 0, 0
    gdx = float(gx2 - gx1)
    gdy = float(gy2 - gy1)
    l1 = np.inf
    l2 = -np.inf
    cross_eg = (ex2 - ex1) * (gy2 - gy1) - (ey2 - ey1) * (gx2 - gx1)
    if cross_eg == 0:
        # parallel: too far if the distance of the lines is the limit or more
        cr = float((ex2 - ex1) * (gy1 - ey1) - (ey2 - ey1) * (gx1 - ex1))
        dist = abs(cr) / math.sqrt(edx * edx + edy * edy)
        if dist >= fd:
            return False, 0, 0, 0, 0
    else:
        el = math.sqrt(edx * edx + edy * edy)
        nx = edy / el
        ny = -edx / el  # unit normal to the inner side of e
        ox = ex1 + nx * fd
        oy = ey1 + ny * fd
        det = gdx * edy - gdy * edx
        lp1 = ((ox - gx1) * edy - (oy - gy1) * edx) / det
        lp2 = (float(ex1 - gx1) * edy - float(ey1 - gy1) * edx) / det
        if lp1 > lp2:
            lp1, lp2 = lp2, lp1
        if (ex2 - ex1) * (gx2 - gx1) + (ey2 - ey1) * (gy2 - gy1) == 0:
            if orient(gx1, gy1, gx2, gy2, ex1, ey1) * orient(gx1, gy1, gx2, gy2, ex2, ey2) <= 0:
                l1 = lp1
                l2 = lp2
        else:
            det2 = gdx * ny - gdy * nx
            lt1 = (float(ex1 - gx1) * ny - float(ey1 - gy1) * nx) / det2
            lt2 = (float(ex2 - gx1) * ny - float(ey2 - gy1) * nx) / det2
            if lt1 > lt2:
                lt1, lt2 = lt2, lt1
            ll1 = max(lp1, lt1)
            ll2 = min(lp2, lt2)
            if ll1 <= ll2:
                l1 = ll1
                l2 = ll2
    # round ends: the circles of radius d about the end points of e
    a = gdx * gdx + gdy * gdy
    for k in range(2):
        ox = ex1 if k == 0 else ex2
        oy = ey1 if k == 0 else ey2
        b = (float(gx1 - ox) * gdx + float(gy1 - oy) * gdy) / a
        c = (float(gx1 - ox) ** 2 + float(gy1 - oy) ** 2 - fd * fd) / a
        s = b * b - c
        if s >= 0.0:
            r = math.sqrt(s)
            l1 = min(l1, -b - r)
            l2 = max(l2, -b + r)
    l1 = max(0.0, l1)
    l2 = min(1.0, l2)
    if l1 > l2 - EPS:
        return False, 0, 0, 0, 0
    return (True, np.int64(np.round(gx1 + gdx * l1)), np.int64(np.round(gy1 + gdy * l1)),
            np.int64(np.round(gx1 + gdx * l2)), np.int64(np.round(gy1 + gdy * l2)))


@njit(cache=True)
def pair_check(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2, d, space, out):
    """KLayout's edge relation check of edges a and b; fills out[0:8] with the two parts.

    ``space`` selects the space relation (outer sides facing), else width (inner sides).
    With ``space == 2`` the enclosure relation is checked (a: the enclosing layer's
    edge, b: the enclosed layer's edge).
    """
    dot = (ax2 - ax1) * (bx2 - bx1) + (ay2 - ay1) * (by2 - by1)
    if space == 2:
        # enclosure ("a encloses b"): edges running the same way, b taken reversed
        if dot <= 0:
            return False
        bx1, by1, bx2, by2 = bx2, by2, bx1, by1
    elif dot >= 0:
        return False
    if space == 1:
        ax1, ay1, ax2, ay2 = ax2, ay2, ax1, ay1
        bx1, by1, bx2, by2 = bx2, by2, bx1, by1
    f2, sx1, sy1, sx2, sy2 = near_part(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2, d)
    if not f2:
        return False
    f1, fx1, fy1, fx2, fy2 = near_part(bx1, by1, bx2, by2, ax1, ay1, ax2, ay2, d)
    if not f1:
        return False
    if space == 1:
        fx1, fy1, fx2, fy2 = fx2, fy2, fx1, fy1
    if space >= 1:
        sx1, sy1, sx2, sy2 = sx2, sy2, sx1, sy1
    out[0] = fx1
    out[1] = fy1
    out[2] = fx2
    out[3] = fy2
    out[4] = sx1
    out[5] = sy1
    out[6] = sx2
    out[7] = sy2
    return True


@njit(cache=True)
def _seg_dist2(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2):
    """Squared distance between two segments and the point of segment a nearest to b."""
    if _segments_touch(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2):
        # a common point: take the first end point of either lying on the other, else the crossing
        if _on_segment(ax1, ay1, bx1, by1, bx2, by2):
            return 0.0, float(ax1), float(ay1)
        if _on_segment(ax2, ay2, bx1, by1, bx2, by2):
            return 0.0, float(ax2), float(ay2)
        den = float(ax2 - ax1) * float(by2 - by1) - float(ay2 - ay1) * float(bx2 - bx1)
        if den != 0.0:
            t = (float(bx1 - ax1) * float(by2 - by1) - float(by1 - ay1) * float(bx2 - bx1)) / den
            t = min(max(t, 0.0), 1.0)
            return 0.0, ax1 + t * (ax2 - ax1), ay1 + t * (ay2 - ay1)
        # collinear overlap: an end point of b on a
        if _on_segment(bx1, by1, ax1, ay1, ax2, ay2):
            return 0.0, float(bx1), float(by1)
        return 0.0, float(bx2), float(by2)
    best = np.inf
    px = 0.0
    py = 0.0
    # end points of b against a (the nearest point on a is the projection)
    adx = float(ax2 - ax1)
    ady = float(ay2 - ay1)
    aa = adx * adx + ady * ady
    for k in range(2):
        qx = float(bx1 if k == 0 else bx2)
        qy = float(by1 if k == 0 else by2)
        t = ((qx - ax1) * adx + (qy - ay1) * ady) / aa if aa > 0 else 0.0
        t = min(max(t, 0.0), 1.0)
        cx = ax1 + t * adx
        cy = ay1 + t * ady
        dd = (qx - cx) ** 2 + (qy - cy) ** 2
        if dd < best:
            best = dd
            px = cx
            py = cy
    # end points of a against b
    bdx = float(bx2 - bx1)
    bdy = float(by2 - by1)
    bb = bdx * bdx + bdy * bdy
    for k in range(2):
        qx = float(ax1 if k == 0 else ax2)
        qy = float(ay1 if k == 0 else ay2)
        t = ((qx - bx1) * bdx + (qy - by1) * bdy) / bb if bb > 0 else 0.0
        t = min(max(t, 0.0), 1.0)
        dd = (qx - (bx1 + t * bdx)) ** 2 + (qy - (by1 + t * bdy)) ** 2
        if dd < best:
            best = dd
            px = qx
            py = qy
    return best, px, py


@njit(cache=True)
def _cell_checks(k, start, items, x1, y1, x2, y2, poly, layer, dw, dn, di, de,
                 gx0, gy0, cell, ny, out_a, out_b, out_rel, out_xy, write):
    """Violations among the pairs of cell k (counted, or written when `write`)."""
    n = 0
    buf = np.empty(8, np.int64)
    c0 = start[k]
    c1 = start[k + 1]
    for p in range(c0, c1):
        i = items[p]
        for q in range(p + 1, c1):
            j = items[q]
            if layer[i] != layer[j]:
                if de <= 0:
                    continue
                dmax = de
            elif poly[i] == poly[j]:
                dmax = max(dw, dn)
            else:
                dmax = di
            if dmax <= 0:
                continue
            # boxes further apart than the distance
            if min(x1[i], x2[i]) - max(x1[j], x2[j]) >= dmax or min(x1[j], x2[j]) - max(x1[i], x2[i]) >= dmax:
                continue
            if min(y1[i], y2[i]) - max(y1[j], y2[j]) >= dmax or min(y1[j], y2[j]) - max(y1[i], y2[i]) >= dmax:
                continue
            # edges not running against each other (enclosure: not the same way)
            dot = (x2[i] - x1[i]) * (x2[j] - x1[j]) + (y2[i] - y1[i]) * (y2[j] - y1[j])
            if (dot <= 0) if layer[i] != layer[j] else (dot >= 0):
                continue
            dd, px, py = _seg_dist2(x1[i], y1[i], x2[i], y2[i], x1[j], y1[j], x2[j], y2[j])
            if dd >= float(dmax) * float(dmax) * (1.0 + 1e-12) + 1e-6:
                continue
            if int(np.floor((px - gx0) / cell)) * ny + int(np.floor((py - gy0) / cell)) != k:
                continue
            for rel in range(4):
                if rel == WIDTH:
                    if layer[i] != layer[j] or poly[i] != poly[j] or dw <= 0:
                        continue
                    dist = dw
                elif rel == NOTCH:
                    if layer[i] != layer[j] or poly[i] != poly[j] or dn <= 0:
                        continue
                    dist = dn
                elif rel == ISOLATED:
                    if layer[i] != layer[j] or poly[i] == poly[j] or di <= 0:
                        continue
                    dist = di
                else:
                    if layer[i] == layer[j] or de <= 0:
                        continue
                    dist = de
                if dd >= float(dist) * float(dist) * (1.0 + 1e-12) + 1e-6:
                    continue
                a = i
                b = j
                mode = 0 if rel == WIDTH else 1
                if rel == ENCLOSURE:
                    mode = 2
                    if layer[i] != 0:  # a: the enclosing layer (0), b: the enclosed layer (1)
                        a = j
                        b = i
                if pair_check(x1[a], y1[a], x2[a], y2[a], x1[b], y1[b], x2[b], y2[b], dist, mode, buf):
                    if write:
                        out_a[n] = a
                        out_b[n] = b
                        out_rel[n] = rel
                        for t in range(8):
                            out_xy[n, t] = buf[t]
                    n += 1
    return n


@njit(cache=True, nogil=True)
def _count_checks(k0, k1, start, items, x1, y1, x2, y2, poly, layer, dw, dn, di, de, gx0, gy0, cell, ny, cnt):
    ea = np.empty(0, np.int64)
    er = np.empty(0, np.int8)
    exy = np.empty((0, 8), np.int64)
    for k in range(k0, k1):
        if start[k + 1] - start[k] > 1:
            cnt[k] = _cell_checks(k, start, items, x1, y1, x2, y2, poly, layer, dw, dn, di, de,
                                  gx0, gy0, cell, ny, ea, ea, er, exy, False)


@njit(cache=True, nogil=True)
def _write_checks(k0, k1, start, items, x1, y1, x2, y2, poly, layer, dw, dn, di, de, gx0, gy0, cell, ny, cnt,
                  off, out_a, out_b, out_rel, out_xy):
    for k in range(k0, k1):
        if cnt[k] > 0:
            _cell_checks(k, start, items, x1, y1, x2, y2, poly, layer, dw, dn, di, de, gx0, gy0, cell, ny,
                         out_a[off[k]:off[k + 1]], out_b[off[k]:off[k + 1]], out_rel[off[k]:off[k + 1]],
                         out_xy[off[k]:off[k + 1]], True)


def edge_checks(x1, y1, x2, y2, poly, layer, dw, dn, di, de, gx0, gy0, cell, nx, ny):
    """All raw (unshielded) violations; returns (a, b, rel, parts[n, 8], grid start, items).

    Cells are independent: chunks of them run on numba's number of threads.
    """
    dmax = max(max(dw, dn), max(di, de))
    start, items = build_grid(x1, y1, x2, y2, float(dmax) + 2.0, gx0, gy0, cell, nx, ny)
    ncell = nx * ny
    cnt = np.zeros(ncell, np.int64)
    args = (start, items, x1, y1, x2, y2, poly, layer, int(dw), int(dn), int(di), int(de), float(gx0),
            float(gy0), float(cell), int(ny))
    run_chunks(lambda a, b: _count_checks(a, b, *args, cnt), ncell)
    off = np.zeros(ncell + 1, np.int64)
    np.cumsum(cnt, out=off[1:])
    tot = off[ncell]
    out_a = np.empty(tot, np.int64)
    out_b = np.empty(tot, np.int64)
    out_rel = np.empty(tot, np.int8)
    out_xy = np.empty((tot, 8), np.int64)
    run_chunks(lambda a, b: _write_checks(a, b, *args, cnt, off, out_a, out_b, out_rel, out_xy), ncell)
    return out_a, out_b, out_rel, out_xy, start, items


# --------------------------------------------------------------------------------------
# shielding


@njit(cache=True)
def _normalize(e):
    """KLayout's edge pair normalisation: a closed clockwise loop first -> second."""
    f1x, f1y, f2x, f2y, s1x, s1y, s2x, s2y = e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]
    a1 = (f2x - s2x) * (f1y - s1y) - (f2y - s2y) * (f1x - s1x)
    a2 = (f1x - s2x) * (f2y - s1y) - (f1y - s2y) * (f2x - s1x)
    if abs(a2) > abs(a1):
        f1x, f1y, f2x, f2y = f2x, f2y, f1x, f1y
        a1, a2 = a2, a1
    if a1 < 0:
        f1x, f1y, f2x, f2y = f2x, f2y, f1x, f1y
        s1x, s1y, s2x, s2y = s2x, s2y, s1x, s1y
    elif a1 == 0:
        if (f2x - f1x) * (s2x - s1x) + (f2y - f1y) * (s2y - s1y) > 0:
            f1x, f1y, f2x, f2y = f2x, f2y, f1x, f1y
        if orient(f1x, f1y, f2x, f2y, s1x, s1y) > 0 or orient(s1x, s1y, s2x, s2y, f1x, f1y) > 0:
            f1x, f1y, f2x, f2y = f2x, f2y, f1x, f1y
            s1x, s1y, s2x, s2y = s2x, s2y, s1x, s1y
    return f1x, f1y, f2x, f2y, s1x, s1y, s2x, s2y


@njit(cache=True)
def _cut_point(ax, ay, bx, by, cx, cy, dx, dy):
    """(found, x, y): a common point of two segments, rounded to the grid."""
    if not _segments_touch(ax, ay, bx, by, cx, cy, dx, dy):
        return False, 0, 0
    den = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx)
    if den == 0:
        # collinear: an end point of one on the other
        if _on_segment(cx, cy, ax, ay, bx, by):
            return True, cx, cy
        if _on_segment(dx, dy, ax, ay, bx, by):
            return True, dx, dy
        return True, ax, ay
    t = (float(cx - ax) * float(dy - cy) - float(cy - ay) * float(dx - cx)) / float(den)
    return True, np.int64(np.round(ax + t * (bx - ax))), np.int64(np.round(ay + t * (by - ay)))


@njit(cache=True)
def _shields(e, qx1, qy1, qx2, qy2):
    f1x, f1y, f2x, f2y, s1x, s1y, s2x, s2y = _normalize(e)
    ok1, ix1, iy1 = _cut_point(f1x, f1y, s2x, s2y, qx1, qy1, qx2, qy2)
    if not ok1:
        return False
    ok2, ix2, iy2 = _cut_point(s1x, s1y, f2x, f2y, qx1, qy1, qx2, qy2)
    if not ok2:
        return False
    if ix1 != ix2 or iy1 != iy2:
        return True
    return orient(f1x, f1y, s2x, s2y, qx1, qy1) != 0 and orient(s1x, s1y, f2x, f2y, qx2, qy2) != 0


def shielded(out_a, out_b, out_rel, out_xy, x1, y1, x2, y2, poly, layer, start, items,
             gx0, gy0, cell, nx, ny):
    """Flags the violations that a third edge shields (cuts through both connecting sides)."""
    flag = np.zeros(out_a.size, np.bool_)
    args = (out_a, out_b, out_rel, out_xy, x1, y1, x2, y2, poly, layer, start, items, float(gx0), float(gy0),
            float(cell), int(nx), int(ny), flag)
    run_chunks(lambda a, b: _shield_range(a, b, *args), out_a.size)
    return flag


@njit(cache=True, nogil=True)
def _shield_range(v0, v1, out_a, out_b, out_rel, out_xy, x1, y1, x2, y2, poly, layer, start, items,
                  gx0, gy0, cell, nx, ny, flag):
    for v in range(v0, v1):
        e = out_xy[v]
        a = out_a[v]
        b = out_b[v]
        xmin = min(min(e[0], e[2]), min(e[4], e[6]))
        xmax = max(max(e[0], e[2]), max(e[4], e[6]))
        ymin = min(min(e[1], e[3]), min(e[5], e[7]))
        ymax = max(max(e[1], e[3]), max(e[5], e[7]))
        c0 = max(int(np.floor((xmin - gx0) / cell)), 0)
        c1 = min(int(np.floor((xmax - gx0) / cell)), nx - 1)
        r0 = max(int(np.floor((ymin - gy0) / cell)), 0)
        r1 = min(int(np.floor((ymax - gy0) / cell)), ny - 1)
        same = out_rel[v] == WIDTH or out_rel[v] == NOTCH
        done = False
        for r in range(r0, r1 + 1):
            if done:
                break
            for c in range(c0, c1 + 1):
                if done:
                    break
                k = c * ny + r
                for t in range(start[k], start[k + 1]):
                    q = items[t]
                    if q == a or q == b:
                        continue
                    if same and (poly[q] != poly[a] or layer[q] != layer[a]):
                        continue
                    if not same and out_rel[v] == ISOLATED and layer[q] != layer[a]:
                        continue
                    if max(x1[q], x2[q]) < xmin or min(x1[q], x2[q]) > xmax:
                        continue
                    if max(y1[q], y2[q]) < ymin or min(y1[q], y2[q]) > ymax:
                        continue
                    if _shields(e, x1[q], y1[q], x2[q], y2[q]):
                        flag[v] = True
                        done = True
                        break


# --------------------------------------------------------------------------------------
# point location


@njit(cache=True)
def locate_points(px, py, x1, y1, x2, y2, poly, gx0, gy0, cell, nx, ny):
    """The merged polygon holding each point (on its copper, not in a hole), or -1.

    A ray from each point towards +x crosses boundary edges; the winding number per
    polygon (hull clockwise, holes counter-clockwise) is non-zero for the polygon whose
    copper holds the point.  Points on a boundary count as inside.  Edges come from the
    grid of :func:`._grid.build_grid`, each crossing counted in the cell holding it.
    """
    start, items = build_grid(x1, y1, x2, y2, 1.0, gx0, gy0, cell, nx, ny)
    n = px.size
    out = -np.ones(n, np.int64)
    for k in range(n):
        r = int(np.floor((py[k] - gy0) / cell))
        c0 = int(np.floor((px[k] - gx0) / cell))
        if r < 0 or r >= ny or c0 >= nx:
            continue
        # crossings (polygon, +-1); a point lies in at most a few polygons' ranges
        polys = np.empty(64, np.int64)
        wind = np.zeros(64, np.int64)
        m = 0
        on_edge = -1
        for c in range(max(c0, 0), nx):
            cid = c * ny + r
            for t in range(start[cid], start[cid + 1]):
                e = items[t]
                ya = y1[e]
                yb = y2[e]
                if min(ya, yb) <= py[k] <= max(ya, yb) and min(x1[e], x2[e]) <= px[k] <= max(x1[e], x2[e]):
                    if (x2[e] - x1[e]) * (py[k] - y1[e]) - (y2[e] - y1[e]) * (px[k] - x1[e]) == 0:
                        on_edge = poly[e]
                if ya == yb or not ((ya <= py[k] < yb) or (yb <= py[k] < ya)):
                    continue
                xc = x1[e] + (py[k] - ya) * float(x2[e] - x1[e]) / float(yb - ya)
                if xc <= px[k] or int(np.floor((xc - gx0) / cell)) != c:
                    continue
                w = 1 if yb > ya else -1
                found = False
                for q in range(m):
                    if polys[q] == poly[e]:
                        wind[q] += w
                        found = True
                        break
                if not found and m < 64:
                    polys[m] = poly[e]
                    wind[m] = w
                    m += 1
        for q in range(m):
            if wind[q] != 0:
                out[k] = polys[q]
                break
        if out[k] < 0 and on_edge >= 0:
            out[k] = on_edge
    return out
