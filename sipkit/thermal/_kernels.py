"""Numba kernels of the thermal solver: arrays in, arrays out.

Cell arrays have shape (nx, ny, nz), C order, so each z column is contiguous.  The
operator is the finite-volume 7-point stencil stored as link conductances:

    (A x)[i,j,k] = diag[i,j,k] x[i,j,k]
                   - gx[i-1,j,k] x[i-1,j,k] - gx[i,j,k] x[i+1,j,k]
                   - gy[i,j-1,k] x[i,j-1,k] - gy[i,j,k] x[i,j+1,k]
                   - gz[i,j,k-1] x[i,j,k-1] - gz[i,j,k] x[i,j,k+1]

with gx[i] the link between cells i and i+1 (gx[nx-1] = 0, likewise gy, gz) and diag
the sum of the links plus the boundary conductances and heat capacity terms.  Void
cells have no links, diag = 1 and right-hand side 0, so they stay at 0.

The multigrid smoother is z-line Gauss-Seidel in red-black order of the (i, j)
columns: each column's tridiagonal system is solved exactly (Thomas algorithm with
factors ``minv`` precomputed per level), with the neighbouring columns of the other
colour held fixed.  Void cells (no links, no boundary or capacity term) lie at the ends
of the columns (the air above a board beside a package): the multigrid kernels run
only over ``lo[i, j] <= k < hi[i, j]``, the span of the column's solid cells (see
:func:`_column_ranges`), and leave the cycle's vectors zero outside it.  They work on
1-D views of the column spans (no per-element index arithmetic) and ask for the cache
lines of a column a few columns ahead (:mod:`._prefetch`): one colour's columns are
every other 300-byte piece of a dozen arrays, a pattern the hardware prefetchers do not
follow.  The vector
kernels of the conjugate gradients run over whole columns: their fixed loop bounds
vectorise, which saves more than skipping the void (zero) cells would.  Kernels come in a parallel
form (prange over i) used on large levels and a serial one for small levels, where
starting threads costs more than the work.
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit, prange

from ._prefetch import prefetch

# --------------------------------------------------------------------------------------
# column helpers (inlined into the loops below)


@njit(inline="always")
def _xy_flow(x, gx, gy, i, j, k, nx, ny):
    """Sum of the x and y links of cell (i, j, k) times their neighbours' values."""
    s = 0.0
    if i > 0:
        s += gx[i - 1, j, k] * x[i - 1, j, k]
    if i < nx - 1:
        s += gx[i, j, k] * x[i + 1, j, k]
    if j > 0:
        s += gy[i, j - 1, k] * x[i, j - 1, k]
    if j < ny - 1:
        s += gy[i, j, k] * x[i, j + 1, k]
    return s


@njit(inline="always")
def _neighbour_flow(x, gx, gy, gz, i, j, k, nx, ny, nz):
    """Sum of all six links of cell (i, j, k) times their neighbours' values."""
    s = _xy_flow(x, gx, gy, i, j, k, nx, ny)
    if k > 0:
        s += gz[i, j, k - 1] * x[i, j, k - 1]
    if k < nz - 1:
        s += gz[i, j, k] * x[i, j, k + 1]
    return s


@njit(inline="always")
def _cell_residual(x, b, gx, gy, gz, diag, i, j, k, nx, ny, nz):
    return b[i, j, k] - diag[i, j, k] * x[i, j, k] + _neighbour_flow(x, gx, gy, gz, i, j, k, nx, ny, nz)


# --------------------------------------------------------------------------------------
# assembly


def _conductances(kx, ky, kz, dx, dy, dz, gx, gy, gz):
    nx, ny, nz = kx.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                if i < nx - 1:
                    a, c = kx[i, j, k], kx[i + 1, j, k]
                    if a > 0.0 and c > 0.0:
                        gx[i, j, k] = dy[j] * dz[k] / (0.5 * dx[i] / a + 0.5 * dx[i + 1] / c)
                    else:
                        gx[i, j, k] = 0.0
                else:
                    gx[i, j, k] = 0.0
                if j < ny - 1:
                    a, c = ky[i, j, k], ky[i, j + 1, k]
                    if a > 0.0 and c > 0.0:
                        gy[i, j, k] = dx[i] * dz[k] / (0.5 * dy[j] / a + 0.5 * dy[j + 1] / c)
                    else:
                        gy[i, j, k] = 0.0
                else:
                    gy[i, j, k] = 0.0
                if k < nz - 1:
                    a, c = kz[i, j, k], kz[i, j, k + 1]
                    if a > 0.0 and c > 0.0:
                        gz[i, j, k] = dx[i] * dy[j] / (0.5 * dz[k] / a + 0.5 * dz[k + 1] / c)
                    else:
                        gz[i, j, k] = 0.0
                else:
                    gz[i, j, k] = 0.0


def _link_diagonal(gx, gy, gz, extra, diag):
    """diag = sum of the links + extra; cells without links and extra become 1 (void)."""
    nx, ny, nz = gx.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                s = extra[i, j, k] + gx[i, j, k] + gy[i, j, k] + gz[i, j, k]
                if i > 0:
                    s += gx[i - 1, j, k]
                if j > 0:
                    s += gy[i, j - 1, k]
                if k > 0:
                    s += gz[i, j, k - 1]
                diag[i, j, k] = s if s > 0.0 else 1.0


def _column_ranges(gx, gy, gz, extra, lo, hi):
    """Span [lo, hi) of the solid cells of each column (cells with a link or an extra term).

    Columns without solid cells get lo = hi = 0.
    """
    nx, ny, nz = gx.shape
    for i in prange(nx):
        for j in range(ny):
            first = nz
            last = -1
            for k in range(nz):
                solid = (extra[i, j, k] > 0.0 or gx[i, j, k] > 0.0 or gy[i, j, k] > 0.0 or gz[i, j, k] > 0.0
                         or (i > 0 and gx[i - 1, j, k] > 0.0) or (j > 0 and gy[i, j - 1, k] > 0.0)
                         or (k > 0 and gz[i, j, k - 1] > 0.0))
                if solid:
                    if first == nz:
                        first = k
                    last = k
            if last < 0:
                lo[i, j] = 0
                hi[i, j] = 0
            else:
                lo[i, j] = first
                hi[i, j] = last + 1


def _thomas_factors(gz, diag, lo, hi, m, f):
    """Factors of the z-line solves: m_k = 1 / pivot_k, f_k = gz_k m_k.

    The solve of T x = d is then u_0 = d_0, u_k = d_k + f_(k-1) u_(k-1) and
    x_k = m_k u_k + f_k x_(k+1): one multiply-add on each recurrence.  The pivots
    are computed in float64 whatever the dtype of m and f.  Only the solid span
    lo <= k < hi of each column is factored (the line solves never leave it); f is
    zero at its top end, where no link leaves the span.
    """
    nx, ny = gz.shape[:2]
    for i in prange(nx):
        for j in range(ny):
            k0 = lo[i, j]
            k1 = hi[i, j]
            if k1 <= k0:
                continue
            mm = 1.0 / np.float64(diag[i, j, k0])
            m[i, j, k0] = mm
            for k in range(k0 + 1, k1):
                g = np.float64(gz[i, j, k - 1])
                f[i, j, k - 1] = g * mm
                mm = 1.0 / (np.float64(diag[i, j, k]) - g * g * mm)
                m[i, j, k] = mm
            f[i, j, k1 - 1] = gz[i, j, k1 - 1] * mm


def _coarsen(gx, gy, gz, extra, xs, ys, sx, sy, gxc, gyc, gzc, extrac):
    """Coarse operator of aggregated columns.

    Aggregate (ic, jc) holds fine columns xs[ic]..xs[ic+1]-1 by ys[jc]..ys[jc+1]-1.  z
    links and extras add (they are in parallel); x (y) links across the face between
    two aggregates add and are scaled by sx (sy), the fine over the coarse centre
    distance.
    """
    nz = gx.shape[2]
    nxc, nyc = gxc.shape[0], gxc.shape[1]
    for ic in prange(nxc):
        for jc in range(nyc):
            for k in range(nz):
                gxc[ic, jc, k] = 0.0
                gyc[ic, jc, k] = 0.0
                gzc[ic, jc, k] = 0.0
                extrac[ic, jc, k] = 0.0
            for i in range(xs[ic], xs[ic + 1]):
                for j in range(ys[jc], ys[jc + 1]):
                    for k in range(nz):
                        gzc[ic, jc, k] += gz[i, j, k]
                        extrac[ic, jc, k] += extra[i, j, k]
            if ic < nxc - 1:
                i = xs[ic + 1] - 1
                s = sx[ic]
                for j in range(ys[jc], ys[jc + 1]):
                    for k in range(nz):
                        gxc[ic, jc, k] += s * gx[i, j, k]
            if jc < nyc - 1:
                j = ys[jc + 1] - 1
                s = sy[jc]
                for i in range(xs[ic], xs[ic + 1]):
                    for k in range(nz):
                        gyc[ic, jc, k] += s * gy[i, j, k]


# --------------------------------------------------------------------------------------
# operator, residual and vector updates


def _matvec_dot(x, gx, gy, gz, diag, y):
    """y = A x; returns x·y."""
    nx, ny, nz = x.shape
    total = 0.0
    for i in prange(nx):
        part = 0.0
        for j in range(ny):
            for k in range(nz):
                s = diag[i, j, k] * x[i, j, k] - _neighbour_flow(x, gx, gy, gz, i, j, k, nx, ny, nz)
                y[i, j, k] = s
                part += s * x[i, j, k]
        total += part
    return total


def _residual(x, b, gx, gy, gz, diag, r):
    """r = b - A x; returns (r·r, sum of r)."""
    nx, ny, nz = x.shape
    rr = 0.0
    rs = 0.0
    for i in prange(nx):
        p2 = 0.0
        p1 = 0.0
        for j in range(ny):
            for k in range(nz):
                s = _cell_residual(x, b, gx, gy, gz, diag, i, j, k, nx, ny, nz)
                r[i, j, k] = s
                p2 += s * s
                p1 += s
        rr += p2
        rs += p1
    return rr, rs


def _cg_update(x, r, p, q, alpha, rc, cast):
    """x += alpha p, r -= alpha q (and rc = r in the preconditioner's precision when
    `cast`); returns (r·r, sum of r)."""
    nx, ny, nz = x.shape
    rr = 0.0
    rs = 0.0
    for i in prange(nx):
        p2 = 0.0
        p1 = 0.0
        for j in range(ny):
            for k in range(nz):
                x[i, j, k] += alpha * p[i, j, k]
                s = r[i, j, k] - alpha * q[i, j, k]
                r[i, j, k] = s
                if cast:
                    rc[i, j, k] = s
                p2 += s * s
                p1 += s
        rr += p2
        rs += p1
    return rr, rs


def _direction_update(p, z, beta):
    """p = z + beta p."""
    nx, ny, nz = p.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                p[i, j, k] = z[i, j, k] + beta * p[i, j, k]


def _dot(a, b):
    nx, ny, nz = a.shape
    total = 0.0
    for i in prange(nx):
        part = 0.0
        for j in range(ny):
            for k in range(nz):
                part += a[i, j, k] * b[i, j, k]
        total += part
    return total


def _copy_cast(src, dst):
    nx, ny, nz = src.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                dst[i, j, k] = src[i, j, k]


# --------------------------------------------------------------------------------------
# multigrid: smoothing passes with restriction and prolongation fused in

#: A pass asks for the cache lines of the column this many columns of its colour ahead
#: (see ._prefetch); two hid the memory latency on the benchmark grid (1.7 ms per pass
#: instead of 2.7 ms), more gained nothing.
AHEAD = 2



@njit(inline="always")
def _prefetch_span(a, start, stop):
    """Prefetch the cache lines of a's elements start..stop-1 (C order)."""
    for o in range(start, stop, 64 // a.itemsize):
        prefetch(a, o)
    prefetch(a, stop - 1)


@njit(inline="always")
def _prefetch_column(x, gx, gy, own1, own2, own3, lo, hi, i, j, nx, ny, nz):
    """Ask for what a line solve (or residual) of column (i, j) will read.

    x of the column and its four neighbours, the x and y links around it, and three
    arrays of its own (b, m, f for a solve; b, gz, diag for a residual).
    """
    if not (0 < i < nx - 1 and 0 < j < ny - 1):
        return
    k0 = lo[i, j]
    k1 = hi[i, j]
    if k1 <= k0:
        return
    here = (i * ny + j) * nz
    plane = ny * nz
    _prefetch_span(x, here - nz + k0, here + nz + k1)  # columns j-1, j, j+1
    _prefetch_span(x, here - plane + k0, here - plane + k1)
    _prefetch_span(x, here + plane + k0, here + plane + k1)
    _prefetch_span(gx, here - plane + k0, here - plane + k1)
    _prefetch_span(gx, here + k0, here + k1)
    _prefetch_span(gy, here - nz + k0, here + k1)
    _prefetch_span(own1, here + k0, here + k1)
    _prefetch_span(own2, here + k0, here + k1)
    _prefetch_span(own3, here + k0, here + k1)


@njit(inline="always")
def _neighbours(x, gx, gy, zero, i, j, k0, k1, nx, ny):
    """Views of the four neighbour columns of (i, j) over k0..k1-1 and their links.

    Neighbours beyond the grid edge read the zero column.
    """
    n = k1 - k0
    z = zero[:n]
    xw = x[i - 1, j, k0:k1] if i > 0 else z
    gw = gx[i - 1, j, k0:k1] if i > 0 else z
    xe = x[i + 1, j, k0:k1] if i < nx - 1 else z
    xs = x[i, j - 1, k0:k1] if j > 0 else z
    gs = gy[i, j - 1, k0:k1] if j > 0 else z
    xn = x[i, j + 1, k0:k1] if j < ny - 1 else z
    return xw, xe, xs, xn, gw, gx[i, j, k0:k1], gs, gy[i, j, k0:k1]


@njit(inline="always")
def _line_solve(xc, bc, xw, xe, xs, xn, gw, ge, gs, gn, m, f):
    """Solve one z line exactly with its neighbours held: T x = b + links x neighbours.

    Thomas algorithm with the factors of _thomas_factors: u_0 = d_0,
    u_k = d_k + f_(k-1) u_(k-1), then x_k = m_k u_k + f_k x_(k+1), u held in x.
    """
    n = xc.size
    prev = bc[0] + gw[0] * xw[0] + ge[0] * xe[0] + gs[0] * xs[0] + gn[0] * xn[0]
    xc[0] = prev
    for k in range(1, n):
        prev = bc[k] + gw[k] * xw[k] + ge[k] * xe[k] + gs[k] * xs[k] + gn[k] * xn[k] + f[k - 1] * prev
        xc[k] = prev
    _back_substitute(xc, m, f)


@njit(inline="always")
def _back_substitute(xc, m, f):
    n = xc.size
    prev = m[n - 1] * xc[n - 1]
    xc[n - 1] = prev
    for q in range(n - 1):
        k = n - 2 - q
        prev = m[k] * xc[k] + f[k] * prev
        xc[k] = prev


def _smooth_color(x, b, gx, gy, m, f, lo, hi, color, with_neighbors):
    """Solve the z lines of one colour ((i + j) % 2 == color) exactly.

    Without neighbours (a zero initial guess) only b enters the right-hand side.  Only
    the solid span of each column is solved: the void cells beyond it have no links,
    f is zero across its ends, and x stays zero there.
    """
    nx, ny, nz = x.shape
    zero = np.zeros(nz, x.dtype)
    for i in prange(nx):
        for j in range((i + color) % 2, ny, 2):
            _prefetch_column(x, gx, gy, b, m, f, lo, hi, i, j + 2 * AHEAD, nx, ny, nz)
            k0 = lo[i, j]
            k1 = hi[i, j]
            if k1 <= k0:
                continue
            xc = x[i, j, k0:k1]
            fc = f[i, j, k0:k1]
            if with_neighbors:
                xw, xe, xs, xn, gw, ge, gs, gn = _neighbours(x, gx, gy, zero, i, j, k0, k1, nx, ny)
                _line_solve(xc, b[i, j, k0:k1], xw, xe, xs, xn, gw, ge, gs, gn, m[i, j, k0:k1], fc)
            else:
                bc = b[i, j, k0:k1]
                prev = bc[0]
                xc[0] = prev
                for k in range(1, k1 - k0):
                    prev = bc[k] + fc[k - 1] * prev
                    xc[k] = prev
                _back_substitute(xc, m[i, j, k0:k1], fc)


def _smooth_color_corrected(x, xc, ax, ay, b, gx, gy, m, f, lo, hi, color):
    """Like _smooth_color, the neighbours corrected by the coarse solution xc first.

    ax[i], ay[j] give the aggregate of fine column (i, j).  The corrected neighbour
    values are gathered into a scratch column per neighbour, so the line solve is
    the same as in the plain pass.
    """
    nx, ny, nz = x.shape
    zero = np.zeros(nz, x.dtype)
    for i in prange(nx):
        scratch = np.empty((4, nz), x.dtype)
        for j in range((i + color) % 2, ny, 2):
            _prefetch_column(x, gx, gy, b, m, f, lo, hi, i, j + 2 * AHEAD, nx, ny, nz)
            k0 = lo[i, j]
            k1 = hi[i, j]
            if k1 <= k0:
                continue
            n = k1 - k0
            xw, xe, xs, xn, gw, ge, gs, gn = _neighbours(x, gx, gy, zero, i, j, k0, k1, nx, ny)
            cw, ce, cs, cn = scratch[0, :n], scratch[1, :n], scratch[2, :n], scratch[3, :n]
            w = xc[ax[i - 1], ay[j], k0:k1] if i > 0 else zero[:n]
            e = xc[ax[i + 1], ay[j], k0:k1] if i < nx - 1 else zero[:n]
            s = xc[ax[i], ay[j - 1], k0:k1] if j > 0 else zero[:n]
            t = xc[ax[i], ay[j + 1], k0:k1] if j < ny - 1 else zero[:n]
            for k in range(n):
                cw[k] = xw[k] + w[k]
                ce[k] = xe[k] + e[k]
                cs[k] = xs[k] + s[k]
                cn[k] = xn[k] + t[k]
            _line_solve(x[i, j, k0:k1], b[i, j, k0:k1], cw, ce, cs, cn, gw, ge, gs, gn, m[i, j, k0:k1],
                        f[i, j, k0:k1])


def _restrict_residual_color(x, b, gx, gy, gz, diag, lo, hi, xs, ay, color, bc):
    """bc[I, J] = sum of the residual over the cells of colour `color` in aggregate (I, J).

    After a colour's exact line solve its own residual is zero, so the residual of
    the other colour is the whole residual.  Beyond the solid span of a column x is
    zero, so the z links of the span's end cells carry nothing from outside it.
    """
    nx, ny, nz = x.shape
    nxc, nyc = bc.shape[0], bc.shape[1]
    zero = np.zeros(nz, x.dtype)
    for ic in prange(nxc):
        for jc in range(nyc):
            for k in range(nz):
                bc[ic, jc, k] = 0.0
        for i in range(xs[ic], xs[ic + 1]):
            for j in range((i + color) % 2, ny, 2):
                _prefetch_column(x, gx, gy, b, gz, diag, lo, hi, i, j + 2 * AHEAD, nx, ny, nz)
                k0 = lo[i, j]
                k1 = hi[i, j]
                if k1 <= k0:
                    continue
                xw, xe, xs_, xn, gw, ge, gs, gn = _neighbours(x, gx, gy, zero, i, j, k0, k1, nx, ny)
                xo, bo, zo, do = x[i, j, k0:k1], b[i, j, k0:k1], gz[i, j, k0:k1], diag[i, j, k0:k1]
                out = bc[ic, ay[j], k0:k1]
                n = k1 - k0
                for k in range(n):
                    s = (bo[k] - do[k] * xo[k] + gw[k] * xw[k] + ge[k] * xe[k] + gs[k] * xs_[k]
                         + gn[k] * xn[k])
                    if k > 0:
                        s += zo[k - 1] * xo[k - 1]
                    if k < n - 1:
                        s += zo[k] * xo[k + 1]
                    out[k] += s


# --------------------------------------------------------------------------------------
# the coarsest level: banded Cholesky, unknowns ordered k, i, j (j fastest)


@njit(cache=True)
def band_factor(gx, gy, gz, diag):
    """Lower banded Cholesky factor of a small level, shape (u + 1, n), u = nx ny."""
    nx, ny, nz = diag.shape
    u = nx * ny
    n = u * nz
    lb = np.zeros((u + 1, n))
    for k in range(nz):
        for i in range(nx):
            for j in range(ny):
                c = k * u + i * ny + j
                lb[0, c] = diag[i, j, k]
                if j < ny - 1:
                    lb[1, c] = -gy[i, j, k]
                if i < nx - 1:
                    lb[ny, c] += -gx[i, j, k]
                if k < nz - 1:
                    lb[u, c] += -gz[i, j, k]
    for j in range(n):
        s = lb[0, j]
        for k in range(max(0, j - u), j):
            v = lb[j - k, k]
            s -= v * v
        if not s > 0.0:
            s = 1e-300
        d = np.sqrt(s)
        lb[0, j] = d
        for i in range(j + 1, min(n, j + u + 1)):
            s = lb[i - j, j]
            for k in range(max(0, i - u), j):
                s -= lb[i - k, k] * lb[j - k, k]
            lb[i - j, j] = s / d
    return lb


@njit(cache=True)
def band_solve(lb, b, x):
    """Solve with the factor of band_factor: b and x have the level's (nx, ny, nz) shape."""
    nx, ny, nz = b.shape
    u = nx * ny
    n = u * nz
    y = np.empty(n)
    for k in range(nz):
        for i in range(nx):
            for j in range(ny):
                y[k * u + i * ny + j] = b[i, j, k]
    for r in range(n):
        s = y[r]
        for c in range(max(0, r - u), r):
            s -= lb[r - c, c] * y[c]
        y[r] = s / lb[0, r]
    for r in range(n - 1, -1, -1):
        s = y[r]
        for c in range(r + 1, min(n, r + u + 1)):
            s -= lb[c - r, r] * y[c]
        y[r] = s / lb[0, r]
    for k in range(nz):
        for i in range(nx):
            for j in range(ny):
                x[i, j, k] = y[k * u + i * ny + j]


# --------------------------------------------------------------------------------------
# grid size field


@njit(cache=True)
def grade(s, cap, slope):
    """h_i = min_j (cap_j + slope |s_i - s_j|) for increasing samples s (two sweeps)."""
    n = s.size
    h = cap.copy()
    for i in range(1, n):
        v = h[i - 1] + slope * (s[i] - s[i - 1])
        if v < h[i]:
            h[i] = v
    for i in range(n - 2, -1, -1):
        v = h[i + 1] + slope * (s[i + 1] - s[i])
        if v < h[i]:
            h[i] = v
    return h


@njit(cache=True)
def aggregate_starts(widths, size, barrier, most):
    """Greedy 1-D aggregation: close an aggregate before it would exceed 1.25 size or
    hold more than `most` cells, or at a barrier (barrier[i]: do not join i - 1 and i)."""
    n = widths.size
    starts = np.empty(n + 1, dtype=np.int64)
    m = 0
    starts[0] = 0
    total = 0.0
    for i in range(n):
        if i > starts[m] and (total + widths[i] > 1.25 * size or barrier[i] or i - starts[m] >= most):
            m += 1
            starts[m] = i
            total = 0.0
        total += widths[i]
    m += 1
    starts[m] = n
    return starts[: m + 1].copy()


@njit(inline="always")
def _capacity(g, gb, gc, gd):
    """A cell's conduction capacity across a face it has no link through: its link on
    the opposite face, else its strongest other link."""
    if g > 0.0:
        return g
    return max(gb, max(gc, gd))


@njit(cache=True, parallel=True)
def weak_interfaces(gx, gy, gz, ratio):
    """Interfaces between x (y) columns carrying less than `ratio` of the conductance
    they would carry if every solid cell beside them were linked across: bx[i] for
    columns i-1 | i, by[j] likewise.

    Aggregating across such an interface joins bodies that touch only over a small
    part of their faces (the plates of a fin array), whose independent modes a
    piecewise-constant coarse grid cannot then represent.
    """
    nx, ny, nz = gx.shape
    bx = np.zeros(nx, dtype=np.bool_)
    by = np.zeros(ny, dtype=np.bool_)
    for i in prange(1, nx):
        linked = 0.0
        missing = 0.0
        for j in range(ny):
            for k in range(nz):
                g = gx[i - 1, j, k]
                if g > 0.0:
                    linked += g
                    continue
                left = gx[i - 2, j, k] if i >= 2 else 0.0
                right = gx[i, j, k] if i < nx - 1 else 0.0
                up = gz[i - 1, j, k]
                dn = gz[i - 1, j, k - 1] if k > 0 else 0.0
                missing += _capacity(left, gy[i - 1, j, k], up, dn)
                up = gz[i, j, k]
                dn = gz[i, j, k - 1] if k > 0 else 0.0
                missing += _capacity(right, gy[i, j, k], up, dn)
        bx[i] = missing > 0.0 and linked < ratio * (linked + missing)
    for j in prange(1, ny):
        linked = 0.0
        missing = 0.0
        for i in range(nx):
            for k in range(nz):
                g = gy[i, j - 1, k]
                if g > 0.0:
                    linked += g
                    continue
                low = gy[i, j - 2, k] if j >= 2 else 0.0
                high = gy[i, j, k] if j < ny - 1 else 0.0
                up = gz[i, j - 1, k]
                dn = gz[i, j - 1, k - 1] if k > 0 else 0.0
                missing += _capacity(low, gx[i, j - 1, k], up, dn)
                up = gz[i, j, k]
                dn = gz[i, j, k - 1] if k > 0 else 0.0
                missing += _capacity(high, gx[i, j, k], up, dn)
        by[j] = missing > 0.0 and linked < ratio * (linked + missing)
    return bx, by


# --------------------------------------------------------------------------------------
# connectivity (box level) and boundary bookkeeping


@njit(cache=True)
def _find(parent, a):
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@njit(cache=True)
def owner_components(owner, gx, gy, gz, nboxes):
    """Union-find of boxes joined by non-zero links; returns the root of each box."""
    parent = np.arange(nboxes)
    nx, ny, nz = owner.shape
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                a = owner[i, j, k]
                if a < 0:
                    continue
                if i < nx - 1 and gx[i, j, k] > 0.0:
                    c = owner[i + 1, j, k]
                    if c != a:
                        ra, rc = _find(parent, a), _find(parent, c)
                        if ra != rc:
                            parent[ra] = rc
                if j < ny - 1 and gy[i, j, k] > 0.0:
                    c = owner[i, j + 1, k]
                    if c != a:
                        ra, rc = _find(parent, a), _find(parent, c)
                        if ra != rc:
                            parent[ra] = rc
                if k < nz - 1 and gz[i, j, k] > 0.0:
                    c = owner[i, j, k + 1]
                    if c != a:
                        ra, rc = _find(parent, a), _find(parent, c)
                        if ra != rc:
                            parent[ra] = rc
    for a in range(nboxes):
        parent[a] = _find(parent, a)
    return parent


# --------------------------------------------------------------------------------------
# compiled variants

def _variant(fn, suffix: str):
    """A copy of `fn` under another name, so each compiled variant has its own cache file."""
    out = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__,
                             fn.__closure__)
    out.__qualname__ = fn.__qualname__ + suffix
    return out


_PARALLEL = {}
_SERIAL = {}
#: The multigrid kernels may contract a * b + c into fused multiply-adds: the cycle is a
#: preconditioner, and one rounding less only helps.  The conjugate gradients' kernels
#: keep plain arithmetic.
_CONTRACT = {"_smooth_color", "_smooth_color_corrected", "_restrict_residual_color"}
for _name in ("_conductances", "_link_diagonal", "_column_ranges", "_thomas_factors", "_coarsen",
              "_matvec_dot", "_residual", "_cg_update", "_direction_update", "_dot", "_copy_cast",
              "_smooth_color", "_smooth_color_corrected", "_restrict_residual_color"):
    _fn = globals()[_name]
    _math = {"fastmath": {"contract"}} if _name in _CONTRACT else {}
    _PARALLEL[_name] = njit(parallel=True, cache=True, **_math)(_variant(_fn, "_par"))
    _SERIAL[_name] = njit(cache=True, **_math)(_variant(_fn, "_ser"))

#: Levels with fewer cells than this run the serial kernels.
SERIAL_BELOW = 50_000


def kernels(ncells: int) -> dict:
    """The kernel set for an array of `ncells` cells (serial below SERIAL_BELOW)."""
    return _SERIAL if ncells < SERIAL_BELOW else _PARALLEL
