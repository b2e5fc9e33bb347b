"""Plots of thermal results with matplotlib: die maps, layer maps, cross-sections, Zth.

matplotlib is imported inside the functions, only through its object-oriented API
(no pyplot state), so the plots work headless and inside other figures.  Lengths on
the axes are mm, temperatures °C.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DesignError

__all__ = ["plot_die", "plot_layer", "plot_section", "plot_transient", "save_thermal_figure"]

MM = 1e-3


def _axes(ax, figsize=(6.4, 5.0)):
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def _mesh(ax, xe, ye, values, title, cmap="inferno", vmin=None, vmax=None, colorbar=True):
    m = np.ma.masked_invalid(values)
    im = ax.pcolormesh(xe * MM, ye * MM, m.T, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="°C", shrink=0.85)
    return im


def plot_layer(result, z: float | None = None, ax=None, region=None, **options):
    """Temperatures of the layer of cells at height `z` (µm; the hottest layer by default).

    `region` (x0, y0, x1, y1) in µm limits the view.
    """
    ax = _axes(ax)
    T = result.temperature
    if z is None:
        k = int(np.unravel_index(np.nanargmax(T), T.shape)[2])
    else:
        k = int(np.clip(np.searchsorted(result.grid.z, z, "right") - 1, 0, T.shape[2] - 1))
    xe, ye, ze = result.grid.edges
    _mesh(ax, xe, ye, T[:, :, k], f"z = {0.5 * (ze[k] + ze[k + 1]) * MM:.3f} mm", **options)
    if region is not None:
        ax.set_xlim(region[0] * MM, region[2] * MM)
        ax.set_ylim(region[1] * MM, region[3] * MM)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    return ax


def plot_die(result, name: str | None = None, ax=None, **options):
    """Temperature map of a die's active face (its powered face, else its hottest layer)."""
    dies = result.model.sources()
    if not dies:
        raise DesignError("the model has no heat source to show")
    if name is None:
        name = max(result.dies, key=lambda n: result.dies[n].tj_max)
    if name not in dies:
        raise DesignError(f"no die {name!r}; dies: {', '.join(dies)}")
    boxes = dies[name]
    ax = _axes(ax)
    lo = [min(b.min[a] for b in boxes) for a in range(3)]
    hi = [max(b.max[a] for b in boxes) for a in range(3)]
    sl = result.grid.span(lo, hi)
    xe = result.grid.x[sl[0].start:sl[0].stop + 1]
    ye = result.grid.y[sl[1].start:sl[1].stop + 1]
    faces = [b.power_on for b in boxes if b.power > 0 and b.power_on != "volume"]
    if faces:
        normal = "+z" if faces[0] == "top" else "-z"
        k = sl[2].stop - 1 if normal == "+z" else sl[2].start
        i, j = np.meshgrid(np.arange(sl[0].start, sl[0].stop), np.arange(sl[1].start, sl[1].stop),
                           indexing="ij")
        vals = result.face_temperature(i, j, np.full(i.shape, k), normal)
        owner = result.vox.owner[sl[0], sl[1], k]
        members = [result.model.boxes.index(b) for b in boxes]
        vals = np.where(np.isin(owner, members), vals, np.nan)
        where = f"{'top' if normal == '+z' else 'bottom'} face"
    else:
        block = result.temperature[sl]
        k = int(np.unravel_index(np.nanargmax(block), block.shape)[2])
        vals = block[:, :, k]
        where = "hottest layer"
    d = result.dies[name]
    _mesh(ax, xe, ye, vals, f"{name} ({where}): Tj max {d.tj_max:.1f} °C, mean {d.tj_mean:.1f} °C", **options)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    return ax


def plot_section(result, axis: str = "x", at: float | None = None, ax=None, z_scale: float | None = None,
                 **options):
    """Vertical cross-section along `axis` ("x" or "y") through `at` (µm; the hottest cell)."""
    if axis not in ("x", "y"):
        raise DesignError(f"axis must be 'x' or 'y', got {axis!r}")
    ax = _axes(ax, (8.0, 3.6))
    T = result.temperature
    peak = np.unravel_index(np.nanargmax(T), T.shape)
    xe, ye, ze = result.grid.edges
    if axis == "x":  # cut along x at a fixed y
        j = peak[1] if at is None else int(np.clip(np.searchsorted(ye, at, "right") - 1, 0, T.shape[1] - 1))
        values, ue, label = T[:, j, :], xe, f"y = {0.5 * (ye[j] + ye[j + 1]) * MM:.3f} mm"
    else:
        i = peak[0] if at is None else int(np.clip(np.searchsorted(xe, at, "right") - 1, 0, T.shape[0] - 1))
        values, ue, label = T[i, :, :], ye, f"x = {0.5 * (xe[i] + xe[i + 1]) * MM:.3f} mm"
    m = np.ma.masked_invalid(values)
    im = ax.pcolormesh(ue * MM, ze * MM, m.T, cmap=options.pop("cmap", "inferno"), shading="flat", **options)
    ax.figure.colorbar(im, ax=ax, label="°C", shrink=0.85)
    if z_scale is not None:
        ax.set_aspect(z_scale)
    ax.set_title(f"section along {axis} at {label}", fontsize=9)
    ax.set_xlabel(f"{axis} (mm)")
    ax.set_ylabel("z (mm)")
    return ax


def plot_transient(result, ax=None, zth: bool = False, **options):
    """Junction temperatures (or thermal impedance) of every source versus time."""
    ax = _axes(ax, (6.4, 4.2))
    for name, d in result.dies.items():
        if zth:
            if result.nominal_power.get(name, 0) > 0:
                ax.loglog(result.times, result.zth(name), label=name, **options)
        else:
            ax.plot(result.times, d["tj_max"], label=name, **options)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("Zth (K/W)" if zth else "Tj max (°C)")
    if not zth and result.times.size and result.times[0] > 0 and result.times[-1] / result.times[0] > 100:
        ax.set_xscale("log")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    return ax


def save_thermal_figure(result, path, dpi: int = 150) -> Path:
    """Write a figure file (.png, .svg or .pdf) of a result.

    A steady result shows the hottest die's map and two cross-sections; a transient
    one its junction temperatures and thermal impedance versus time.
    """
    from matplotlib.figure import Figure

    path = Path(path)
    formats = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise DesignError(f"cannot write {path.name!r}: expected a .png, .svg or .pdf file name")
    if hasattr(result, "zth"):
        fig = Figure(figsize=(11, 4.2), layout="constrained")
        plot_transient(result, ax=fig.add_subplot(1, 2, 1))
        if any(p > 0 for p in result.nominal_power.values()):
            plot_transient(result, ax=fig.add_subplot(1, 2, 2), zth=True)
    else:
        fig = Figure(figsize=(14, 5.5), layout="constrained")
        grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.4])
        if result.model.sources():
            plot_die(result, ax=fig.add_subplot(grid[:, 0]))
        else:
            plot_layer(result, ax=fig.add_subplot(grid[:, 0]))
        plot_section(result, "x", ax=fig.add_subplot(grid[0, 1]))
        plot_section(result, "y", ax=fig.add_subplot(grid[1, 1]))
    fig.savefig(path, format=fmt, dpi=dpi)
    return path
