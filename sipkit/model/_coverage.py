"""Area coverage of a polygon set on a rectilinear grid (exact, by Green's theorem).

The geometry is turned into arrays of oriented ring edges (exteriors counter-clockwise,
holes clockwise) and :mod:`._coverage_kernels` integrates them cell by cell.  The cost
is linear in the number of edges plus the grid lines they cross, and does not depend on
how many cells lie inside or outside the geometry.
"""

from __future__ import annotations

import numpy as np

from ._coverage_kernels import _edge_area_kernel

__all__ = ["polygon_coverage", "ring_edges"]

#: Raw fractions further than this outside [0, 1] mean the input overlaps itself.
_OVERLAP_TOL = 1e-6

_MULTI = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection
_POLYGON = 3


def ring_edges(geom) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the polygon rings of `geom`, exteriors counter-clockwise and holes clockwise.

    Parameters
    ----------
    geom : shapely geometry
        Polygon, MultiPolygon or GeometryCollection (nested collections allowed);
        points and lines are ignored (no area).

    Returns
    -------
    x0, y0, x1, y1 : ndarray of float64
        Each edge runs from (x0, y0) to (x1, y1), with the polygon on its left.
    """
    import shapely

    parts = np.asarray(shapely.get_parts(geom))
    while parts.size and np.isin(shapely.get_type_id(parts), _MULTI).any():
        parts = np.asarray(shapely.get_parts(parts))
    polys = parts[shapely.get_type_id(parts) == _POLYGON]
    polys = shapely.orient_polygons(polys, exterior_cw=False)
    coords, ring = shapely.get_coordinates(shapely.get_rings(polys), return_index=True)
    same = ring[1:] == ring[:-1]  # consecutive vertices of one (closed) ring
    head, tail = coords[:-1][same], coords[1:][same]
    return (np.ascontiguousarray(head[:, 0]), np.ascontiguousarray(head[:, 1]),
            np.ascontiguousarray(tail[:, 0]), np.ascontiguousarray(tail[:, 1]))


def _edges(values, name: str) -> np.ndarray:
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
        ``shapely.union_all``; may extend beyond the grid.
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
    xe = _edges(x_edges, "x_edges")
    ye = _edges(y_edges, "y_edges")
    x0, y0, x1, y1 = ring_edges(geom)
    if not (np.all(np.isfinite(x0)) and np.all(np.isfinite(y0))):
        raise ValueError("geometry has non-finite coordinates")
    area = _edge_area_kernel(x0, y0, x1, y1, xe, ye)
    frac = area / np.outer(np.diff(ye), np.diff(xe))
    if frac.size and (frac.min() < -_OVERLAP_TOL or frac.max() > 1 + _OVERLAP_TOL):
        raise ValueError("coverage outside [0, 1]: the geometry overlaps itself or is invalid; "
                         "merge it first (shapely.union_all or make_valid)")
    return np.clip(frac, 0.0, 1.0)
