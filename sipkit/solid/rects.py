"""Rectangles covering a polygon footprint (for turning bodies into cuboids).

A rectilinear polygon (all edges along x or y, holes allowed) is split exactly:
the cells of the grid through its vertices are kept where their centre lies inside,
runs along x are merged, and equal runs in consecutive rows are merged into one
rectangle.  Other polygons (slanted edges, round shapes) are rasterised on a grid of
about `resolution` µm, keeping cells at least half covered, so the area is kept to
within one cell row along the boundary.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rectangles"]


def _is_rectilinear(poly) -> bool:
    import shapely

    for ring in (poly.exterior, *poly.interiors):
        xy = shapely.get_coordinates(ring)
        d = np.diff(xy, axis=0)
        if np.any((np.abs(d[:, 0]) > 1e-9) & (np.abs(d[:, 1]) > 1e-9)):
            return False
    return True


def _merge(occupied, xs, ys):
    """Rectangles from a boolean occupancy table (rows along y) on edges xs, ys."""
    out = []
    open_runs: dict[tuple[int, int], int] = {}  # (i0, i1) -> starting row
    ny = occupied.shape[0]
    for j in range(ny + 1):
        runs = set()
        if j < ny:
            row = occupied[j]
            i = 0
            n = row.size
            while i < n:
                if row[i]:
                    k = i
                    while k < n and row[k]:
                        k += 1
                    runs.add((i, k))
                    i = k
                else:
                    i += 1
        for run in list(open_runs):
            if run not in runs:
                j0 = open_runs.pop(run)
                out.append((float(xs[run[0]]), float(ys[j0]), float(xs[run[1]]), float(ys[j])))
        for run in runs:
            open_runs.setdefault(run, j)
    return out


def rectangles(geom, resolution: float | None = None) -> list[tuple[float, float, float, float]]:
    """Axis-aligned rectangles (x0, y0, x1, y1) covering `geom` (a shapely polygon).

    Parameters
    ----------
    geom : shapely Polygon or MultiPolygon
    resolution : float, optional
        Raster size (µm) for non-rectilinear shapes; 1/64 of the larger bounding
        box side by default.

    Examples
    --------
    >>> import shapely
    >>> rectangles(shapely.box(0, 0, 2, 1))
    [(0.0, 0.0, 2.0, 1.0)]
    >>> len(rectangles(shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])))
    2
    """
    import shapely

    if geom.is_empty:
        return []
    polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    out = []
    for poly in polys:
        if poly.is_empty or poly.area <= 0:
            continue
        if _is_rectilinear(poly):
            xy = shapely.get_coordinates(poly)
            xs = np.unique(xy[:, 0])
            ys = np.unique(xy[:, 1])
            cx = 0.5 * (xs[1:] + xs[:-1])
            cy = 0.5 * (ys[1:] + ys[:-1])
            gx, gy = np.meshgrid(cx, cy)
            inside = shapely.contains_xy(poly, gx, gy)
            out += _merge(inside, xs, ys)
        else:
            from ..model.geometry import polygon_coverage

            x0, y0, x1, y1 = poly.bounds
            step = resolution or max(x1 - x0, y1 - y0) / 64
            nx = max(1, int(np.ceil((x1 - x0) / step)))
            ny = max(1, int(np.ceil((y1 - y0) / step)))
            xs = np.linspace(x0, x1, nx + 1)
            ys = np.linspace(y0, y1, ny + 1)
            frac = polygon_coverage(poly, xs, ys)
            out += _merge(frac >= 0.5, xs, ys)
    return out
