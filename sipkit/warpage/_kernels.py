"""Numba kernels of the plate solver: structured 5 x 5 stencils on a cell-centred grid.

Arrays only (no model objects, no units).  A stencil array ``S`` of shape
``(ny, nx, 5, 5)`` holds row ``(j, i)`` of a sparse matrix: ``S[j, i, 2 + dj, 2 + di]``
couples cell ``(j, i)`` with cell ``(j + dj, i + di)``.  Every operator of the plate
problem and of its multigrid hierarchy fits this shape (see :mod:`.plate`).  Vectors
are *padded*: shape ``(ny + 4, nx + 4)`` with a halo of two zero cells, so that the
stencil loops need no bounds checks (``S`` is zero where it would reach the halo);
``*_many`` kernels take a stack of such vectors (several right-hand sides) and read
each stencil row once for all of them.  Nothing here calls BLAS: a multithreaded BLAS
on a shared machine costs more than it gains on these small vector operations.

1-D prolongations are given per fine cell ``f`` by the index ``lo[f]`` of the coarse
cell below it and the weight ``t[f]`` of coarse cell ``lo[f] + 1``: the fine value is
``(1 - t) * coarse[lo] + t * coarse[lo + 1]`` (``t`` may lie outside [0, 1] near the
ends, where it extrapolates linearly).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _clamp(i, lo, hi):
    if i < lo:
        return lo
    if i > hi:
        return hi
    return i


@njit(cache=True)
def _curvature_rows(i, j, nx, ny, hx, hy, di, dj, cxx, cyy, cxy):
    """Offsets (di, dj) of the cells the three curvature rows of cell (i, j) touch.

    gxx = w_xx, gyy = w_yy (second differences, shifted inwards at the edges) and
    gxy = w_xy (product of first differences: central inside, one-sided at the edges).
    Fills di/dj (union of offsets) and the coefficients of each row; returns the count.
    """
    n = 0
    ic = _clamp(i, 1, nx - 2)
    jc = _clamp(j, 1, ny - 2)
    # gxx: cells (ic-1, j), (ic, j), (ic+1, j)
    for k in range(3):
        di[n] = ic - 1 + k - i
        dj[n] = 0
        cxx[n] = (1.0, -2.0, 1.0)[k] / (hx * hx)
        cyy[n] = 0.0
        cxy[n] = 0.0
        n += 1
    # gyy: cells (i, jc-1), (i, jc), (i, jc+1)
    for k in range(3):
        oi = 0
        oj = jc - 1 + k - j
        c = (1.0, -2.0, 1.0)[k] / (hy * hy)
        found = -1
        for m in range(n):
            if di[m] == oi and dj[m] == oj:
                found = m
        if found < 0:
            di[n] = oi
            dj[n] = oj
            cxx[n] = 0.0
            cyy[n] = c
            cxy[n] = 0.0
            n += 1
        else:
            cyy[found] += c
    # gxy: first differences along x and y, each central or one-sided
    if i == 0:
        xa, xb, fx = 0, 1, 1.0 / hx
    elif i == nx - 1:
        xa, xb, fx = nx - 2, nx - 1, 1.0 / hx
    else:
        xa, xb, fx = i - 1, i + 1, 0.5 / hx
    if j == 0:
        ya, yb, fy = 0, 1, 1.0 / hy
    elif j == ny - 1:
        ya, yb, fy = ny - 2, ny - 1, 1.0 / hy
    else:
        ya, yb, fy = j - 1, j + 1, 0.5 / hy
    for a in range(2):
        for b in range(2):
            oi = (xa, xb)[a] - i
            oj = (ya, yb)[b] - j
            c = (-1.0, 1.0)[a] * (-1.0, 1.0)[b] * fx * fy
            found = -1
            for m in range(n):
                if di[m] == oi and dj[m] == oj:
                    found = m
            if found < 0:
                di[n] = oi
                dj[n] = oj
                cxx[n] = 0.0
                cyy[n] = 0.0
                cxy[n] = c
                n += 1
            else:
                cxy[found] += c
    return n


@njit(cache=True)
def assemble(d11, d12, d22, d66, hx, hy):
    """Stencil of K = sum over cells of area * L^T D L (the plate energy's Hessian).

    Per cell the energy density is ½ (D11 gxx² + 2 D12 gxx gyy + D22 gyy² + 4 D66 gxy²).
    """
    ny, nx = d11.shape
    S = np.zeros((ny, nx, 5, 5))
    di = np.zeros(12, np.int64)
    dj = np.zeros(12, np.int64)
    cxx = np.zeros(12)
    cyy = np.zeros(12)
    cxy = np.zeros(12)
    area = hx * hy
    for j in range(ny):
        for i in range(nx):
            n = _curvature_rows(i, j, nx, ny, hx, hy, di, dj, cxx, cyy, cxy)
            a11 = d11[j, i] * area
            a12 = d12[j, i] * area
            a22 = d22[j, i] * area
            a66 = 4.0 * d66[j, i] * area
            for p in range(n):
                pi = i + di[p]
                pj = j + dj[p]
                for q in range(n):
                    v = (cxx[p] * (a11 * cxx[q] + a12 * cyy[q]) + cyy[p] * (a12 * cxx[q] + a22 * cyy[q])
                         + a66 * cxy[p] * cxy[q])
                    if v != 0.0:
                        S[pj, pi, 2 + dj[q] - dj[p], 2 + di[q] - di[p]] += v
    return S


@njit(cache=True)
def load(mx, my, hx, hy):
    """b = sum over cells of area * L^T [Mx, My, 0] (the energy's linear term)."""
    ny, nx = mx.shape
    b = np.zeros((ny, nx))
    di = np.zeros(12, np.int64)
    dj = np.zeros(12, np.int64)
    cxx = np.zeros(12)
    cyy = np.zeros(12)
    cxy = np.zeros(12)
    area = hx * hy
    for j in range(ny):
        for i in range(nx):
            n = _curvature_rows(i, j, nx, ny, hx, hy, di, dj, cxx, cyy, cxy)
            for p in range(n):
                b[j + dj[p], i + di[p]] += area * (cxx[p] * mx[j, i] + cyy[p] * my[j, i])
    return b


@njit(cache=True, fastmath=True)
def apply(S, x, out):
    """out = S x on padded arrays (a halo of two zero cells around the grid)."""
    ny, nx = S.shape[0], S.shape[1]
    for j in range(ny):
        for i in range(nx):
            s = 0.0
            for a in range(5):
                for c in range(5):
                    s += S[j, i, a, c] * x[j + a, i + c]
            out[j + 2, i + 2] = s


@njit(cache=True)
def _galerkin_x(S, lox, tx, ncx):
    """(I ⊗ Px)^T S (I ⊗ Px): coarsen the stencil along x only."""
    ny, nx = S.shape[0], S.shape[1]
    out = np.zeros((ny, ncx, 5, 5))
    overflow = 0
    for j in range(ny):
        for pi in range(nx):
            for c in range(2):
                Ip = lox[pi] + c
                wp = tx[pi] if c == 1 else 1.0 - tx[pi]
                if wp == 0.0:
                    continue
                for sc in range(5):
                    qi = pi + sc - 2
                    if qi < 0 or qi >= nx:
                        continue
                    for f in range(2):
                        Iq = lox[qi] + f
                        wq = wp * (tx[qi] if f == 1 else 1.0 - tx[qi])
                        if wq == 0.0:
                            continue
                        oi = Iq - Ip + 2
                        if oi < 0 or oi > 4:
                            overflow += 1
                            continue
                        for sa in range(5):
                            out[j, Ip, sa, oi] += wq * S[j, pi, sa, sc]
    return out, overflow


@njit(cache=True)
def _galerkin_y(S, loy, ty, ncy):
    """(Py ⊗ I)^T S (Py ⊗ I): coarsen the stencil along y only."""
    ny, nx = S.shape[0], S.shape[1]
    out = np.zeros((ncy, nx, 5, 5))
    overflow = 0
    for pj in range(ny):
        for a in range(2):
            Jp = loy[pj] + a
            wp = ty[pj] if a == 1 else 1.0 - ty[pj]
            if wp == 0.0:
                continue
            for sa in range(5):
                qj = pj + sa - 2
                if qj < 0 or qj >= ny:
                    continue
                for e in range(2):
                    Jq = loy[qj] + e
                    wq = wp * (ty[qj] if e == 1 else 1.0 - ty[qj])
                    if wq == 0.0:
                        continue
                    oj = Jq - Jp + 2
                    if oj < 0 or oj > 4:
                        overflow += 1
                        continue
                    for i in range(nx):
                        for sc in range(5):
                            out[Jp, i, oj, sc] += wq * S[pj, i, sa, sc]
    return out, overflow


@njit(cache=True)
def galerkin(S, lox, tx, loy, ty, ncx, ncy):
    """Coarse stencil P^T S P for P = Py ⊗ Px (1-D linear interpolations); and a count
    of couplings that fell outside the 5 x 5 shape (zero for the plate's hierarchy)."""
    Sx, o1 = _galerkin_x(S, lox, tx, ncx)
    Sc, o2 = _galerkin_y(Sx, loy, ty, ncy)
    return Sc, o1 + o2


@njit(cache=True)
def restrict(r, lox, tx, loy, ty, ncx, ncy):
    """P^T r (padded arrays in and out)."""
    ny, nx = r.shape[0] - 4, r.shape[1] - 4
    rc = np.zeros((ncy + 4, ncx + 4))
    for j in range(ny):
        J = loy[j] + 2
        wy1 = ty[j]
        for i in range(nx):
            v = r[j + 2, i + 2]
            ci = lox[i] + 2
            wx1 = tx[i]
            rc[J, ci] += (1.0 - wy1) * (1.0 - wx1) * v
            rc[J, ci + 1] += (1.0 - wy1) * wx1 * v
            rc[J + 1, ci] += wy1 * (1.0 - wx1) * v
            rc[J + 1, ci + 1] += wy1 * wx1 * v
    return rc


@njit(cache=True)
def prolong_add(x, ec, lox, tx, loy, ty):
    """x += P ec (padded arrays)."""
    ny, nx = x.shape[0] - 4, x.shape[1] - 4
    for j in range(ny):
        J = loy[j] + 2
        wy1 = ty[j]
        for i in range(nx):
            ci = lox[i] + 2
            wx1 = tx[i]
            x[j + 2, i + 2] += ((1.0 - wy1) * ((1.0 - wx1) * ec[J, ci] + wx1 * ec[J, ci + 1])
                                + wy1 * ((1.0 - wx1) * ec[J + 1, ci] + wx1 * ec[J + 1, ci + 1]))


@njit(cache=True)
def to_dense(S):
    """The stencil as a dense matrix (cells numbered j * nx + i)."""
    ny, nx = S.shape[0], S.shape[1]
    n = nx * ny
    K = np.zeros((n, n))
    for j in range(ny):
        for i in range(nx):
            for a in range(5):
                for c in range(5):
                    jj = j + a - 2
                    ii = i + c - 2
                    if 0 <= jj < ny and 0 <= ii < nx:
                        K[j * nx + i, jj * nx + ii] += S[j, i, a, c]
    return K


# -- vector helpers (numba, so that no multithreaded BLAS call sits in the solver loop) ----
@njit(cache=True, fastmath=True)
def dot(a, b):
    """Sum of a * b over all entries."""
    fa = a.reshape(-1)
    fb = b.reshape(-1)
    s = 0.0
    for k in range(fa.size):
        s += fa[k] * fb[k]
    return s


@njit(cache=True, fastmath=True)
def project(v, basis):
    """v minus its components along the orthonormal columns of `basis` (in place)."""
    f = v.reshape(-1)
    m = basis.shape[1]
    for c in range(m):
        s = 0.0
        for k in range(f.size):
            s += basis[k, c] * f[k]
        for k in range(f.size):
            f[k] -= s * basis[k, c]


@njit(cache=True, fastmath=True)
def cg_step(w, r, p, ap, alpha):
    """w += alpha p, r -= alpha Ap; return |r|²."""
    fw = w.reshape(-1)
    fr = r.reshape(-1)
    fp = p.reshape(-1)
    fa = ap.reshape(-1)
    s = 0.0
    for k in range(fw.size):
        fw[k] += alpha * fp[k]
        fr[k] -= alpha * fa[k]
        s += fr[k] * fr[k]
    return s


@njit(cache=True, fastmath=True)
def xpby(z, beta, p):
    """p = z + beta p (in place)."""
    fz = z.reshape(-1)
    fp = p.reshape(-1)
    for k in range(fz.size):
        fp[k] = fz[k] + beta * fp[k]


@njit(cache=True, fastmath=True)
def dense_solve(inv, b, x):
    """Interior of padded `x` = inv @ interior of padded `b`."""
    ny, nx = b.shape[0] - 4, b.shape[1] - 4
    n = nx * ny
    for k in range(n):
        s = 0.0
        for m in range(n):
            s += inv[k, m] * b[2 + m // nx, 2 + m % nx]
        x[2 + k // nx, 2 + k % nx] = s


@njit(cache=True)
def cholesky_inverse(K):
    """Inverse of a symmetric positive definite matrix by Cholesky (in numba, no LAPACK)."""
    n = K.shape[0]
    L = np.zeros((n, n))
    for j in range(n):
        s = K[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if s <= 0.0:
            raise ValueError("matrix is not positive definite")
        L[j, j] = np.sqrt(s)
        for i in range(j + 1, n):
            s = K[i, j]
            for k in range(j):
                s -= L[i, k] * L[j, k]
            L[i, j] = s / L[j, j]
    # inverse of L (lower triangular), then inv = L^-T L^-1
    Li = np.zeros((n, n))
    for i in range(n):
        Li[i, i] = 1.0 / L[i, i]
        for j in range(i):
            s = 0.0
            for k in range(j, i):
                s -= L[i, k] * Li[k, j]
            Li[i, j] = s / L[i, i]
    inv = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1):
            s = 0.0
            for k in range(i, n):
                s += Li[k, i] * Li[k, j]
            inv[i, j] = s
            inv[j, i] = s
    return inv


# -- several right-hand sides at once (arrays of shape (nrhs, ny + 4, nx + 4)): each stencil
# row is read once and applied to every right-hand side, which is what the memory-bound
# solver pays for ------------------------------------------------------------------------
@njit(cache=True, fastmath=True)
def apply_many(S, x, out):
    """out[r] = S x[r] for every right-hand side r (padded arrays)."""
    nr = x.shape[0]
    ny, nx = S.shape[0], S.shape[1]
    for j in range(ny):
        for i in range(nx):
            for r in range(nr):
                s = 0.0
                for a in range(5):
                    for c in range(5):
                        s += S[j, i, a, c] * x[r, j + a, i + c]
                out[r, j + 2, i + 2] = s


@njit(cache=True, fastmath=True)
def residual_many(S, x, b, out):
    """out[r] = b[r] - S x[r] (padded arrays)."""
    nr = x.shape[0]
    ny, nx = S.shape[0], S.shape[1]
    for j in range(ny):
        for i in range(nx):
            for r in range(nr):
                s = 0.0
                for a in range(5):
                    for c in range(5):
                        s += S[j, i, a, c] * x[r, j + a, i + c]
                out[r, j + 2, i + 2] = b[r, j + 2, i + 2] - s


@njit(cache=True, fastmath=True)
def gauss_seidel_many(S, x, b, sweeps, forward):
    """Lexicographic Gauss-Seidel sweeps on every right-hand side (padded arrays)."""
    nr = x.shape[0]
    ny, nx = S.shape[0], S.shape[1]
    for _ in range(sweeps):
        for jj in range(ny):
            j = jj if forward else ny - 1 - jj
            for ii in range(nx):
                i = ii if forward else nx - 1 - ii
                d = S[j, i, 2, 2]
                for r in range(nr):
                    s = b[r, j + 2, i + 2]
                    for a in range(5):
                        for c in range(5):
                            s -= S[j, i, a, c] * x[r, j + a, i + c]
                    x[r, j + 2, i + 2] += s / d
