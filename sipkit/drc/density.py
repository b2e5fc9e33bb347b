"""Copper density in sliding windows, and the density balance of mirrored layers.

Windows are squares of side ``window`` stepped by ``step`` over the bounding box of the
substrate outline (the ``OUTLINE`` layer of a layout, or the copper's own bounding box
when there is none); where the steps do not end on the far edge one more window is
placed flush with it, so every point lies in some window.  The density of a window is
the copper area in it over the area of the outline in it (the window area for a
rectangular outline); windows outside the outline are left out.

Areas are exact: the copper's merged boundary edges are integrated over a grid whose
lines are every window's edges (Green's theorem, the kernel of
:func:`sipkit.model.coverage_grid`), and each window sums its cells with a 2-D prefix
sum, so the cost is linear in the number of edges plus grid cells.
"""

from __future__ import annotations

import numpy as np

from ..model.geometry import ring_coverage
from .layers import DBU, MergedLayer
from .report import Violation

__all__ = ["density_balance_rule", "density_rule", "mirrored_pairs", "window_densities", "windows"]


def windows(lo: float, hi: float, size: float, step: float) -> np.ndarray:
    """Window start positions (µm) covering [lo, hi]; one window of the whole span if it is shorter."""
    span = hi - lo
    if size >= span:
        return np.array([lo])
    n = int(np.floor((span - size) / step + 1e-9)) + 1
    starts = lo + step * np.arange(n)
    if starts[-1] + size < hi - 1e-9:
        starts = np.append(starts, hi - size)
    return starts


def _cell_areas(layer: MergedLayer, xe: np.ndarray, ye: np.ndarray) -> np.ndarray:
    """Area (µm²) of the layer in each cell of the grid with edges xe, ye (µm); shape (ny, nx)."""
    m = layer.n_edges
    if m == 0:
        return np.zeros((ye.size - 1, xe.size - 1))
    x = np.empty(2 * m)
    y = np.empty(2 * m)
    x[0::2] = layer.x1 * DBU
    x[1::2] = layer.x2 * DBU
    y[0::2] = layer.y1 * DBU
    y[1::2] = layer.y2 * DBU
    starts = np.arange(0, 2 * m + 1, 2, dtype=np.int64)
    # boundary edges have the copper on their right: sign -1 in the kernel's convention
    frac = ring_coverage(x, y, starts, -np.ones(m), xe, ye)
    return frac * np.outer(np.diff(ye), np.diff(xe))


def window_densities(layers, region, size: float, step: float | None = None):
    """Copper density (%) of each layer in each window.

    Parameters
    ----------
    layers : list of MergedLayer
    region : MergedLayer or tuple
        The substrate outline as a merged layer, or a box (x0, y0, x1, y1) in µm.
    size, step : float
        Window side and step (µm); the step is half the side by default.

    Returns
    -------
    boxes : ndarray, shape (n, 4)
        Windows (x0, y0, x1, y1), µm.
    density : ndarray, shape (len(layers), n)
        Copper area over outline area in each window, percent.
    """
    step = size / 2 if step is None else step
    if isinstance(region, MergedLayer):
        box = region.bbox()
        outline = region
    else:
        box = tuple(float(v) for v in region)
        outline = None
    x0, y0, x1, y1 = box
    xs = windows(x0, x1, size, step)
    ys = windows(y0, y1, size, step)
    wx = min(size, x1 - x0)
    wy = min(size, y1 - y0)
    xe = np.unique(np.concatenate((xs, xs + wx)))
    ye = np.unique(np.concatenate((ys, ys + wy)))

    def window_sums(cells):
        pre = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1))
        pre[1:, 1:] = cells.cumsum(0).cumsum(1)
        i0 = np.searchsorted(xe, xs)
        i1 = np.searchsorted(xe, xs + wx)
        j0 = np.searchsorted(ye, ys)
        j1 = np.searchsorted(ye, ys + wy)
        J0, I0 = np.meshgrid(j0, i0, indexing="ij")
        J1, I1 = np.meshgrid(j1, i1, indexing="ij")
        return (pre[J1, I1] - pre[J0, I1] - pre[J1, I0] + pre[J0, I0]).ravel()

    wy0, wx0 = np.meshgrid(ys, xs, indexing="ij")  # window corners, row by row as window_sums
    wx0 = wx0.ravel()
    wy0 = wy0.ravel()
    boxes = np.column_stack((wx0, wy0, wx0 + wx, wy0 + wy))
    if outline is not None:
        base = window_sums(_cell_areas(outline, xe, ye))
    else:
        base = np.full(len(boxes), wx * wy)
    keep = base > 1e-9 * wx * wy
    dens = np.array([window_sums(_cell_areas(la, xe, ye))[keep] / base[keep] * 100.0 for la in layers])
    # to 1e-9 %: an area exactly at a limit compares as exactly the limit
    return boxes[keep], np.round(dens.reshape(len(layers), -1), 9)


def density_rule(rule, layer: MergedLayer, region) -> list[Violation]:
    """Windows whose copper density is below rule.min or above rule.max (percent)."""
    boxes, dens = window_densities([layer], region, rule.window, rule.step)
    d = dens[0]
    bad = np.zeros(d.size, bool)
    if rule.min is not None:
        bad |= d < rule.min
    if rule.max is not None:
        bad |= d > rule.max
    out = []
    for k in np.nonzero(bad)[0].tolist():
        box = tuple(float(v) for v in boxes[k])
        low = rule.min is not None and d[k] < rule.min
        out.append(Violation(rule.id, rule.check, (layer.name,), (), round(float(d[k]), 4), rule.limit_text,
                             ("box", box), box, rule.severity,
                             f"copper density {'below' if low else 'above'} the limit"))
    return out


def mirrored_pairs(pkg) -> list[tuple[str, str]]:
    """Conductor layers mirrored about the core, nearest the core first.

    With a ``core`` layer in the stack-up, the k-th conductor above it pairs with the
    k-th below it; without one the stack-up is folded in the middle (first with last).
    """
    stack = pkg.substrate.stackup
    cores = [i for i, la in enumerate(stack) if la.kind == "core"]
    conductors = [(i, la.name) for i, la in enumerate(stack) if la.is_conductor]
    if cores:
        lo, hi = min(cores), max(cores)
        above = [n for i, n in reversed(conductors) if i < lo]
        below = [n for i, n in conductors if i > hi]
        return list(zip(above, below, strict=False))
    names = [n for _, n in conductors]
    return [(names[i], names[-1 - i]) for i in range(len(names) // 2)][::-1]


def density_balance_rule(rule, pairs, layers: dict, region) -> list[Violation]:
    """Windows where two mirrored layers' densities differ by more than rule.max points.

    Without a window the whole substrate is one window.
    """
    out = []
    for a, b in pairs:
        if rule.window is not None:
            boxes, dens = window_densities([layers[a], layers[b]], region, rule.window, rule.step)
        else:
            box = region.bbox() if isinstance(region, MergedLayer) else region
            size = max(box[2] - box[0], box[3] - box[1])
            boxes, dens = window_densities([layers[a], layers[b]], region, size, size)
        diff = np.abs(dens[0] - dens[1])
        for k in np.nonzero(diff > rule.max)[0].tolist():
            box = tuple(float(v) for v in boxes[k])
            out.append(Violation(rule.id, rule.check, (a, b), (), round(float(diff[k]), 4), rule.limit_text,
                                 ("box", box), box, rule.severity,
                                 f"{a} {dens[0][k]:.1f} % vs {b} {dens[1][k]:.1f} %"))
    return out
