"""Where the geometry of a check comes from: a package model or a GDSII/OASIS layout.

Both give merged layers by name (:class:`~sipkit.drc.layers.MergedLayer`, built once
per layer and kept).  Layouts are read with gdstk straight into flat ring arrays,
without building model objects, so that layouts of millions of edges stay cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DesignError, LayoutError
from .layers import DBU, MergedLayer, merge_rings, rings_from_points, rings_from_shapely

__all__ = ["LayoutSource", "PackageSource", "label_nets", "path_rings", "read_labels", "read_layout_rings",
           "trace_rings"]

_LAYOUT_SUFFIXES = (".gds", ".gds2", ".gdsii", ".oas", ".oasis")


class PackageSource:
    """Layers of a :class:`~sipkit.model.Package`: conductor layers, ``OUTLINE``, ``DRILL``."""

    kind = "package"

    def __init__(self, pkg):
        self.pkg = pkg
        self.name = pkg.name
        self._cache: dict[str, MergedLayer] = {}

    def has_layer(self, name: str) -> bool:
        """Whether the package has a conductor or solder-mask layer of that name (or OUTLINE, DRILL)."""
        if name in ("OUTLINE", "DRILL"):
            return True
        return any(la.name == name and la.kind in ("conductor", "solder_mask")
                   for la in self.pkg.substrate.stackup)

    def shapes(self, name: str):
        """Unmerged (shapely polygon, net) of a layer."""
        import shapely

        from ..model.geometry import circle, layer_polygons

        if name == "OUTLINE":
            return [(shapely.Polygon(self.pkg.substrate.outline), None)]
        if name == "DRILL":
            return [(circle(v.at, v.drill), v.net) for v in self.pkg.substrate.all_vias()]
        if self.pkg.substrate.layer(name).kind == "solder_mask":
            return [(shapely.Polygon(m.points), None) for m in self.pkg.substrate.mask_openings
                    if m.layer == name]
        return layer_polygons(self.pkg, name)

    def layer(self, name: str) -> MergedLayer:
        """The merged layer `name`."""
        if name not in self._cache:
            if not self.has_layer(name):
                layers = ", ".join(la.name for la in self.pkg.substrate.stackup
                                   if la.kind in ("conductor", "solder_mask"))
                raise DesignError(f"the package has no conductor or solder-mask layer {name!r}; "
                                  f"layers: {layers}")
            items = self.shapes(name)
            routing = self.pkg.substrate.routing_of(name) if name not in ("OUTLINE", "DRILL") else None
            traces = routing.traces if routing is not None else ()
            items = items[len(traces):]  # traces lead layer_polygons; they are made as GDS paths below
            netnames = sorted({n for _, n in items if n} | {t.net for t in traces if t.net})
            index = {n: i for i, n in enumerate(netnames)}
            xs, ys, start, sign, owner = rings_from_shapely([p for p, _ in items])
            ring_net = np.asarray([index.get(items[o][1], -1) if items[o][1] else -1 for o in owner],
                                  np.int64)
            if traces:
                txs, tys, tstart = trace_rings(traces)
                xs = np.concatenate((xs, txs))
                ys = np.concatenate((ys, tys))
                start = np.concatenate((start, start[-1] + tstart[1:]))
                sign = np.concatenate((sign, np.ones(len(traces), np.int64)))
                ring_net = np.concatenate((ring_net, [index[t.net] if t.net else -1 for t in traces]))
            self._cache[name] = merge_rings(name, xs, ys, start, sign, ring_net, netnames)
        return self._cache[name]


def trace_rings(traces):
    """Rings (xs, ys, ring_start; database units) of traces, as KLayout makes polygons of GDS paths.

    A package's traces are GDS paths (its layout export writes them so): checking the
    package and checking its exported layout see the same copper.
    """
    from ._path_kernels import path_hulls

    spines = [np.round(np.asarray(t.points, np.float64) / DBU).astype(np.int64) for t in traces]
    n = np.fromiter((len(s) for s in spines), np.int64, len(spines))
    start = np.zeros(len(spines) + 1, np.int64)
    np.cumsum(n, out=start[1:])
    q = np.concatenate(spines)
    width = np.array([round(t.width / DBU) for t in traces], np.int64)
    ext = np.where([t.ends == "flush" for t in traces], 0, width // 2).astype(np.int64)
    rnd = np.array([t.ends == "round" for t in traces], np.bool_)
    x = np.ascontiguousarray(q[:, 0])
    y = np.ascontiguousarray(q[:, 1])
    return path_hulls(x, y, start, width, ext, ext, rnd)


def _load_library(path: Path):
    import gdstk

    suffix = path.suffix.lower()
    if suffix not in _LAYOUT_SUFFIXES:
        raise LayoutError(f"unknown layout type {suffix!r}; expected .gds or .oas", file=str(path))
    if not path.is_file():
        raise LayoutError("no such layout file", file=str(path))
    try:
        reader = gdstk.read_oas if suffix in (".oas", ".oasis") else gdstk.read_gds
        return reader(str(path), unit=1e-6)
    except Exception as err:
        raise LayoutError(f"cannot read the layout: {err}", file=str(path)) from None


def top_cell(lib, cell: str | None = None, name: str = "layout"):
    """The cell to check: `cell`, or the only top cell of `lib`."""
    tops = lib.top_level()
    if cell is not None:
        cells = {c.name: c for c in lib.cells}
        if cell not in cells:
            raise LayoutError(f"no cell {cell!r}; top cells: {', '.join(c.name for c in tops)}", file=name)
        return cells[cell]
    if len(tops) == 1:
        return tops[0]
    if not tops:
        raise LayoutError("the layout has no cells", file=name)
    names_ = ", ".join(sorted(c.name for c in tops))
    raise LayoutError(f"the layout has {len(tops)} top cells ({names_}); name one (cell=..., or --cell)",
                      file=name)


def layer_rings(top, layer: int, datatype: int, scale: float):
    """Flat ring arrays (xs, ys, ring_start; database units) of one GDS layer of a cell, or None."""
    polys = top.get_polygons(apply_repetitions=True, include_paths=False, layer=layer, datatype=datatype)
    paths = top.get_paths(apply_repetitions=True, layer=layer, datatype=datatype)
    parts = []
    if polys:
        pts = [p.points for p in polys]
        lens = np.fromiter((len(p) for p in pts), np.int64, len(pts))
        parts.append((np.round(np.concatenate(pts) * scale).astype(np.int64), lens))
        del pts, polys
    if paths:
        parts.append(path_rings(paths, scale))
    if not parts:
        return None
    q = np.concatenate([p for p, _ in parts]) if len(parts) > 1 else parts[0][0]
    lens = np.concatenate([n for _, n in parts])
    start = np.zeros(len(lens) + 1, np.int64)
    np.cumsum(lens, out=start[1:])
    return np.ascontiguousarray(q[:, 0]), np.ascontiguousarray(q[:, 1]), start


def _scale(lib) -> float:
    factor = lib.unit / 1e-6 if lib.unit else 1.0
    return factor / DBU


def read_layout_rings(lib, layers: dict, cell: str | None = None, name: str = "layout"):
    """Flat ring arrays per layer name from a gdstk Library, paths as KLayout makes polygons of them.

    Returns a dict name -> (xs, ys, ring_start) in database units (None for an empty
    layer), and the name of the cell read.
    """
    top = top_cell(lib, cell, name)
    scale = _scale(lib)
    return {lname: layer_rings(top, la, dt, scale) for lname, (la, dt) in layers.items()}, top.name


def path_rings(paths, scale: float):
    """Polygon rings of gdstk paths, database units: (points (n, 2) int64, ring lengths).

    GDS paths (gdstk FlexPaths of one constant-width path, as read from a file) become
    the polygons KLayout makes of them (:mod:`._path_kernels`), whatever their width in
    database units; other paths (several sub-paths, varying widths, offsets, smooth or
    custom ends, RobustPaths) are polygonised by gdstk.
    """
    import gdstk

    from ._path_kernels import path_hulls

    spines, widths, bgn, end, rnd = [], [], [], [], []
    other = []
    for p in paths:
        ends = p.ends[0] if isinstance(p, gdstk.FlexPath) and p.num_paths == 1 else None
        w = p.widths() if ends is not None else None
        ok = (ends is not None and p.simple_path and np.all(w == w[0, 0]) and not np.any(p.offsets())
              and (ends in ("flush", "extended", "round") or isinstance(ends, tuple)))
        if not ok:
            other.append(p)
            continue
        wd = round(float(w[0, 0]) * scale)
        if isinstance(ends, tuple):
            b, e = round(float(ends[0]) * scale), round(float(ends[1]) * scale)
        elif ends == "flush":
            b = e = 0
        else:
            b = e = wd // 2  # GDS path types 1 and 2: half the width, in whole database units
        spines.append(p.spine())
        widths.append(wd)
        bgn.append(b)
        end.append(e)
        rnd.append(ends == "round")
    pts = []
    lens = []
    if spines:
        n = np.fromiter((len(s) for s in spines), np.int64, len(spines))
        start = np.zeros(len(spines) + 1, np.int64)
        np.cumsum(n, out=start[1:])
        q = np.round(np.concatenate(spines) * scale).astype(np.int64)
        hx, hy, ring = path_hulls(np.ascontiguousarray(q[:, 0]), np.ascontiguousarray(q[:, 1]), start,
                                  np.asarray(widths, np.int64), np.asarray(bgn, np.int64),
                                  np.asarray(end, np.int64), np.asarray(rnd, np.bool_))
        pts.append(np.column_stack((hx, hy)))
        lens.append(np.diff(ring))
    for p in other:
        for poly in p.to_polygons():
            pts.append(np.round(poly.points * scale).astype(np.int64))
            lens.append(np.array([len(poly.points)], np.int64))
    if not pts:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    return np.concatenate(pts), np.concatenate(lens)


class LayoutSource:
    """Layers of a GDSII/OASIS layout through a deck's layer map, read when first used."""

    kind = "layout"

    def __init__(self, layout, layer_map: dict, cell: str | None = None):
        if isinstance(layout, (str, os.PathLike)):
            path = Path(layout)
            self.name = path.name
            lib = _load_library(path)
        else:
            self.name = getattr(layout, "name", "layout")
            lib = layout
        self.lib = lib
        self.layer_map = dict(layer_map)
        self.top = top_cell(lib, cell, self.name)
        self.cell = self.top.name
        self._scale = _scale(lib)
        self._rings: dict = {}
        self._labels: dict | None = None
        self._cache: dict[str, MergedLayer] = {}

    def _read(self, name: str):
        if name not in self._rings:
            la, dt = self.layer_map[name]
            self._rings[name] = layer_rings(self.top, la, dt, self._scale)
        return self._rings[name]

    def has_layer(self, name: str) -> bool:
        """Whether the layer is mapped and has shapes."""
        return name in self.layer_map and self._read(name) is not None

    def layer(self, name: str) -> MergedLayer:
        """The merged layer `name` (empty when the layout has nothing on it)."""
        if name not in self._cache:
            if name not in self.layer_map:
                raise DesignError(f"layer {name!r} is not in the deck's layer map "
                                  f"({', '.join(self.layer_map) or 'empty'})")
            rings = self._read(name)
            if rings is None:
                rings = rings_from_points([])[:3]
            layer = merge_rings(name, *rings)
            self._rings.pop(name, None)  # the rings are not needed once merged
            self._rings[name] = () if rings[0].size else None
            if self.has_nets(name):
                label_nets(layer, *self._labels[name])
            self._cache[name] = layer
        return self._cache[name]

    def has_nets(self, name: str) -> bool:
        """Whether text labels name the nets of layer `name`."""
        if self._labels is None:
            self._labels = read_labels(self.top, self.layer_map)
        return name in self._labels


def read_labels(top, layers: dict) -> dict:
    """Text labels per layer name: (texts, x, y in database units), same GDS layer/datatype as the shapes."""
    out = {}
    for lname, (la, dt) in layers.items():
        labels = top.get_labels(apply_repetitions=True, layer=la, texttype=dt)
        if labels:
            xy = np.round(np.array([lb.origin for lb in labels], dtype=np.float64) / DBU).astype(np.int64)
            out[lname] = ([lb.text for lb in labels], xy[:, 0].copy(), xy[:, 1].copy())
    return out


def label_nets(layer: MergedLayer, texts, x, y) -> None:
    """Set ``layer.poly_nets`` from text labels: each polygon takes the labels lying on it."""
    from . import _kernels as kn
    from ._grid import grid_for

    nets = [set() for _ in range(layer.n_polygons)]
    if layer.n_edges:
        gx0, gy0, cell, nx, ny = grid_for(layer.x1, layer.y1, layer.x2, layer.y2, 1.0, per_cell=6.0)
        where = kn.locate_points(np.asarray(x, np.int64), np.asarray(y, np.int64), layer.x1, layer.y1,
                                 layer.x2, layer.y2, layer.poly, gx0, gy0, cell, nx, ny)
        for text, p in zip(texts, where.tolist(), strict=True):
            if p >= 0:
                nets[p].add(text)
    layer.poly_nets = [frozenset(s) for s in nets]


def open_source(obj, deck, cell: str | None = None):
    """A geometry source for a Package, a design file, a layout file or a gdstk Library."""
    from ..model import Package

    if isinstance(obj, Package):
        return PackageSource(obj)
    if isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        if path.suffix.lower() in _LAYOUT_SUFFIXES:
            if not deck.layer_map:
                raise DesignError(f"deck {deck.name!r} has no layer map (layers: {{L1: 1/0, ...}}) to read "
                                  "a layout with")
            return LayoutSource(path, deck.layer_map, cell)
        from ..io import load

        return PackageSource(load(path))
    if hasattr(obj, "top_level") and hasattr(obj, "cells"):
        return LayoutSource(obj, deck.layer_map, cell)
    raise DesignError("expected a Package, a design or layout file, or a gdstk Library, "
                      f"got {type(obj).__name__}")
