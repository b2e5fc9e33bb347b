"""Preconditioned conjugate gradients with the multigrid V-cycle, and the steady solve.

Convergence is judged on two measures, both reported:

* the relative residual ‖b − A θ‖₂ / ‖b‖₂, and
* the energy balance: the sum of the residual over all cells equals the power put in
  minus the heat leaving through the boundaries (the links cancel in pairs), so
  |Σ r| / P is the relative energy imbalance of the field.

When the recursively updated residual meets both tolerances, the true residual is
recomputed; only if it meets them too is the field returned.  A solve that does not
get there raises :class:`ConvergenceError`, never a field that looks fine.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import SipkitError
from . import _kernels
from .assembly import assemble
from .multigrid import Multigrid

__all__ = ["PRECISIONS", "ConvergenceError", "SolveInfo", "cycle_dtype", "pcg", "solve_picard",
           "solve_steady"]

#: Give up when the residual has not halved in this many iterations.
STALL = 60
#: Relative residual of the first solve of a Picard iteration (see solve_picard).
LOOSE = 1e-3
#: Accepted values of the ``precision`` arguments.
PRECISIONS = ("auto", "float32", "float64")


def cycle_dtype(precision: str):
    """The multigrid's ``dtype`` argument for a ``precision`` argument.

    The cycle moves most of the solve's memory traffic; float32 halves it and changes
    only how fast the float64 conjugate gradients converge, not what they converge to
    (the residual and energy balance are judged in float64).  "auto" lets
    :class:`.Multigrid` take float32 on large, well-conditioned grids.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return {"auto": "auto", "float32": np.float32, "float64": np.float64}[precision]


class ConvergenceError(SipkitError, ArithmeticError):
    """The thermal solve did not reach its tolerances; no field is returned."""


@dataclass
class SolveInfo:
    """How a solve went: iterations, achieved residual and energy balance, timings (s)."""

    iterations: int = 0
    residual: float = 0.0
    energy_balance: float = 0.0
    levels: int = 0
    picard: int = 0
    cells: int = 0
    precision: str = ""
    times: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain data for JSON."""
        return {"iterations": self.iterations, "relative_residual": self.residual,
                "energy_balance": self.energy_balance, "multigrid_levels": self.levels,
                "picard_iterations": self.picard, "cells": self.cells, "cycle_precision": self.precision,
                "times_s": {k: round(v, 6) for k, v in self.times.items()}}


def pcg(gx, gy, gz, diag, b, precond, x0=None, tol=1e-6, energy_tol=1e-6, energy_scale=None,
        max_iter=500):
    """Solve A x = b by conjugate gradients preconditioned with `precond`.

    Parameters
    ----------
    gx, gy, gz, diag : ndarray
        The operator (see :mod:`._kernels`).
    b : ndarray
        Right-hand side.
    precond : object with ``apply(r, z)``
        Symmetric positive definite preconditioner.  If it also has ``cycle()``
        with arrays ``rhs`` and ``out`` (as :class:`.Multigrid`), the update of r
        writes ``rhs`` directly and ``cycle()`` leaves z in ``out``.
    x0 : ndarray, optional
        Initial guess (overwritten with the solution if given); zero in void cells
        (cells without links and boundary terms), which the multigrid leaves alone.
    tol : float
        Relative residual ‖b − A x‖ / ‖b‖ to reach.
    energy_tol : float
        |Σ (b − A x)| / energy_scale to reach.
    energy_scale : float, optional
        Denominator of the energy balance (the power); Σ |b| by default.
    max_iter : int

    Returns
    -------
    x : ndarray
    info : SolveInfo
        iterations, residual and energy_balance of the true residual.

    Raises
    ------
    ConvergenceError
        If the tolerances are not met within `max_iter` iterations or the
        iteration breaks down.
    """
    kern = _kernels.kernels(b.size)
    x = np.zeros_like(b) if x0 is None else x0
    r = np.empty_like(b)
    bnorm = math.sqrt(kern["_dot"](b, b))
    if energy_scale is None or energy_scale <= 0:
        energy_scale = float(np.abs(b).sum())
    info = SolveInfo(cells=b.size)
    if bnorm == 0.0:
        x[...] = 0.0
        return x, info
    # A preconditioner with cycle() takes its right-hand side from its own array `rhs`,
    # which the update of r writes as it goes, and leaves z in `out`.
    fused = hasattr(precond, "cycle")
    rc, z = (precond.rhs, precond.out) if fused else (r, np.empty_like(b))

    def precondition(rc_holds_r):
        if not fused:
            precond.apply(r, z)
            return
        if not rc_holds_r:
            kern["_copy_cast"](r, rc)
        precond.cycle()

    rr, rs = kern["_residual"](x, b, gx, gy, gz, diag, r)
    q = np.empty_like(b)
    p = np.zeros_like(b)
    it = 0
    best = (math.inf, 0)  # (best residual norm, iteration)

    def done(rr, rs):
        return math.sqrt(rr) <= tol * bnorm and abs(rs) <= energy_tol * energy_scale

    restarts = 0
    while True:
        if done(rr, rs):
            rr, rs = kern["_residual"](x, b, gx, gy, gz, diag, r)  # the true residual
            if done(rr, rs):
                break
            restarts += 1
            if restarts > 3:
                raise ConvergenceError(
                    f"the thermal solve stalled: the true relative residual stays at "
                    f"{math.sqrt(rr) / bnorm:.2e} (energy imbalance {abs(rs) / energy_scale:.2e}; targets "
                    f"{tol:.0e} and {energy_tol:.0e}); the tolerance is below what the arithmetic can reach "
                    "for this system: loosen it")
        if it >= max_iter:
            raise ConvergenceError(
                f"the thermal solve did not converge in {max_iter} iterations (relative residual "
                f"{math.sqrt(rr) / bnorm:.2e}, energy imbalance {abs(rs) / energy_scale:.2e}; targets "
                f"{tol:.0e} and {energy_tol:.0e}); check for extreme material contrasts or loosen the "
                "tolerances")
        # (re)start: p = z = M r
        precondition(False)
        rz = kern["_dot"](r, z)
        kern["_direction_update"](p, z, 0.0)
        while it < max_iter:
            it += 1
            pq = kern["_matvec_dot"](p, gx, gy, gz, diag, q)
            if not (pq > 0.0 and rz > 0.0) or not math.isfinite(pq):
                raise ConvergenceError("the thermal solve broke down (the system is not positive "
                                       "definite): a region may be isolated from every boundary")
            alpha = rz / pq
            rr, rs = kern["_cg_update"](x, r, p, q, alpha, rc, fused)
            if not math.isfinite(rr):
                raise ConvergenceError("the thermal solve diverged (non-finite residual)")
            if done(rr, rs):
                break
            if rr < 0.25 * best[0]:
                best = (rr, it)
            elif it - best[1] > STALL:
                raise ConvergenceError(
                    f"the thermal solve stalled at a relative residual of {math.sqrt(rr) / bnorm:.2e} ("
                    "energy "
                    f"imbalance {abs(rs) / energy_scale:.2e}; targets {tol:.0e} and {energy_tol:.0e}): the "
                    "tolerance is below what the arithmetic can reach for this system; loosen it")
            precondition(True)
            rz_new = kern["_dot"](r, z)
            kern["_direction_update"](p, z, rz_new / rz)
            rz = rz_new
    info.iterations = it
    info.residual = math.sqrt(rr) / bnorm
    info.energy_balance = rs / energy_scale
    return x, info


def _widths_m(grid):
    return tuple(w * 1e-6 for w in grid.widths)


def solve_steady(system, x0=None, tol=1e-6, energy_tol=1e-6, max_iter=500, precision="auto"):
    """Solve the steady system; returns (θ, SolveInfo).

    Parameters
    ----------
    system : System
        From :func:`sipkit.thermal.assembly.assemble`.
    x0 : ndarray, optional
        Initial temperature rise (e.g. the previous Picard iterate).
    precision : {"auto", "float32", "float64"}
        Arithmetic of the multigrid cycle (the iteration itself is float64; see
        :func:`cycle_dtype`).
    """
    t0 = time.perf_counter()
    dx, dy, _ = _widths_m(system.vox.grid)
    mg = Multigrid(system.gx, system.gy, system.gz, system.diag, system.extra, dx, dy,
                   dtype=cycle_dtype(precision))
    t1 = time.perf_counter()
    x, info = pcg(system.gx, system.gy, system.gz, system.diag, system.b, mg, x0=x0, tol=tol,
                  energy_tol=energy_tol, energy_scale=system.power if system.power > 0 else None,
                  max_iter=max_iter)
    t2 = time.perf_counter()
    info.levels = mg.nlevels
    info.precision = mg.dtype.name
    info.times = {"multigrid_setup": t1 - t0, "iterations": t2 - t1}
    return x, info


def solve_picard(vox, model, system, x0=None, *, tol=1e-6, energy_tol=1e-6, max_iter=500, precision="auto",
                 picard_tol=1e-4, max_picard=30):
    """Steady solve with temperature-dependent conductivities (Picard iteration).

    Solves with the conductivities of `vox`, sets k(T) from the result, reassembles and
    solves again from the last field until the largest change of the temperature rise
    is at most `picard_tol` of the largest rise.  Without k(T) cells it is one linear
    solve.  With them the solves are inexact while the conductivities still move: the
    first to a relative residual of LOOSE, each later one to a tenth of the last
    relative change of the field (never looser than before, never tighter than `tol`);
    the field is returned only after a solve at `tol` and `energy_tol` that changed it
    by at most `picard_tol`.

    Returns
    -------
    theta : ndarray
        Temperature rise over ``system.t_ref``.
    system : System
        The system of the last conductivities.
    info : SolveInfo
        CG iterations summed over all solves, ``picard`` the number of re-evaluations
        of k(T), times summed per phase (``assemble`` for the reassemblies); residual
        and energy balance of the last, full-accuracy solve.

    Raises
    ------
    ConvergenceError
        If a linear solve fails or the conductivities do not settle in `max_picard`
        iterations.
    """
    nonlinear = vox.nonlinear is not None
    inner = max(tol, LOOSE) if nonlinear else tol

    def solve(x_start, accuracy):
        full = accuracy <= tol
        return solve_steady(system, x0=x_start, tol=accuracy, energy_tol=energy_tol if full else accuracy,
                            max_iter=max_iter, precision=precision)

    theta, info = solve(x0, inner)
    iterations = info.iterations
    times = dict(info.times)
    picard = 0
    if nonlinear:
        times.setdefault("assemble", 0.0)
        for picard in range(1, max_picard + 1):  # noqa: B007 - reported after the loop
            previous = theta.copy()
            t0 = time.perf_counter()
            vox.set_temperature(theta + system.t_ref)
            system = assemble(vox, model, faces=system.faces)
            times["assemble"] += time.perf_counter() - t0
            accurate = inner <= tol
            theta, info = solve(theta, inner)
            iterations += info.iterations
            for key, v in info.times.items():
                times[key] = times.get(key, 0.0) + v
            scale = max(float(np.abs(theta).max()), 1.0)
            change = float(np.abs(theta - previous).max())
            if change <= picard_tol * scale:
                if accurate:
                    break
                inner = tol  # settled: one more pass, at full accuracy
            else:
                inner = max(tol, min(inner, 0.1 * change / scale))
        else:
            raise ConvergenceError(f"the temperature-dependent conductivity did not settle in {max_picard} "
                                   f"iterations (last change {change:.3g} K)")
    info.iterations = iterations
    info.picard = picard
    info.times = times
    return theta, system, info
