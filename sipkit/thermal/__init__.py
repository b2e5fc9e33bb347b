"""Thermal analysis: finite-volume conduction on the solid model, steady and transient.

>>> import sipkit.thermal as th                                   # doctest: +SKIP
>>> result = th.solve(package, boundary="still-air")               # doctest: +SKIP
>>> result.dies["npu"].tj_max, result.dies["npu"].theta_ja         # doctest: +SKIP

The solid model (:mod:`sipkit.solid`) is voxelised onto a rectilinear grid that snaps
to every box face (:mod:`.grid`), assembled into harmonic-mean face conductances
(:mod:`.assembly`) and solved by conjugate gradients with a z-line multigrid
preconditioner (:mod:`.multigrid`, :mod:`.solver`).  Boundary presets for JEDEC
conditions live in the ``thermal/`` data folder (:mod:`.presets`).
"""

from .api import load_design, prepare, resistance_matrix, solve
from .grid import Grid, Resolution, build_grid
from .presets import Board, BoardLayer, BoundaryPreset, available_presets, load_board, load_preset
from .result import DieResult, ThermalResult
from .solver import ConvergenceError, SolveInfo
from .transient import TransientResult, Waveform, transient

__all__ = [
    "Board",
    "BoardLayer",
    "BoundaryPreset",
    "ConvergenceError",
    "DieResult",
    "Grid",
    "Resolution",
    "SolveInfo",
    "ThermalResult",
    "TransientResult",
    "Waveform",
    "available_presets",
    "build_grid",
    "load_board",
    "load_design",
    "load_preset",
    "prepare",
    "resistance_matrix",
    "solve",
    "transient",
]
