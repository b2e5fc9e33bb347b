"""Helpers shared by the views: axes creation, argument checks, placement queries."""

from __future__ import annotations

import numpy as np

from ..errors import DesignError


def new_axes(ax, figsize):
    """`ax` itself, or the Axes of a new pyplot-free Figure (works headless)."""
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def check_choice(value, options, name: str) -> str:
    """`value` if it is one of `options`, else a DesignError listing them."""
    if value not in options:
        raise DesignError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def conductor_names(pkg) -> list[str]:
    """Conductor layer names, top to bottom."""
    return [la.name for la in pkg.substrate.conductor_layers]


def chosen_layers(pkg, layers) -> list[str]:
    """The conductor layers asked for (all by default), in stack order (top to bottom)."""
    conductors = conductor_names(pkg)
    if layers is None:
        return conductors
    if isinstance(layers, str):
        layers = [layers]
    wanted = list(layers)
    kinds = {la.name: la.kind for la in pkg.substrate.stackup}
    for name in wanted:
        if name not in conductors:
            what = f"layer {name!r} is a {kinds[name]} layer, not a conductor" if name in kinds \
                else f"unknown layer {name!r}"
            raise DesignError(f"{what}; conductor layers: {', '.join(conductors)}", "layers")
    return [c for c in conductors if c in wanted]


def bump_nets(comp) -> list:
    """The net of every bump of a flip-chip body, in the order of ``FlipChip.positions``."""
    fc = comp.flip_chip
    out = [b.net for b in fc.bumps]
    for a in fc.arrays:
        out += [a.net] * (a.count[0] * a.count[1])
    return out


def bump_positions(comp) -> np.ndarray:
    """Bump centres of a flip-chip die or interposer in package coordinates (µm)."""
    if hasattr(comp, "bump_positions"):
        return comp.bump_positions()
    return comp.to_package(comp.flip_chip.positions(comp.size))


def pad_size(comp, pad) -> tuple[float, float]:
    """A die pad's size seen from the top (swapped on a quarter turn)."""
    w, h = pad.size
    return (h, w) if comp.rotation % 180.0 == 90.0 else (w, h)


def wire_ends(pkg, die) -> list[tuple[object, np.ndarray, np.ndarray]]:
    """(wire, start, end) of every wire bond of `die` in package coordinates (µm).

    The start is the die pad, the end a bond finger's centre or another die's pad.
    """
    sub = pkg.substrate
    fingers = {f.name for f in sub.fingers}
    out = []
    for w in die.wire_bond.wires:
        start = die.to_package(die.pad(w.pad).at)[0]
        if w.to in fingers:
            end = np.asarray(sub.finger(w.to).at, dtype=float)
        else:
            other, pad = w.to.split(".", 1)
            od = pkg.die(other)
            end = od.to_package(od.pad(pad).at)[0]
        out.append((w, start, end))
    return out
