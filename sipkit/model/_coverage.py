"""Area coverage of a polygon set on a rectilinear grid."""

from __future__ import annotations

import numpy as np

__all__ = ["polygon_coverage"]


def polygon_coverage(geom, x_edges: np.ndarray, y_edges: np.ndarray) -> np.ndarray:
    """Area fraction of `geom` (merged, non-overlapping) in each grid cell, shape (ny, nx)."""
    import shapely

    nx, ny = len(x_edges) - 1, len(y_edges) - 1
    out = np.zeros((ny, nx))
    if geom.is_empty:
        return out
    for j in range(ny):
        strip = shapely.clip_by_rect(geom, x_edges[0], y_edges[j], x_edges[-1], y_edges[j + 1])
        if strip.is_empty:
            continue
        cells = shapely.box(x_edges[:-1], y_edges[j], x_edges[1:], y_edges[j + 1])
        out[j] = shapely.area(shapely.intersection(strip, cells))
    areas = np.outer(np.diff(y_edges), np.diff(x_edges))
    return out / areas
