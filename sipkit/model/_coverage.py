"""Area coverage of polygons on a rectilinear grid, exact to round-off.

:func:`polygon_coverage` takes merged, non-overlapping polygons: their rings become
vertex arrays with an orientation sign per ring and :mod:`._coverage_kernels`
integrates the edges cell by cell (Green's theorem).  The cost is linear in the number
of edges plus the grid lines they cross, whatever the number of cells inside or
outside the geometry.

:func:`union_coverage` takes rings that may overlap (a layer's unmerged copper) and
gives the coverage of their union without merging them (:mod:`._union_kernels`).
"""

from __future__ import annotations

import numpy as np

from ._coverage_kernels import _coverage_kernel

__all__ = ["polygon_coverage", "union_coverage"]

#: Raw fractions further than this outside [0, 1] mean the input overlaps itself.
_OVERLAP_TOL = 1e-6

_MULTI = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection
_POLYGON = 3


def _rings(geom):
    """Ring vertices of the polygons in `geom` as kernel arrays.

    Returns x, y (float64, each ring closed), ring_start (int64, ring k is
    ``ring_start[k]:ring_start[k + 1]``) and ring_sign (float64, +1 where the polygon
    lies left of the ring: exteriors counter-clockwise, holes clockwise; -1 otherwise).
    Points and lines have no area and are left out.
    """
    import shapely

    parts = np.asarray(shapely.get_parts(geom))
    while parts.size and np.isin(shapely.get_type_id(parts), _MULTI).any():
        parts = np.asarray(shapely.get_parts(parts))
    polys = parts[shapely.get_type_id(parts) == _POLYGON]
    rings, owner = shapely.get_rings(polys, return_index=True)
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = owner[1:] != owner[:-1]  # the first ring of each polygon
    ring_sign = np.where(shapely.is_ccw(rings) == exterior, 1.0, -1.0)
    ring_start = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(shapely.get_num_coordinates(rings), out=ring_start[1:])
    xy = shapely.get_coordinates(rings)
    return (np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), ring_start,
            np.ascontiguousarray(ring_sign))


def _grid_edges(values, name: str) -> np.ndarray:
    e = np.ascontiguousarray(values, dtype=np.float64)
    if e.ndim != 1 or e.size < 2:
        raise ValueError(f"{name} must be 1-D with at least two values (one cell), got shape {e.shape}")
    if not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0):
        raise ValueError(f"{name} must be finite and strictly increasing")
    return e


def polygon_coverage(geom, x_edges, y_edges) -> np.ndarray:
    """Area fraction of `geom` in each cell of a rectilinear grid, exact to round-off.

    Parameters
    ----------
    geom : shapely geometry
        Merged, non-overlapping polygons (with holes), e.g. the result of
        ``shapely.union_all``; a Polygon, MultiPolygon or GeometryCollection (points and
        lines in it are ignored).  It may extend beyond the grid.
    x_edges, y_edges : array_like
        Strictly increasing cell edges, lengths nx + 1 and ny + 1 (any spacing).

    Returns
    -------
    ndarray, shape (ny, nx)
        Fraction of each cell covered, in [0, 1]; row j lies between ``y_edges[j]``
        and ``y_edges[j + 1]``.

    Raises
    ------
    ValueError
        Bad grid edges, non-finite coordinates, or overlapping input (fractions
        beyond [0, 1] by more than round-off).

    Examples
    --------
    >>> import shapely
    >>> polygon_coverage(shapely.box(0, 0, 1.5, 1), [0, 1, 2], [0, 1])
    array([[1. , 0.5]])
    """
    xe = _grid_edges(x_edges, "x_edges")
    ye = _grid_edges(y_edges, "y_edges")
    x, y, ring_start, ring_sign = _rings(geom)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("geometry has non-finite coordinates")
    frac = _coverage_kernel(x, y, ring_start, ring_sign, xe, ye)
    if frac.min() < -_OVERLAP_TOL or frac.max() > 1 + _OVERLAP_TOL:
        raise ValueError("coverage outside [0, 1]: the geometry overlaps itself or is invalid; "
                         "merge it first (shapely.union_all or shapely.make_valid)")
    return np.clip(frac, 0.0, 1.0, out=frac)


#: Strips of the union sweep are at most this many times the mean edge spacing tall.
_STRIP_FACTOR = 4.0
#: Order swaps of pieces smaller than this (relative to the coordinates) are not cut.
_SWAP_TOL = 1e-12


def _strip_lines(ye: np.ndarray, ylo: float, yhi: float, n_edges: int) -> tuple[np.ndarray, np.ndarray]:
    """Strip lines of the union sweep and the grid row of each strip.

    The grid rows, split evenly where they are much taller than the geometry's height
    over the square root of its edge count (so that few pieces lie over any slab).
    """
    ny = ye.size - 1
    if n_edges == 0 or not yhi > ylo:
        return ye, np.arange(ny)
    target = _STRIP_FACTOR * (yhi - ylo) / np.sqrt(n_edges)
    lo = np.maximum(ye[:-1], ylo)
    hi = np.minimum(ye[1:], yhi)
    parts = np.where(hi > lo, np.ceil((hi - lo) / target), 1.0)
    parts = np.clip(parts, 1, 4096).astype(np.int64)
    if np.all(parts == 1):
        return ye, np.arange(ny)
    lines = [ye[:1]]
    for j in range(ny):
        m = parts[j]
        if m == 1:
            lines.append(ye[j + 1:j + 2])
        else:
            # the covered part of the row split evenly, the rest left whole
            inner = np.linspace(lo[j], hi[j], m + 1)
            cuts = np.concatenate((inner, ye[j + 1:j + 2]))
            cuts = cuts[(cuts > ye[j]) & (cuts <= ye[j + 1])]
            lines.append(np.unique(cuts))
    ys = np.concatenate(lines)
    row = np.searchsorted(ye, ys[:-1], side="right") - 1
    return ys, row


#: Fewest pieces and crossings per thread worth sweeping strips in parallel.
_THREAD_WORK = 20000


def _run_strips(fn, work: np.ndarray) -> None:
    """Call ``fn(s0, s1)`` over runs of strips of about equal `work`, on numba's threads when it pays."""
    import numba

    ns = work.size
    total = int(work.sum())
    n_threads = max(1, min(numba.get_num_threads(), total // _THREAD_WORK))
    if n_threads == 1 or ns < 2:
        fn(0, ns)
        return
    from concurrent.futures import ThreadPoolExecutor

    k = min(ns, 4 * n_threads)
    cum = np.cumsum(work)
    bounds = np.unique(np.r_[0, np.searchsorted(cum, total * np.arange(1, k) / k), ns])
    with ThreadPoolExecutor(n_threads) as pool:
        list(pool.map(lambda i: fn(int(bounds[i]), int(bounds[i + 1])), range(bounds.size - 1)))


def union_coverage(x, y, ring_start, ring_sign, x_edges, y_edges) -> np.ndarray:
    """Area fraction of the union of rings in each cell of a rectilinear grid, exact to round-off.

    Parameters
    ----------
    x, y : array_like
        Ring vertices (µm): ring ``k`` is ``x[ring_start[k]:ring_start[k + 1]]``,
        closed implicitly (a repeated first point is fine), in either orientation.
    ring_start : array_like of int
        Ring offsets, length n_rings + 1.
    ring_sign : array_like
        +1 for rings that add copper, -1 for holes given as rings of their own (a
        hole cancels its hull where it lies inside it).
    x_edges, y_edges : array_like
        Strictly increasing cell edges, lengths nx + 1 and ny + 1.

    Returns
    -------
    ndarray, shape (ny, nx)
        Fraction of each cell where the signed winding number of the rings is positive:
        rings may overlap, touch or coincide, and overlaps count once.

    Examples
    --------
    >>> x = [0, 2, 2, 0, 1, 3, 3, 1]
    >>> y = [0, 0, 1, 1, 0, 0, 1, 1]
    >>> union_coverage(x, y, [0, 4, 8], [1, 1], [0, 2, 4], [0, 1])
    array([[1. , 0.5]])
    """
    from . import _union_kernels as uk

    xe = _grid_edges(x_edges, "x_edges")
    ye = _grid_edges(y_edges, "y_edges")
    xs = np.ascontiguousarray(x, dtype=np.float64)
    ys_ = np.ascontiguousarray(y, dtype=np.float64)
    start = np.ascontiguousarray(ring_start, dtype=np.int64)
    sign = np.ascontiguousarray(ring_sign, dtype=np.float64)
    if xs.shape != ys_.shape or start.size != sign.size + 1 or (start.size and start[-1] != xs.size):
        raise ValueError("x and y must have one value per vertex and ring_start one more entry than "
                         "ring_sign, ending at the number of vertices")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys_))):
        raise ValueError("rings have non-finite coordinates")
    nx, ny = xe.size - 1, ye.size - 1
    if sign.size == 0:
        return np.zeros((ny, nx))
    ring_end = np.empty(sign.size, np.int64)
    weight = uk.ring_weights(xs, ys_, start, sign, ring_end)
    ys, row = _strip_lines(ye, float(ys_.min()), float(ys_.max()), xs.size)
    parts = uk.scatter(xs, ys_, start, ring_end, weight, xe[0], xe[-1], ys)
    scale = max(float(np.abs(xe).max()), float(np.abs(ys).max()), 1.0)
    area = np.zeros((ys.size - 1, nx))
    pofs, pend, cofs, cend = parts[1], parts[2], parts[8], parts[9]
    work = (pend - pofs[:-1]) + (cend - cofs[:-1]) + nx  # per strip
    _run_strips(lambda s0, s1: uk.sweep_strips(s0, s1, ys, xe, *parts, _SWAP_TOL * scale, area), work)
    if ys.size != ye.size:
        area = np.add.reduceat(area, np.flatnonzero(np.r_[True, row[1:] != row[:-1]]), axis=0)
    frac = area / np.outer(np.diff(ye), np.diff(xe))
    return np.clip(frac, 0.0, 1.0, out=frac)
