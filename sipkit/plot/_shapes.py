"""Shapely geometry to matplotlib paths, and cuts of geometry along a line.

Everything here works on whole arrays (shapely's vectorised functions) so that a layer
with thousands of traces becomes matplotlib paths in milliseconds.  Coordinates come
in µm and leave scaled by ``scale`` (``1e-3`` for the mm of the plots).
"""

from __future__ import annotations

import numpy as np

MM = 1e-3  # µm -> mm


def polygon_parts(geom):
    """The polygons of any shapely geometry (parts of multi-geometries and collections)."""
    import shapely

    if geom is None or geom.is_empty:
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(geom)
    # a GeometryCollection may nest multi-polygons; flatten once more
    if np.any(shapely.get_type_id(parts) == 6):
        parts = shapely.get_parts(parts)
    return parts[shapely.get_type_id(parts) == 3]


def _oriented(polys):
    """Exteriors counter-clockwise, holes clockwise (matplotlib fills by winding number)."""
    import shapely

    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1
        return shapely.orient_polygons(polys)
    from shapely.geometry.polygon import orient

    return np.array([orient(p, 1.0) for p in polys], dtype=object)


def polygon_paths(geom, scale: float = MM) -> list:
    """One matplotlib Path per polygon of `geom`, holes included, coordinates × `scale`."""
    import shapely
    from matplotlib.path import Path

    polys = polygon_parts(geom)
    if len(polys) == 0:
        return []
    polys = _oriented(polys)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    coords = coords * scale
    n = len(coords)
    codes = np.full(n, Path.LINETO, dtype=Path.code_type)
    starts = np.flatnonzero(np.r_[True, coord_ring[1:] != coord_ring[:-1]])
    ends = np.r_[starts[1:] - 1, n - 1]
    codes[starts] = Path.MOVETO
    codes[ends] = Path.CLOSEPOLY
    coord_poly = ring_poly[coord_ring]
    cuts = np.flatnonzero(coord_poly[1:] != coord_poly[:-1]) + 1
    return [Path(v, c) for v, c in zip(np.split(coords, cuts), np.split(codes, cuts), strict=True)]


def path_area(path) -> float:
    """Signed-sum area of a compound path (exteriors counter-clockwise count positive)."""
    total = 0.0
    for poly in path.to_polygons(closed_only=True):
        x, y = poly[:, 0], poly[:, 1]
        total += 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return total


def cut_line(axis: str, at: float, lo: float, hi: float):
    """The horizontal (axis "x": y = at) or vertical (axis "y": x = at) line from lo to hi."""
    import shapely

    if axis == "x":
        return shapely.LineString([(lo, at), (hi, at)])
    return shapely.LineString([(at, lo), (at, hi)])


def line_intervals(geom, axis: str) -> list[tuple[float, float]]:
    """The (start, end) intervals along `axis` of the line pieces in `geom`, sorted.

    Points (where a cut only touches a shape) are dropped; touching pieces are merged.
    """
    import shapely

    if geom is None or geom.is_empty:
        return []
    parts = shapely.get_parts(geom)
    if np.any(shapely.get_type_id(parts) == 7):
        parts = shapely.get_parts(parts)
    parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    if len(parts) == 0:
        return []
    b = shapely.bounds(parts)
    lo, hi = (b[:, 0], b[:, 2]) if axis == "x" else (b[:, 1], b[:, 3])
    keep = hi > lo
    pairs = sorted(zip(lo[keep].tolist(), hi[keep].tolist(), strict=True))
    merged: list[tuple[float, float]] = []
    for a, c in pairs:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], c))
        else:
            merged.append((a, c))
    return merged
