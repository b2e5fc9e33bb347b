"""The rectilinear grid of a solid model: lines on every box face, graded cell sizes.

Along each axis the grid lines include every box face, so each box is a whole number
of cells and every layer, however thin, gets at least one cell through it.  Between
those lines the cells follow a size field: at most `max_cell`, at most the smallest
neighbouring feature at each box face, at most a heat source's size over
`source_cells` across a source, a thin cell at a powered face (power on a top or
bottom face), and nowhere growing faster than `growth` from one cell to the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from ..errors import DesignError
from ..units import to_internal

__all__ = ["Grid", "Resolution", "build_grid"]

#: Grid lines closer than this (µm) are merged.
SNAP = 1e-6
#: Refuse grids larger than this unless Resolution.max_total says otherwise.
MAX_TOTAL = 60_000_000


@dataclass(frozen=True)
class Resolution:
    """How fine the grid is.

    Parameters
    ----------
    max_cell : float or [dx, dy, dz], optional
        Largest cell size (µm) over the package (every box but a test board's).  By
        default 1/40 of the package's larger in-plane extent in x and y and 1/20 of
        the model's height in z.  Over a test board cells grow up to 1/40 of the
        board's extent.
    min_cell : float, optional
        Smallest in-plane cell the grading starts from next to thinner features
        (a 5 µm shield still gets its own cell); 1/8 of the in-plane max_cell by
        default.
    growth : float
        Largest ratio of neighbouring in-plane cell sizes (x and y).
    growth_z : float
        The same through the thickness.  Thin layers conduct one-dimensionally
        through z, which the finite volumes capture exactly, so z grades loosely.
    source_cells : int
        Cells across each heat source in x and y (die boxes with power, or every
        powered box when the model has no dies).
    powered_face : float
        The cell at a powered top or bottom face is at most this fraction of the
        box's thickness, so its centre lies near the face.
    max_aspect : float, optional
        If given, no cell is longer in one axis than `max_aspect` times the smallest
        cell of the other axes (refines everywhere; leave unset for the z-line solver).
    max_total : int
        Refuse grids with more cells.
    refine : float
        Divide every cell size (automatic or given) by this factor.
    """

    max_cell: tuple | None = None
    min_cell: float | None = None
    growth: float = 1.3
    growth_z: float = 3.0
    source_cells: int = 12
    powered_face: float = 0.1
    max_aspect: float | None = None
    max_total: int = MAX_TOTAL
    refine: float = 1.0

    def __post_init__(self):
        mc = self.max_cell
        if mc is not None:
            if isinstance(mc, (str, Real)) or hasattr(mc, "magnitude"):
                v = to_internal(mc, "length", "max_cell")
                mc = (v, v, None)
            else:
                if len(mc) != 3:
                    raise DesignError("expected one size or three [dx, dy, dz]", "max_cell")
                mc = tuple(None if v is None else to_internal(v, "length", f"max_cell[{i}]")
                           for i, v in enumerate(mc))
            if any(v is not None and not v > 0 for v in mc):
                raise DesignError("cell sizes must be greater than zero", "max_cell")
            object.__setattr__(self, "max_cell", mc)
        if self.min_cell is not None:
            object.__setattr__(self, "min_cell", to_internal(self.min_cell, "length", "min_cell"))
        for name in ("growth", "growth_z"):
            if not getattr(self, name) > 1.0:
                raise DesignError("must be greater than 1", name)
        if not (isinstance(self.source_cells, int) and self.source_cells >= 1):
            raise DesignError("must be a whole number of at least 1", "source_cells")
        if not 0 < self.powered_face <= 1:
            raise DesignError("must lie in (0, 1]", "powered_face")
        if not self.refine > 0:
            raise DesignError("must be greater than zero", "refine")
        if self.max_aspect is not None and not self.max_aspect >= 1:
            raise DesignError("must be at least 1", "max_aspect")

    @classmethod
    def coerce(cls, value) -> Resolution:
        """A Resolution from None, a Resolution, a cell size or a mapping of fields."""
        if value is None:
            return cls()
        if isinstance(value, Resolution):
            return value
        if isinstance(value, dict):
            try:
                return cls(**value)
            except TypeError as err:
                raise DesignError(f"bad resolution: {err}", "resolution") from None
        return cls(max_cell=value)

    def refined(self, factor: float) -> Resolution:
        """The same settings with every cell size divided by `factor` (grid convergence)."""
        from dataclasses import replace

        return replace(self, refine=self.refine * factor)


@dataclass(frozen=True, eq=False)
class Grid:
    """A rectilinear grid: cell edges along x, y, z (µm)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    @property
    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, z) cell edges (µm)."""
        return (self.x, self.y, self.z)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(nx, ny, nz)."""
        return (self.x.size - 1, self.y.size - 1, self.z.size - 1)

    @property
    def size(self) -> int:
        """Number of cells."""
        return math.prod(self.shape)

    @property
    def centers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell centres along x, y, z (µm)."""
        return tuple(0.5 * (e[1:] + e[:-1]) for e in self.edges)

    @property
    def widths(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell sizes along x, y, z (µm)."""
        return tuple(np.diff(e) for e in self.edges)

    def span(self, lo, hi) -> tuple[slice, slice, slice]:
        """Index slices of the cells whose centres lie in the box [lo, hi] (µm)."""
        out = []
        for c, a, b in zip(self.centers, lo, hi, strict=True):
            out.append(slice(int(np.searchsorted(c, a, "left")), int(np.searchsorted(c, b, "right"))))
        return tuple(out)

    def locate(self, point) -> tuple[int, int, int]:
        """Indices of the cell containing `point` (µm); points on the hull count as inside."""
        out = []
        for e, v, axis in zip(self.edges, point, "xyz", strict=True):
            if not (e[0] - SNAP <= v <= e[-1] + SNAP):
                raise DesignError(f"point {list(point)} lies outside the model along {axis} "
                                  f"({e[0]:g} to {e[-1]:g} µm)")
            out.append(int(min(max(np.searchsorted(e, v, "right") - 1, 0), e.size - 2)))
        return tuple(out)


def _merge(values, tol=SNAP) -> np.ndarray:
    v = np.unique(np.asarray(values, dtype=float))
    if v.size < 2:
        return v
    keep = np.concatenate(([True], np.diff(v) > tol))
    return v[keep]


def _cap_at(points, caps, max_cell):
    out = np.full(points.size, float(max_cell))
    for a, b, h in caps:
        m = (points >= a - SNAP) & (points <= b + SNAP)
        out[m] = np.minimum(out[m], h)
    return out


def _axis_lines(breaks, caps, max_cell, growth, floor=0.0):
    """Grid lines through `breaks` following the size field.

    `caps` is a list of (a, b, h): cells within [a, b] are at most h (a == b caps at a
    point).  The field grows by at most (growth - 1) per unit length away from caps.
    Each interval gets at least one cell; next to intervals thinner than `floor`
    the field starts from `floor`.
    """
    breaks = _merge(breaks)
    lengths = np.diff(breaks)
    # Cells follow ∫ dx / h = 1 each; with h = h0 + s x that makes every cell exp(s)
    # times its neighbour and the first one h0 (exp(s) - 1) / s long.  So s = ln(growth),
    # and point caps (powered faces) are lowered so that the first cell there is h0.
    slope = math.log(growth)
    start = slope / (growth - 1.0)
    caps = [(a, b, h * start if a == b else h) for a, b, h in caps]
    # the field at the breakpoints: neighbouring intervals, caps, cones from other points
    near = np.full(breaks.size, float(max_cell))
    near[:-1] = np.minimum(near[:-1], np.maximum(lengths, floor))
    near[1:] = np.minimum(near[1:], np.maximum(lengths, floor))
    hb = _grade(breaks, np.minimum(near, _cap_at(breaks, caps, max_cell)), slope)
    # samples that resolve the field: geometric from both ends of each interval
    samples = [breaks]
    for n in range(lengths.size):
        a, b, L = breaks[n], breaks[n + 1], lengths[n]
        for h0, sign, origin in ((hb[n], 1.0, a), (hb[n + 1], -1.0, b)):
            k = np.arange(1, 200)
            d = h0 * (growth ** k - 1.0) / (growth - 1.0) * 0.5
            d = d[d < L]
            samples.append(origin + sign * d)
        inner = min(max_cell, min((c[2] for c in caps if c[0] < b and c[1] > a), default=max_cell))
        m = int(min(np.ceil(2 * L / inner), 4096))
        samples.append(np.linspace(a, b, m + 1)[1:-1])
    s = np.unique(np.concatenate(samples))
    cap = _cap_at(s, caps, max_cell)
    idx = np.searchsorted(s, breaks)
    cap[idx] = np.minimum(cap[idx], near)
    h = _grade(s, cap, slope)
    lines = [breaks[:1]]
    for n in range(lengths.size):
        i0, i1 = idx[n], idx[n + 1]
        ss = s[i0:i1 + 1]
        inv = 1.0 / h[i0:i1 + 1]
        cum = np.concatenate(([0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(ss))))
        cells = max(1, math.ceil(cum[-1] - 1e-6))
        targets = np.linspace(0.0, cum[-1], cells + 1)[1:]
        pos = np.interp(targets, cum, ss)
        pos[-1] = breaks[n + 1]
        lines.append(pos)
    return np.concatenate(lines)


def _grade(s, cap, slope):
    """Min over samples of cap_j + slope |s - s_j| (two sweeps)."""
    from ._kernels import grade

    return grade(np.ascontiguousarray(s), np.ascontiguousarray(cap), float(slope))


def build_grid(model, resolution=None) -> Grid:
    """The grid of a solid model.

    Parameters
    ----------
    model : SolidModel
    resolution : Resolution, float, str or mapping, optional
        See :class:`Resolution`; a single value is the largest in-plane cell (µm).

    Returns
    -------
    Grid
    """
    res = Resolution.coerce(resolution)
    boxes = model.boxes
    lo = np.array([min(b.min[a] for b in boxes) for a in range(3)])
    hi = np.array([max(b.max[a] for b in boxes) for a in range(3)])
    body = [b for b in boxes if b.role != "board"] or list(boxes)
    plo = np.array([min(b.min[a] for b in body) for a in range(2)])
    phi = np.array([max(b.max[a] for b in body) for a in range(2)])
    given = res.max_cell if res.max_cell is not None else (None, None, None)
    pext = max(phi[0] - plo[0], phi[1] - plo[1])
    inside = [(g if g is not None else pext / 40) / res.refine for g in given[:2]]
    outside = [max(inside[a], max(hi[0] - lo[0], hi[1] - lo[1]) / 40 / res.refine) for a in range(2)]
    zcell = (given[2] if given[2] is not None else (hi[2] - lo[2]) / 20) / res.refine
    floor = [res.min_cell if res.min_cell is not None else inside[a] / 8 for a in range(2)] + [0.0]
    max_cell = [outside[0], outside[1], zcell]
    breaks = [[lo[a], hi[a]] + [b.min[a] for b in boxes] + [b.max[a] for b in boxes] for a in range(3)]
    caps: list[list] = [[(plo[a], phi[a], inside[a])] for a in range(2)] + [[]]
    dies = [b for b in boxes if b.power > 0 and b.role == "die"]
    powered = dies or [b for b in boxes if b.power > 0]
    per_source = res.source_cells * res.refine
    for b in powered:
        size = min(b.max[0] - b.min[0], b.max[1] - b.min[1])
        for a in (0, 1):
            caps[a].append((b.min[a], b.max[a], size / per_source))
    for b in (b for b in boxes if b.power > 0):
        t = b.max[2] - b.min[2]
        if b.power_on == "top":
            caps[2].append((b.max[2], b.max[2], res.powered_face * t / res.refine))
        elif b.power_on == "bottom":
            caps[2].append((b.min[2], b.min[2], res.powered_face * t / res.refine))
    growth = (res.growth, res.growth, res.growth_z)
    for _ in range(2 if res.max_aspect else 1):
        lines = [_axis_lines(breaks[a], caps[a], max_cell[a], growth[a], floor[a]) for a in range(3)]
        if res.max_aspect:
            smallest = [np.diff(v).min() for v in lines]
            for a in range(3):
                others = min(smallest[b] for b in range(3) if b != a)
                max_cell[a] = min(max_cell[a], res.max_aspect * others)
    total = math.prod(v.size - 1 for v in lines)
    if total > res.max_total:
        dims = " x ".join(str(v.size - 1) for v in lines)
        raise DesignError(f"the grid would have {total:,} cells ({dims}), "
                          f"more than {res.max_total:,}: give a coarser resolution (max_cell)",
                          "resolution")
    return Grid(*lines)
