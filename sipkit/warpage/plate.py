"""Kirchhoff plate with laterally varying stiffness and thermal moments, free edges.

The deflection ``w`` (cell-centred on a uniform ``nx`` x ``ny`` grid) minimises the
plate energy

    Π(w) = Σ_cells A_c [½ g^T D g + g^T M],   g = (w_xx, w_yy, 2 w_xy),

where ``D`` is the cell's (reduced) bending stiffness and ``M`` its thermal moment
(``D`` with D16 = D26 = 0, ``M`` with Mxy = 0: in-plane isotropic layers).  With the
sign of classical lamination theory (κ = −g) the energy is ½ (κ − κ_f)^T D (κ − κ_f)
up to a constant, κ_f = D⁻¹M being the free curvature of the cell's laminate; so a
uniform plate bends into the paraboloid of curvature κ_f exactly, and a varying one
into the compatible field closest to κ_f in the energy norm.

Curvatures are second differences (shifted inwards by one cell at the edges) and the
product of first differences (central inside, one-sided at the edges); all are exact
for quadratic ``w``.  Nothing is imposed at the edges: the free-edge conditions
(zero bending moment and Kirchhoff shear) are the energy's natural conditions.  The
minimiser is defined up to a rigid motion (1, x, y), which is projected out; the
result has a zero-mean, zero-tilt deflection (the least-squares plane removed).

The stationarity condition K w = −b is solved by conjugate gradients preconditioned
with one multigrid V-cycle: linear-interpolation prolongation, Galerkin coarse
operators (which keep the 5 x 5 stencil shape), symmetric Gauss-Seidel smoothing and a
pseudo-inverse on the coarsest grid.  Iterations do not grow with the grid size or
with the stiffness contrast.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _kernels as kn

__all__ = ["PlateOperator", "PlateSolveInfo", "solve_plate", "to_nodes"]

#: Stop coarsening when a level has at most this many cells, or fewer than 4 along a side.
COARSEST_CELLS = 200


def _interp_1d(n: int):
    """Coarse cell count and the linear prolongation (lo, t) from a cell-centred coarsening."""
    nc = (n + 1) // 2
    xf = np.arange(n) + 0.5
    xc = np.array([xf[2 * k: 2 * k + 2].mean() for k in range(nc)])
    lo = np.clip(np.searchsorted(xc, xf, side="right") - 1, 0, nc - 2).astype(np.int64)
    t = (xf - xc[lo]) / (xc[lo + 1] - xc[lo])
    return nc, lo, np.ascontiguousarray(t)


@dataclass
class _Level:
    S: np.ndarray
    lox: np.ndarray | None = None
    tx: np.ndarray | None = None
    loy: np.ndarray | None = None
    ty: np.ndarray | None = None


@dataclass(frozen=True)
class PlateSolveInfo:
    """How a plate solve went: iterations, final relative residual, levels."""

    iterations: int
    residual: float
    levels: int


class PlateOperator:
    """The assembled plate operator with its multigrid hierarchy (reusable across loads).

    Parameters
    ----------
    d11, d12, d22, d66 : ndarray, shape (ny, nx)
        Bending stiffness per cell (N·m); cells without material need a small
        positive stiffness.
    hx, hy : float
        Cell sizes (m).
    """

    def __init__(self, d11, d12, d22, d66, hx: float, hy: float):
        arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (d11, d12, d22, d66)]
        ny, nx = arrays[0].shape
        if nx < 3 or ny < 3:
            raise ValueError(f"the plate grid needs at least 3 x 3 cells, got {nx} x {ny}")
        self.shape = (ny, nx)
        self.sweeps = 1
        self.hx, self.hy = float(hx), float(hy)
        S = kn.assemble(*arrays, self.hx, self.hy)
        self.levels = [_Level(S)]
        while True:
            cur = self.levels[-1]
            cny, cnx = cur.S.shape[:2]
            if cnx * cny <= COARSEST_CELLS or min(cnx, cny) < 8:
                break
            ncx, lox, tx = _interp_1d(cnx)
            ncy, loy, ty = _interp_1d(cny)
            Sc, overflow = kn.galerkin(cur.S, lox, tx, loy, ty, ncx, ncy)
            if overflow:  # pragma: no cover - the coarsening keeps 5 x 5 stencils
                raise RuntimeError("coarse stencil exceeds 5 x 5")
            cur.lox, cur.tx, cur.loy, cur.ty = lox, tx, loy, ty
            self.levels.append(_Level(Sc))
        # coarsest level: the singular operator plus a multiple of the projector on its null
        # space (the coarse rigid motions, which linear interpolation carries exactly) is SPD;
        # for a right-hand side orthogonal to that space it gives the pseudo-inverse solution
        cs = self.levels[-1].S
        cny, cnx = cs.shape[:2]
        coarse = kn.to_dense(cs)
        coarse = 0.5 * (coarse + coarse.T)
        yc, xc = np.mgrid[0:cny, 0:cnx].astype(float)
        rig = np.stack([np.ones(cnx * cny), (xc - xc.mean()).ravel(), (yc - yc.mean()).ravel()], axis=1)
        rig /= np.sqrt((rig ** 2).sum(axis=0))
        coarse += np.mean(np.diag(coarse)) * (rig @ rig.T)
        self._coarse_inv = kn.cholesky_inverse(coarse)
        # the V-cycle is only a preconditioner: its stencils in single precision halve the
        # memory traffic (a symmetric stencil stays exactly symmetric when rounded)
        self._smooth = [lv.S.astype(np.float32) for lv in self.levels]
        # rigid motions 1, x, y (orthonormal), zero on the halo
        y, x = np.mgrid[0:ny, 0:nx].astype(float)
        # (1, x - x̄, y - ȳ are orthogonal on a full rectangular grid)
        basis = np.zeros((ny + 4, nx + 4, 3))
        basis[2:-2, 2:-2, 0] = 1.0
        basis[2:-2, 2:-2, 1] = x - x.mean()
        basis[2:-2, 2:-2, 2] = y - y.mean()
        basis /= np.sqrt((basis ** 2).sum(axis=(0, 1)))
        self._rigid = np.ascontiguousarray(basis.reshape(-1, 3))

    # -- pieces ------------------------------------------------------------------------
    def _pad(self, a: np.ndarray) -> np.ndarray:
        out = np.zeros((a.shape[0] + 4, a.shape[1] + 4))
        out[2:-2, 2:-2] = a
        return out

    def _vcycle(self, level: int, b: np.ndarray) -> np.ndarray:
        """One V-cycle on every right-hand side of `b` (nrhs, ny + 4, nx + 4), from zero."""
        lv = self.levels[level]
        S = self._smooth[level]
        x = np.zeros_like(b)
        if level == len(self.levels) - 1:
            for k in range(b.shape[0]):
                kn.dense_solve(self._coarse_inv, b[k], x[k])
            return x
        kn.gauss_seidel_many(S, x, b, self.sweeps, True)
        r = np.zeros_like(b)
        kn.residual_many(S, x, b, r)
        nxt = self.levels[level + 1].S
        rc = np.stack([kn.restrict(r[k], lv.lox, lv.tx, lv.loy, lv.ty, nxt.shape[1], nxt.shape[0])
                       for k in range(b.shape[0])])
        ec = self._vcycle(level + 1, rc)
        for k in range(b.shape[0]):
            kn.prolong_add(x[k], ec[k], lv.lox, lv.tx, lv.loy, lv.ty)
        kn.gauss_seidel_many(S, x, b, self.sweeps, False)
        return x

    def _precondition(self, r: np.ndarray) -> np.ndarray:
        z = self._vcycle(0, r)
        for k in range(z.shape[0]):
            kn.project(z[k], self._rigid)
        return z

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """K x for an (ny, nx) array."""
        out = np.zeros((x.shape[0] + 4, x.shape[1] + 4))
        kn.apply(self.levels[0].S, self._pad(np.asarray(x, dtype=np.float64)), out)
        return out[2:-2, 2:-2]

    def load(self, mx, my) -> np.ndarray:
        """The right-hand side b for thermal moments (Mx, My) per cell (N)."""
        return kn.load(np.ascontiguousarray(mx, dtype=np.float64), np.ascontiguousarray(my, dtype=np.float64),
                       self.hx, self.hy)

    def solve(self, mx, my, rtol: float = 1e-8, maxiter: int = 200,
              x0=None) -> tuple[np.ndarray, PlateSolveInfo]:
        """Deflection w (m, rigid motion removed) for thermal moments (Mx, My) (N).

        `x0` is an initial guess (e.g. the solution for a similar load).

        Raises
        ------
        RuntimeError
            If conjugate gradients do not reach `rtol` within `maxiter` iterations.
        """
        (w,), (info,) = self.solve_many([(mx, my)], rtol, maxiter, None if x0 is None else [x0])
        return w, info

    def solve_many(self, loads, rtol: float = 1e-8, maxiter: int = 200, x0=None):
        """Deflections for several loads [(Mx, My), ...] at once (block of independent PCGs).

        Returns a list of deflections (m) and a list of :class:`PlateSolveInfo`.
        """
        S = self.levels[0].S
        nr = len(loads)
        b = np.stack([self._pad(-self.load(mx, my)) for mx, my in loads])
        for k in range(nr):
            kn.project(b[k], self._rigid)
        nb = np.array([np.sqrt(kn.dot(b[k], b[k])) for k in range(nr)])
        w = np.zeros_like(b)
        r = b.copy()
        if x0 is not None:
            for k in range(nr):
                if x0[k] is not None:
                    w[k] = self._pad(np.asarray(x0[k], dtype=np.float64))
                    kn.project(w[k], self._rigid)
            ap = np.zeros_like(b)
            kn.apply_many(S, w, ap)
            r -= ap
        res = np.array([np.sqrt(kn.dot(r[k], r[k])) / nb[k] if nb[k] > 0 else 0.0 for k in range(nr)])
        iters = np.zeros(nr, dtype=int)
        active = res > rtol
        p = self._precondition(r)
        rz = np.array([kn.dot(r[k], p[k]) for k in range(nr)])
        ap = np.zeros_like(b)
        it = 0
        while active.any():
            it += 1
            if it > maxiter:
                raise RuntimeError(f"plate solver did not converge: relative residual {res.max():.1e} after "
                                   f"{maxiter} iterations")
            kn.apply_many(S, p, ap)
            for k in np.nonzero(active)[0]:
                alpha = rz[k] / kn.dot(p[k], ap[k])
                res[k] = np.sqrt(kn.cg_step(w[k], r[k], p[k], ap[k], alpha)) / nb[k]
                iters[k] = it
                if res[k] <= rtol:
                    active[k] = False
            if not active.any():
                break
            z = self._precondition(r)
            for k in np.nonzero(active)[0]:
                rz_new = kn.dot(r[k], z[k])
                kn.xpby(z[k], rz_new / rz[k], p[k])
                rz[k] = rz_new
        out = []
        for k in range(nr):
            kn.project(w[k], self._rigid)
            out.append(w[k, 2:-2, 2:-2].copy())
        return out, [PlateSolveInfo(int(iters[k]), float(res[k]), len(self.levels)) for k in range(nr)]


def solve_plate(d11, d12, d22, d66, mx, my, hx: float, hy: float, rtol: float = 1e-10):
    """Deflection of a free plate (m) under thermal moments; see :class:`PlateOperator`.

    Parameters
    ----------
    d11, d12, d22, d66 : array_like, shape (ny, nx)
        Bending stiffness per cell (N·m).
    mx, my : array_like, shape (ny, nx)
        Thermal moments per cell (N), sign of classical lamination theory: a uniform
        plate takes the curvature κ = D⁻¹M, with κ = −∂²w/∂x².
    hx, hy : float
        Cell sizes (m).

    Returns
    -------
    w : ndarray, shape (ny, nx)
        Deflection (m) with the rigid motion (mean and tilt) removed.
    info : PlateSolveInfo

    Examples
    --------
    >>> import numpy as np
    >>> ones = np.ones((6, 8))
    >>> w, info = solve_plate(ones, 0.3 * ones, ones, 0.35 * ones, 1.3 * ones, 1.3 * ones, 0.1, 0.1)
    >>> # uniform: kappa = M / (D11 + D12) = 1 / m everywhere, and w_xx = -kappa
    >>> round(float((w[2, 0] - 2 * w[2, 1] + w[2, 2]) / 0.1 ** 2), 6)
    -1.0
    """
    op = PlateOperator(d11, d12, d22, d66, hx, hy)
    return op.solve(mx, my, rtol=rtol)


@lru_cache(maxsize=16)
def _node_weights(n: int) -> np.ndarray:
    """(n + 1) x n matrix taking cell-centre values to the cell edges (cubic Lagrange).

    Four centres around each edge (three on a three-cell grid), shifted inwards at the
    ends: exact for cubics, so the corners of the package are extrapolated to third order.
    """
    centres = np.arange(n) + 0.5
    m = min(4, n)
    W = np.zeros((n + 1, n))
    for k in range(n + 1):
        first = int(np.clip(round(k - m / 2), 0, n - m))
        idx = np.arange(first, first + m)
        for a in idx:
            others = idx[idx != a]
            W[k, a] = np.prod((k - centres[others]) / (centres[a] - centres[others]))
    W.flags.writeable = False
    return W


def _nodes_axis0(w: np.ndarray) -> np.ndarray:
    """:func:`_node_weights` applied along the first axis, by slices (no dense product)."""
    n = w.shape[0]
    W = _node_weights(n)
    if n < 6:
        return np.tensordot(W, w, axes=1)
    out = np.empty((n + 1, *w.shape[1:]))
    # interior edges: the centred four-point stencil (-1, 9, 9, -1) / 16
    out[2:n - 1] = (9.0 * (w[1:n - 2] + w[2:n - 1]) - (w[0:n - 3] + w[3:n])) / 16.0
    for k in (0, 1, n - 1, n):
        nz = np.nonzero(W[k])[0]
        out[k] = np.tensordot(W[k, nz], w[nz], axes=1)
    return out


def to_nodes(w: np.ndarray) -> np.ndarray:
    """A cell-centred map (ny, nx) interpolated to the grid's nodes (ny + 1, nx + 1).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(5) + 0.5
    >>> to_nodes(np.add.outer(x ** 2, x ** 3))[0, :3].tolist()    # exact for cubics
    [0.0, 1.0, 8.0]
    """
    return _nodes_axis0(_nodes_axis0(np.asarray(w, dtype=float)).T).T
