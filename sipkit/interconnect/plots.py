"""Plots of the interconnect analysis (matplotlib, imported when a plot is drawn).

* :func:`plot_wires_3d` - the wire loops in 3-D over the die and substrate outlines;
* :func:`plot_wire_inductance` - self-inductance per wire with the strongest mutual;
* :func:`plot_fatigue_map` - cycles to failure of every joint, worst joints marked.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_fatigue_map", "plot_wire_inductance", "plot_wires_3d"]


def _rect3(ax, rect, z, **kw):
    x0, y0, x1, y1 = rect
    ax.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], [z] * 5, **kw)


def plot_wires_3d(source, ax=None, *, values=None, cmap="viridis", label=None, show_bodies=True):
    """Draw the wire loops in 3-D (µm).

    Parameters
    ----------
    source : Package or list of WirePath
        A package also draws the substrate outline and the die tops.
    ax : mpl_toolkits.mplot3d.Axes3D, optional
        A new figure is made when omitted.
    values : array_like, optional
        One number per wire to colour the wires by (e.g. inductance).
    cmap : str
    label : str, optional
        Colour-bar label.
    show_bodies : bool
        Draw die and substrate outlines (package input only).

    Returns
    -------
    Axes3D
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    from .loops import wire_paths

    pkg = None if isinstance(source, (list, tuple)) else source
    paths = list(source) if pkg is None else wire_paths(pkg)
    if ax is None:
        fig = plt.figure(figsize=(7, 5.5))
        ax = fig.add_subplot(projection="3d")
    colours = None
    if values is not None:
        values = np.asarray(values, dtype=float)
        norm = Normalize(np.nanmin(values), np.nanmax(values)) if len(values) else Normalize()
        colours = colormaps[cmap](norm(values))
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        ax.figure.colorbar(sm, ax=ax, shrink=0.6, label=label or "")
    for k, p in enumerate(paths):
        c = colours[k] if colours is not None else "goldenrod"
        ax.plot(p.points[:, 0], p.points[:, 1], p.points[:, 2], color=c, lw=1.0)
    if pkg is not None and show_bodies:
        _rect3(ax, pkg.bbox(), pkg.substrate.thickness, color="0.5", lw=0.8)
        for d in pkg.dies:
            lo, hi = pkg.z_range(d.name)
            _rect3(ax, d.footprint, hi if d.side == "top" else lo, color="0.2", lw=0.8)
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.set_zlabel("z (µm)")
    return ax


def plot_wire_inductance(report, ax=None):
    """Bar chart of each wire's self-inductance (nH), with its strongest mutual inductance.

    Parameters
    ----------
    report : InterconnectReport or Package
        A package is analysed first with default settings.
    ax : matplotlib Axes, optional

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt

    if not hasattr(report, "wires"):
        from .report import analyze

        report = analyze(report)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.35 * len(report.wires) + 2), 3.5))
    names = [w["name"] for w in report.wires]
    L = [w["L_nH"] for w in report.wires]
    M = [abs(w["M_max_nH"]) if w["M_max_nH"] is not None else 0.0 for w in report.wires]
    x = np.arange(len(names))
    ax.bar(x, L, color="tab:blue", label="self L")
    ax.bar(x, M, width=0.4, color="tab:orange", label="largest |M|")
    ax.set_xticks(x, names, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("inductance (nH)")
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax


def plot_fatigue_map(groups, ax=None, *, worst: int = 3, cmap="RdYlGn"):
    """Map of joint fatigue life: every joint coloured by log10(cycles), worst joints circled.

    Parameters
    ----------
    groups : list of JointGroup, or InterconnectReport
    ax : matplotlib Axes, optional
    worst : int
        How many of the worst joints of each group to circle.

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    if hasattr(groups, "joint_groups"):
        groups = groups.joint_groups
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    finite = [np.log10(g.cycles[np.isfinite(g.cycles)]) for g in groups]
    finite = np.concatenate(finite) if finite else np.zeros(0)
    norm = Normalize(finite.min(), finite.max()) if finite.size else Normalize(0, 1)
    sc = None
    for g in groups:
        life = np.where(np.isfinite(g.cycles), np.log10(np.maximum(g.cycles, 1e-300)), norm.vmax)
        sc = ax.scatter(g.xy[:, 0], g.xy[:, 1], c=life, s=8, cmap=cmap, norm=norm)
        for w in g.worst(worst):
            ax.plot(w["x_um"], w["y_um"], "o", mfc="none", mec="k", ms=9)
    if sc is not None:
        ax.figure.colorbar(sc, ax=ax, label="log10 cycles to failure")
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    return ax
