"""Area coverage of a polygon set on a rectilinear grid (exact, by Green's theorem).

The geometry is turned into arrays of ring vertices with an orientation sign per ring
and :mod:`._coverage_kernels` integrates their edges cell by cell.  The cost is linear
in the number of edges plus the grid lines they cross, whatever the number of cells
inside or outside the geometry.
"""

from __future__ import annotations

import numpy as np

from ._coverage_kernels import _coverage_kernel

__all__ = ["polygon_coverage"]

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
