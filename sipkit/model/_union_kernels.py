"""Numba kernels: exact area of the union of polygon rings in each cell of a grid.

The rings may overlap, touch, coincide or have holes (rings of their own with a
negative sign); a point is covered where the winding number of all rings, each counted
with its sign, is positive (so an overlap counts once and a hole cancels its hull).
Only areas are wanted, never the union's outline, so no merge is made:

1. ``scatter``: every edge is cut at the horizontal lines of the strips (the grid rows,
   split further where they are tall).  Each strip gets the pieces of edges inside it
   and the points where edges cross its bottom line; the winding number just below
   that line at abscissa x is the signed count of the crossings left of x.
2. ``sweep_strips``: in each strip a sweep along x visits the slabs between the
   abscissae of piece ends, bottom-line crossings and grid columns.  In a slab the
   pieces over it are sorted by height; where two of them swap order the slab is cut
   at their crossing, so that in what remains the order is fixed.  Then the covered
   height (walking up from the winding number below the strip, adding each piece's
   signed step) is linear in x and the trapezoid rule integrates it exactly.

Pieces coinciding along a stretch (abutting shapes, stacked pads) bound zero-height
gaps and need nothing special.  Everything is floating point, so the areas are exact
to round-off: an order swap by less than a tolerance far below the cell sizes
(``tol``) is not cut, which changes an area by at most ``tol`` times a slab's width.
The cost is linear in the edges, their crossings, the strips they span and the
grid columns per strip, times the number of pieces over a slab (few, as the strips
are thin).  Strips are independent: ``sweep_strips`` takes a run of them and releases
the GIL, so runs can go to threads.  The kernels see only arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _x_at(ax, ay, bx, by, yv):
    """Abscissa where segment a-b (ay != by) is at height `yv`; the same value whichever end is a."""
    if yv == ay:
        return ax
    if yv == by:
        return bx
    if ay > by:
        ax, ay, bx, by = bx, by, ax, ay
    x = ax + (yv - ay) / (by - ay) * (bx - ax)
    return min(max(x, min(ax, bx)), max(ax, bx))


@njit(cache=True)
def ring_weights(x, y, ring_start, ring_sign, ring_end):
    """Per ring: the winding change across its edges (right to left), 0 for rings of no area.

    +1 for a counter-clockwise ring that adds copper, -1 for a clockwise one, the
    reverse for rings with a negative sign (holes).  Also fills `ring_end` with the end
    of each ring without its closing point(s).
    """
    nr = ring_start.size - 1
    out = np.zeros(nr)
    for r in range(nr):
        a = ring_start[r]
        b = ring_start[r + 1]
        while b - a > 1 and x[b - 1] == x[a] and y[b - 1] == y[a]:
            b -= 1
        ring_end[r] = b
        if b - a < 3:
            continue
        area = 0.0
        xa = x[a]
        ya = y[a]
        for k in range(a + 1, b - 1):
            area += (x[k] - xa) * (y[k + 1] - ya) - (x[k + 1] - xa) * (y[k] - ya)
        if area > 0.0:
            out[r] = 1.0 if ring_sign[r] > 0 else -1.0
        elif area < 0.0:
            out[r] = -1.0 if ring_sign[r] > 0 else 1.0
    return out


@njit(cache=True)
def _strip_of(ys, v, hint):
    """Strip s with ys[s] <= v < ys[s + 1] (-1 below, ns above), trying `hint` first."""
    ns = ys.size - 1
    if 0 <= hint < ns and ys[hint] <= v < ys[hint + 1]:
        return hint
    return np.searchsorted(ys, v, side="right") - 1


@njit(cache=True)
def _vertex_strips(x, y, ring_start, ring_end, ys):
    """Strip of every vertex (see :func:`_strip_of`); consecutive vertices are mostly in one."""
    out = np.empty(x.size, np.int64)
    hint = 0
    for r in range(ring_end.size):
        for k in range(ring_start[r], ring_end[r]):
            hint = _strip_of(ys, y[k], hint)
            out[k] = hint
    return out


@njit(inline="always")
def _push_piece(pend, s, pxl, pyl, pxr, pyr, pdw, xl, yl, xr, yr, w):
    """Append the piece (xl, yl)-(xr, yr) of winding weight w to strip s."""
    q = pend[s]
    pend[s] = q + 1
    pxl[q] = xl
    pyl[q] = yl
    pxr[q] = xr
    pyr[q] = yr
    pdw[q] = w


@njit(cache=True)
def scatter(x, y, ring_start, ring_end, ring_weight, x0, xn, ys):
    """Pieces and bottom-line crossings of the edges per strip (CSR with gaps).

    Ring k is ``x[ring_start[k]:ring_end[k]]``, implicitly closed; ``ys`` are the strip
    lines.  Returns base0 (winding number just below each strip's bottom line, left of
    the grid), pofs, pend, pxl, pyl, pxr, pyr, pdw (pieces of strip s at
    ``pofs[s]:pend[s]``, left to right, ``pdw`` the winding change from below to above)
    and cofs, cend, cx, cdh (crossings of the bottom line right of x0 and left of xn,
    ``cdh`` the change walking right just below the line).
    """
    ns = ys.size - 1
    sv = _vertex_strips(x, y, ring_start, ring_end, ys)
    # upper bounds per strip: every strip an edge spans, every line it crosses
    npc = np.zeros(ns + 1, np.int64)
    ncc = np.zeros(ns + 1, np.int64)
    for r in range(ring_end.size):
        if ring_weight[r] == 0.0:
            continue
        a = ring_start[r]
        b = ring_end[r]
        for k in range(a, b):
            k2 = k + 1 if k + 1 < b else a
            s1 = min(sv[k], sv[k2])
            s2 = max(sv[k], sv[k2])
            for s in range(max(s1, 0), min(s2, ns - 1) + 1):
                npc[s + 1] += 1
            for s in range(max(s1 + 1, 0), min(s2, ns - 1) + 1):
                ncc[s + 1] += 1
    for s in range(ns):
        npc[s + 1] += npc[s]
        ncc[s + 1] += ncc[s]
    pofs = npc
    cofs = ncc
    m = pofs[ns]
    c = cofs[ns]
    pxl = np.empty(m)
    pyl = np.empty(m)
    pxr = np.empty(m)
    pyr = np.empty(m)
    pdw = np.empty(m)
    cx = np.empty(c)
    cdh = np.empty(c)
    pend = pofs[:-1].copy()
    cend = cofs[:-1].copy()
    base0 = np.zeros(ns)
    for r in range(ring_end.size):
        wgt = ring_weight[r]
        if wgt == 0.0:
            continue
        a = ring_start[r]
        b = ring_end[r]
        for k in range(a, b):
            k2 = k + 1 if k + 1 < b else a
            ax = x[k]
            ay = y[k]
            bx = x[k2]
            by = y[k2]
            if ay == by:
                s = sv[k]
                if ax == bx or s < 0 or s >= ns:
                    continue
                xl = min(ax, bx)
                xr = max(ax, bx)
                if xr <= x0 or xl >= xn:
                    continue
                _push_piece(pend, s, pxl, pyl, pxr, pyr, pdw, xl, ay, xr, ay, wgt if bx > ax else -wgt)
                continue
            if ay < by:
                ylo, yhi, s1, s2 = ay, by, sv[k], sv[k2]
            else:
                ylo, yhi, s1, s2 = by, ay, sv[k2], sv[k]
            # walking right just below line s, the edge is crossed where it meets the line
            dh = -wgt if by > ay else wgt
            for s in range(max(s1 + 1, 0), min(s2, ns - 1) + 1):
                xc = _x_at(ax, ay, bx, by, ys[s])
                if xc <= x0:
                    base0[s] += dh
                elif xc < xn:
                    q = cend[s]
                    cend[s] = q + 1
                    cx[q] = xc
                    cdh[q] = dh
            if ax == bx or max(ax, bx) <= x0 or min(ax, bx) >= xn:
                continue  # vertical edges bound no area within a slab
            dw = wgt if bx > ax else -wgt
            for s in range(max(s1, 0), min(s2, ns - 1) + 1):
                lo = max(ylo, ys[s])
                hi = min(yhi, ys[s + 1])
                if hi <= lo:
                    continue
                xa = _x_at(ax, ay, bx, by, lo)
                xb = _x_at(ax, ay, bx, by, hi)
                if xa == xb:
                    continue
                if xa < xb:
                    xl, yl, xr, yr = xa, lo, xb, hi
                else:
                    xl, yl, xr, yr = xb, hi, xa, lo
                if xr <= x0 or xl >= xn:
                    continue
                _push_piece(pend, s, pxl, pyl, pxr, pyr, pdw, xl, yl, xr, yr, dw)
    return base0, pofs, pend, pxl, pyl, pxr, pyr, pdw, cofs, cend, cx, cdh


@njit(cache=True)
def _y_at(p, xv, pxl, pyl, pxr, pyr, slope):
    if xv <= pxl[p]:
        return pyl[p]
    if xv >= pxr[p]:
        return pyr[p]
    return pyl[p] + (xv - pxl[p]) * slope[p]


@njit(cache=True)
def _sort_slab(act, ya, yb, n):
    """Insertion sort of the active pieces by height at the slab's middle (ya + yb).

    They come nearly sorted (in the order of the previous slab): linear time.
    """
    for i in range(1, n):
        v = ya[i] + yb[i]
        if ya[i - 1] + yb[i - 1] <= v:
            continue
        a = act[i]
        va = ya[i]
        vb = yb[i]
        j = i - 1
        while j >= 0 and ya[j] + yb[j] > v:
            act[j + 1] = act[j]
            ya[j + 1] = ya[j]
            yb[j + 1] = yb[j]
            j -= 1
        act[j + 1] = a
        ya[j + 1] = va
        yb[j + 1] = vb


@njit(cache=True)
def _slab(act, ya, yb, na, w0, xa, xb, ylo, yhi, pxl, pyl, pxr, pyr, slope, pdw, tol):
    """Covered area of one strip between xa and xb, cut where pieces swap order.

    ``ya[:na]`` holds the active pieces' heights at xa; on return it holds them at xb.
    The pieces span the whole slab, so their height at its middle is the mean of the
    heights at its ends.
    """
    total = 0.0
    cur = xa
    while cur < xb:
        end = xb
        for _ in range(1000):  # each round moves `end` down to a crossing; few are needed
            for k in range(na):
                yb[k] = _y_at(act[k], end, pxl, pyl, pxr, pyr, slope)
            _sort_slab(act, ya, yb, na)
            best = end
            for k in range(na - 1):
                dm = 0.5 * ((ya[k] + yb[k]) - (ya[k + 1] + yb[k + 1]))  # <= 0: k below k + 1 mid-way
                dc = ya[k] - ya[k + 1]
                if dc > tol:  # k above k + 1 at cur: they cross before the middle (or at it)
                    xc = cur + 0.5 * (end - cur) * dc / (dc - dm)
                    if cur < xc < best:
                        best = xc
                de = yb[k] - yb[k + 1]
                if de > tol:  # k above k + 1 at end: they cross after the middle (or at it)
                    xm = 0.5 * (cur + end)
                    xc = max(xm + (end - xm) * (-dm) / (de - dm), xm)
                    if cur < xc < best:
                        best = xc
            if best >= end:
                break
            end = best
        la = 0.0
        lb = 0.0
        pa = ylo
        pb = ylo
        w = w0
        for k in range(na):
            va = min(max(ya[k], ylo), yhi)
            vb = min(max(yb[k], ylo), yhi)
            if w > 0.5:
                la += va - pa
                lb += vb - pb
            pa = va
            pb = vb
            w += pdw[act[k]]
        if w > 0.5:
            la += yhi - pa
            lb += yhi - pb
        total += 0.5 * (la + lb) * (end - cur)
        for k in range(na):
            ya[k] = yb[k]
        cur = end
    return total


@njit(cache=True)
def _next_event(prev, xs, order, i, n):
    """Index of the first of xs[order[i:n]] (sorted) beyond prev, and its value (inf if none)."""
    while i < n and xs[order[i]] <= prev:
        i += 1
    return i, (xs[order[i]] if i < n else np.inf)


@njit(cache=True, nogil=True)
def sweep_strips(s0, s1, ys, xe, base0, pofs, pend, pxl, pyl, pxr, pyr, pdw, cofs, cend, cx, cdh, tol, out):
    """Covered area of strips s0 .. s1 - 1 in each grid column, into out[s, i]."""
    nx = xe.size - 1
    x0 = xe[0]
    xn = xe[nx]
    slope = np.empty(pxl.size)
    col_order = np.arange(nx + 1)
    for s in range(s0, s1):
        a = pofs[s]
        npi = pend[s] - a
        c = cofs[s]
        nc = cend[s] - c
        ylo = ys[s]
        yhi = ys[s + 1]
        h = yhi - ylo
        xlc = np.empty(npi)
        xrc = np.empty(npi)
        for k in range(npi):
            p = a + k
            slope[p] = (pyr[p] - pyl[p]) / (pxr[p] - pxl[p])
            xlc[k] = max(pxl[p], x0)
            xrc[k] = min(pxr[p], xn)
        pord = np.argsort(xlc)
        rord = np.argsort(xrc)
        cxs = cx[c:c + nc]
        cord = np.argsort(cxs)
        act = np.empty(npi, np.int64)
        ya = np.empty(npi)
        yb = np.empty(npi)
        na = 0
        w0 = base0[s]
        pi = 0
        ci = 0
        col = 0
        # events: piece ends, bottom-line crossings and column edges, merged in order
        il = 0
        ir = 0
        ic = 0
        ie = 0
        xa = x0
        while True:
            il, vl = _next_event(xa, xlc, pord, il, npi)
            ir, vr = _next_event(xa, xrc, rord, ir, npi)
            ic, vc = _next_event(xa, cxs, cord, ic, nc)
            ie, ve = _next_event(xa, xe, col_order, ie, nx + 1)
            xb = min(min(vl, vr), min(vc, ve))
            if xb == np.inf:
                break
            while col < nx - 1 and xe[col + 1] <= xa:
                col += 1
            while ci < nc and cxs[cord[ci]] <= xa:
                w0 += cdh[c + cord[ci]]
                ci += 1
            k2 = 0
            for k in range(na):
                p = act[k]
                if pxr[p] > xa:
                    act[k2] = p
                    ya[k2] = ya[k]
                    k2 += 1
            na = k2
            while pi < npi and xlc[pord[pi]] <= xa:
                p = a + pord[pi]
                pi += 1
                if pxr[p] > xa:
                    act[na] = p
                    ya[na] = _y_at(p, xa, pxl, pyl, pxr, pyr, slope)
                    na += 1
            if na == 0:
                if w0 > 0.5:
                    out[s, col] += (xb - xa) * h
            else:
                out[s, col] += _slab(act, ya, yb, na, w0, xa, xb, ylo, yhi, pxl, pyl, pxr, pyr, slope, pdw,
                                     tol)
            xa = xb
