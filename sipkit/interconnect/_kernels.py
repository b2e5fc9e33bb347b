"""Numba kernels of the interconnect engine: Neumann integrals and segment distances.

The kernels see only float64/int64 arrays (lengths in µm) and never model objects.

Neumann integral
    For polylines P and Q the kernel returns the double line integral
    ``∑_i ∑_j (u_i·u_j) ∫∫ dt ds / sqrt(|p_i(t) - q_j(s)|² + a²)`` (µm), where ``a²`` is
    the regularisation ``reg2`` (0 between separate wires; a wire radius inside one
    wire, so that a straight wire gives exactly the external inductance of a round
    wire).  The inner integral along a straight segment is exact,
    ``asinh((L - s)/ρ) + asinh(s/ρ)``; the outer one is Gauss-Legendre over
    sub-intervals no longer than half the distance between the two segments (plus
    ``a``), so nearby and adjacent segments are resolved.  Parallel segments (and a
    segment with itself) use the closed form with the second antiderivative
    ``x asinh(x/ρ) - sqrt(x² + ρ²)``.

Segment distance
    Closest points of two 3-D segments by the clamped-parameter method (C. Ericson,
    *Real-Time Collision Detection*, 2005, section 5.1.9), with parallel segments handled
    by projecting an endpoint.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_PARALLEL = 1e-10  # 1 - cos² below which two segments count as parallel
_MAX_SPLIT = 64  # most sub-intervals of an outer segment


@njit(cache=True)
def _clamp01(x):
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@njit(cache=True)
def _closest_params(px, py, pz, ux, uy, uz, qx, qy, qz, vx, vy, vz):
    """Parameters (s, t) in [0, 1] of the closest points of p + s u and q + t v."""
    rx = px - qx
    ry = py - qy
    rz = pz - qz
    a = ux * ux + uy * uy + uz * uz
    e = vx * vx + vy * vy + vz * vz
    f = vx * rx + vy * ry + vz * rz
    if a <= 1e-300 and e <= 1e-300:
        return 0.0, 0.0
    if a <= 1e-300:
        return 0.0, _clamp01(f / e)
    c = ux * rx + uy * ry + uz * rz
    if e <= 1e-300:
        return _clamp01(-c / a), 0.0
    b = ux * vx + uy * vy + uz * vz
    denom = a * e - b * b
    if denom > _PARALLEL * a * e:
        s = _clamp01((b * f - c * e) / denom)
    else:
        s = 0.0
    t = (b * s + f) / e
    if t < 0.0:
        t = 0.0
        s = _clamp01(-c / a)
    elif t > 1.0:
        t = 1.0
        s = _clamp01((b - c) / a)
    return s, t


@njit(cache=True)
def seg_dist2(P, i, Q, j):
    """Squared distance between segments P[i]→P[i+1] and Q[j]→Q[j+1]."""
    px, py, pz = P[i, 0], P[i, 1], P[i, 2]
    ux, uy, uz = P[i + 1, 0] - px, P[i + 1, 1] - py, P[i + 1, 2] - pz
    qx, qy, qz = Q[j, 0], Q[j, 1], Q[j, 2]
    vx, vy, vz = Q[j + 1, 0] - qx, Q[j + 1, 1] - qy, Q[j + 1, 2] - qz
    s, t = _closest_params(px, py, pz, ux, uy, uz, qx, qy, qz, vx, vy, vz)
    dx = px + s * ux - qx - t * vx
    dy = py + s * uy - qy - t * vy
    dz = pz + s * uz - qz - t * vz
    return dx * dx + dy * dy + dz * dz


@njit(cache=True)
def _segments_dist2(A, B, p, q):
    """Squared distance between segments A[p]→B[p] and A[q]→B[q]."""
    px, py, pz = A[p, 0], A[p, 1], A[p, 2]
    ux, uy, uz = B[p, 0] - px, B[p, 1] - py, B[p, 2] - pz
    qx, qy, qz = A[q, 0], A[q, 1], A[q, 2]
    vx, vy, vz = B[q, 0] - qx, B[q, 1] - qy, B[q, 2] - qz
    s, t = _closest_params(px, py, pz, ux, uy, uz, qx, qy, qz, vx, vy, vz)
    dx = px + s * ux - qx - t * vx
    dy = py + s * uy - qy - t * vy
    dz = pz + s * uz - qz - t * vz
    return dx * dx + dy * dy + dz * dz


# ------------------------------------------------------------------------------------
# Neumann integrals


@njit(cache=True)
def _antider(x, rho):
    return x * math.asinh(x / rho) - math.sqrt(x * x + rho * rho)


@njit(cache=True)
def _pair_integral(P, i, Q, j, reg2, gx, gw):
    """(u_i·v_j) ∫∫ dt ds / sqrt(r² + reg2) over segment i of P and segment j of Q (µm)."""
    ax, ay, az = P[i, 0], P[i, 1], P[i, 2]
    ux, uy, uz = P[i + 1, 0] - ax, P[i + 1, 1] - ay, P[i + 1, 2] - az
    bx, by, bz = Q[j, 0], Q[j, 1], Q[j, 2]
    vx, vy, vz = Q[j + 1, 0] - bx, Q[j + 1, 1] - by, Q[j + 1, 2] - bz
    L1 = math.sqrt(ux * ux + uy * uy + uz * uz)
    L2 = math.sqrt(vx * vx + vy * vy + vz * vz)
    if L1 <= 0.0 or L2 <= 0.0:
        return 0.0
    ux /= L1
    uy /= L1
    uz /= L1
    vx /= L2
    vy /= L2
    vz /= L2
    cs = ux * vx + uy * vy + uz * vz
    if 1.0 - cs * cs < _PARALLEL:
        wx, wy, wz = bx - ax, by - ay, bz - az
        s0 = wx * ux + wy * uy + wz * uz
        d2 = wx * wx + wy * wy + wz * wz - s0 * s0
        rho = math.sqrt(max(d2, 0.0) + reg2)
        if rho < 1e-9:
            rho = 1e-9
        if cs > 0.0:
            lo = s0
            hi = s0 + L2
            sign = 1.0
        else:
            lo = s0 - L2
            hi = s0
            sign = -1.0
        return sign * (_antider(hi, rho) - _antider(hi - L1, rho)
                       - _antider(lo, rho) + _antider(lo - L1, rho))
    if abs(cs) < 1e-15:
        return 0.0
    dist = math.sqrt(seg_dist2(P, i, Q, j))
    m = int(L1 / (0.5 * (dist + math.sqrt(reg2)) + 1e-300)) + 1
    if m > _MAX_SPLIT:
        m = _MAX_SPLIT
    total = 0.0
    h = L1 / m
    for k in range(m):
        t0 = k * h
        for g in range(gx.shape[0]):
            t = t0 + 0.5 * h * (1.0 + gx[g])
            wx = ax + t * ux - bx
            wy = ay + t * uy - by
            wz = az + t * uz - bz
            s = wx * vx + wy * vy + wz * vz
            d2 = wx * wx + wy * wy + wz * wz - s * s
            rho = math.sqrt(max(d2, 0.0) + reg2)
            if rho < 1e-12:
                rho = 1e-12
            total += gw[g] * 0.5 * h * (math.asinh((L2 - s) / rho) + math.asinh(s / rho))
    return cs * total


@njit(cache=True)
def neumann_self(P, reg2, gx, gw):
    """Regularised Neumann double integral of a polyline with itself (µm)."""
    n = P.shape[0] - 1
    total = 0.0
    for i in range(n):
        total += _pair_integral(P, i, P, i, reg2, gx, gw)
        for j in range(i + 1, n):
            total += 2.0 * _pair_integral(P, i, P, j, reg2, gx, gw)
    return total


@njit(cache=True)
def neumann_mutual(P, Q, reg2, gx, gw):
    """Neumann double integral between two polylines (µm)."""
    total = 0.0
    for i in range(P.shape[0] - 1):
        for j in range(Q.shape[0] - 1):
            total += _pair_integral(P, i, Q, j, reg2, gx, gw)
    return total


@njit(cache=True, parallel=True)
def neumann_self_batch(points, starts, reg2, gx, gw, out):
    """Self integrals of every wire of a packed set; reg2[k] per wire."""
    for k in prange(starts.shape[0] - 1):
        out[k] = neumann_self(points[starts[k]:starts[k + 1]], reg2[k], gx, gw)


@njit(cache=True, parallel=True)
def neumann_pairs_batch(points, starts, pi, pj, gx, gw, out):
    """Mutual integrals of wire pairs (pi[k], pj[k]) of a packed set."""
    for k in prange(pi.shape[0]):
        a = pi[k]
        b = pj[k]
        out[k] = neumann_mutual(points[starts[a]:starts[a + 1]], points[starts[b]:starts[b + 1]],
                                0.0, gx, gw)


# ------------------------------------------------------------------------------------
# clearance: segment binning on a 2-D grid


@njit(cache=True)
def _grow_i(a):
    b = np.empty(2 * a.shape[0] + 16, dtype=a.dtype)
    b[:a.shape[0]] = a
    return b


@njit(cache=True)
def _grow_f(a):
    b = np.empty(2 * a.shape[0] + 16, dtype=a.dtype)
    b[:a.shape[0]] = a
    return b


@njit(cache=True)
def _cell(v, v0, size, n):
    i = math.floor((v - v0) / size)
    if i < 0:
        return 0
    if i >= n:
        return n - 1
    return i


@njit(cache=True)
def _orient(ax, ay, bx, by, cx, cy):
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@njit(cache=True)
def _xy_cross(A, B, p, q, tol):
    """Parameters (found, tp, tq) where segments p and q meet in top view."""
    ax, ay = A[p, 0], A[p, 1]
    bx, by = B[p, 0], B[p, 1]
    cx, cy = A[q, 0], A[q, 1]
    dx, dy = B[q, 0], B[q, 1]
    rx, ry = bx - ax, by - ay
    sx, sy = dx - cx, dy - cy
    den = rx * sy - ry * sx
    lr = math.sqrt(rx * rx + ry * ry)
    ls = math.sqrt(sx * sx + sy * sy)
    if abs(den) > 1e-12 * (lr * ls + 1e-300):
        tp = ((cx - ax) * sy - (cy - ay) * sx) / den
        tq = ((cx - ax) * ry - (cy - ay) * rx) / den
        ep = tol / (lr + 1e-300)
        eq = tol / (ls + 1e-300)
        if -ep <= tp <= 1.0 + ep and -eq <= tq <= 1.0 + eq:
            return True, _clamp01(tp), _clamp01(tq)
        return False, 0.0, 0.0
    # parallel in top view: overlap only when collinear
    if abs(_orient(ax, ay, bx, by, cx, cy)) > tol * (lr + 1e-300):
        return False, 0.0, 0.0
    if lr <= 0.0:
        return False, 0.0, 0.0
    for k in range(2):
        ex = cx if k == 0 else dx
        ey = cy if k == 0 else dy
        t = ((ex - ax) * rx + (ey - ay) * ry) / (lr * lr)
        if 0.0 <= t <= 1.0:
            return True, t, float(k)
    return False, 0.0, 0.0


@njit(cache=True)
def _point_seg_dev2(P, a, b, k):
    """Squared distance of point P[k] from segment P[a]→P[b]."""
    ux = P[b, 0] - P[a, 0]
    uy = P[b, 1] - P[a, 1]
    uz = P[b, 2] - P[a, 2]
    wx = P[k, 0] - P[a, 0]
    wy = P[k, 1] - P[a, 1]
    wz = P[k, 2] - P[a, 2]
    uu = ux * ux + uy * uy + uz * uz
    t = 0.0 if uu <= 0.0 else _clamp01((wx * ux + wy * uy + wz * uz) / uu)
    dx = wx - t * ux
    dy = wy - t * uy
    dz = wz - t * uz
    return dx * dx + dy * dy + dz * dz


@njit(cache=True)
def simplify(points, starts, tol, max_len):
    """Douglas-Peucker simplification of every polyline of a packed set.

    A run of points is replaced by its chord when every point lies within `tol` of it
    and the chord is at most `max_len` long; `tol` = 0 drops only exactly collinear
    points.  Returns the kept points and the new starts.
    """
    n = starts.shape[0] - 1
    keep = np.zeros(points.shape[0], dtype=np.bool_)
    stack = np.empty((points.shape[0] + 2, 2), dtype=np.int64)
    tol2 = tol * tol
    ml2 = max_len * max_len
    for w in range(n):
        s = starts[w]
        e = starts[w + 1] - 1
        if e < s:
            continue
        keep[s] = True
        keep[e] = True
        top = 0
        stack[0, 0] = s
        stack[0, 1] = e
        top = 1
        while top > 0:
            top -= 1
            a = stack[top, 0]
            b = stack[top, 1]
            if b - a < 2:
                continue
            worst = -1.0
            kw = a + 1
            for k in range(a + 1, b):
                d = _point_seg_dev2(points, a, b, k)
                if d > worst:
                    worst = d
                    kw = k
            dx = points[b, 0] - points[a, 0]
            dy = points[b, 1] - points[a, 1]
            dz = points[b, 2] - points[a, 2]
            if worst > tol2 or dx * dx + dy * dy + dz * dz > ml2:
                if worst <= tol2:
                    kw = (a + b) // 2
                keep[kw] = True
                stack[top, 0] = a
                stack[top, 1] = kw
                stack[top + 1, 0] = kw
                stack[top + 1, 1] = b
                top += 2
    new_starts = np.zeros(n + 1, dtype=np.int64)
    for w in range(n):
        c = 0
        for k in range(starts[w], starts[w + 1]):
            if keep[k]:
                c += 1
        new_starts[w + 1] = new_starts[w] + c
    out = np.empty((new_starts[n], 3))
    j = 0
    for k in range(points.shape[0]):
        if keep[k]:
            out[j, 0] = points[k, 0]
            out[j, 1] = points[k, 1]
            out[j, 2] = points[k, 2]
            j += 1
    return out, new_starts


@njit(cache=True)
def clearance_kernel(A, B, wire, n_wires, radius, cell, tol):
    """Closest segment pair of every pair of wires within `radius`, and top-view crossings.

    Segments of one wire must be contiguous and wires numbered in increasing order.

    Parameters
    ----------
    A, B : (m, 3) float64
        Segment start and end points.
    wire : (m,) int64
        Wire index of each segment (non-decreasing).
    n_wires : int
        Number of wires.
    radius : float
        Search distance between centrelines (µm).
    cell : float
        Grid cell size (µm).
    tol : float
        Top-view intersection tolerance (µm).

    Returns
    -------
    close_p, close_q : int64 arrays
        Per close wire pair (wire[p] < wire[q]), the closest segment pair.
    close_d2 : float64 array
        Its squared distance.
    cross_p, cross_q : int64 arrays
        Segment pairs that meet in top view.
    cross_tp, cross_tq : float64 arrays
        Where, as parameters along each segment.
    """
    m = A.shape[0]
    h = 0.5 * radius
    bx0 = np.empty(m)
    by0 = np.empty(m)
    bz0 = np.empty(m)
    bx1 = np.empty(m)
    by1 = np.empty(m)
    bz1 = np.empty(m)
    mid = np.empty((m, 3))
    half = np.empty(m)
    for k in range(m):
        bx0[k] = min(A[k, 0], B[k, 0]) - h
        by0[k] = min(A[k, 1], B[k, 1]) - h
        bz0[k] = min(A[k, 2], B[k, 2]) - h
        bx1[k] = max(A[k, 0], B[k, 0]) + h
        by1[k] = max(A[k, 1], B[k, 1]) + h
        bz1[k] = max(A[k, 2], B[k, 2]) + h
        for c in range(3):
            mid[k, c] = 0.5 * (A[k, c] + B[k, c])
        dx = B[k, 0] - A[k, 0]
        dy = B[k, 1] - A[k, 1]
        dz = B[k, 2] - A[k, 2]
        half[k] = 0.5 * math.sqrt(dx * dx + dy * dy + dz * dz)
    x0 = bx0.min() if m else 0.0
    y0 = by0.min() if m else 0.0
    nx = int((bx1.max() - x0) / cell) + 1 if m else 1
    ny = int((by1.max() - y0) / cell) + 1 if m else 1
    counts = np.zeros(nx * ny + 1, dtype=np.int64)
    ci0 = np.empty(m, dtype=np.int64)
    ci1 = np.empty(m, dtype=np.int64)
    cj0 = np.empty(m, dtype=np.int64)
    cj1 = np.empty(m, dtype=np.int64)
    for k in range(m):
        ci0[k] = _cell(bx0[k], x0, cell, nx)
        ci1[k] = _cell(bx1[k], x0, cell, nx)
        cj0[k] = _cell(by0[k], y0, cell, ny)
        cj1[k] = _cell(by1[k], y0, cell, ny)
        for jj in range(cj0[k], cj1[k] + 1):
            for ii in range(ci0[k], ci1[k] + 1):
                counts[jj * nx + ii + 1] += 1
    start = np.cumsum(counts)
    fill = start[:-1].copy()
    idx = np.empty(start[-1], dtype=np.int64)
    for k in range(m):
        for jj in range(cj0[k], cj1[k] + 1):
            for ii in range(ci0[k], ci1[k] + 1):
                c = jj * nx + ii
                idx[fill[c]] = k
                fill[c] += 1
    r2 = radius * radius
    best = np.full(n_wires, np.inf)
    best_p = np.full(n_wires, -1, dtype=np.int64)
    best_q = np.full(n_wires, -1, dtype=np.int64)
    touched = np.empty(n_wires, dtype=np.int64)
    nt = 0
    close_p = np.empty(16, dtype=np.int64)
    close_q = np.empty(16, dtype=np.int64)
    close_d2 = np.empty(16)
    nc = 0
    cross_p = np.empty(16, dtype=np.int64)
    cross_q = np.empty(16, dtype=np.int64)
    cross_tp = np.empty(16)
    cross_tq = np.empty(16)
    nx_ = 0
    for p in range(m + 1):
        if p == m or (p > 0 and wire[p] != wire[p - 1]):
            # flush the wire just finished
            for t in range(nt):
                w = touched[t]
                if nc == close_p.shape[0]:
                    close_p = _grow_i(close_p)
                    close_q = _grow_i(close_q)
                    close_d2 = _grow_f(close_d2)
                close_p[nc] = best_p[w]
                close_q[nc] = best_q[w]
                close_d2[nc] = best[w]
                nc += 1
                best[w] = np.inf
            nt = 0
            if p == m:
                break
        wp = wire[p]
        for jj in range(cj0[p], cj1[p] + 1):
            for ii in range(ci0[p], ci1[p] + 1):
                c = jj * nx + ii
                for a in range(start[c], start[c + 1]):
                    q = idx[a]
                    wq = wire[q]
                    if wq <= wp:
                        continue
                    ox0 = max(bx0[p], bx0[q])
                    oy0 = max(by0[p], by0[q])
                    if ox0 > min(bx1[p], bx1[q]) or oy0 > min(by1[p], by1[q]):
                        continue
                    if _cell(oy0, y0, cell, ny) * nx + _cell(ox0, x0, cell, nx) != c:
                        continue  # the pair is met in the cell of its overlap's corner only
                    if max(bz0[p], bz0[q]) <= min(bz1[p], bz1[q]):
                        ddx = mid[p, 0] - mid[q, 0]
                        ddy = mid[p, 1] - mid[q, 1]
                        ddz = mid[p, 2] - mid[q, 2]
                        lim = radius + half[p] + half[q]
                        if ddx * ddx + ddy * ddy + ddz * ddz <= lim * lim:
                            d2 = _segments_dist2(A, B, p, q)
                            if d2 <= r2 and d2 < best[wq]:
                                if best[wq] == np.inf:
                                    touched[nt] = wq
                                    nt += 1
                                best[wq] = d2
                                best_p[wq] = p
                                best_q[wq] = q
                    if ox0 + radius > min(bx1[p], bx1[q]) + tol or oy0 + radius > min(by1[p], by1[q]) + tol:
                        continue  # the unexpanded boxes do not overlap in top view
                    found, tp, tq = _xy_cross(A, B, p, q, tol)
                    if found:
                        if nx_ == cross_p.shape[0]:
                            cross_p = _grow_i(cross_p)
                            cross_q = _grow_i(cross_q)
                            cross_tp = _grow_f(cross_tp)
                            cross_tq = _grow_f(cross_tq)
                        cross_p[nx_] = p
                        cross_q[nx_] = q
                        cross_tp[nx_] = tp
                        cross_tq[nx_] = tq
                        nx_ += 1
    return (close_p[:nc], close_q[:nc], close_d2[:nc], cross_p[:nx_], cross_q[:nx_],
            cross_tp[:nx_], cross_tq[:nx_])


@njit(cache=True)
def closest_points(A, B, p, q):
    """Closest points of segment pairs (A[p[k]]→B[p[k]], A[q[k]]→B[q[k]]), shape (n, 3) each."""
    n = p.shape[0]
    out_p = np.empty((n, 3))
    out_q = np.empty((n, 3))
    for k in range(n):
        a = p[k]
        b = q[k]
        px, py, pz = A[a, 0], A[a, 1], A[a, 2]
        ux, uy, uz = B[a, 0] - px, B[a, 1] - py, B[a, 2] - pz
        qx, qy, qz = A[b, 0], A[b, 1], A[b, 2]
        vx, vy, vz = B[b, 0] - qx, B[b, 1] - qy, B[b, 2] - qz
        s, t = _closest_params(px, py, pz, ux, uy, uz, qx, qy, qz, vx, vy, vz)
        out_p[k, 0] = px + s * ux
        out_p[k, 1] = py + s * uy
        out_p[k, 2] = pz + s * uz
        out_q[k, 0] = qx + t * vx
        out_q[k, 1] = qy + t * vy
        out_q[k, 2] = qz + t * vz
    return out_p, out_q
