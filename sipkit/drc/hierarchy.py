"""Repeated units: check a stepped layout (package sites on a panel) one cell at a time.

A panel or strip is usually a top cell that only places copies of a unit cell (GDS
references and arrays).  When no shape of a mapped layer sits in the top cell itself,
every placement is rotated by a multiple of 90° without magnification, and the units
lie farther apart than the largest distance any rule of the deck measures (their
bounding boxes grown by it do not overlap), then no check can see two units at once:
each distinct unit cell is checked once and its violations are repeated at every
placement, as KLayout's deep (hierarchical) mode does for identical cells.  The result
is the flat check's, at the cost of one unit; density windows are placed per unit (over
its own outline).  Otherwise the layout is checked flat.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .deck import CHECKS
from .report import Violation

__all__ = ["RepeatedViolations", "halo", "placements", "repeat_violations", "transform_violation"]

#: Checks whose limit is a distance that may reach from one shape to another.
_REACH = ("width", "space", "notch", "isolated", "enclosure", "outline", "net_clearance", "annular_ring",
          "mask_expansion", "mask_web")


def halo(deck) -> float:
    """The largest distance (µm) any rule of `deck` looks across."""
    d = 0.0
    for r in deck.enabled_rules():
        if r.check in _REACH and CHECKS[r.check].kind == "length":
            d = max(d, r.min or 0.0, r.max or 0.0)
        if r.check == "net_clearance":
            d = max([d, *(c.clearance for c in deck.net_classes)])
    return d


def _mapped_shapes_at_top(top, layer_map) -> bool:
    specs = set(layer_map.values())
    for p in top.get_polygons(apply_repetitions=False, include_paths=True, depth=0):
        if (p.layer, p.datatype) in specs:
            return True
    return any((lb.layer, lb.texttype) in specs for lb in top.labels)


def placements(top, layer_map, reach: float):
    """{cell name: [(dx, dy, quarter_turns, x_reflection), ...]} of the units, or None.

    None when the layout is not a set of separate units (see the module notes).
    """
    if not top.references or _mapped_shapes_at_top(top, layer_map):
        return None
    out: dict[str, list] = {}
    cells = {}
    boxes = []
    for ref in top.references:
        cell = ref.cell
        if not hasattr(cell, "get_polygons") or abs(ref.magnification - 1.0) > 1e-12:
            return None  # a missing or raw cell, or a scaled placement: check flat
        q = ref.rotation / (math.pi / 2)
        if abs(q - round(q)) > 1e-9:
            return None
        q = round(q) % 4
        bb = cell.bounding_box()
        if bb is None:
            continue
        cells[cell.name] = cell
        offs = ref.repetition.get_offsets() if ref.repetition.size else np.zeros((1, 2))
        for dx, dy in np.asarray(offs, dtype=float).reshape(-1, 2):
            t = (float(ref.origin[0] + dx), float(ref.origin[1] + dy), q, bool(ref.x_reflection))
            out.setdefault(cell.name, []).append(t)
            x0, y0, x1, y1 = _box(bb[0][0], bb[0][1], bb[1][0], bb[1][1], t)
            h = reach / 2  # two units at least `reach` apart: their boxes grown by half of it do not overlap
            boxes.append((x0 - h, y0 - h, x1 + h, y1 + h))
    if not out:
        return None
    b = np.array(boxes)
    # grown boxes must not overlap (touching is fine: rules find distances below the reach)
    order = np.argsort(b[:, 0], kind="stable")
    b = b[order]
    tol = 1e-6  # µm: round-off of the placement arithmetic
    for i in range(len(b)):
        j = i + 1
        while j < len(b) and b[j, 0] < b[i, 2] - tol:
            if b[j, 1] < b[i, 3] - tol and b[i, 1] < b[j, 3] - tol:
                return None
            j += 1
    return out


def _apply(t, xy):
    """Transform points (n, 2) by a placement (dx, dy, quarter turns, x reflection)."""
    dx, dy, q, refl = t
    x = xy[:, 0]
    y = -xy[:, 1] if refl else xy[:, 1]
    c, s = ((1, 0), (0, 1), (-1, 0), (0, -1))[q]
    return np.column_stack((dx + c * x - s * y, dy + s * x + c * y))


def _box(x0, y0, x1, y1, t):
    p = _apply(t, np.array([[x0, y0], [x1, y1]], dtype=float))
    return (float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max()))


def transform_violation(v: Violation, t) -> Violation:
    """A violation found in a unit cell, at one placement of that cell."""
    kind, geom = v.marker
    if kind == "edge_pair":
        parts = [_apply(t, np.array(e, dtype=float).reshape(2, 2)).ravel() for e in geom]
        geom = tuple(tuple(float(c) for c in p) for p in parts)
    elif kind in ("polygon", "path"):
        geom = tuple((float(x), float(y)) for x, y in _apply(t, np.array(geom, dtype=float).reshape(-1, 2)))
    elif kind == "box":
        geom = _box(*geom, t)
    else:
        geom = tuple(float(c) for c in _apply(t, np.array([geom], dtype=float))[0])
    bbox = _box(*v.bbox, t)
    return Violation(v.rule, v.check, v.layers, v.nets, v.value, v.required, (kind, geom), bbox, v.severity,
                     v.message)


def repeat_violations(violations, where) -> list[Violation]:
    """Every violation of a unit cell at every placement in `where` (vectorised over placements)."""
    if not violations or not where:
        return []
    tr = np.array([(dx, dy, q, -1.0 if refl else 1.0) for dx, dy, q, refl in where], dtype=float)
    q = tr[:, 2].astype(int)
    cos = np.array([1.0, 0.0, -1.0, 0.0])[q][:, None]
    sin = np.array([0.0, 1.0, 0.0, -1.0])[q][:, None]
    dx, dy, fy = tr[:, 0:1], tr[:, 1:2], tr[:, 3:4]

    def apply(xy):  # (k, 2) -> (P, k, 2)
        x = xy[:, 0][None, :]
        y = xy[:, 1][None, :] * fy
        return np.stack((dx + cos * x - sin * y, dy + sin * x + cos * y), axis=-1)

    out = []
    for v in violations:
        kind, geom = v.marker
        b = apply(np.array([[v.bbox[0], v.bbox[1]], [v.bbox[2], v.bbox[3]]], dtype=float))
        bboxes = np.concatenate((b.min(axis=1), b.max(axis=1)), axis=1).tolist()
        if kind == "edge_pair":
            g = apply(np.array(geom, dtype=float).reshape(4, 2)).reshape(-1, 2, 4).tolist()
            geoms = [(tuple(a), tuple(c)) for a, c in g]
        elif kind in ("polygon", "path"):
            pts = apply(np.array(geom, dtype=float).reshape(-1, 2)).tolist()
            geoms = [tuple(map(tuple, g)) for g in pts]
        elif kind == "box":
            g = apply(np.array(geom, dtype=float).reshape(2, 2))
            geoms = [tuple(r) for r in np.concatenate((g.min(axis=1), g.max(axis=1)), axis=1).tolist()]
        else:
            geoms = [tuple(r[0]) for r in apply(np.array([geom], dtype=float)).tolist()]
        out += [Violation(v.rule, v.check, v.layers, v.nets, v.value, v.required, (kind, g), tuple(bb),
                          v.severity, v.message) for g, bb in zip(geoms, bboxes, strict=True)]
    return out


class RepeatedViolations(Sequence):
    """The violations of unit cells at all their placements, made when they are read.

    A sequence like the tuple a flat check gives (same order as
    :func:`repeat_violations`), without holding millions of markers of a panel in memory
    until a writer asks for them.

    Parameters
    ----------
    groups : list of (violations, placements)
        For each unit cell, its violations and its placements.
    """

    def __init__(self, groups):
        self._groups = [(tuple(vs), list(where)) for vs, where in groups if vs and where]
        self._sizes = [len(vs) * len(where) for vs, where in self._groups]

    def __len__(self) -> int:
        return sum(self._sizes)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        for (vs, where), size in zip(self._groups, self._sizes, strict=True):
            if i < size:
                return transform_violation(vs[i // len(where)], where[i % len(where)])
            i -= size
        raise IndexError(i)  # pragma: no cover

    def __iter__(self):
        for vs, where in self._groups:
            for v in vs:
                yield from repeat_violations([v], where)

    def distinct_values(self) -> list:
        """The measured values (each placement repeats its unit's)."""
        return [v.value for vs, _ in self._groups for v in vs]

    def __repr__(self) -> str:
        return f"<{len(self)} violations: {sum(len(vs) for vs, _ in self._groups)} per unit, repeated>"
