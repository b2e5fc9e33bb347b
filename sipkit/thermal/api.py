"""The public entry points: ``solve`` (steady) and the model preparation they share."""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Mapping

import numpy as np

from ..errors import DesignError
from ..solid.model import Boundary, SolidModel, load_design
from .assembly import assemble, check_connected, voxelize
from .grid import build_grid
from .presets import BoundaryPreset, load_preset
from .result import ThermalResult
from .solver import PRECISIONS, solve_picard

__all__ = ["load_design", "prepare", "resistance_matrix", "solve"]

#: The boundary of a package when none is given.
DEFAULT_PRESET = "still-air"


def _boundaries(boundary):
    """(boundaries, ambient, board, label) from a preset name/path/object or a list."""
    if isinstance(boundary, (str, os.PathLike, BoundaryPreset)):
        preset = load_preset(boundary)
        return preset.boundaries, preset.ambient, preset.load_board(), preset.name
    items = []
    for i, b in enumerate(boundary):
        if isinstance(b, Boundary):
            items.append(b)
        elif isinstance(b, Mapping):
            try:
                items.append(Boundary(**b))
            except DesignError as err:
                raise DesignError(err.message, f"boundary[{i}].{err.field}" if err.field else
                                  f"boundary[{i}]") from None
        else:
            raise DesignError(f"expected a boundary mapping, got {b!r}", f"boundary[{i}]")
    return tuple(items), None, None, "custom"


def prepare(design, boundary=None, *, power=None, ambient=None, board=True) -> SolidModel:
    """The solid model a thermal solve works on.

    Parameters
    ----------
    design : Package, SolidModel, str or path
        A package, a solid model, or a file of either.
    boundary : str, path, BoundaryPreset or list of Boundary/mappings, optional
        A preset (``still-air``, ``forced-air-1ms``, ``cold-plate``, ...) or explicit
        boundaries.  A package without one gets ``still-air`` (with its JESD51-7 test
        board); a solid model keeps its own boundaries.
    power : mapping of name to W, optional
        Dies, passives, boxes or box owners whose power to set.
    ambient : float, optional
        Ambient temperature (°C), replacing the preset's or the model's.
    board : bool
        Mount a package on the preset's test board (if the preset has one).  A solid
        model gets the board directly under its lowest face.
    """
    from ..model import Package
    from ..solid.lower import add_board, from_package

    if isinstance(design, (str, os.PathLike)):
        design = load_design(design)
    if isinstance(design, Package):
        bnds, amb, brd, _ = _boundaries(DEFAULT_PRESET if boundary is None else boundary)
        model = from_package(design, board=brd if board else None, power=power)
        model = dataclasses.replace(model, boundaries=bnds)
        if amb is not None:
            model = dataclasses.replace(model, ambient=amb)
    elif isinstance(design, SolidModel):
        model = design
        if boundary is not None:
            bnds, amb, brd, _ = _boundaries(boundary)
            model = dataclasses.replace(model, boundaries=bnds)
            if amb is not None:
                model = dataclasses.replace(model, ambient=amb)
            if brd is not None and board:
                model = add_board(model, brd)
        if power:
            model = model.with_power(power)
    else:
        raise DesignError(f"expected a Package, a SolidModel or a file, got {type(design).__name__}")
    if ambient is not None:
        from ..units import to_internal

        model = dataclasses.replace(model, ambient=to_internal(ambient, "temperature", "ambient"))
    return model


def _heat_out(system, theta, model) -> dict:
    f = system.faces
    flow = f.heat_out(theta.ravel(), system.t_ref)
    out: dict[str, float] = {}
    per_rule = np.bincount(f.rule, flow, minlength=len(model.boundaries))
    for r, bc in enumerate(model.boundaries):
        label = bc.label
        out[label] = out.get(label, 0.0) + float(per_rule[r])
    return out


def _solve_model(model, resolution, tol, energy_tol, nonlinear, max_iter, precision, picard_tol,
                 max_picard, x0=None):
    times = {}
    t0 = time.perf_counter()
    grid = build_grid(model, resolution)
    t1 = time.perf_counter()
    vox = voxelize(model, grid, nonlinear=nonlinear)
    t2 = time.perf_counter()
    system = assemble(vox, model)
    check_connected(system, model)
    t3 = time.perf_counter()
    times.update(grid=t1 - t0, voxelize=t2 - t1, assemble=t3 - t2)
    theta, system, info = solve_picard(vox, model, system, x0=x0, tol=tol, energy_tol=energy_tol,
                                       max_iter=max_iter, precision=precision, picard_tol=picard_tol,
                                       max_picard=max_picard)
    for key, v in info.times.items():
        times[key] = times.get(key, 0.0) + v
    info.cells = grid.size
    info.times = times
    T = theta + system.t_ref
    T[vox.owner < 0] = np.nan
    return ThermalResult(model, grid, T, info, _heat_out(system, theta, model), vox=vox, faces=system.faces)


def _jedec_models(model: SolidModel):
    """(θJC model, θJB model): the package alone with an ideal cold plate on top or bottom.

    θJC: board, balls and heat sink removed, the outermost top faces held at ambient.
    θJB: board and heat sink removed, the balls kept, their bottom (the outermost
    bottom faces) held at ambient.
    """
    def without(roles):
        keep = tuple(b for b in model.boxes if b.role not in roles and b.owner != "heatsink")
        if not keep:
            raise DesignError("no package boxes left for θJC/θJB")
        names = {b.name for b in keep} | {b.owner for b in keep if b.owner}
        return dataclasses.replace(model, boxes=keep,
                                   contacts=tuple(c for c in model.contacts if set(c.between) <= names))

    jc = dataclasses.replace(without(("board", "balls", "heatsink", "fin")), boundaries=(
        Boundary(face="+z", T=model.ambient, outermost=True, name="case-top"),))
    jb = dataclasses.replace(without(("board", "heatsink", "fin")), boundaries=(
        Boundary(face="-z", T=model.ambient, outermost=True, name="case-bottom"),))
    return jc, jb


def solve(design, boundary=None, *, power=None, ambient=None, resolution=None, tol: float = 1e-6,
          energy_tol: float = 1e-6, nonlinear: bool = True, jedec: bool = False, board: bool = True,
          max_iter: int = 500, precision: str = "auto", picard_tol: float = 1e-4,
          max_picard: int = 30) -> ThermalResult:
    """Steady-state temperatures of a package or solid model.

    Parameters
    ----------
    design : Package, SolidModel, str or path
    boundary : preset name, path, BoundaryPreset or list of boundaries, optional
        See :func:`prepare`; a package gets ``still-air`` on the JESD51-7 board.
    power : mapping of name to W, optional
        Power of dies, passives, boxes or box owners.
    ambient : float, optional
        Ambient temperature (°C).
    resolution : Resolution, float or mapping, optional
        Grid settings (:class:`~sipkit.thermal.grid.Resolution`); a number is the
        largest in-plane cell (µm).
    tol, energy_tol : float
        Relative residual and energy imbalance to reach.
    nonlinear : bool
        Let conductivities fall with temperature (``k_exponent`` cards, e.g. silicon),
        iterated by Picard to `picard_tol` of the temperature rise.
    jedec : bool
        Also compute θJC and θJB (two more solves, see :mod:`.result`).
    board : bool
        Mount a package on the preset's test board.
    max_iter : int
        Conjugate-gradient iterations per linear solve.
    precision : {"auto", "float32", "float64"}
        Arithmetic of the multigrid preconditioner (the iteration is float64); "auto"
        takes float32 on grids of 200,000 cells and more whose z-line systems are
        well conditioned (see :class:`sipkit.thermal.multigrid.Multigrid`).

    Returns
    -------
    ThermalResult

    Raises
    ------
    DesignError
        Bad input (unknown preset, die, material without conductivity, a box with
        no path to a cooled face, ...).
    ConvergenceError
        If the solve does not reach its tolerances.
    """
    if precision not in PRECISIONS:
        raise DesignError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}", "precision")
    model = prepare(design, boundary, power=power, ambient=ambient, board=board)
    if not model.boundaries:
        raise DesignError("the model has no boundaries: give boundary= (a preset such as still-air) or "
                          "add boundaries to the solid model", "boundaries")
    args = (resolution, tol, energy_tol, nonlinear, max_iter, precision, picard_tol, max_picard)
    result = _solve_model(model, *args)
    if jedec and result.power > 0:
        P = result.power
        jc, jb = _jedec_models(model)
        for key, m in (("theta_jc", jc), ("theta_jb", jb)):
            sub = _solve_model(m, *args)
            for name, d in sub.dies.items():
                result.extra_metrics.setdefault(name, {})[key] = (d.tj_max - model.ambient) / P
        result._cache.pop("dies", None)
    return result


def resistance_matrix(design, boundary=None, **options) -> tuple[list[str], np.ndarray]:
    """JESD51-31 thermal resistance matrix: θ[i, j] = (T_J,i − T_A) / P_j with only die j on.

    Each die is solved alone at its own power (1 W if it has none), with linear
    conductivities so that superposition holds.  Options are those of :func:`solve`.

    Returns
    -------
    names : list of str
    theta : ndarray, shape (n, n), K/W
    """
    model = prepare(design, boundary, power=options.pop("power", None), ambient=options.pop("ambient", None),
                    board=options.pop("board", True))
    names = list(model.sources())
    theta = np.zeros((len(names), len(names)))
    for j, name in enumerate(names):
        own = sum(b.power for b in model.sources()[name])
        p = own if own > 0 else 1.0
        powers = {n: (p if n == name else 0.0) for n in names}
        res = solve(model.with_power(powers), nonlinear=False, **options)
        for i, other in enumerate(names):
            theta[i, j] = (res.dies[other].tj_max - model.ambient) / p
    if not math.isfinite(theta.sum()):  # pragma: no cover - defensive
        raise DesignError("the resistance matrix is not finite")
    return names, theta
