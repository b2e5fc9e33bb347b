"""Vertical stacks per tile: the solid model sampled on a lateral grid.

The package footprint is divided into ``nx`` x ``ny`` equal cells (tiles).  Under the
centre of each cell the boxes of the solid model are sampled along z (*column
sampling*): between consecutive box faces the material is that of the last box that
covers the cell centre (later boxes override earlier ones).  A box with tiles (a
routing layer, a via field, a bump layer) contributes its matrix material with its
metal mixed in by the metal area fraction of the cell (:mod:`.laminate`, in-plane rule
of mixtures).  Mixture cards (``mix:``) are mixed the same way, at each temperature,
so parts with a Tg keep it.

Each cell's stack is a laminate; :meth:`StackGrid.laminate` returns its A, B, D and
thermal resultants as fields over the grid.  The layers are in-plane isotropic, so a
3 x 3 matrix of the laminate is fixed by two numbers: its value on equal biaxial
strain (s = Q11 + Q12) and on pure shear (d = Q11 − Q12); sums, products and inverses
of such matrices act on s and d separately.

Cards without a modulus (air, the grease-like ``tim``) carry no stress: such layers are
skipped.  Cells with no stiff material at all (outside an irregular outline) are
marked invalid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import DesignError, MaterialError
from ..materials import Material
from .laminate import Ply, _card_moduli

__all__ = ["LaminateFields", "StackGrid", "build_stack"]

UM = 1e-6
#: Cells along the longer side of the footprint when no grid is given.
DEFAULT_CELLS = 100


class _Card:
    """A material evaluated at a temperature: a leaf card or a mixture of parts."""

    def __init__(self, name: str, leaf: Material | None = None, parts=()):
        self.name = name
        self.leaf = leaf
        self.parts = tuple(parts)  # (fraction, _Card)

    def moduli(self, T: float) -> tuple[float, float, float]:
        """(s, d, sα) at T (Pa, Pa, Pa/K)."""
        if self.leaf is not None:
            return _card_moduli(self.leaf, T)
        s = d = sa = 0.0
        for f, part in self.parts:
            ps, pd, psa = part.moduli(T)
            s, d, sa = s + f * ps, d + f * pd, sa + f * psa
        return s, d, sa

    def steps(self) -> set[float]:
        """Temperatures where the card's properties step."""
        if self.leaf is not None:
            c = self.leaf
            steps = c.E_above_Tg is not None or c.cte_above_Tg is not None
            if c.Tg is not None and c.E is not None and steps:
                return {float(c.Tg)}
            return set()
        out: set[float] = set()
        for _, part in self.parts:
            out |= part.steps()
        return out

    def stiff(self) -> bool:
        """Whether the card (or some part of it) has a modulus."""
        if self.leaf is not None:
            return self.leaf.E is not None
        return any(p.stiff() for _, p in self.parts)

    def as_material(self, T: float) -> Material | None:
        """A plain card with this card's in-plane moduli at T (for :class:`Ply`)."""
        if self.leaf is not None:
            return self.leaf
        s, d, sa = self.moduli(T)
        if s <= 0 or d <= 0:
            return None
        E = 2 * s * d / (s + d)
        nu = (s - d) / (s + d)
        return Material.from_internal(name=self.name, E=E, nu=nu, cte=sa / s)


def _raw_cards(model) -> dict:
    """Unresolved cards of a solid model (mixtures keep their parts)."""
    lib = model.library
    return {name: lib.card(name) for name in lib}


def _card(model, name: str, raw: dict, cache: dict, chain=()) -> _Card:
    if name in cache:
        return cache[name]
    card = raw.get(name)
    if card is not None and card.mix is not None:
        parts = []
        for part, f in card.mix:
            if part in chain:
                raise MaterialError(f"mixture {name!r} contains itself through {part!r}", "mix")
            parts.append((f, _card(model, part, raw, cache, (*chain, name))))
        out = _Card(name, parts=parts)
    else:
        out = _Card(name, leaf=model.material(name))
    cache[name] = out
    return out


@dataclass
class LaminateFields:
    """Laminate properties per cell at one temperature, in SI (shape (ny, nx) each).

    ``sA, dA`` (N/m), ``sB, dB`` (N), ``sD, dD`` (N·m): the s/d parts of A, B and D about
    the plane ``z_ref``; ``n, m``: thermal force (N/(m·K)) and moment (N/K) resultants
    per kelvin along (1, 1, 0).  ``valid`` marks cells with stiff material.
    """

    sA: np.ndarray
    dA: np.ndarray
    sB: np.ndarray
    dB: np.ndarray
    sD: np.ndarray
    dD: np.ndarray
    n: np.ndarray
    m: np.ndarray
    valid: np.ndarray

    def reduced(self):
        """Bending stiffness and thermal moment with the in-plane force set to zero.

        Returns ``(sD*, dD*, m*)`` with D* = D − B A⁻¹ B and M* = M − B A⁻¹ N: the
        bending response of each cell's laminate when it is free to stretch.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            sA = np.where(self.valid, self.sA, 1.0)
            dA = np.where(self.valid, self.dA, 1.0)
            sD = self.sD - self.sB ** 2 / sA
            dD = self.dD - self.dB ** 2 / dA
            m = self.m - self.sB / sA * self.n
        return np.where(self.valid, sD, 0.0), np.where(self.valid, dD, 0.0), np.where(self.valid, m, 0.0)

    def free_curvature(self) -> np.ndarray:
        """Curvature per kelvin (1/(m·K)) each cell's laminate takes when free (κx = κy)."""
        sD, _, m = self.reduced()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.valid, m / np.where(self.valid, sD, 1.0), np.nan)


@njit(cache=True)
def _accumulate(owner, z, zref, props, windows, fracs):
    """Sum the s/d moduli of each cell's column over the slabs (see StackGrid.laminate).

    Box o's metal fractions are ``fracs[off + (j - j0) * w + (i - i0)]`` with
    ``windows[o] = (off, j0, i0, w)``, ``off < 0`` for a box without metal.
    """
    nz, ny, nx = owner.shape
    out = np.zeros((8, ny, nx))
    for k in range(nz):
        a = (z[k] - zref) * 1e-6
        b = (z[k + 1] - zref) * 1e-6
        t1 = b - a
        t2 = (b * b - a * a) / 2.0
        t3 = (b * b * b - a * a * a) / 3.0
        for j in range(ny):
            for i in range(nx):
                o = owner[k, j, i]
                if o < 0:
                    continue
                s = props[o, 0, 0]
                d = props[o, 0, 1]
                sa = props[o, 0, 2]
                off = windows[o, 0]
                if off >= 0:
                    f = fracs[off + (j - windows[o, 1]) * windows[o, 3] + (i - windows[o, 2])]
                    s += f * (props[o, 1, 0] - s)
                    d += f * (props[o, 1, 1] - d)
                    sa += f * (props[o, 1, 2] - sa)
                out[0, j, i] += s * t1
                out[1, j, i] += d * t1
                out[2, j, i] += s * t2
                out[3, j, i] += d * t2
                out[4, j, i] += s * t3
                out[5, j, i] += d * t3
                out[6, j, i] += sa * t1
                out[7, j, i] += sa * t2
    return out


class StackGrid:
    """The solid model's stack under every cell of a lateral grid.

    Build it with :func:`build_stack`.

    Attributes
    ----------
    x_edges, y_edges : ndarray
        Cell edges (µm).
    z : ndarray
        Slab boundaries (µm): every box face height.
    owner : ndarray of int32, shape (nz, ny, nx)
        Index into `boxes` of the box filling each slab of each cell, −1 for none.
    boxes : tuple of SolidBox
    z_ref : float
        Reference plane of the laminate fields (µm), the middle of the stack.
    """

    def __init__(self, model, x_edges, y_edges):
        self.model = model
        self.x_edges = np.asarray(x_edges, dtype=float)
        self.y_edges = np.asarray(y_edges, dtype=float)
        boxes = tuple(model.boxes)
        self.boxes = boxes
        xc = 0.5 * (self.x_edges[1:] + self.x_edges[:-1])
        yc = 0.5 * (self.y_edges[1:] + self.y_edges[:-1])
        z = np.unique(np.array([v for b in boxes for v in (b.min[2], b.max[2])]))
        self.z = z
        self.z_ref = 0.5 * (z[0] + z[-1])
        nx, ny, nz = xc.size, yc.size, z.size - 1
        owner = np.full((nz, ny, nx), -1, dtype=np.int32)
        raw = _raw_cards(model)
        cache: dict = {}
        self._matrix: list[_Card] = []
        self._metal: list[_Card | None] = []
        fracs = []  # metal fractions of each box with tiles, over its window of cells only
        windows = np.full((len(boxes), 4), -1, dtype=np.int64)
        offset = 0
        for n, b in enumerate(boxes):
            i0, i1 = np.searchsorted(xc, [b.min[0], b.max[0]])
            j0, j1 = np.searchsorted(yc, [b.min[1], b.max[1]])
            k0, k1 = np.searchsorted(z, [b.min[2], b.max[2]])
            self._matrix.append(_card(model, b.material, raw, cache))
            metal = None
            if b.tiles is not None:
                metal = _card(model, b.tiles.metal, raw, cache)
                if i1 > i0 and j1 > j0:
                    sub, _ = b.tiles.fractions(self.x_edges[i0:i1 + 1], self.y_edges[j0:j1 + 1])
                    windows[n] = (offset, j0, i0, i1 - i0)
                    fracs.append(np.clip(np.asarray(sub, dtype=float), 0.0, 1.0).ravel())
                    offset += fracs[-1].size
            self._metal.append(metal)
            if i1 > i0 and j1 > j0 and k1 > k0:
                stiff = self._matrix[n].stiff() or (metal is not None and metal.stiff())
                owner[k0:k1, j0:j1, i0:i1] = n if stiff else -1
        self.owner = owner
        self._windows = windows
        self._fracs = np.concatenate(fracs) if fracs else np.zeros(1)
        self.valid = (owner >= 0).any(axis=0)
        if not self.valid.any():
            raise DesignError("no material with a modulus (E) in the model: nothing can warp; give the "
                              "cards E, nu and cte", "boxes")

    # -- queries ------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx)."""
        return self.owner.shape[1:]

    @property
    def cell_size(self) -> tuple[float, float]:
        """(hx, hy) in µm."""
        return float(self.x_edges[1] - self.x_edges[0]), float(self.y_edges[1] - self.y_edges[0])

    def breakpoints(self, lo: float = -math.inf, hi: float = math.inf) -> list[float]:
        """Tg's strictly between `lo` and `hi` of the materials in the stacks."""
        used = set(np.unique(self.owner[self.owner >= 0]).tolist())
        out: set[float] = set()
        for n in used:
            out |= self._matrix[n].steps()
            if self._metal[n] is not None:
                out |= self._metal[n].steps()
        return sorted(t for t in out if lo < t < hi)

    def _props(self, T: float) -> np.ndarray:
        props = np.zeros((len(self.boxes), 2, 3))
        for n in range(len(self.boxes)):
            props[n, 0] = self._matrix[n].moduli(T)
            if self._metal[n] is not None:
                props[n, 1] = self._metal[n].moduli(T)
        return props

    def laminate(self, T: float) -> LaminateFields:
        """Laminate fields of every cell with properties at `T` (°C)."""
        out = _accumulate(self.owner, self.z, self.z_ref, self._props(T), self._windows, self._fracs)
        return LaminateFields(*out, valid=self.valid)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """(j, i) of the cell containing the point (µm)."""
        i = int(np.clip(np.searchsorted(self.x_edges, x, "right") - 1, 0, self.shape[1] - 1))
        j = int(np.clip(np.searchsorted(self.y_edges, y, "right") - 1, 0, self.shape[0] - 1))
        return j, i

    def column(self, x: float, y: float, T: float = 25.0) -> list[Ply]:
        """The plies under the point (x, y) (µm), bottom up; boxes without stiffness left out.

        Mixture cards are given as equivalent plain cards at `T`.
        """
        j, i = self.cell(x, y)
        plies = []
        for k in range(self.owner.shape[0]):
            n = int(self.owner[k, j, i])
            if n < 0:
                continue
            off, j0, i0, w = self._windows[n]
            f = float(self._fracs[off + (j - j0) * w + (i - i0)]) if off >= 0 else 0.0
            metal = self._metal[n].as_material(T) if self._metal[n] is not None else None
            plies.append(Ply(self._matrix[n].as_material(T), float(self.z[k]), float(self.z[k + 1]),
                             metal=metal, fraction=f if metal is not None else 0.0))
        return plies

    def box_names(self, x: float, y: float) -> list[str]:
        """Names of the boxes under (x, y), bottom up (only those with stiffness)."""
        j, i = self.cell(x, y)
        out = []
        for k in range(self.owner.shape[0]):
            n = int(self.owner[k, j, i])
            if n >= 0 and (not out or out[-1] != self.boxes[n].name):
                out.append(self.boxes[n].name)
        return out


def _grid_counts(width: float, height: float, grid) -> tuple[int, int]:
    if grid is None:
        grid = DEFAULT_CELLS
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, bool):
        n = int(grid)
        if n < 3:
            raise DesignError(f"the grid needs at least 3 cells per side, got {grid!r}", "grid")
        if width >= height:
            return n, max(3, round(n * height / width))
        return max(3, round(n * width / height)), n
    try:
        nx, ny = (int(v) for v in grid)
    except (TypeError, ValueError):
        raise DesignError(f"expected a cell count or [nx, ny], got {grid!r}", "grid") from None
    if nx < 3 or ny < 3:
        raise DesignError(f"the grid needs at least 3 cells per side, got {list(grid)!r}", "grid")
    return nx, ny


def build_stack(model, grid=None, region=None) -> StackGrid:
    """Sample the solid model's stacks on a lateral grid.

    Parameters
    ----------
    model : SolidModel
    grid : int or (nx, ny), optional
        Cells along the longer side (square-ish cells), or along x and y;
        :data:`DEFAULT_CELLS` by default.
    region : (x0, y0, x1, y1), optional
        Footprint to tile (µm); the extent of the boxes that have a modulus by default.
    """
    if region is None:
        lib_cache: dict = {}
        raw = _raw_cards(model)
        stiff = [b for b in model.boxes if _card(model, b.material, raw, lib_cache).stiff()
                 or (b.tiles is not None and _card(model, b.tiles.metal, raw, lib_cache).stiff())]
        if not stiff:
            raise DesignError("no material with a modulus (E) in the model: nothing can warp; give the "
                              "cards E, nu and cte", "boxes")
        region = (min(b.min[0] for b in stiff), min(b.min[1] for b in stiff),
                  max(b.max[0] for b in stiff), max(b.max[1] for b in stiff))
    x0, y0, x1, y1 = (float(v) for v in region)
    if not (x1 > x0 and y1 > y0):
        raise DesignError(f"expected a region [x0, y0, x1, y1] with x1 > x0 and y1 > y0, got {list(region)}",
                          "region")
    nx, ny = _grid_counts(x1 - x0, y1 - y0, grid)
    return StackGrid(model, np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1))
