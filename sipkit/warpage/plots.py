"""Plots of warpage results with matplotlib: the map (contour or 3-D) and the profile curve.

matplotlib is imported inside the functions, through its object-oriented API only (no
pyplot state), so the plots work headless and inside other figures.  Lengths on the
axes are mm, deflections µm.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DesignError

__all__ = ["plot_map", "plot_profile", "save_warpage_figure"]

MM = 1e-3
_FORMATS = (".png", ".svg", ".pdf")


def _axes(ax, projection=None, figsize=(6.4, 5.0)):
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(projection=projection)


def plot_map(result, ax=None, kind: str = "contour", levels: int = 21, cmap: str = "coolwarm", colorbar=True):
    """The deflection map of a :class:`~sipkit.warpage.WarpageResult`.

    Parameters
    ----------
    result : WarpageResult
    ax : matplotlib Axes, optional
        A 3-D axes for ``kind="surface"``; a new figure by default.
    kind : {"contour", "surface"}
        Filled contours seen from the top, or a 3-D surface.
    levels : int
        Contour levels.
    """
    if kind not in ("contour", "surface"):
        raise DesignError(f"unknown map kind {kind!r}; expected contour or surface", "kind")
    X, Y = np.meshgrid(result.x * MM, result.y * MM)
    W = np.ma.masked_invalid(result.w)
    title = (f"{result.name} at {result.temperature:g} °C: {result.signed:+.1f} µm ({result.shape})")
    if kind == "surface":
        ax = _axes(ax, projection="3d")
        ax.plot_surface(X, Y, W, cmap=cmap, linewidth=0, antialiased=True)
        ax.set_zlabel("w (µm)")
    else:
        ax = _axes(ax)
        cs = ax.contourf(X, Y, W, levels=levels, cmap=cmap)
        ax.contour(X, Y, W, levels=levels, colors="k", linewidths=0.3)
        ax.set_aspect("equal")
        if colorbar:
            ax.figure.colorbar(cs, ax=ax, label="w (µm), z up", shrink=0.85)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_title(title, fontsize=9)
    return ax


def plot_profile(result, ax=None, x: str = "temperature"):
    """Signed warpage across the profile, with the allowed band shaded.

    Parameters
    ----------
    result : WarpageResult
        A result of ``estimate(..., profile=...)``.
    x : {"temperature", "time"}
        Abscissa.
    """
    prof = result.profile
    if prof is None:
        raise DesignError("this result has no profile; run estimate(..., profile=...)", "profile")
    if x not in ("temperature", "time"):
        raise DesignError(f"unknown abscissa {x!r}; expected temperature or time", "x")
    ax = _axes(ax, figsize=(6.4, 4.2))
    if x == "time":
        if not np.all(np.isfinite(prof.times)):
            raise DesignError("this profile has no times; plot against temperature", "x")
        xs = prof.times
        ax.set_xlabel("time (s)")
    else:
        xs = prof.temperatures
        ax.set_xlabel("temperature (°C)")
    if x == "temperature":
        k = int(np.argmax(prof.temperatures))
        ax.plot(xs[:k + 1], prof.signed[:k + 1], "o-", ms=3, color="tab:red", label="heating")
        ax.plot(xs[k:], prof.signed[k:], "s--", ms=3, color="tab:blue", label="cooling")
    else:
        ax.plot(xs, prof.signed, "o-", ms=3, color="tab:red", label="warpage")
    if prof.band is not None:
        ax.axhspan(prof.band.lower, prof.band.upper, color="tab:green", alpha=0.12,
                   label=f"allowed ({prof.band.standard})")
        ax.axhline(prof.band.lower, color="tab:green", lw=0.8)
        ax.axhline(prof.band.upper, color="tab:green", lw=0.8)
    ax.axhline(0.0, color="k", lw=0.5)
    ax.set_ylabel("warpage (µm), convex > 0")
    verdict = "" if prof.passed is None else (" — PASS" if prof.passed else " — FAIL")
    ax.set_title(f"{result.name}: {prof.name}{verdict}", fontsize=9)
    ax.legend(fontsize=8)
    return ax


def save_warpage_figure(result, path, dpi: float = 150) -> Path:
    """Write the map (and the profile curve when there is one) to a PNG, SVG or PDF file."""
    from matplotlib.figure import Figure

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise DesignError(f"cannot write {path.name!r}: expected a .png, .svg or .pdf file name")
    if result.profile is not None:
        fig = Figure(figsize=(12.5, 4.8), layout="constrained")
        plot_profile(result, ax=fig.add_subplot(1, 2, 1))
        plot_map(result, ax=fig.add_subplot(1, 2, 2))
    else:
        fig = Figure(figsize=(6.4, 5.0), layout="constrained")
        plot_map(result, ax=fig.add_subplot())
    fig.savefig(path, dpi=dpi)
    return path
