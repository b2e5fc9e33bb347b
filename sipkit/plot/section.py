"""Cross-section of a package along a straight cut, built from its bodies."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError
from ._common import bump_positions, check_choice, new_axes
from ._shapes import MM, cut_line, line_intervals
from .style import MaterialPalette

__all__ = ["SectionPiece", "plot_section", "section"]


@dataclass(frozen=True)
class SectionPiece:
    """One piece of a cross-section: a rectangle (or a cut ball) of one material.

    ``u0``, ``u1`` run along the cut (x for a cut along x, y for a cut along y) and
    ``z0``, ``z1`` up from the substrate bottom, all in µm.  ``name`` and ``role``
    are those of the body the piece belongs to (see :class:`sipkit.model.Body`);
    ``shape`` is ``"rect"`` or ``"ball"`` (drawn as an ellipse in the box).
    """

    name: str
    role: str
    material: str
    u0: float
    u1: float
    z0: float
    z1: float
    shape: str = "rect"


def _at(pkg, axis, at) -> float:
    from ..units import to_internal

    x0, y0, x1, y1 = pkg.bbox()
    if at is None:
        return (y0 + y1) / 2 if axis == "x" else (x0 + x1) / 2
    return to_internal(at, "length", "at")


def section(pkg, axis: str = "x", at=None) -> list[SectionPiece]:
    """The pieces of the cross-section along y = `at` (axis "x") or x = `at` (axis "y").

    Parameters
    ----------
    pkg : Package
    axis : {"x", "y"}
        Direction of the cut.
    at : float or str, optional
        Position of the cut across it (µm, or a string such as ``"5 mm"``); the
        centre of the substrate by default.

    Returns
    -------
    list of SectionPiece
        In precedence order: later pieces cover earlier ones.  Conductor layers
        are split into copper and fill along the cut; bump layers hold the bumps
        the cut crosses (the underfill or mold around them comes before).

    Raises
    ------
    DesignError
        When the cut misses the substrate.
    """
    import shapely

    from ..model.geometry import bodies, layer_geometry

    check_choice(axis, ("x", "y"), "axis")
    at = _at(pkg, axis, at)
    sub = pkg.substrate
    all_bodies = bodies(pkg)
    bounds = np.array([b.footprint.bounds for b in all_bodies])
    lo = float(bounds[:, 0 if axis == "x" else 1].min()) - 1.0
    hi = float(bounds[:, 2 if axis == "x" else 3].max()) + 1.0
    line = cut_line(axis, at, lo, hi)
    outline = shapely.Polygon(sub.outline)
    if not line_intervals(line.intersection(outline), axis):
        bx0, by0, bx1, by1 = sub.bbox()
        across = "y" if axis == "x" else "x"
        a, b = (by0, by1) if axis == "x" else (bx0, bx1)
        raise DesignError(f"the section line {across} = {at:g} µm misses the package (its outline spans "
                          f"{across} = {a:g} .. {b:g} µm)", "at")
    pieces: list[SectionPiece] = []
    for body in all_bodies:
        seg = line.intersection(body.footprint)
        spans = line_intervals(seg, axis)
        if not spans:
            continue
        if body.role == "layer" and sub.layer(body.name).is_conductor:
            copper = layer_geometry(pkg, body.name)
            fill = sub.fill_material(body.name)
            parts = [(u0, u1, fill) for u0, u1 in line_intervals(seg.difference(copper), axis)]
            parts += [(u0, u1, body.material) for u0, u1 in line_intervals(seg.intersection(copper), axis)]
            pieces += [SectionPiece(body.name, body.role, m, u0, u1, body.z0, body.z1)
                       for u0, u1, m in sorted(parts)]
        elif body.role == "bumps":
            pieces += _bumps(pkg, body, axis, at, spans)
        else:
            pieces += [SectionPiece(body.name, body.role, body.material, u0, u1, body.z0, body.z1)
                       for u0, u1 in spans]
    pieces += _balls(pkg, axis, at)
    return pieces


def _chords(centres, diameter, axis, at):
    """(u0, u1) of the circles of `diameter` at `centres` that the cut line crosses."""
    u = centres[:, 0] if axis == "x" else centres[:, 1]
    v = centres[:, 1] if axis == "x" else centres[:, 0]
    r = diameter / 2
    d = np.abs(v - at)
    hit = d < r
    half = np.sqrt(r * r - d[hit] ** 2)
    order = np.argsort(u[hit])
    return [(float(a), float(b)) for a, b in zip((u[hit] - half)[order], (u[hit] + half)[order], strict=True)]


def _bumps(pkg, body, axis, at, spans):
    comp = pkg.component(body.owner)
    spec = comp.flip_chip.bump
    chords = _chords(bump_positions(comp), spec.diameter, axis, at)
    shape = "ball" if spec.kind == "solder_ball" else "rect"
    out = []
    cap = spec.cap_height if spec.cap_material else 0.0
    for u0, u1 in chords:
        if not any(a <= (u0 + u1) / 2 <= b for a, b in spans):
            continue
        if cap > 0:
            # the solder cap wets the substrate pad: below the pillar on the top side
            if comp.side == "top":
                cap_z, pillar_z = (body.z0, body.z0 + cap), (body.z0 + cap, body.z1)
            else:
                cap_z, pillar_z = (body.z1 - cap, body.z1), (body.z0, body.z1 - cap)
            out.append(SectionPiece(body.name, "bumps", spec.material, u0, u1, *pillar_z))
            out.append(SectionPiece(body.name, "bumps", spec.cap_material, u0, u1, *cap_z))
        else:
            out.append(SectionPiece(body.name, "bumps", spec.material, u0, u1, body.z0, body.z1, shape))
    return out


def _balls(pkg, axis, at):
    """Solder balls under the lands of the bottom conductor layer."""
    sub = pkg.substrate
    bottom = sub.conductor_layers[-1].name
    lands = [la for la in sub.all_lands() if la.ball is not None and (la.layer or bottom) == bottom]
    out = []
    by_ball: dict = {}
    for la in lands:
        by_ball.setdefault(la.ball, []).append(la.at)
    for ball, centres in by_ball.items():
        for u0, u1 in _chords(np.asarray(centres, dtype=float), ball.diameter, axis, at):
            out.append(SectionPiece("balls", "balls", ball.material, u0, u1, -ball.height, 0.0, "ball"))
    return out


def _nice(x: float) -> float:
    """The 1-2-2.5-5 series number nearest to x (in ratio)."""
    if x <= 1.0:
        return 1.0
    e = math.floor(math.log10(x))
    steps = np.array([1, 2, 2.5, 5, 10]) * 10.0**e
    return float(steps[np.argmin(np.abs(np.log(steps / x)))])


def _ellipse(u0, u1, z0, z1, n=24):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack(((u0 + u1) / 2 * MM + (u1 - u0) / 2 * MM * np.cos(t),
                            (z0 + z1) / 2 + (z1 - z0) / 2 * np.sin(t)))


def plot_section(pkg, ax=None, axis="x", at=None, z_scale=None):
    """Draw the cross-section of a package along a straight cut with matplotlib.

    Parameters
    ----------
    pkg : Package
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot-free Figure is made when omitted.
    axis : {"x", "y"}
        Cut along x (the line y = `at`) or along y (the line x = `at`).
    at : float or str, optional
        Position of the cut (µm, or a string such as ``"5 mm"``); the centre of
        the substrate by default.
    z_scale : float, optional
        Vertical exaggeration (1 = true scale).  By default the section is made
        about a third as high as it is long, so that thin layers stay visible.

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal axis along the cut in mm, vertical axis z in µm (z = 0 at the
        substrate bottom).  Each body is one collection with ``gid`` = the body's
        name; its paths are the body's pieces (see :func:`section`).

    Raises
    ------
    DesignError
        For a bad `axis`, or a cut that misses the package.
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    pieces = section(pkg, axis, at)
    at_um = _at(pkg, axis, at)
    own_figure = ax is None
    ax = new_axes(ax, (10.0, 4.6))
    palette = MaterialPalette()
    groups: dict[str, list[SectionPiece]] = {}
    for p in pieces:
        groups.setdefault(p.name, []).append(p)
    for k, (name, group) in enumerate(groups.items()):
        verts = [_ellipse(p.u0, p.u1, p.z0, p.z1) if p.shape == "ball" else
                 np.array([(p.u0 * MM, p.z0), (p.u1 * MM, p.z0), (p.u1 * MM, p.z1), (p.u0 * MM, p.z1)])
                 for p in group]
        role = group[0].role
        edged = role not in ("layer", "mold", "underfill")
        ax.add_collection(PolyCollection(verts, facecolors=[palette(p.material) for p in group],
                                         edgecolors="#2a2a2a" if edged else "none",
                                         linewidths=0.5 if role in ("die", "interposer", "passive") else 0.25,
                                         zorder=1.0 + 1e-3 * k, gid=name), autolim=False)
    u0 = min(p.u0 for p in pieces) * MM
    u1 = max(p.u1 for p in pieces) * MM
    z0 = min(p.z0 for p in pieces)
    z1 = max(p.z1 for p in pieces)
    for group in groups.values():
        if group[0].role in ("die", "interposer", "passive"):
            _label(ax, group, palette, (u1 - u0) / MM, z1 - z0)
    if z_scale is None:
        z_scale = _nice(0.3 * (u1 - u0) / ((z1 - z0) * MM))
    elif isinstance(z_scale, bool) or not (isinstance(z_scale, numbers.Real) and 0 < z_scale < math.inf):
        raise DesignError(f"z_scale must be a positive number, got {z_scale!r}", "z_scale")
    if own_figure:  # fit the figure's height to the section's shape
        width = ax.figure.get_figwidth()
        ratio = (z1 - z0) * MM * z_scale / (u1 - u0)
        ax.figure.set_figheight(max(2.8, (width - 2.8) * ratio + 1.6))
    mu, mz = 0.02 * (u1 - u0), 0.06 * (z1 - z0)
    ax.set_xlim(u0 - mu, u1 + mu)
    ax.set_ylim(z0 - mz, z1 + mz)
    ax.set_aspect(MM * z_scale)
    across = "y" if axis == "x" else "x"
    ax.set_xlabel(f"{axis} (mm)")
    ax.set_ylabel("z (µm)")
    ax.set_title(f"{pkg.name} — section at {across} = {at_um * MM:g} mm (vertical scale ×{z_scale:g})")
    ax.grid(True, linewidth=0.3, alpha=0.4)
    ax.set_axisbelow(True)
    handles = [Patch(facecolor=c, edgecolor="#2a2a2a", linewidth=0.4, label=m) for m, c in palette.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False,
              title="materials", title_fontsize=8, ncols=max(1, math.ceil(len(handles) / 9)))
    return ax


def _label(ax, group, palette, length, height):
    """The component's name inside its cut body, in a colour that reads on its fill.

    Bodies too small for a label in the usual figure sizes (under 3 % of the section's
    height or 3 % of its length) are left unlabelled.
    """
    from matplotlib.colors import to_rgb

    p = max(group, key=lambda q: q.u1 - q.u0)
    if p.z1 - p.z0 < 0.03 * height or p.u1 - p.u0 < 0.03 * length:
        return
    r, g, b = to_rgb(palette(p.material))
    colour = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
    ax.text((p.u0 + p.u1) / 2 * MM, (p.z0 + p.z1) / 2, p.name, ha="center", va="center", fontsize=7,
            color=colour, zorder=3, clip_on=True)
