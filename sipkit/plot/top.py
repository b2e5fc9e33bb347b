"""Top (or bottom) view of a package: copper per layer, pads, components, bumps, wires."""

from __future__ import annotations

import numpy as np

from ..errors import DesignError
from ._common import (
    bump_nets,
    bump_positions,
    check_choice,
    chosen_layers,
    conductor_names,
    new_axes,
    pad_size,
    wire_ends,
)
from ._shapes import MM, polygon_paths
from .style import layer_colors

__all__ = ["plot_top"]

_COPPER_ALPHA = 0.55
_DIM = 0.15  # alpha of items outside the highlighted net
_FINGER = ("#e6b422", "#7a5a00")
_PAD = ("#e8cf7a", "#6b5200")
_BUMP = ("#9aa0a6", "#3c4043")
_WIRE, _WIRE_HI, _WIRE_DIM = "#8a6d00", "#d01c8b", "#9e9e9e"
_BODY = {  # face, alpha, edge, line width
    "die": ("#4b5d7e", 0.16, "#1b2a48", 1.3),
    "interposer": ("#7e57c2", 0.12, "#3f2a73", 1.3),
    "passive": ("#9c7a5b", 0.5, "#4a3520", 0.8),
}
_MAX_PASSIVE_LABELS = 60


def plot_top(pkg, ax=None, layers=None, side="top", show_components=True, show_wires=True,
             show_bumps=True, net=None, colors=None):
    """Draw the package seen from the top (or from the bottom) with matplotlib.

    Parameters
    ----------
    pkg : Package
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot-free Figure is made when omitted (show it in
        Jupyter with ``ax.figure``).
    layers : str or list of str, optional
        Conductor layers to draw (all by default), each as one collection of its
        merged copper, drawn from the far side of the substrate to the near side.
    side : {"top", "bottom"}
        Which side's components, bumps and wires to draw.  The bottom view is seen
        from below (the x axis runs right to left), like a BGA drawing's bottom
        view, and shows the lands.
    show_components, show_wires, show_bumps : bool
        Draw component outlines with their names, wire bonds and bumps.
    net : str, optional
        Only this net's copper is drawn; its wires, bumps, fingers and vias are
        highlighted and the others dimmed.
    colors : mapping of layer name to colour, optional
        Colours replacing the default layer colours.

    Returns
    -------
    matplotlib.axes.Axes
        Axes in mm.  Artists carry a ``gid``: ``layer:<name>`` for the copper of a
        layer, ``component:<name>``, ``bumps:<name>``, ``pads:<name>``, ``wires``,
        ``fingers``, ``vias``, ``lands``, ``outline``, ``mold``, ``lid``.

    Raises
    ------
    DesignError
        For an unknown layer or net, or a side other than top or bottom.
    """
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Polygon

    from ..model.geometry import layer_geometry

    check_choice(side, ("top", "bottom"), "side")
    chosen = chosen_layers(pkg, layers)
    if net is not None and net not in pkg.nets():
        raise DesignError(f"no net {net!r} in package {pkg.name!r}", "net")
    sub = pkg.substrate
    ax = new_axes(ax, (8.5, 6.8))
    palette = layer_colors(conductor_names(pkg), colors)
    legend = []

    def faded(colour, keep):
        rgba = np.array([to_rgba(colour)] * len(keep))
        rgba[~np.asarray(keep, dtype=bool), 3] *= _DIM
        return rgba

    def net_mask(nets):
        return np.ones(len(nets), bool) if net is None else np.array([n == net for n in nets], bool)

    outline = np.asarray(sub.outline, dtype=float) * MM
    ax.add_patch(Polygon(outline, closed=True, facecolor="#f7f6f1", edgecolor="#202020", linewidth=1.4,
                         zorder=0.5, gid="outline"))

    # copper, far layers first so the near ones lie on top
    order = chosen[::-1] if side == "top" else chosen
    for i, name in enumerate(order):
        colour = palette[name]
        coll = PathCollection(polygon_paths(layer_geometry(pkg, name, net)),
                              facecolors=[to_rgba(colour, _COPPER_ALPHA)], edgecolors=[colour],
                              linewidths=0.3, zorder=1.0 + 0.01 * i, gid=f"layer:{name}", label=name)
        ax.add_collection(coll, autolim=False)
    legend += [Patch(facecolor=to_rgba(palette[n], _COPPER_ALPHA), edgecolor=palette[n], label=n)
               for n in chosen]

    for c in pkg.coins:
        ax.add_patch(Polygon(np.asarray(c.region) * MM, closed=True, facecolor="none", edgecolor="#8a4b1c",
                             hatch="////", linewidth=0.8, zorder=1.5, gid=f"coin:{c.name}"))

    # vias spanning any drawn layer: drill holes over the pads of the copper
    idx = {n: i for i, n in enumerate(conductor_names(pkg))}
    span = [idx[n] for n in chosen]
    vias = [v for v in sub.all_vias()
            if span and idx[v.from_layer] <= max(span) and idx[v.to_layer] >= min(span)]
    if vias:
        keep = net_mask([v.net for v in vias])
        if net is not None:
            vias = [v for v, k in zip(vias, keep, strict=True) if k]
        if vias:
            _circles(ax, [v.at for v in vias], [v.drill for v in vias], facecolors="white",
                     edgecolors="#303030", linewidths=0.3, zorder=2.5, gid="vias")
            legend.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="#303030",
                                 label="via drills"))

    top_layer, bottom_layer = conductor_names(pkg)[0], conductor_names(pkg)[-1]
    # fingers on the viewed side: the bottom conductor's from below, the others from above
    fingers = [f for f in sub.fingers if (f.layer or top_layer) in chosen
               and ((f.layer or top_layer) == bottom_layer) == (side == "bottom")]
    if fingers:
        keep = net_mask([f.net for f in fingers])
        polys = [np.asarray(f.polygon) * MM for f in fingers]
        ax.add_collection(PolyCollection(polys, facecolors=faded(_FINGER[0], keep),
                                         edgecolors=faded(_FINGER[1], keep), linewidths=0.5, zorder=3,
                                         gid="fingers"), autolim=False)
        legend.append(Patch(facecolor=_FINGER[0], edgecolor=_FINGER[1], label="bond fingers"))

    if side == "bottom":
        lands = [la for la in sub.all_lands() if (la.layer or bottom_layer) in chosen]
        if lands:
            keep = net_mask([la.net for la in lands])
            _circles(ax, [la.at for la in lands], [la.diameter for la in lands], facecolors="none",
                     edgecolors=faded("#202020", keep), linewidths=0.6, zorder=3, gid="lands")
            legend.append(Line2D([], [], ls="none", marker="o", mfc="none", mec="#202020", label="lands"))

    comps = [b for b in pkg.components if b.side == side]
    # nearest to the viewer last: highest on the top side, lowest on the bottom side
    comps.sort(key=lambda b: pkg.z_range(b.name)[0] if side == "top" else -pkg.z_range(b.name)[1])
    extent = [sub.bbox()]
    if show_components:
        _components(ax, pkg, comps, legend)
        extent += [b.footprint for b in comps]
    if show_bumps:
        shown = False
        for k, b in enumerate(comps):
            if getattr(b, "flip_chip", None) is None:
                continue
            xy = bump_positions(b)
            keep = net_mask(bump_nets(b))
            _circles(ax, xy, np.full(len(xy), b.flip_chip.bump.diameter), facecolors=faded(_BUMP[0], keep),
                     edgecolors=faded(_BUMP[1], keep), linewidths=0.3, zorder=5 + 0.01 * k,
                     gid=f"bumps:{b.name}")
            shown = True
        if shown:
            legend.append(Line2D([], [], ls="none", marker="o", mfc=_BUMP[0], mec=_BUMP[1], label="bumps"))
    wired = [b for b in comps if getattr(b, "wire_bond", None) is not None]
    if show_wires and wired:
        segments, nets = [], []
        for k, d in enumerate(wired):
            pads = d.wire_bond.pads
            keep = net_mask([p.net for p in pads])
            centres = d.to_package([p.at for p in pads])
            polys = []
            for (x, y), p in zip(centres, pads, strict=True):
                w, h = pad_size(d, p)
                polys.append(np.array([(x - w / 2, y - h / 2), (x + w / 2, y - h / 2), (x + w / 2, y + h / 2),
                                       (x - w / 2, y + h / 2)]) * MM)
            ax.add_collection(PolyCollection(polys, facecolors=faded(_PAD[0], keep),
                                             edgecolors=faded(_PAD[1], keep), linewidths=0.4,
                                             zorder=5.5 + 0.01 * k, gid=f"pads:{d.name}"), autolim=False)
            for w, start, end in wire_ends(pkg, d):
                segments.append(np.array([start, end]) * MM)
                nets.append(d.pad(w.pad).net)
        if net is None:
            colours, widths = _WIRE, 0.8
        else:
            hit = net_mask(nets)
            colours = [_WIRE_HI if h else _WIRE_DIM for h in hit]
            widths = [1.4 if h else 0.5 for h in hit]
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths, zorder=6, gid="wires"),
                          autolim=False)
        legend.append(Line2D([], [], color=_WIRE if net is None else _WIRE_HI, lw=1.2, label="wire bonds"))

    extent += _outlines(ax, pkg, side, legend)

    x0 = min(e[0] for e in extent) * MM
    y0 = min(e[1] for e in extent) * MM
    x1 = max(e[2] for e in extent) * MM
    y1 = max(e[3] for e in extent) * MM
    m = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_aspect("equal")
    ax.set_xlim((x1 + m, x0 - m) if side == "bottom" else (x0 - m, x1 + m))
    ax.set_ylim(y0 - m, y1 + m)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.grid(True, linewidth=0.3, alpha=0.5)
    ax.set_axisbelow(True)
    what = "top view" if side == "top" else "bottom view (seen from below)"
    ax.set_title(f"{pkg.name} — {what}" + (f", net {net}" if net else ""))
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return ax


def _circles(ax, centres, diameters, **style):
    """Circles of the given diameters (µm) at the given centres (µm) as one collection, in mm."""
    from matplotlib.collections import EllipseCollection

    xy = np.asarray(centres, dtype=float).reshape(-1, 2) * MM
    d = np.asarray(diameters, dtype=float) * MM
    ax.add_collection(EllipseCollection(d, d, 0.0, units="xy", offsets=xy, offset_transform=ax.transData,
                                        **style), autolim=False)


def _components(ax, pkg, comps, legend):
    """Outlines and names of dies, interposers and passives."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch, Rectangle

    n_passives = sum(type(b).__name__ == "Passive" for b in comps)
    level: dict[str, int] = {}
    kinds = []
    for k, b in enumerate(comps):
        kind = type(b).__name__.lower()
        face, alpha, edge, lw = _BODY[kind]
        x0, y0, x1, y1 = (v * MM for v in b.footprint)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=to_rgba(face, alpha), edgecolor=edge,
                               linewidth=lw, zorder=4 + 0.01 * k, gid=f"component:{b.name}"))
        if kind not in kinds:
            kinds.append(kind)
        level[b.name] = 0 if b.on == "substrate" else level.get(b.on, 0) + 1
        if kind == "passive":
            if n_passives > _MAX_PASSIVE_LABELS:
                continue
            ax.annotate(b.name, ((x0 + x1) / 2, (y0 + y1) / 2), ha="center", va="center", fontsize=5.5,
                        rotation=90 if (y1 - y0) > (x1 - x0) else 0, color="#2b1d10", zorder=7,
                        annotation_clip=True)
            continue
        label = b.name if b.on == "substrate" else f"{b.name} (on {b.on})"
        ax.annotate(label, ((x0 + x1) / 2, (y0 + y1) / 2), xytext=(0, -13 * level[b.name]),
                    textcoords="offset points", ha="center", va="center", fontsize=8.5, fontweight="bold",
                    color=edge, zorder=7 + 0.01 * k, annotation_clip=True,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.75))
    for kind in kinds:
        face, alpha, edge, _ = _BODY[kind]
        name = {"die": "dies", "interposer": "interposers", "passive": "passives"}[kind]
        legend.append(Patch(facecolor=to_rgba(face, alpha), edgecolor=edge, label=name))


def _outlines(ax, pkg, side, legend) -> list:
    """Mold region (dashed), lid and heat sink outlines; returns their bounding boxes (µm)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon

    outline = pkg.substrate.outline
    boxes = []

    def draw(points, gid, **style):
        pts = np.asarray(points, dtype=float)
        ax.add_patch(Polygon(pts * MM, closed=True, fill=False, zorder=6.5, gid=gid, **style))
        boxes.append((*pts.min(axis=0), *pts.max(axis=0)))

    mold = pkg.mold(side)
    if mold is not None:
        style = dict(edgecolor="#505050", linestyle=(0, (5, 3)), linewidth=1.1)
        draw(mold.region or outline, "mold", **style)
        legend.append(Line2D([], [], color="#505050", ls=(0, (5, 3)), label=f"mold ({mold.thickness:g} µm)"))
    if side == "top" and pkg.lid is not None:
        style = dict(edgecolor="#8b4513", linestyle="-.", linewidth=1.3)
        draw(pkg.lid.region or outline, "lid", **style)
        legend.append(Line2D([], [], color="#8b4513", ls="-.", label="lid"))
    if side == "top" and pkg.heatsink is not None and pkg.heatsink.region is not None:
        draw(pkg.heatsink.region, "heatsink", edgecolor="#4f6f8f", linestyle=":", linewidth=1.3)
        legend.append(Line2D([], [], color="#4f6f8f", ls=":", label="heat sink"))
    return boxes
