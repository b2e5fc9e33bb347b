"""Per-tile metal coverage of a box: routing layers, via fields and bump layers.

A box with tiles is a mixture of a *matrix* material (the box's own material, e.g. the
dielectric between traces, or the underfill between bumps) and a *metal* whose area
fraction varies over the box's footprint but not through its thickness.  Two
fractions describe a tile:

``fraction`` (f)
    Metal area fraction of the tile: traces, planes, pads, via barrels, bumps.
``column`` (c ≤ f)
    The part of f that runs through the box's whole thickness as vertical columns
    (via barrels, bumps, pillars) and lines up with columns above and below.

Engines ask a tile source for both fractions on their own grid with
:meth:`Tiles.fractions`.  :class:`TileMap` stores them as arrays on its own tile grid
(the form a solid-model file holds); :class:`GeometryTiles` computes them exactly
from shapely geometry on any grid (the form a package lowers to).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DesignError

__all__ = ["GeometryTiles", "TileMap", "Tiles", "overlap_matrix"]


class Tiles:
    """Interface of a tile source: metal name and fractions on a grid."""

    metal: str

    def fractions(self, x_edges, y_edges) -> tuple[np.ndarray, np.ndarray]:
        """Metal fraction f and column fraction c of each cell, shape (ny, nx) each."""
        raise NotImplementedError

    def tile_map(self, x_edges, y_edges) -> TileMap:
        """These tiles evaluated on the grid `x_edges` × `y_edges` (µm) as a TileMap."""
        f, c = self.fractions(x_edges, y_edges)
        return TileMap(self.metal, x_edges, y_edges, f, c)


def overlap_matrix(fine_edges, coarse_edges) -> np.ndarray:
    """W[I, i] = length of fine interval i inside coarse interval I / length of I.

    Parameters
    ----------
    fine_edges, coarse_edges : array_like
        Increasing interval edges (any units, same for both).

    Examples
    --------
    >>> overlap_matrix([0, 1, 2], [0, 2])
    array([[0.5, 0.5]])
    """
    fe = np.asarray(fine_edges, dtype=float)
    ce = np.asarray(coarse_edges, dtype=float)
    lo = np.maximum(ce[:-1, None], fe[None, :-1])
    hi = np.minimum(ce[1:, None], fe[None, 1:])
    return np.clip(hi - lo, 0.0, None) / np.diff(ce)[:, None]


def _edges(values, name: str) -> np.ndarray:
    e = np.array(values, dtype=float).ravel()
    if e.size < 2 or not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0):
        raise DesignError("expected at least two strictly increasing tile edges", name)
    return e


@dataclass(frozen=True, eq=False)
class TileMap(Tiles):
    """Metal and column fractions stored on a rectilinear tile grid.

    Parameters
    ----------
    metal : str
        Material of the metal (copper of the traces, vias or bumps).
    x, y : array_like
        Tile edges (µm), lengths nx + 1 and ny + 1.
    fraction : array_like, shape (ny, nx)
        Metal area fraction per tile, in [0, 1]; row j lies between y[j] and y[j + 1].
    column : array_like, shape (ny, nx), optional
        Through-going column fraction per tile, 0 ≤ column ≤ fraction.

    Notes
    -----
    Cells of another grid get the area-weighted mean of the tiles they overlap (exact
    when each cell is a union of tiles); outside the map the fractions are zero.
    """

    metal: str
    x: np.ndarray
    y: np.ndarray
    fraction: np.ndarray
    column: np.ndarray | None = None

    def __post_init__(self):
        if not isinstance(self.metal, str) or not self.metal.strip():
            raise DesignError(f"expected a material name, got {self.metal!r}", "metal")
        x = _edges(self.x, "x")
        y = _edges(self.y, "y")
        shape = (y.size - 1, x.size - 1)
        arrays = {}
        for key in ("fraction", "column"):
            value = getattr(self, key)
            if value is None:
                arrays[key] = np.zeros(shape) if key == "column" else None
                continue
            try:
                a = np.array(value, dtype=float)
            except (TypeError, ValueError):
                raise DesignError("expected a table of numbers (rows along y)", key) from None
            if a.shape != shape:
                raise DesignError(f"expected {shape[0]} rows of {shape[1]} values (one per tile), "
                                  f"got shape {a.shape}", key)
            if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
                raise DesignError("fractions must lie in [0, 1]", key)
            arrays[key] = a
        if arrays["fraction"] is None:
            raise DesignError("missing required field 'fraction'", "fraction")
        if np.any(arrays["column"] > arrays["fraction"] + 1e-12):
            raise DesignError("the column fraction cannot exceed the metal fraction", "column")
        for name, value in (("x", x), ("y", y), ("fraction", arrays["fraction"]),
                            ("column", arrays["column"])):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    def __eq__(self, other):
        if not isinstance(other, TileMap):
            return NotImplemented
        return (self.metal == other.metal and np.array_equal(self.x, other.x)
                and np.array_equal(self.y, other.y) and np.array_equal(self.fraction, other.fraction)
                and np.array_equal(self.column, other.column))

    __hash__ = None

    def fractions(self, x_edges, y_edges):
        """Area-weighted fractions on the grid `x_edges` × `y_edges` (µm)."""
        wx = overlap_matrix(self.x, x_edges)
        wy = overlap_matrix(self.y, y_edges)
        return wy @ self.fraction @ wx.T, wy @ self.column @ wx.T

    def to_data(self, length_scale: float = 1.0) -> dict:
        """Plain data for a file; lengths divided by `length_scale` (1 for µm)."""
        out = {"metal": self.metal, "x": [float(v) / length_scale for v in self.x],
               "y": [float(v) / length_scale for v in self.y],
               "fraction": self.fraction.tolist()}
        if np.any(self.column):
            out["column"] = self.column.tolist()
        return out


@dataclass(frozen=True, eq=False)
class GeometryTiles(Tiles):
    """Fractions computed exactly from shapely geometry on any grid.

    Parameters
    ----------
    metal : str
    geometry : shapely geometry or None
        All metal of the box (merged, non-overlapping polygons).
    columns : shapely geometry or None
        The through-going part of it (via barrels, bumps); polygons must not overlap.
    coverage : callable, optional
        ``coverage(x_edges, y_edges) -> (ny, nx)`` giving the metal fraction instead
        of `geometry` (e.g. ``Package.coverage_grid`` bound to a layer).
    """

    metal: str
    geometry: object = None
    columns: object = None
    coverage: object = None

    def fractions(self, x_edges, y_edges):
        """Exact fractions on the grid `x_edges` × `y_edges` (µm)."""
        from ..model.geometry import polygon_coverage

        xe = np.ascontiguousarray(x_edges, dtype=float)
        ye = np.ascontiguousarray(y_edges, dtype=float)
        shape = (ye.size - 1, xe.size - 1)
        c = np.zeros(shape) if self.columns is None else polygon_coverage(self.columns, xe, ye)
        if self.coverage is not None:
            f = self.coverage(xe, ye)
        elif self.geometry is not None:
            f = polygon_coverage(self.geometry, xe, ye)
        else:
            f = c.copy()
        return np.maximum(f, c), c
