"""Plotting a DRC report: layer outlines with the violation markers on top."""

from __future__ import annotations

import itertools

import numpy as np

from .layers import DBU

__all__ = ["plot_report"]


def plot_report(report, ax=None, layers=None, max_markers: int = 20000):
    """Draw the merged layers' edges (thin) and the markers (red) on matplotlib axes."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Polygon, Rectangle

    if ax is None:
        _, ax = plt.subplots()
    names = list(report.layout) if layers is None else list(layers)
    cmap = plt.get_cmap("tab10")
    for k, name in enumerate(names):
        la = report.layout.get(name)
        if la is None or not la.n_edges:
            continue
        seg = np.stack((np.column_stack((la.x1, la.y1)), np.column_stack((la.x2, la.y2))), axis=1) * DBU
        ax.add_collection(LineCollection(seg, linewidths=0.5, colors=[cmap(k % 10)], label=name))
    segs = []
    for v in list(report)[:max_markers]:
        kind, geom = v.marker
        if kind == "edge_pair":
            (a, b) = geom
            segs += [((a[0], a[1]), (a[2], a[3])), ((b[0], b[1]), (b[2], b[3]))]
            segs += [((a[0], a[1]), (b[2], b[3])), ((a[2], a[3]), (b[0], b[1]))]
        elif kind == "polygon":
            ax.add_patch(Polygon(geom, closed=True, fill=False, edgecolor="red", linewidth=1.0))
        elif kind == "path":
            segs += list(itertools.pairwise(geom))
        else:
            x0, y0, x1, y1 = v.bbox
            ax.add_patch(Rectangle((x0, y0), max(x1 - x0, 1.0), max(y1 - y0, 1.0), fill=False,
                                   edgecolor="red", linewidth=1.0))
    if segs:
        ax.add_collection(LineCollection(segs, linewidths=1.5, colors="red", label="violations"))
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.set_title(f"DRC {report.design}: {len(report)} violation(s)")
    return ax
