"""Geometric multigrid preconditioner for layered stacks: z-line relaxation, x-y coarsening.

Package stacks are thin in z (15 µm copper layers under 100 µm wide cells, aspect
ratios of 100 and more) and mix conductivities over four decades.  Point smoothers
stall there.  This preconditioner solves every z column exactly (a tridiagonal solve
per column, red-black ordered in x-y) and coarsens in x and y only, so the strong
z coupling never has to be represented on a coarse grid (semi-coarsening; see
S. Schaffer, SIAM J. Sci. Comput. 20 (1998) 228-242, and W. A. Mulder, J. Comput.
Phys. 83 (1989) 303-323, for the idea).

Coarsening aggregates whole columns along x and along y separately.  The grids of
packages are stretched (a 5 µm shield next to 500 µm cells, 100 µm cells over a die
in a rectilinear grid that carries them across the whole board), which makes cells
anisotropic in x-y; there the smoother only smooths along the strong direction, the
short side of the cells.  So each level joins, at most two at a time, only cells
narrower than a target size that doubles from level to level (starting at twice the
30th percentile of the widths): the narrow direction is coarsened first, until the
cells are about square again.  Columns are not joined across an interface carrying
less than half the conductance it would carry if all solid cells beside it were linked
(the plates of a fin array touch only at their base): a piecewise-constant coarse grid
cannot represent the independent modes of such bodies.

Coarse operators: z links, boundary conductances and heat capacities of an aggregate
add up (they are in parallel); an x link between two aggregates is the sum of the fine
links crossing their shared face times d_f / d_c, the fine centre distance over the
coarse one.  That is exactly the rediscretised conductance of the path between
aggregate centres through the two fine cells next to the face, and it corrects the
factor of about two by which plain Galerkin aggregation overstates the x-y coupling.
Prolongation is piecewise constant, restriction its transpose, and the V-cycle uses
the reverse smoothing order after the coarse correction, so the preconditioner is
symmetric and positive definite, as conjugate gradients need.  The coarsest level (at
most `coarsest` columns) is solved by a banded Cholesky factorisation
(:func:`._kernels.band_factor`).

The hierarchy and the z-line factors are built in float64; a float32 cycle (which halves
the memory traffic that dominates the solve) gets them rounded afterwards.  Each level
knows the solid span of its columns (:func:`column_spans`) and relaxes only that: the
void cells above a board beside the package are 38 % of a typical grid.
"""

from __future__ import annotations

import numpy as np

from . import _kernels

__all__ = ["Multigrid", "column_spans"]


#: Column interfaces where fewer than this fraction of solid cell pairs are linked are
#: not aggregated across (see _kernels.weak_interfaces).
WEAK = 0.5
#: The first aggregate size is twice this percentile of the cell widths.
PERCENTILE = 30.0
#: At most this many cells per axis join one aggregate.
MOST = 2
#: dtype="auto": float32 from this many cells of the fine level up.
AUTO_FLOAT32_CELLS = 200_000


class _Level:
    __slots__ = ("ax", "ay", "b", "chol", "diag", "dx", "dy", "f", "gx", "gy", "gz", "hi", "kern", "lo", "m",
                 "shape", "x", "xs", "ys")

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, None)


def _aggregates(widths, size: float, barrier=None) -> np.ndarray:
    """Start indices (and the end) of 1-D aggregates of about `size`, greedily from the left."""
    from ._kernels import aggregate_starts

    if barrier is None:
        barrier = np.zeros(len(widths), dtype=np.bool_)
    return aggregate_starts(np.ascontiguousarray(widths, dtype=np.float64), float(size), barrier, MOST)


def _next_size(dx, dy, previous: float) -> float:
    """Target aggregate size of the next level: twice a typical cell, at least doubling."""
    typical = float(np.percentile(np.concatenate((dx, dy)), PERCENTILE))
    return max(2.0 * typical, 2.0 * previous)


def column_spans(gx, gy, gz, extra):
    """(lo, hi), each (nx, ny): the solid cells of column (i, j) are lo <= k < hi.

    Cells outside the spans are void (no links, no boundary or capacity term); the
    solver never touches them.
    """
    return _ranges(gx, gy, gz, extra, _kernels.kernels(gx.size))


def _ranges(gx, gy, gz, extra, kern):
    lo = np.empty(gx.shape[:2], np.int32)
    hi = np.empty(gx.shape[:2], np.int32)
    kern["_column_ranges"](gx, gy, gz, extra, lo, hi)
    return lo, hi


def _link_scale(fine_w, coarse_w, starts) -> np.ndarray:
    """d_f / d_c for the link between aggregates a and a+1 (see the module notes)."""
    n = coarse_w.size
    out = np.zeros(max(n - 1, 1))
    if n > 1:
        last = starts[1:-1] - 1
        d_f = 0.5 * (fine_w[last] + fine_w[last + 1])
        d_c = 0.5 * (coarse_w[:-1] + coarse_w[1:])
        out[:] = d_f / d_c
    return out


class Multigrid:
    """A symmetric V-cycle preconditioner for the 7-point conduction operator.

    Parameters
    ----------
    gx, gy, gz, diag : ndarray, shape (nx, ny, nz)
        The fine operator (see :mod:`._kernels`).
    extra : ndarray, shape (nx, ny, nz)
        Diagonal excess of each cell over its links (boundary conductances plus heat
        capacity over the time step); not kept.
    dx, dy : ndarray
        Cell widths along x and y (any unit).
    dtype : numpy dtype or "auto"
        Arithmetic of the cycle: float64, or float32 to halve its memory traffic (the
        outer conjugate gradients stay in float64).  The hierarchy and the line
        factors are always built in float64 and rounded afterwards: rounding the
        links first and factoring in float32 breaks down on long, nearly singular
        z lines (a 1-D slab of thousands of thin cells).  "auto" takes float32 on fine
        grids of at least AUTO_FLOAT32_CELLS cells, float64 below, where the traffic
        is cheap.
    coarsest : int
        Largest number of columns (nx * ny) solved directly.
    sweeps : int or sequence of int
        Red-black z-line sweeps before and after each coarse correction, per level
        from the fine one; the last entry holds for all deeper levels.  The default
        (2, 1, 2) relaxes the first coarse level, which has about half the fine
        level's columns, once: on the benchmark package that kept the iterations
        (9-14 from 0.3 to 5.8 million cells) and took 3-20 % off the solve.  One
        sweep on the fine level too took up to 26 iterations instead of 14.
    """

    def __init__(self, gx, gy, gz, diag, extra, dx, dy, dtype=np.float64, coarsest: int = 64,
                 sweeps=(2, 1, 2)):
        self.sweeps = tuple(int(n) for n in np.atleast_1d(sweeps))
        if not self.sweeps or min(self.sweeps) < 1:
            raise ValueError(f"sweeps must be at least 1 on every level, got {sweeps!r}")
        self.levels: list[_Level] = []
        f64 = np.float64
        fine = _Level()
        fine.shape = diag.shape
        n = diag.size
        fine.kern = _kernels.kernels(n)
        fine.gx, fine.gy, fine.gz, fine.diag = (np.ascontiguousarray(a, dtype=f64)
                                                for a in (gx, gy, gz, diag))
        fine.dx = np.asarray(dx, dtype=float)
        fine.dy = np.asarray(dy, dtype=float)
        fine.lo, fine.hi = _ranges(fine.gx, fine.gy, fine.gz, extra, fine.kern)
        self.levels.append(fine)
        ex = np.ascontiguousarray(extra, dtype=f64)
        level = fine
        size = 0.0
        while level.shape[0] * level.shape[1] > coarsest and (level.shape[0] > 1 or level.shape[1] > 1):
            size = _next_size(level.dx, level.dy, size)
            bx, by = _kernels.weak_interfaces(level.gx, level.gy, level.gz, WEAK)
            columns = level.shape[0] * level.shape[1]
            for _ in range(60):
                nxc = _aggregates(level.dx, size, bx).size - 1
                nyc = _aggregates(level.dy, size, by).size - 1
                if nxc * nyc <= 0.9 * columns or size > 1e6 * max(level.dx.sum(), level.dy.sum()):
                    break
                size *= 2.0
            if nxc * nyc > 0.9 * columns:  # barriers block coarsening: join across them
                bx[:] = False
                by[:] = False
            level, ex = self._coarsen(level, ex, size, bx, by)
            self.levels.append(level)
        if isinstance(dtype, str) and dtype == "auto":
            dtype = np.float32 if n >= AUTO_FLOAT32_CELLS else f64
        self.dtype = np.dtype(dtype)
        for lev in self.levels[:-1]:
            # pivots in float64, stored in the cycle's precision
            lev.m = np.empty(lev.shape, self.dtype)
            lev.f = np.empty(lev.shape, self.dtype)
            lev.kern["_thomas_factors"](lev.gz, lev.diag, lev.lo, lev.hi, lev.m, lev.f)
            if self.dtype != f64:
                for name in ("gx", "gy", "gz", "diag"):
                    setattr(lev, name, self._cast(getattr(lev, name), lev.kern))
        last = self.levels[-1]
        last.chol = _kernels.band_factor(last.gx, last.gy, last.gz, last.diag)
        for lev in self.levels:
            # both stay zero outside the solid spans (the kernels never write there)
            lev.b = np.zeros(lev.shape, self.dtype)
            lev.x = np.zeros(lev.shape, self.dtype)

    def _cast(self, a, kern):
        out = np.empty(a.shape, self.dtype)
        kern["_copy_cast"](a, out)
        return out

    def _coarsen(self, fine: _Level, ex, size: float, bx, by):
        nz = fine.shape[2]
        xs = _aggregates(fine.dx, size, bx)
        ys = _aggregates(fine.dy, size, by)
        nxc, nyc = xs.size - 1, ys.size - 1
        fine.xs, fine.ys = xs.astype(np.int64), ys.astype(np.int64)
        fine.ax = np.repeat(np.arange(nxc, dtype=np.int64), np.diff(xs))
        fine.ay = np.repeat(np.arange(nyc, dtype=np.int64), np.diff(ys))
        coarse = _Level()
        coarse.shape = (nxc, nyc, nz)
        coarse.dx = np.add.reduceat(fine.dx, xs[:-1])
        coarse.dy = np.add.reduceat(fine.dy, ys[:-1])
        sx = _link_scale(fine.dx, coarse.dx, xs)
        sy = _link_scale(fine.dy, coarse.dy, ys)
        coarse.kern = _kernels.kernels(nxc * nyc * nz)
        coarse.gx, coarse.gy, coarse.gz = (np.empty(coarse.shape) for _ in range(3))
        exc = np.empty(coarse.shape)
        fine.kern["_coarsen"](fine.gx, fine.gy, fine.gz, ex, fine.xs, fine.ys, sx, sy, coarse.gx, coarse.gy,
                              coarse.gz, exc)
        coarse.diag = np.empty(coarse.shape)
        coarse.kern["_link_diagonal"](coarse.gx, coarse.gy, coarse.gz, exc, coarse.diag)
        coarse.lo, coarse.hi = _ranges(coarse.gx, coarse.gy, coarse.gz, exc, coarse.kern)
        return coarse, exc

    @property
    def nlevels(self) -> int:
        """Number of levels, the coarsest (solved directly) included."""
        return len(self.levels)

    @property
    def rhs(self) -> np.ndarray:
        """The cycle's right-hand side on the fine level (in the cycle's precision)."""
        return self.levels[0].b

    @property
    def out(self) -> np.ndarray:
        """Where :meth:`cycle` leaves M rhs."""
        return self.levels[0].x

    def cycle(self) -> None:
        """Leave M rhs in :attr:`out`: one V-cycle from a zero initial guess.

        For callers that fill :attr:`rhs` themselves (the conjugate gradients write it
        as they update r).
        """
        fine = self.levels[0]
        self._cycle(0, fine.b, fine.x)

    def apply(self, r: np.ndarray, z: np.ndarray) -> None:
        """Z = M r, one V-cycle from a zero initial guess (r is not changed)."""
        fine = self.levels[0]
        fine.kern["_copy_cast"](r, fine.b)
        self._cycle(0, fine.b, fine.x)
        z[...] = fine.x

    def _cycle(self, index: int, b: np.ndarray, x: np.ndarray) -> None:
        lev = self.levels[index]
        if lev.chol is not None:
            if b.dtype == np.float64:
                _kernels.band_solve(lev.chol, b, x)
            else:
                out = np.empty(lev.shape)
                _kernels.band_solve(lev.chol, b.astype(np.float64), out)
                x[...] = out
            return
        k = lev.kern
        coarse = self.levels[index + 1]
        lo, hi = lev.lo, lev.hi
        sweeps = self.sweeps[min(index, len(self.sweeps) - 1)]
        k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 0, False)
        k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 1, True)
        for _ in range(sweeps - 1):
            k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 0, True)
            k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 1, True)
        k["_restrict_residual_color"](x, b, lev.gx, lev.gy, lev.gz, lev.diag, lo, hi, lev.xs, lev.ay, 0,
                                      coarse.b)
        self._cycle(index + 1, coarse.b, coarse.x)
        k["_smooth_color_corrected"](x, coarse.x, lev.ax, lev.ay, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 1)
        k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 0, True)
        for _ in range(sweeps - 1):
            k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 1, True)
            k["_smooth_color"](x, b, lev.gx, lev.gy, lev.m, lev.f, lo, hi, 0, True)
