"""Numba kernel: GDS paths to polygons on the database grid, the way KLayout does it.

A path of width w becomes the polygon KLayout's ``db::Path::polygon()`` makes of it
(``create_shifted_points`` in KLayout's ``dbPath.cc``), point for point, so that a
layout mixing paths and polygons merges to exactly the shapes KLayout checks:

* redundant spine points (repeated, or within half a database unit of the segment
  between their neighbours) are dropped first;
* each segment is shifted sideways by w / 2: along the axes by ``round(w / 2)``, at 45°
  by ``√2 · round(w / (2√2))`` on each axis (so 45° edges stay on the grid), otherwise
  exactly; every vertex is then rounded to the grid, halves away from zero;
* vertices join the shifted segments (mitred corners, cut off beyond the width, loops
  where segments are too short, as KLayout);
* flush ends stop at the end points, extended ends reach beyond them by the extension
  (``w // 2`` for GDS path type 2), round ends (path type 1) are approximated by
  KLayout's default 32-point circle.

So a 25.001 µm wide Manhattan trace becomes 25.002 µm of copper in both tools.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EPS = 1e-5  # KLayout's db::epsilon
NCIRCLE = 16  # KLayout: db::num_circle_points () / 2 points per semicircle


@njit(cache=True)
def _rounded(v):
    """KLayout's coord_traits<int>::rounded: halves away from zero."""
    if v > 0:
        return np.int64(math.floor(v + 0.5))
    return np.int64(math.ceil(v - 0.5))


@njit(cache=True)
def _dpx(px, py, d):
    """KLayout's ``dpx``: a unit vector times d, rounded so that axis and 45° shifts stay on grid."""
    if abs(px) < EPS or abs(py) < EPS:
        r = float(_rounded(d))
        return px * r, py * r
    if abs(abs(px) - abs(py)) < EPS:
        r = math.sqrt(2.0) * float(_rounded(d * math.sqrt(0.5)))
        return px * r, py * r
    return px * d, py * d


@njit(cache=True)
def _contains(ax, ay, bx, by, px, py):
    """KLayout's edge::contains: p within half a database unit of segment a-b, between its ends."""
    if ax == bx and ay == by:
        return px == ax and py == ay
    cr = float(bx - ax) * float(py - ay) - float(by - ay) * float(px - ax)
    ln = math.sqrt(float(bx - ax) ** 2 + float(by - ay) ** 2)
    if math.floor(abs(cr) / ln + 0.5) >= 1.0:
        return False
    return ((px - ax) * (bx - ax) + (py - ay) * (by - ay) >= 0
            and (px - bx) * (ax - bx) + (py - by) * (ay - by) >= 0)


@njit(cache=True)
def _real_points(x, y, a, b, rx, ry):
    """Spine points without repeated points and points on the segment between neighbours."""
    n = 0
    p = a
    while p < b:
        rx[n] = x[p]
        ry[n] = y[p]
        n += 1
        p += 1
        while p < b and x[p] == rx[n - 1] and y[p] == ry[n - 1]:
            p += 1
        if p < b:
            pn = p
            p += 1
            while p < b:
                while p < b and x[p] == x[pn] and y[p] == y[pn]:
                    p += 1
                if p >= b:
                    break
                # does the segment from the last real point to p contain pn (to half a unit)?
                if not _contains(rx[n - 1], ry[n - 1], x[p], y[p], x[pn], y[pn]):
                    break
                pn = p
                p += 1
            p -= 1
    return n


@njit(cache=True)
def _emit(ox, oy, n, px, py, vx, vy):
    ox[n] = px + _rounded(vx)
    oy[n] = py + _rounded(vy)
    return n + 1


@njit(cache=True)
def _shifted(rx, ry, m, forward, start, end, width, ncircle, ox, oy, n):
    """One side of the hull (KLayout's create_shifted_points) appended to ox, oy from n."""
    disp = float(width) * 0.5
    if m == 0:
        return n
    # index along the spine in this pass's direction
    if m == 1:
        edx = 1.0 if forward else -1.0
        edy = 0.0
        ndx = -edy
        ndy = edx
        px = rx[0]
        py = ry[0]
        if ncircle > 2:
            a0 = math.pi / (2.0 * ncircle)
            cd = math.cos(a0)
            sd = math.sin(a0)
            c2d = cd * cd - sd * sd
            s2d = 2 * cd * sd
            eddx = edx * (-float(start) / cd)
            eddy = edy * (-float(start) / cd)
            nddx = ndx * (disp / cd)
            nddy = ndy * (disp / cd)
            c = cd
            s = sd
            for _ in range(ncircle // 2):
                n = _emit(ox, oy, n, px, py, eddx * c + nddx * s, eddy * c + nddy * s)
                cc = c * c2d - s * s2d
                ss = s * c2d + c * s2d
                c = cc
                s = ss
            eddx = edx * (float(end) / cd)
            eddy = edy * (float(end) / cd)
            c = math.cos(a0 * (ncircle - 1))
            s = math.sin(a0 * (ncircle - 1))
            for _ in range(ncircle // 2):
                n = _emit(ox, oy, n, px, py, eddx * c + nddx * s, eddy * c + nddy * s)
                cc = c * c2d + s * s2d
                ss = s * c2d - c * s2d
                c = cc
                s = ss
        else:
            s0 = -float(start)
            n = _emit(ox, oy, n, px, py, edx * s0 + ndx * disp, edy * s0 + ndy * disp)
            n = _emit(ox, oy, n, px, py, edx * float(end) + ndx * disp, edy * float(end) + ndy * disp)
        return n
    first = True
    ip = 0
    ipp = 1
    while ipp < m:
        ippp = ipp + 1
        p = ip if forward else m - 1 - ip
        pp = ipp if forward else m - 1 - ipp
        dx = float(rx[pp] - rx[p])
        dy = float(ry[pp] - ry[p])
        ln = math.sqrt(dx * dx + dy * dy)
        edx = dx / ln
        edy = dy / ln
        ndx, ndy = _dpx(-edy, edx, disp)
        if first:
            first = False
            if ncircle > 2:
                a0 = math.pi / (2.0 * ncircle)
                cd = math.cos(a0)
                sd = math.sin(a0)
                c2d = cd * cd - sd * sd
                s2d = 2 * cd * sd
                c = cd
                s = sd
                eddx = edx * (-float(start) / cd)
                eddy = edy * (-float(start) / cd)
                nddx = ndx / cd
                nddy = ndy / cd
                for _ in range(ncircle // 2):
                    n = _emit(ox, oy, n, rx[p], ry[p], eddx * c + nddx * s, eddy * c + nddy * s)
                    cc = c * c2d - s * s2d
                    ss = s * c2d + c * s2d
                    c = cc
                    s = ss
            else:
                vx, vy = _dpx(edx, edy, -float(start))
                n = _emit(ox, oy, n, rx[p], ry[p], vx + ndx, vy + ndy)
        if ippp >= m:
            if ncircle > 2:
                a0 = math.pi / (2.0 * ncircle)
                cd = math.cos(a0)
                sd = math.sin(a0)
                c2d = cd * cd - sd * sd
                s2d = 2 * cd * sd
                c = math.cos(a0 * (ncircle - 1))
                s = math.sin(a0 * (ncircle - 1))
                eddx = edx * (float(end) / cd)
                eddy = edy * (float(end) / cd)
                nddx = ndx / cd
                nddy = ndy / cd
                for _ in range(ncircle // 2):
                    n = _emit(ox, oy, n, rx[pp], ry[pp], eddx * c + nddx * s, eddy * c + nddy * s)
                    cc = c * c2d + s * s2d
                    ss = s * c2d - c * s2d
                    c = cc
                    s = ss
            else:
                vx, vy = _dpx(edx, edy, float(end))
                n = _emit(ox, oy, n, rx[pp], ry[pp], vx + ndx, vy + ndy)
        else:
            ppp = ippp if forward else m - 1 - ippp
            dx2 = float(rx[ppp] - rx[pp])
            dy2 = float(ry[ppp] - ry[pp])
            ln2 = math.sqrt(dx2 * dx2 + dy2 * dy2)
            eedx = dx2 / ln2
            eedy = dy2 / ln2
            nndx, nndy = _dpx(-eedy, eedx, disp)
            l1max = math.sqrt(ndx * ndx + ndy * ndy)
            l2max = math.sqrt(nndx * nndx + nndy * nndy)
            l1min = -ln - l1max
            l2min = -ln2 - l2max
            dv = edx * eedy - edy * eedx
            if abs(dv) > EPS:
                l1 = ((nndx - ndx) * eedy - (nndy - ndy) * eedx) / dv
                l2 = ((ndx - nndx) * edy - (ndy - nndy) * edx) / dv
                if l1 < l1min - EPS or l2 < l2min - EPS:
                    n = _emit(ox, oy, n, rx[pp], ry[pp], ndx, ndy)
                    n = _emit(ox, oy, n, rx[pp], ry[pp], 0.0, 0.0)
                    n = _emit(ox, oy, n, rx[pp], ry[pp], nndx, nndy)
                elif l1 < l1max + EPS and l2 < l2max + EPS:
                    n = _emit(ox, oy, n, rx[pp], ry[pp], ndx + edx * l1, ndy + edy * l1)
                else:
                    t1 = min(l1max, l1)
                    t2 = min(l2max, l2)
                    n = _emit(ox, oy, n, rx[pp], ry[pp], ndx + edx * t1, ndy + edy * t1)
                    n = _emit(ox, oy, n, rx[pp], ry[pp], nndx - eedx * t2, nndy - eedy * t2)
                ip = ipp
            elif edx * eedx + edy * eedy < -EPS:
                vx, vy = _dpx(edx, edy, disp)
                n = _emit(ox, oy, n, rx[pp], ry[pp], ndx + vx, ndy + vy)
                vx, vy = _dpx(eedx, eedy, disp)
                n = _emit(ox, oy, n, rx[pp], ry[pp], nndx - vx, nndy - vy)
                ip = ipp
        ipp = ippp
    return n


@njit(cache=True)
def path_hulls(x, y, start, width, bgn, end, rnd):
    """Hull rings of paths (int64 database units), as KLayout builds them.

    Path k has spine ``x[start[k]:start[k + 1]]``, width ``width[k]``, extensions
    ``bgn[k]``, ``end[k]`` and round ends where ``rnd[k]``.  Returns (xs, ys, ring_start).
    """
    npath = start.size - 1
    # upper bound of points per path: 2 per spine point and corner (3 for loops) + ends
    cap = np.empty(npath + 1, np.int64)
    cap[0] = 0
    for k in range(npath):
        cap[k + 1] = cap[k] + 6 * (start[k + 1] - start[k]) + 2 * NCIRCLE + 8
    ox = np.empty(cap[npath], np.int64)
    oy = np.empty(cap[npath], np.int64)
    ring = np.zeros(npath + 1, np.int64)
    rx = np.empty(max(1, np.max(np.diff(start))) if npath else 1, np.int64)
    ry = np.empty_like(rx)
    n = 0
    for k in range(npath):
        m = _real_points(x, y, start[k], start[k + 1], rx, ry)
        if width[k] > 0 and m > 0:
            nc = NCIRCLE if rnd[k] else 2
            n = _shifted(rx, ry, m, True, bgn[k], end[k], width[k], nc, ox, oy, n)
            n = _shifted(rx, ry, m, False, end[k], bgn[k], width[k], nc, ox, oy, n)
        ring[k + 1] = n
    return ox[:n], oy[:n], ring
